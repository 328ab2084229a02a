"""Axon types chosen by the caller (issue 9, item 5).

A connection may set its axon type on either side of a connector boundary: on the caller's
connection into an instance input (`x -> d.x type 1`) or on the corelet's connection from its input
(`x -> h type 1`). The resolved connection takes the type that is set; when neither side sets one,
type 0; when both do, they must agree, otherwise an error names both places.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from corelet import language
from corelet.language import builder as cb

from .lang_helpers import edges, error_of
from .test_lang_docs import PROGRAMS

# The documented example (docs/language.md, "Axon types chosen by the caller"): one dense layer,
# used behind an explicit splitter (two types, excitatory and inhibitory) and fed directly.
LAYERS = next(p for p in PROGRAMS if re.search(r"^corelet Signed\(", p, flags=re.M))


def test_direct_caller_sets_the_type():
    W = np.array([[1, 0], [1, 1], [0, 1]], bool)
    net = language.elaborate_source(LAYERS, "layers.corelet", params={"W": W}, top="Direct")
    assert edges(net) == {
        ("x[0]", "d.h[0]", 2, 1),
        ("x[1]", "d.h[0]", 2, 1), ("x[1]", "d.h[1]", 2, 1),
        ("x[2]", "d.h[1]", 2, 1),
    }


def test_behind_a_splitter_each_slice_has_its_type():
    W = np.array([[1, 0], [0, 1], [0, 1], [1, 0]], bool)   # n = 2: rows 0, 1 excite; 2, 3 inhibit
    net = language.elaborate_source(LAYERS, "layers.corelet", params={"W": W}, top="Signed")
    assert edges(net) == {
        ("x[0]", "s.p[0]", 0, 1), ("x[1]", "s.p[1]", 0, 1),
        ("x[0]", "s.q[0]", 0, 1), ("x[1]", "s.q[1]", 0, 1),
        ("s.p[0]", "d.h[0]", 0, 1), ("s.p[1]", "d.h[1]", 0, 1),   # excitatory half
        ("s.q[0]", "d.h[1]", 1, 1), ("s.q[1]", "d.h[0]", 1, 1),   # inhibitory half
    }


def test_neither_side_sets_it_type_0():
    W = np.array([[1], [1]], bool)
    net = language.elaborate_source(LAYERS + """
corelet Plain(W: bool[n, m]) {
    input x[n]; output y[m]
    d = Dense(W = W)
    x -> d.x delay 2
    y = d.y
}
""", "layers.corelet", params={"W": W})
    assert edges(net) == {("x[0]", "d.h[0]", 0, 3), ("x[1]", "d.h[0]", 0, 3)}
    # the open corelet as the top: its own connections default to type 0 as well
    top = language.elaborate_source(LAYERS, "layers.corelet", params={"W": W}, top="Dense")
    assert edges(top) == {("x[0]", "h[0]", 0, 1), ("x[1]", "h[0]", 0, 1)}


INNER = """
corelet Relay() {
    input x[2]
    output y[2]
    neurons h[2] = neuron { weights = [1, 1, 1, 1] }
    x[0] -> h[0] type 1
    x[1] -> h[1]
    y = h
}
"""


def test_inner_type_and_agreeing_caller():
    net = language.elaborate_source(INNER + """
corelet Top() {
    input a[2]; output y[2]
    r = Relay()
    a -> r.x type 1
    y = r.y
}
""", "t.corelet")
    # pin 0: both sides say 1; pin 1: only the caller does
    assert edges(net) == {("a[0]", "r.h[0]", 1, 1), ("a[1]", "r.h[1]", 1, 1)}


def test_inner_type_kept_when_the_caller_sets_none():
    net = language.elaborate_source(INNER + """
corelet Top() {
    input a[2]; output y[2]
    r = Relay()
    a -> r.x
    y = r.y
}
""", "t.corelet")
    assert edges(net) == {("a[0]", "r.h[0]", 1, 1), ("a[1]", "r.h[1]", 0, 1)}


def test_both_sides_disagree_is_an_error_naming_both():
    source = INNER + """
corelet Top() {
    input a[2]; output y[2]
    r = Relay()
    a -> r.x type 2
    y = r.y
}
"""
    err = error_of(source, "t.corelet")
    assert len(err.diagnostics) == 1
    d = err.diagnostics[0]
    assert d.message == ("the axon type of the connection into `r.x[0]` is set on both sides: "
                         "type 2 here, type 1 inside `Relay`")
    assert (d.span.line, d.span.column) == (14, 5)     # the caller's connection
    assert d.hint == ("a connection has one axon type: set it on one side only, or make both "
                      "the same")
    inner = d.related[0]
    assert inner.label == "`Relay` sets type 1 here"
    assert (inner.span.line, inner.span.column) == (6, 5)   # x[0] -> h[0] type 1
    assert [(loc.span.line, loc.span.column) for loc in err.locations] == [(14, 5), (6, 5)]
    assert str(err) == """\
t.corelet:14:5: error: the axon type of the connection into `r.x[0]` is set on both sides: type 2 here, type 1 inside `Relay`
        a -> r.x type 2
        ^^^^^^^^^^^^^^^
t.corelet:6:5: note: `Relay` sets type 1 here
        x[0] -> h[0] type 1
        ^^^^^^^^^^^^^^^^^^^
hint: a connection has one axon type: set it on one side only, or make both the same"""


def test_clash_through_a_chain_names_the_connection_that_set_it():
    # Mid passes its input on without a type; the type the top sets clashes two levels down
    err = error_of(INNER + """
corelet Mid() {
    input x[2]; output y[2]
    r = Relay()
    x -> r.x
    y = r.y
}

corelet Top() {
    input a[2]; output y[2]
    m = Mid()
    a -> m.x type 3
    y = m.y
}
""", "t.corelet")
    d = err.diagnostics[0]
    assert d.message == ("the axon type of the connection into `m.r.x[0]` is set on both sides: "
                         "type 3 here, type 1 inside `Relay`")
    assert (d.span.line, d.span.column) == (21, 5)   # a -> m.x type 3, not Mid's x -> r.x
    assert (d.related[0].span.line, d.related[0].span.column) == (6, 5)


def test_clash_with_a_type_set_on_a_connection_into_a_deeper_input():
    # the inner side is Mid's connection into r.x (type 1), the outer the top's (type 2)
    err = error_of(INNER + """
corelet Mid() {
    input x[2]; output y[2]
    r = Relay()
    x -> r.x type 1
    y = r.y
}

corelet Top() {
    input a[2]; output y[2]
    m = Mid()
    a -> m.x type 2
    y = m.y
}
""", "t.corelet")
    d = err.diagnostics[0]
    assert d.message == ("the axon type of the connection into `m.x[0]` is set on both sides: "
                         "type 2 here, type 1 inside `Mid`")
    assert (d.span.line, d.span.column) == (21, 5)
    assert d.related[0].label == "`Mid` sets type 1 here"
    assert (d.related[0].span.line, d.related[0].span.column) == (14, 5)


def test_chain_types_agree_through_a_middle_corelet():
    net = language.elaborate_source(INNER + """
corelet Mid() {
    input x[2]; output y[2]
    r = Relay()
    x -> r.x type 1 delay 2
    y = r.y
}

corelet Top() {
    input a[2]; output y[2]
    m = Mid()
    a -> m.x delay 3
    y = m.y
}
""", "t.corelet")
    assert edges(net) == {("a[0]", "m.r.h[0]", 1, 6), ("a[1]", "m.r.h[1]", 1, 6)}


def test_type_into_an_own_output_is_still_an_error():
    err = error_of(INNER + """
corelet Top() {
    input a[2]; output y[2]
    r = Relay()
    a -> r.x
    r.y -> y type 1
}
""", "t.corelet")
    d = err.diagnostics[0]
    assert (d.message, d.span.line, d.span.column) == ("an output connector has no axon type",
                                                        15, 19)


def test_caller_type_out_of_range():
    err = error_of(INNER + """
corelet Top() {
    input a[2]; output y[2]
    r = Relay()
    a[i] -> r.x[i] type 3 + i for i in 0..2
    y = r.y
}
""", "t.corelet")
    d = err.diagnostics[0]
    assert (d.message, d.span.line, d.span.column) == (
        "axon type 4 is outside the allowed range 0..3", 14, 25)


def test_caller_type_per_connection_in_a_comprehension():
    net = language.elaborate_source(LAYERS + """
corelet Alternate(W: bool[n, m]) {
    input x[n]; output y[m]
    d = Dense(W = W)
    x[i] -> d.x[i] type i % 2 for i in 0..n
    y = d.y
}
""", "layers.corelet", params={"W": np.ones((3, 1), bool)})
    assert edges(net) == {("x[0]", "d.h[0]", 0, 1), ("x[1]", "d.h[0]", 1, 1),
                          ("x[2]", "d.h[0]", 0, 1)}


# -- compiled and run --------------------------------------------------------------------------

RNG = np.random.default_rng(2)


@pytest.mark.parametrize("top, W, types", [
    ("Direct", RNG.random((12, 6)) < 0.5, {2}),
    # dense excitatory rows, sparse inhibitory ones: the layer is not silenced
    ("Signed", np.vstack([RNG.random((12, 6)) < 0.7, RNG.random((12, 6)) < 0.15]), {0, 1}),
])
def test_compiled_runs_like_the_logical_network(top, W, types):
    from corelet import runtime
    from corelet.compiler import compile_network

    net = language.elaborate_source(LAYERS, "layers.corelet", params={"W": W}, top=top)
    dense = next(p for p in net.populations if p.path == "d.h")
    c = net.connections
    assert set(c.axon_type[c.dst >= dense.start].tolist()) == types
    compiled = compile_network(net)
    rng = np.random.default_rng(3)
    raster = (rng.random((30, net.inputs[0].width)) < 0.5).astype(np.uint8)
    logical = runtime.simulate(runtime.fabric_from_network(net), 34, {"x": raster}).outputs["y"]
    chip = runtime.simulate(runtime.fabric_from_model(compiled.model), 34,
                            {"x": raster}).outputs["y"]
    assert np.asarray(logical).sum() > 10   # not silent
    assert np.array_equal(np.asarray(logical), np.asarray(chip))


def test_the_callers_type_selects_the_weight():
    # fed directly with type 2 (weight 2), one input spike a tick reaches the threshold 2
    from corelet import runtime

    W = np.ones((4, 1), bool)
    direct = language.elaborate_source(LAYERS, "layers.corelet", params={"W": W}, top="Direct")
    raster = np.zeros((20, 4), np.uint8)
    raster[:, 0] = 1
    out = runtime.simulate(runtime.fabric_from_network(direct), 22, {"x": raster}).outputs["y"]
    assert np.asarray(out).sum() == 20   # 2 per tick reaches the threshold 2 every tick


# -- builder -------------------------------------------------------------------------------------

def test_builder_caller_type():
    relay = cb.Corelet("Relay")
    x, y = relay.input("x", 2), relay.output("y", 2)
    h = relay.neurons("h", 2, None, weights=[1, 1, 1, 1])
    relay.connect(x[0], h[0], type=1)
    relay.connect(x[1], h[1])
    relay.connect(h, y)

    top = cb.Corelet("Top")
    a, out = top.input("a", 2), top.output("y", 2)
    r = top.instance("r", relay)
    top.connect(a, r.x, type=1)
    top.connect(r.y, out)
    assert edges(top.elaborate()) == {("a[0]", "r.h[0]", 1, 1), ("a[1]", "r.h[1]", 1, 1)}

    clash = cb.Corelet("Clash")
    a, out = clash.input("a", 2), clash.output("y", 2)
    r = clash.instance("r", relay)
    clash.connect(a, r.x, type=3)
    clash.connect(r.y, out)
    with pytest.raises(language.LanguageError) as info:
        clash.elaborate()
    d = info.value.diagnostics[0]
    assert d.message == ("the axon type of the connection into `r.x[0]` is set on both sides: "
                         "type 3 here, type 1 inside `Relay`")
    assert d.span.file == __file__ and d.related[0].span.file == __file__
