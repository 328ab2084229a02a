"""Helpers for the language tests: elaborate a program, read its connections and diagnostics."""

from __future__ import annotations

import numpy as np
import pytest

from corelet import language
# The TrueHappiness sketch of ../shared/DESIGN.md, as the docs show it
TRUEHAPPINESS = """
neuron relu { weights = [1, 2, 4, -8]; threshold = 16; reset = linear; floor = 0 }

# 4-bit signed weights: input i reaches neuron j through up to four axon types (weights 1, 2, 4, -8);
# the synapses switched on spell W[i, j] in two's complement.
corelet Dense(W: int[n, m], cell = relu) {
    input  x[n]
    output y[m]
    neurons h[m] = cell
    x[i] -> h[j] type k  for i in 0..n, j in 0..m, k in 0..4  if bit(W[i, j], k)
    y = h
}

corelet TrueHappiness(W1: int[64, 64], W2: int[64, 1]) {
    input  word[64]
    output score[1]
    hid = Dense(W = W1)
    out = Dense(W = W2)
    word -> hid.x;  hid.y -> out.x;  out.y -> score
}
"""


def elaborate(source: str, **params):
    """Elaborate ``source`` (a program written flush left) with ``params``."""
    return language.elaborate_source(source, "test.corelet", params=params)


def edges(net) -> set[tuple[str, str, int, int]]:
    """Connections as readable tuples (source name, target name, axon type, delay)."""
    c = net.connections
    return {(net.source_name(int(s)), net.neuron_name(int(d)), int(t), int(dl))
            for s, d, t, dl in zip(c.src, c.dst, c.axon_type, c.delay)}


def error_of(source: str, filename: str = "test.corelet", **kwargs) -> language.LanguageError:
    with pytest.raises(language.LanguageError) as info:
        language.elaborate_source(source, filename, **kwargs)
    return info.value


# A corelet `Cell(k)` of 4 neurons with threshold k, and `Wide(G)`: a `for` loop of G instances
# `cell[g]` of it, with thresholds `g % modulus + 1` (benchmarks/loops.py times the same program)
CELL = """
corelet Cell(k: int) {
    input x[4]
    output y[4]
    neurons f[4] = neuron { threshold = k }
    x -> f
    y = f
}
"""


def wide(modulus: int) -> str:
    return CELL + f"""
corelet Wide(G: int) {{
    input x[4]
    output y[4 * G]
    for g in 0..G {{
        cell[g] = Cell(k = g % {modulus} + 1)
        x -> cell[g].x
    }}
    y = cell[0:G].y
}}
"""


def first_error(source: str, **kwargs) -> tuple[str, int, int, str]:
    """(message, line, column, hint) of the first diagnostic."""
    d = error_of(source, **kwargs).diagnostics[0]
    return d.message, d.span.line, d.span.column, d.hint


def row(net, neuron: int) -> dict:
    return net.params.row(neuron)


__all__ = ["CELL", "elaborate", "edges", "error_of", "first_error", "row", "np", "wide"]
