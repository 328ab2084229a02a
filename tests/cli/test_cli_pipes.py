"""A closed output pipe (``corelet ... | head``) ends a command quietly: exit status 141 (128 +
SIGPIPE, as a shell reports for a Unix tool), nothing on standard error, and the files it wrote
before intact. The reader is gone before the program starts, so its first write finds the pipe
closed, every time."""

import os
import subprocess
import sys

import numpy as np
import pytest

from corelet.chip import ChipModel
from tests.e2e.test_skeleton import EXAMPLE, RASTER, TICKS, expected_raster

pytestmark = pytest.mark.slow  # every test here spawns the corelet program


def closed_stdout(*args, cwd):
    """Run the corelet program with a standard output whose reader has already gone."""
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([sys.executable, "-m", "corelet", *map(str, args)], cwd=cwd,
                              stdout=write, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write)
    return proc


def assert_quiet_end(proc):
    assert proc.returncode == 141, proc.stderr
    assert proc.stderr == ""  # no "internal error: BrokenPipeError", no "Exception ignored"


@pytest.fixture
def model(corelet, tmp_path):
    proc = corelet("compile", EXAMPLE, "-o", "m.json")
    assert proc.returncode == 0, proc.stderr
    return tmp_path / "m.json"


def test_compile_into_a_closed_pipe_keeps_its_model(corelet, tmp_path):
    proc = closed_stdout("compile", EXAMPLE, "-o", "closed.json", "--report", "r.html",
                         cwd=tmp_path)
    assert_quiet_end(proc)
    assert corelet("compile", EXAMPLE, "-o", "open.json").returncode == 0
    # the model and report were written whole before the summary met the closed pipe
    assert (tmp_path / "closed.json").read_bytes() == (tmp_path / "open.json").read_bytes()
    assert (tmp_path / "r.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["closed.json", "open.json", "r.html"]


def test_run_into_a_closed_pipe_keeps_its_outputs(model, tmp_path):
    np.savez(tmp_path / "in.npz", x=RASTER)
    proc = closed_stdout("run", model, "--ticks", TICKS, "--input", "in.npz", "-o", "o.npz",
                         cwd=tmp_path)
    assert_quiet_end(proc)
    with np.load(tmp_path / "o.npz") as data:
        assert np.array_equal(data["outputs/y"][0], expected_raster())


@pytest.mark.parametrize("args", [("library",), ("library", "Dense"), ("check", EXAMPLE),
                                  ("show", "m.json"), ("report", "m.json", "-o", "r.txt")])
def test_printing_commands_end_quietly(model, tmp_path, args):
    assert_quiet_end(closed_stdout(*args, cwd=tmp_path))
    ChipModel.load(model)  # untouched
    if "r.txt" in args:
        assert "core" in (tmp_path / "r.txt").read_text(encoding="utf-8")


def test_an_open_pipe_still_gets_everything(corelet):
    proc = corelet("library")
    assert proc.returncode == 0 and proc.stdout.count('use "') >= 9
