"""corelet verify: a compiled model and the logical network it came from, run on the user's inputs.
The skeleton example's spikes are known by hand (tests/e2e/test_skeleton.py), so a model with one
neuron's threshold raised must differ first where that neuron's first hand-computed spike is."""

import json

import numpy as np
import pytest

from corelet.chip import ChipModel
from tests.cli.test_cli import assert_clean_failure
from tests.e2e.test_skeleton import EXAMPLE, EXPECTED_SPIKE_TICKS, RASTER, TICKS

pytestmark = pytest.mark.slow  # every test here spawns the corelet program


@pytest.fixture
def inputs(tmp_path):
    np.savez(tmp_path / "in.npz", x=RASTER)
    return "in.npz"


def test_a_compiled_model_agrees_with_its_network(corelet, tmp_path, inputs):
    assert corelet("compile", EXAMPLE, "-o", "m.json").returncode == 0
    proc = corelet("verify", "m.json", "--ticks", TICKS, "--input", inputs)
    assert proc.returncode == 0, proc.stderr
    spikes = sum(len(t) for t in EXPECTED_SPIKE_TICKS.values())
    assert f"y[3]: {spikes} spikes on the chip, {spikes} in the network" in proc.stdout
    assert "agree " in proc.stdout and "0 connection(s) delayed" in proc.stdout


def test_splitter_retiming_is_applied(corelet, tmp_path, inputs):
    """With splitter cores, a pin that feeds several axons goes through a splitter, a tick late
    for its delay-1 connections: x[1] feeds a (type 1) and b (type 0), two connections; x[0]
    feeds one axon and needs none."""
    assert corelet("compile", EXAMPLE, "-o", "m.json", "--input-fanout", "splitter").returncode == 0
    proc = corelet("verify", "m.json", "--ticks", TICKS, "--input", inputs, "--batch", 3)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "(2 connection(s) delayed" in proc.stdout and "x 3 sample(s)" in proc.stdout


def test_a_corrupted_model_differs_where_the_hand_computation_says(corelet, tmp_path, inputs):
    assert corelet("compile", EXAMPLE, "-o", "m.json").returncode == 0
    model = ChipModel.load(tmp_path / "m.json")
    out = next(c for c in model.outputs if c.name == "y")
    core, neuron = int(out.core[1]), int(out.neuron[1])  # y[1] is b, threshold 3
    row = core * model.profile.neurons_per_core + neuron
    assert model.cores.params.threshold[row] == 3
    model.cores.params.threshold[row] = 4  # b now needs a 4th x[1] spike, which never comes
    (tmp_path / "bad.json").write_text(model.to_json(), encoding="utf-8")
    proc = corelet("verify", "bad.json", "--ticks", TICKS, "--input", inputs)
    assert proc.returncode == 1 and proc.stderr == ""
    first = EXPECTED_SPIKE_TICKS[1][0]
    assert (f"DIFFER   first at tick {first}, output y[1], sample 0: the chip did not fire, "
            "the network fired") in proc.stdout
    assert f"neuron b[0]: core {core}, neuron {neuron} on the chip" in proc.stdout


WEIGHTED = """corelet Weighted(W: int[2], t: int) {
    input x[2]; output y[1]
    neurons h[1] = neuron { weights = [1, 0, 0, 0]; threshold = t }
    x[i] -> h for i in 0..2 if W[i] > 0
    y = h
}
"""


def test_array_parameters_are_given_again_and_checked(corelet, tmp_path, inputs):
    (tmp_path / "w.corelet").write_text(WEIGHTED, encoding="utf-8")
    np.save(tmp_path / "w.npy", np.array([1, 1]))
    np.save(tmp_path / "other.npy", np.array([1, 0]))
    assert corelet("compile", "w.corelet", "-p", "W=w.npy", "-p", "t=2", "-o", "m.json").returncode == 0
    proc = corelet("verify", "m.json", "--ticks", TICKS, "--input", inputs)
    assert_clean_failure(proc)
    assert "parameter W was an array" in proc.stderr and "-p W=" in proc.stderr
    proc = corelet("verify", "m.json", "--ticks", TICKS, "--input", inputs, "-p", "W=other.npy")
    assert_clean_failure(proc)
    assert "parameter W is not the one the model was compiled with" in proc.stderr
    proc = corelet("verify", "m.json", "--ticks", TICKS, "--input", inputs, "-p", "W=w.npy")
    assert proc.returncode == 0, proc.stderr  # t = 2 comes from the model's record
    assert "agree " in proc.stdout


def test_a_changed_source_is_refused(corelet, tmp_path, inputs):
    (tmp_path / "s.corelet").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert corelet("compile", "s.corelet", "-o", "m.json").returncode == 0
    with open(tmp_path / "s.corelet", "a", encoding="utf-8") as f:
        f.write("# edited after compiling\n")
    proc = corelet("verify", "m.json", "--ticks", TICKS, "--input", inputs)
    assert_clean_failure(proc)
    assert "the source changed since the model was compiled (s.corelet" in proc.stderr


def test_a_model_that_names_no_source_needs_one(corelet, tmp_path, inputs):
    assert corelet("compile", EXAMPLE, "-o", "m.json").returncode == 0
    data = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    del data["provenance"]["source"]
    (tmp_path / "m.json").write_text(json.dumps(data), encoding="utf-8")
    proc = corelet("verify", "m.json", "--ticks", TICKS, "--input", inputs)
    assert_clean_failure(proc, code=2)
    assert "--source FILE.corelet" in proc.stderr
    proc = corelet("verify", "m.json", "--ticks", TICKS, "--input", inputs, "--source", EXAMPLE)
    assert proc.returncode == 0 and "agree " in proc.stdout
