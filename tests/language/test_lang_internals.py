"""The array machinery behind elaboration, against simple reference implementations."""

from __future__ import annotations

import numpy as np
import pytest

from corelet import language
from corelet.chip import canonical
from corelet.chip.network import Connections
from .lang_helpers import edges, elaborate, first_error


def lexsort_reference(src, dst, types, delay):
    """Unique rows of (src, dst, type, delay) in lexicographic order, the slow obvious way."""
    rows = sorted(set(zip(src.tolist(), dst.tolist(), types.tolist(), delay.tolist())))
    return [np.array(col) for col in zip(*rows)]


@pytest.mark.parametrize("packable", [True, False])
def test_merged_blocks_equal_the_reference(packable):
    rng = np.random.default_rng(3)
    n, pins, count = 50, 7, 5000
    src = rng.integers(0, n + pins, count) + (0 if packable else 2**60)
    dst = rng.integers(0, n, count)
    types = rng.integers(0, 4, count).astype(np.int8)
    delay = rng.integers(1, 40, count).astype(np.int32)
    expected = lexsort_reference(src, dst, types, delay)
    merged = Connections.merge([(src[:2000], dst[:2000].astype(np.int32), types[:2000], delay[:2000]),
                                (src[2000:], dst[2000:], types[2000:], delay[2000:])])
    assert len(merged) < count  # the random draw has duplicates, removed
    for field, want in zip(("src", "dst", "axon_type", "delay"), expected):
        assert np.array_equal(getattr(merged, field), want)
    assert [getattr(merged, f).dtype for f in ("src", "dst", "axon_type", "delay")] == \
        [np.int64, np.int64, np.int8, np.int32]


@pytest.mark.parametrize("values", [np.arange(1000)[::-1], np.zeros(1000, np.int64),
                                    np.random.default_rng(0).integers(0, 2**40, 100_000)])
def test_parallel_sort_equals_numpy_sort(values):
    key = np.array(values, dtype=np.int64)
    canonical.sort_in_place(key, min_parallel=10)
    assert np.array_equal(key, np.sort(np.asarray(values, dtype=np.int64)))


def test_alias_fan_in_and_fan_out_over_two_levels():
    # a, b -> mid.x (delays 1 and 2 extra), mid.x -> inner.x (3 extra), inner.x -> h0, h1
    net = elaborate("""
corelet Inner() {
    input x
    output y[2]
    neurons h[2] = neuron { }
    x -> h type 1
    y = h
}
corelet Mid() {
    input x
    output y[2]
    inner = Inner()
    x -> inner.x delay 3
    y = inner.y
}
corelet Top() {
    input a
    input b
    output y[2]
    mid = Mid()
    a -> mid.x delay 1
    b -> mid.x delay 2
    y = mid.y
}
""")
    assert edges(net) == {("a[0]", "mid.inner.h[0]", 1, 5), ("a[0]", "mid.inner.h[1]", 1, 5),
                          ("b[0]", "mid.inner.h[0]", 1, 6), ("b[0]", "mid.inner.h[1]", 1, 6)}


def test_an_undriven_instance_input_connects_nothing():
    net = elaborate("""
corelet Inner() {
    input x
    output y
    neurons h = neuron { }
    x -> h
    y = h
}
corelet Top() {
    input a
    output y
    sub = Inner()
    neurons g = neuron { }
    a -> g
    y = sub.y
}
""")
    assert edges(net) == {("a[0]", "g[0]", 0, 1)}


def test_a_whole_connector_in_a_comprehension_must_be_indexed():
    assert first_error("""
corelet A() {
    input x[3]
    output y[2]
    neurons h[2] = neuron { }
    x -> h[j] for j in 0..2
    y = h
}
""") == ("`x` must pick one element per loop step; it has 3 elements", 6, 5,
         "index it with the loop variables, e.g. `x[i]`")


def test_empty_ranges_and_filters_that_keep_nothing_are_fine():
    net = elaborate("""
corelet A(n: int = 0) {
    input x[2]
    output y[2]
    neurons h[2] = neuron { }
    x[i] -> h[i] for i in 0..n
    x[i] -> h[i] for i in 0..2 if i > 5
    x -> h delay 2
    y = h
}
""")
    assert edges(net) == {("x[0]", "h[0]", 0, 2), ("x[1]", "h[1]", 0, 2)}


def test_large_comprehension_spans_several_chunks(monkeypatch):
    from corelet.language import elaborate as elaborate_module

    monkeypatch.setattr(elaborate_module, "GRID_CHUNK", 64)
    net = elaborate("""
corelet A(n: int = 30) {
    input x[n]
    output y[n]
    neurons h[n] = neuron { }
    x[i] -> h[j] type (i + j) % 4 for i in 0..n, j in 0..n if (i * j) % 7 == 1
    y = h
}
""")
    expected = {(f"x[{i}]", f"h[{j}]", (i + j) % 4, 1)
                for i in range(30) for j in range(30) if (i * j) % 7 == 1}
    assert edges(net) == expected


def test_merge_of_nothing_is_empty():
    assert len(Connections.merge([])) == 0 and len(Connections.canonical([], [], [], [])) == 0


@pytest.mark.parametrize("text", [
    "(n - 6) * 2", "n - 6 * 2", "2 ** 3 ** 2", "(2 ** 3) ** 2", "-(n + 1)",
    "not (n > 1 and n < 3)", "n - (1 - 2)", "n - 1 - 2", "(a or b) and c", "x[(g + 1) * 2:4]",
])
def test_messages_quote_expressions_with_the_parentheses_they_need(text):
    """``unparse`` (the text quoted in messages and hints) keeps the grouping the source had."""
    from corelet.language import ast as lang_ast
    from corelet.language._expressions import unparse
    from corelet.language._parser import parse

    module = parse(f"corelet A() {{\n    k = {text}\n}}\n", "t.corelet")
    (statement,) = [s for s in module.corelets[0].body if isinstance(s, lang_ast.Assign)]
    assert unparse(statement.value) == text
