"""Progress on stderr: on a terminal each step that runs long enough says so (elaborating,
placing, writing, loading, preparing, running); piped, nothing. The steps' delay is set to 0 with
CORELET_PROGRESS_AFTER so that the small example's quick steps show; the program's stderr is a
pseudo-terminal (a real tty to the program) or a pipe."""

import io
import os
import subprocess
import sys
import time

import pytest

from corelet.progress import AFTER_VARIABLE, ProgressBar, step
from tests.e2e.test_skeleton import EXAMPLE, INPUT, TICKS


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_a_step_on_a_terminal_says_so_once_it_runs_long_enough():
    out = FakeTerminal()
    with step("elaborating", stream=out, after=0):
        pass
    assert out.getvalue().startswith("elaborating ...\relaborating done in ")
    out = FakeTerminal()
    with step("elaborating", stream=out, after=0.05):
        time.sleep(0.3)
    assert "elaborating ..." in out.getvalue() and out.getvalue().endswith("s\n")


def test_a_quick_step_or_a_pipe_shows_nothing():
    out = FakeTerminal()
    with step("elaborating", stream=out, after=5):
        pass
    assert out.getvalue() == ""
    piped = io.StringIO()
    with step("elaborating", stream=piped, after=0):
        pass
    assert piped.getvalue() == ""
    with step("forced", stream=piped, after=0, enabled=True):
        pass
    assert "forced ..." in piped.getvalue()


def test_a_bar_waits_for_its_delay_and_then_draws_to_the_end():
    out = FakeTerminal()
    bar = ProgressBar("running", stream=out, after=10)
    for t in range(1, 11):
        bar(t, 10)
    assert out.getvalue() == ""  # finished before the delay: not even the end is drawn
    bar = ProgressBar("running", stream=out, after=0)
    bar("chip", 10, 10)
    assert out.getvalue().startswith("\rrunning chip") and "10/10" in out.getvalue()
    assert ProgressBar("running", stream=io.StringIO()).enabled is False  # not a terminal


def run_corelet(*args, cwd, terminal: bool) -> str:
    """The program's stderr, written to a pseudo-terminal or a pipe."""
    env = {**os.environ, AFTER_VARIABLE: "0"}
    command = [sys.executable, "-m", "corelet", *map(str, args)]
    if not terminal:
        proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        return proc.stderr
    leader, follower = os.openpty()
    try:
        proc = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                              stderr=follower)
    finally:
        os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other side is closed and drained
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.returncode == 0
    return b"".join(chunks).decode()


@pytest.mark.slow
@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "pipe"])
def test_every_long_step_shows_on_a_terminal_and_nothing_when_piped(tmp_path, terminal):
    steps = {
        ("compile", EXAMPLE, "-o", "m.json"): ["elaborating", "placing", "writing the model"],
        ("run", "m.json", "--ticks", TICKS, "--input", INPUT, "-o", "o.npz"):
            ["loading the model", "preparing the model", "running", "writing the outputs"],
        ("verify", "m.json", "--ticks", TICKS, "--input", INPUT):
            ["loading the model", "elaborating", "retiming", "running chip", "running network"],
        ("report", "m.json", "-o", "r.html"): ["loading the model"],
        ("check", EXAMPLE): ["elaborating"],
    }
    for args, labels in steps.items():
        err = run_corelet(*args, cwd=tmp_path, terminal=terminal)
        if terminal:
            for label in labels:
                assert label in err, (args[0], label, err)
        else:
            assert err == "", (args[0], err)
