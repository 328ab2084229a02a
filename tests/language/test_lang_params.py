"""parse_param: command-line parameter values from literals and files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from corelet import language
from corelet.chip import ToolchainError


def test_literals():
    assert language.parse_param("n=16") == ("n", 16)
    assert language.parse_param("gain=2.5") == ("gain", 2.5)
    assert language.parse_param("on=true") == ("on", True)
    assert language.parse_param('mode="linear"') == ("mode", "linear")
    assert language.parse_param("mode=linear") == ("mode", "linear")
    name, value = language.parse_param("W=[[1, 2], [3, 4]]")
    assert name == "W" and value.tolist() == [[1, 2], [3, 4]] and value.dtype.kind == "i"


def test_files(tmp_path):
    np.save(tmp_path / "w.npy", np.arange(6).reshape(2, 3))
    np.savez(tmp_path / "both.npz", W1=np.ones((2, 2), int), W2=np.zeros(3, int))
    np.savez(tmp_path / "one.npz", only=np.array([7, 8]))
    (tmp_path / "w.json").write_text(json.dumps([[1.0, -2.0]]))
    base = str(tmp_path)
    assert language.parse_param("W=w.npy", base)[1].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert language.parse_param("W=both.npz:W2", base)[1].tolist() == [0, 0, 0]
    assert language.parse_param("W=one.npz", base)[1].tolist() == [7, 8]
    assert language.parse_param("W=w.json", base)[1].tolist() == [[1.0, -2.0]]


def test_errors(tmp_path):
    np.savez(tmp_path / "both.npz", W1=np.ones(2), W2=np.ones(2))
    with pytest.raises(ToolchainError, match="expected NAME=VALUE"):
        language.parse_param("16")
    with pytest.raises(ToolchainError, match="has no array 'W3'"):
        language.parse_param("W=both.npz:W3", str(tmp_path))
    with pytest.raises(ToolchainError, match=r"holds 2 arrays \('W1', 'W2'\); name one as both.npz:KEY"):
        language.parse_param("W=both.npz", str(tmp_path))
    with pytest.raises(ToolchainError, match="parameter W: .*missing.npy: no such file"):
        language.parse_param("W=missing.npy", str(tmp_path))


def test_json_floats_that_are_whole_numbers_fit_an_int_array(tmp_path):
    (tmp_path / "w.json").write_text("[1.0, -2.0, 3.0]")
    _, value = language.parse_param("W=w.json", str(tmp_path))
    net = language.elaborate_source("""
corelet A(W: int[n]) {
    input x[n]
    output y[n]
    neurons h[n] = neuron { leak = W }
    x -> h
    y = h
}
""", params={"W": value})
    assert net.params.leak.tolist() == [1, -2, 3]
