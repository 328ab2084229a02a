"""The walking skeleton, from source text to spikes, checked against a hand computation.

examples/skeleton.corelet: a = x[0] - x[1], b counts x[1], c = 2 * a two ticks later; all neurons
reset linearly with a floor at 0; thresholds 2, 3, 2. With the raster below the spikes follow by hand
(the derivation is in the example's doc string):
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import corelet
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "skeleton.corelet"
INPUT = ROOT / "examples" / "skeleton_input.npz"
RASTER = np.array([[1, 0], [1, 0], [1, 1], [0, 1], [1, 1], [1, 0], [1, 0], [0, 0]], dtype=bool)
TICKS = 10
EXPECTED_SPIKE_TICKS = {0: [1, 6], 1: [4], 2: [3, 8]}  # y pin -> ticks (a, b, c)


def expected_raster() -> np.ndarray:
    raster = np.zeros((TICKS, 3), dtype=bool)
    for pin, ticks in EXPECTED_SPIKE_TICKS.items():
        raster[ticks, pin] = True
    return raster


def test_example_input_file_holds_the_documented_raster():
    with np.load(INPUT) as data:
        assert np.array_equal(data["x"].astype(bool), RASTER)


def test_source_to_spikes_through_the_api():
    net = corelet.load(EXAMPLE)
    assert net.n_neurons == 3 and [c.name for c in net.inputs] == ["x"]
    compiled = corelet.compile(net)
    assert compiled.model.n_cores == 1
    result = corelet.run(compiled.model, TICKS, {"x": RASTER})
    assert np.array_equal(result.outputs["y"][0], expected_raster())


@pytest.mark.slow
def test_source_to_spikes_through_the_command_line(tmp_path):
    model, report, spikes = tmp_path / "m.json", tmp_path / "r.html", tmp_path / "s.npz"
    cli = [sys.executable, "-m", "corelet"]
    compiled = subprocess.run([*cli, "compile", str(EXAMPLE), "-o", str(model), "--report", str(report)],
                              capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr
    assert json.loads(model.read_text())["format"] == "corelet-chip-model"
    assert "<svg" in report.read_text()
    ran = subprocess.run([*cli, "run", str(model), "--ticks", str(TICKS), "--input", str(INPUT),
                          "-o", str(spikes)], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert "y[0] .|....|..." in ran.stdout  # the printed raster of a: spikes at ticks 1 and 6
    with np.load(spikes) as out:
        key = next(k for k in out.files if k.endswith("y") or k == "y")
        got = out[key].reshape(-1, TICKS, 3)[0]
    assert np.array_equal(got.astype(bool), expected_raster())


def test_compiling_twice_gives_identical_bytes(tmp_path):
    first = corelet.compile(EXAMPLE).model.to_json()
    second = corelet.compile(EXAMPLE).model.to_json()
    assert first == second
