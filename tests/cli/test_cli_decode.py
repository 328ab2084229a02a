"""``corelet decode``: the run file of the skeleton example, whose spikes its docstring works out by
hand (over 10 ticks y[0] fires at 1 and 6, y[1] at 4, y[2] at 3 and 8), read as numbers."""

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.cli.conftest import ROOT


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A folder holding the skeleton's run file out.npz (compiled and run once for the module)."""
    folder = tmp_path_factory.mktemp("decode")
    x = np.load(ROOT / "examples/skeleton_input.npz")["x"]
    np.save(folder / "x.npy", np.stack([x, np.zeros_like(x)]))  # sample 1: no input, no spikes
    for args in (["compile", ROOT / "examples/skeleton.corelet", "-o", "m.json"],
                 ["run", "m.json", "--ticks", 10, "--input", "x=x.npy", "-o", "out.npz",
                  "--probe", "a*"]):
        proc = subprocess.run([sys.executable, "-m", "corelet", *map(str, args)],
                              capture_output=True, text=True, cwd=folder)
        assert proc.returncode == 0, proc.stderr
    return folder


@pytest.fixture
def run_file(folder, corelet):
    return folder / "out.npz"


def test_counts_rates_and_values(corelet, run_file):
    proc = corelet("decode", run_file, "--counts")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["y sample 0 counts: 2 1 2", "y sample 1 counts: 0 0 0"]
    proc = corelet("decode", run_file, "--rates", "5", "--sample", "0")
    assert proc.stdout.splitlines() == ["y sample 0 ticks 0..4 rates: 0.2 0.2 0.2",
                                        "y sample 0 ticks 5..9 rates: 0.2 0 0.2"]
    proc = corelet("decode", run_file, "--values", "10:-1", "--json")
    got = json.loads(proc.stdout)
    assert got["connectors"]["y"]["values"] == [[1.0, 0.0, 1.0], [-1.0, -1.0, -1.0]]


def test_votes_say_the_class_and_ties_go_to_the_lowest(corelet, run_file):
    proc = corelet("decode", run_file, "--votes", "--sample", "0")
    assert proc.stdout.strip() == "y sample 0: class 0 (votes 2 1 2)"  # 0 and 2 tie: 0
    proc = corelet("decode", run_file, "--votes", "--window", "5", "--sample", "0")
    assert proc.stdout.splitlines() == ["y sample 0 ticks 0..4: class 0 (votes 1 1 1)",
                                        "y sample 0 ticks 5..9: class 0 (votes 1 0 1)"]
    proc = corelet("decode", run_file, "--votes", "2", "--json")  # pins 0, 2 -> class 0; 1 -> 1
    y = json.loads(proc.stdout)["connectors"]["y"]
    assert y == {"votes": [[4, 1], [0, 0]], "class": [0, 0]}


def test_bursts_and_probes(corelet, run_file):
    proc = corelet("decode", run_file, "--bursts", "--start", "2")
    assert proc.stdout.splitlines() == ["y: 4 bursts (sample pin first_tick length)",
                                        "  0 0 6 1", "  0 1 4 1", "  0 2 3 1", "  0 2 8 1"]
    proc = corelet("decode", run_file, "--counts", "--connector", "a*", "--sample", "0")
    assert proc.stdout.strip() == "a* sample 0 counts: 2"  # neuron a is y[0]


def test_errors_name_the_problem_without_a_traceback(corelet, run_file, tmp_path):
    proc = corelet("decode", run_file, "--counts", "--connector", "z")
    assert proc.returncode == 1 and "has no output connector or probe 'z' (it has: y, a*)" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert corelet("decode", run_file).returncode == 2  # no decoding asked for
    assert corelet("decode", run_file, "--counts", "--rates").returncode == 2  # two at once
    proc = corelet("decode", run_file, "--rates", "4", "--window", "5")
    assert proc.returncode == 1 and "give the window once" in proc.stderr
    proc = corelet("decode", run_file, "--counts", "--sample", "2")
    assert proc.returncode == 1 and "--sample 2: the run has 2 samples" in proc.stderr
    proc = corelet("decode", "missing.npz", "--counts")
    assert proc.returncode == 1 and "missing.npz: no such file" in proc.stderr
    proc = corelet("decode", run_file, "--values", "two")
    assert proc.returncode == 1 and "SCALE or SCALE:OFFSET" in proc.stderr
