"""The command line: import-tn, export-tn, and run with --spikes / --spikes-out."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from corelet import interop
from corelet.chip import ChipModel
from corelet.cli import main
from tests.interop.test_tn_roundtrip import two_core_text
from tests.interop.tn_helpers import FIXTURES, sfti_spikes, simulate_one_core


def test_import_export_and_run(tmp_path, capsys):
    ours, back = tmp_path / "ours.json", tmp_path / "back.json"
    assert main(["import-tn", str(FIXTURES / "ex2.json"), "-o", str(ours)]) == 0
    assert "1 cores, 256 neurons" in capsys.readouterr().out
    assert ChipModel.load(ours).outputs[1].name == "out33"
    assert main(["export-tn", str(ours), "-o", str(back)]) == 0
    assert interop.read_tn_model(back).to_json() == ChipModel.load(ours).to_json()
    out, sfto = tmp_path / "run.npz", tmp_path / "run.sfto"
    # the original file runs directly too
    assert main(["run", str(FIXTURES / "ex2.json"), "--spikes", str(FIXTURES / "ex2_spikes.sfti"),
                 "--ticks", "30", "-o", str(out), "--spikes-out", str(sfto)]) == 0
    expected, cols = simulate_one_core(FIXTURES / "ex2.json",
                                       sfti_spikes(FIXTURES / "ex2_spikes.sfti"), 30)
    with np.load(out) as data:
        np.testing.assert_array_equal(data["outputs/out33"][0], expected[:, 192:])
    lines = sfto.read_text().splitlines()
    spikes = [(t, c, a) for t, c, a in sfti_spikes(sfto)]
    want = sorted((t, -32 if j < 192 else -33, int(cols["destAxons"][j]))
                  for t, j in zip(*np.nonzero(expected[:, 128:])) for j in [j + 128])
    assert sorted(spikes) == want and '"sfto1.0"' in lines[1]


def test_errors_name_the_place_and_write_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(two_core_text().replace('"types":["0x2",1,"0x253"]', '"types":["0x2",1,"0x25"]'))
    out = tmp_path / "ours.json"
    assert main(["import-tn", str(bad), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{bad}: error: ") and "core 1" in err  # the file first
    assert "neurons.types" in err and "Traceback" not in err and not out.exists()
    good = tmp_path / "two.json"
    good.write_text(two_core_text())
    spikes = tmp_path / "in.sfti"
    spikes.write_text('{"spike":{"srcTime":0,"destCore":3,"destAxon":0}}\n')
    assert main(["run", str(good), "--spikes", str(spikes), "--ticks", "5", "-o",
                 str(tmp_path / "r.npz")]) == 1
    err = capsys.readouterr().err
    assert "in.sfti" in err and "destCore 3 does not exist" in err
    assert not (tmp_path / "r.npz").exists()


def test_spikes_and_input_for_one_connector_is_a_usage_error(tmp_path, capsys):
    good = tmp_path / "two.json"
    good.write_text(two_core_text())
    spikes = tmp_path / "in.sfti"
    spikes.write_text('{"spike":{"srcTime":0,"destCore":0,"destAxon":0}}\n')
    code = main(["run", str(good), "--spikes", str(spikes), "--rate", "core0.axon=0.5",
                 "--ticks", "5", "-o", str(tmp_path / "r.npz")])
    assert code == 2 and "given by --spikes and by" in capsys.readouterr().err


@pytest.mark.slow
def test_the_program_in_a_subprocess(tmp_path):
    good = tmp_path / "two.json"
    good.write_text(two_core_text())
    spikes = tmp_path / "in.sfti"
    spikes.write_text('{"spike":{"srcTime":2,"destCore":0,"destAxon":0}}\n')
    run = [sys.executable, "-m", "corelet"]
    proc = subprocess.run([*run, "import-tn", "two.json", "-o", "ours.json"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([*run, "run", "ours.json", "--spikes", "in.sfti", "--ticks", "10", "-o",
                           "r.npz", "--spikes-out", "r.sfto"], cwd=tmp_path, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    # sent at 2, relayed on core 0 in tick 3, delay 3, out of core 1 in tick 6
    assert (tmp_path / "r.sfto").read_text().splitlines()[2:] == [
        '{"spike":{"srcTime":6,"destCore":-32,"destAxon":9}}']
    proc = subprocess.run([*run, "export-tn", "missing.json", "-o", "x.json"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "missing.json" in proc.stderr and "Traceback" not in proc.stderr


def test_values_the_chip_cannot_hold_fail_the_command_line_without_a_traceback(tmp_path, capsys):
    source = tmp_path / "r.corelet"
    source.write_text("corelet R() {\n    input x\n    output y\n"
                      "    neurons h = neuron { reset_value = 5 }\n    x -> h\n    y = h\n}\n")
    out = tmp_path / "r.json"
    assert main(["compile", str(source), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{source}:4:40: error: reset_value 5 cannot be held by the chip" in err
    assert "nearest values the chip holds: 3 or 7" in err
    assert "Traceback" not in err and not out.exists()
    # a model compiled against the ideal profile (the API) runs, but export-tn refuses it
    from corelet import api
    from corelet.chip import IDEAL
    api.compile(source, profile=IDEAL).model.save(out)
    assert main(["run", str(out), "--ticks", "3", "-o", str(tmp_path / "o.npz")]) == 0
    capsys.readouterr()
    back = tmp_path / "tn.json"
    assert main(["export-tn", str(out), "-o", str(back)]) == 1
    err = capsys.readouterr().err
    assert "reset_value = 5 cannot be held by the chip" in err and "h[0]" in err
    assert "Traceback" not in err and not back.exists()
