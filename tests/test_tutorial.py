"""docs/tutorial.md runs as written: its files are written, its commands and Python sessions run
in a fresh folder, in order, and every output line the text shows is what they print.

Fenced blocks: ```LANG file=NAME writes NAME; ```console runs each ``$ command`` with bash and
matches the lines under it, in order, against its output (a line "..." skips any lines, and "..."
inside a line matches any text); ```pycon runs as a doctest (ELLIPSIS). Any other kind of block
fails the test, so nothing in the tutorial goes unrun.
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```\s*$", re.S | re.M)


def blocks(text: str) -> list[tuple[str, dict, str]]:
    """(kind, options, body) of every fenced block, in order."""
    found = []
    for info, body in FENCE.findall(text):
        kind, *rest = info.split()
        found.append((kind, dict(item.split("=", 1) for item in rest), body))
    return found


def commands(body: str) -> list[tuple[str, list[str]]]:
    """The ``$ command`` lines of a console block, each with the output lines shown under it."""
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"output before any command: {line!r}"
            steps[-1][1].append(line.rstrip())
    return steps


def shown_lines_match(shown: list[str], printed: list[str]) -> bool:
    """Every shown line is printed, in order; "..." lines skip any, "..." inside a line is a wildcard."""
    at = 0
    skipping = False
    for want in shown:
        if want == "...":
            skipping = True
            continue
        pattern = re.compile(".*".join(map(re.escape, want.split("..."))) + r"\Z")
        while at < len(printed) and not pattern.match(printed[at]):
            if not skipping:
                return False
            at += 1
        if at == len(printed):
            return False
        at += 1
        skipping = False
    return skipping or at == len(printed)


def test_the_matcher_fails_on_a_missing_or_extra_line():
    assert shown_lines_match(["a", "...", "c"], ["a", "b", "c"])
    assert shown_lines_match(["a ... z"], ["a to z"])
    assert not shown_lines_match(["a", "c"], ["a", "b", "c"])   # b is printed but not shown
    assert not shown_lines_match(["a", "x"], ["a", "b"])
    assert not shown_lines_match(["a"], ["a", "b"])
    assert shown_lines_match(["a", "..."], ["a", "b"])


@pytest.mark.slow
def test_the_tutorial_runs_as_written(tmp_path, monkeypatch):
    found = blocks(TUTORIAL.read_text(encoding="utf-8"))
    kinds = {kind for kind, options, _ in found if "file" not in options}
    assert kinds <= {"console", "pycon"}, f"blocks the test cannot run: {kinds - {'console', 'pycon'}}"
    assert sum(kind == "console" for kind, _, _ in found) >= 5
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    monkeypatch.chdir(tmp_path)
    globs: dict = {}
    for kind, options, body in found:
        if "file" in options:
            (tmp_path / options["file"]).write_text(body, encoding="utf-8")
        elif kind == "console":
            for command, shown in commands(body):
                proc = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                                      cwd=tmp_path, env=env)
                assert proc.returncode == 0, f"{command}\n{proc.stderr}"
                printed = [line.rstrip() for line in proc.stdout.splitlines()]
                assert shown_lines_match(shown, printed), (
                    f"$ {command}\nthe tutorial shows:\n" + "\n".join(shown)
                    + "\nit prints:\n" + "\n".join(printed))
        else:
            test = doctest.DocTestParser().get_doctest(body, globs, "tutorial", str(TUTORIAL), 0)
            runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
            runner.run(test, clear_globs=False)
            assert runner.failures == 0, "a Python session of the tutorial printed something else"
    # what the text says the steps wrote
    for name in ("first.json", "first.html", "out.npz", "out.svg", "rates.svg", "rates_right.svg"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert "<svg" in (tmp_path / "first.html").read_text()
