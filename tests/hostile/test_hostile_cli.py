"""The command line on hostile input (issue 12): a clear error and exit status 1 (2 for a bad
option), never "internal error"; limits raised with --limit."""

from __future__ import annotations

import json

import numpy as np
import pytest

from corelet.cli import main

BIG = ("corelet T() {\n    input x[1]; output y[1]\n    neurons h[200] = neuron { threshold = 1 }\n"
       "    x[0] -> h[0]; y = h[0:1]\n}\n")


def run(argv, capsys):
    status = main([str(a) for a in argv])
    out = capsys.readouterr()
    assert "internal error" not in out.err and "Traceback" not in out.err
    return status, out.out, out.err


def test_a_limit_is_raised_on_the_command_line(tmp_path, capsys):
    source = tmp_path / "big.corelet"
    source.write_text(BIG)
    status, _, err = run(["check", "--limit", "neurons=100", source], capsys)
    assert status == 1
    assert err.startswith(f"{source}:3:15: error: size of population `h`: 200 is over the limit "
                          "`neurons` of 100\n")
    assert "hint: raise it with `--limit neurons=N`" in err
    status, out, _ = run(["check", "--limit", "neurons=100", "--limit", "neurons=1000", source],
                         capsys)
    assert status == 0 and "neurons      200 in 1 population(s)" in out


def test_an_unknown_limit_is_a_usage_error(tmp_path, capsys):
    source = tmp_path / "big.corelet"
    source.write_text(BIG)
    status, _, err = run(["check", "--limit", "neuron=5", source], capsys)
    assert status == 2 and err.startswith("corelet check: error: unknown limit 'neuron=5'")


@pytest.mark.parametrize("name, content", [
    ("binary.corelet", bytes(range(256)) * 4),
    ("latin1.corelet", b"corelet T() { \xff }"),
    ("escape.corelet", b'use "\\x"\n'),
    ("tower.corelet", b"corelet T() { a = 10 ** 10 ** 10 }"),
    ("selfish.corelet", b"corelet T() { input x; output y; y = y }"),
])
def test_hostile_sources_end_in_errors(tmp_path, capsys, name, content):
    source = tmp_path / name
    source.write_bytes(content)
    status, _, err = run(["check", source], capsys)
    assert status == 1 and err.startswith(f"{source}:1:")


def test_hostile_model_and_inputs(tmp_path, capsys):
    model = tmp_path / "m.json"
    model.write_text("[" * 100_000 + "]" * 100_000)
    status, _, err = run(["run", model, "--ticks", "3", "-o", tmp_path / "o.npz"], capsys)
    assert status == 1 and "lists or objects nest too deeply" in err
    good = json.load(open("tests/compiler/data/skeleton_splitter_v1.json"))
    model.write_text(json.dumps(good))
    name = good["inputs"][0]["name"]
    bomb = tmp_path / "x.npy"
    header = repr({"descr": "|b1", "fortran_order": False, "shape": (10**6, 10**6)}).encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    bomb.write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header)
    status, _, err = run(["run", model, "--ticks", "3", "--input", f"{name}={bomb}",
                          "-o", tmp_path / "o.npz"], capsys)
    assert status == 1 and "over the limit `file_bytes`" in err
    assert not (tmp_path / "o.npz").exists()
    status, _, err = run(["run", model, "--ticks", str(2**40), "-o", tmp_path / "o.npz"], capsys)
    assert status == 1 and "ticks of this run: 1099511627776 is over the limit `ticks`" in err
