"""`for` blocks over declarations: arrays of instances, populations, groups and constants.

Expectations are written by hand: the paths of the populations a loop makes, the connections it
makes, the exact diagnostics (message, line, column, hint) of the invalid programs. The
convolution layer at the end is compiled and run, and its compiled model must spike exactly like
the logical network.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from corelet import language
from corelet.language import builder as cb
from corelet.language._parser import parse

from .lang_helpers import edges, elaborate, error_of, first_error, wide
from .test_lang_builder import same_network

RELAY = """
corelet Relay(k: int) {
    input x[2]
    output y[2]
    neurons f[2] = neuron { threshold = k }
    x -> f
    y = f
}
"""  # 8 lines with the leading newline: a program appended to it ("\ncorelet ...") starts at 10

# a loop of G instances of Relay, each with its own neurons, delays and group (the builder's
# `for_` block in test_builder_for_block_equals_the_dsl writes the same)
LOOP_TOP = RELAY + """
corelet Top(G: int) {
    input x[2]
    output y[6]
    for g in 0..G {
        t = g + 1                      # local to one iteration
        conv[g] = Relay(k = t)
        x -> conv[g].x
        neurons h[g][2] = neuron { threshold = 1 }
        conv[g].y -> h[g] delay t
        group core[g] = h[g]
    }
    y = conv[0:G].y
    conv[1].y[1] -> h[0][0] type 2
}
"""


def test_a_loop_of_three_instances_makes_the_paths_and_connections_written_by_hand():
    net = elaborate(LOOP_TOP, G=3)
    assert [p.path for p in net.populations] == \
        ["conv[0].f", "h[0]", "conv[1].f", "h[1]", "conv[2].f", "h[2]"]
    assert net.neuron_name(0) == "conv[0].f[0]" and net.neuron_name(11) == "h[2][1]"
    assert net.params.threshold.tolist() == [1, 1, 1, 1, 2, 2, 1, 1, 3, 3, 1, 1]
    expected = {(f"x[{i}]", f"conv[{g}].f[{i}]", 0, 1) for g in range(3) for i in range(2)}
    expected |= {(f"conv[{g}].f[{i}]", f"h[{g}][{i}]", 0, g + 1)
                 for g in range(3) for i in range(2)}
    expected.add(("conv[1].f[1]", "h[0][0]", 2, 1))
    assert edges(net) == expected
    assert [(g.name, g.neurons.tolist()) for g in net.groups] == \
        [("core[0]", [2, 3]), ("core[1]", [6, 7]), ("core[2]", [10, 11])]
    assert [(o.name, o.neurons.tolist()) for o in net.outputs] == [("y", [0, 1, 4, 5, 8, 9])]


def test_paths_are_unique_and_ids_derive_from_them():
    net = elaborate(RELAY + """
corelet Top() {
    input x[2]
    output y[2]
    for i in 0..2, j in 0..3 {
        grid[i, j] = Relay(k = 1 + i * 3 + j)
        x -> grid[i, j].x
    }
    y = grid[1, 2].y
}
""")
    paths = [p.path for p in net.populations]
    assert paths == [f"grid[{i},{j}].f" for i in range(2) for j in range(3)]
    assert net.params.threshold[::2].tolist() == [1, 2, 3, 4, 5, 6]
    ids = net.neuron_ids()
    assert len(set(ids.tolist())) == ids.size == 12
    from corelet.chip.ids import logical_ids
    assert ids[:2].tolist() == logical_ids("grid[0,0].f", np.arange(2)).tolist()


def test_nested_loops_if_assert_and_indexed_constants():
    net = elaborate("""
corelet Top(n: int) {
    input x[4]
    output y[1]
    neurons sum = neuron { threshold = 100 }
    for i in 0..n {
        assert i < 4, "at most four rows"
        w[i] = i * 10               # an indexed constant belongs to the corelet
        for j in 0..i + 1 {          # a bound may use an outer loop variable
            if (i + j) % 2 == 0 {
                x[j] -> sum type j % 4 delay 1 + i
            }
        }
    }
    y = sum
    assert w[0:n] == [0, 10, 20], "the constants stack into an array"
    assert len(w) == 3
}
""", n=3)
    # (i, j) with j <= i and i + j even: (0, 0), (1, 1), (2, 0), (2, 2)
    assert edges(net) == {("x[0]", "sum[0]", 0, 1), ("x[1]", "sum[0]", 1, 2),
                          ("x[0]", "sum[0]", 0, 3), ("x[2]", "sum[0]", 2, 3)}


def test_a_for_block_right_after_a_connection_or_a_group_is_its_own_statement():
    module = parse("""
corelet A() {
    input x
    neurons h = neuron { }
    x -> h
    for g in 0..2 { }
    group core = h
    for g in 0..2 { }
    x -> h for i in 0..1
    for g in 0..2 { }
}
""")
    kinds = [type(s).__name__ for s in module.corelets[0].body]
    assert kinds == ["InputDecl", "NeuronsDecl", "Connection", "ForStmt", "GroupDecl", "ForStmt",
                     "Connection", "ForStmt"]
    connection = module.corelets[0].body[2]
    span = connection.span
    assert (span.line, span.end_line, span.end_column) == (5, 5, 11)


def test_instance_arrays_slice_and_index_one_pin():
    net = elaborate(RELAY + """
corelet Top() {
    input x[2]
    output y[3]
    for g in 0..4 { conv[g] = Relay(k = 1); x -> conv[g].x }
    neurons out[3] = neuron { }
    conv[1:3].y[0:3] -> out                  # conv[1].y[0], conv[1].y[1], conv[2].y[0]
    conv[3].y[1] -> out[0] type 1
    conv[-1].y[0] -> out[1] type 3
    y = out
}
""")
    got = {e for e in edges(net) if e[1].startswith("out")}
    assert got == {("conv[1].f[0]", "out[0]", 0, 1), ("conv[1].f[1]", "out[1]", 0, 1),
                   ("conv[2].f[0]", "out[2]", 0, 1), ("conv[3].f[1]", "out[0]", 1, 1),
                   ("conv[3].f[0]", "out[1]", 3, 1)}


def test_output_elements_driven_by_index_inside_a_loop():
    net = elaborate("""
corelet Top() {
    input x[3]
    output y[3]
    for g in 0..3 {
        neurons h[g][1] = neuron { }
        x[g] -> h[g]
        y[g] = h[g]
    }
}
""")
    assert [o.neurons.tolist() for o in net.outputs] == [[0, 1, 2]]


def test_old_group_comprehension_still_works_and_is_an_array():
    net = elaborate("""
corelet Top() {
    input x[4]
    output y[4]
    neurons h[4] = neuron { }
    x -> h
    group block[b] = h[2 * b:2 * b + 2] for b in 0..2
    group both = block[0:2]
    y = h
}
""")
    assert [(g.name, g.neurons.tolist()) for g in net.groups] == \
        [("block[0]", [0, 1]), ("block[1]", [2, 3]), ("both", [0, 1, 2, 3])]


def test_a_group_comprehension_over_two_loops_is_the_for_block_it_reads_as():
    body = """
corelet Top() {
    input x
    output y[8]
    neurons h[2, 2, 2] = neuron { }
    x -> h
    %s
    y = h
}
"""
    short = elaborate(body % "group g[a, b] = h[a, b] for a in 0..2, b in 0..2")
    block = elaborate(body % "for a in 0..2, b in 0..2 { group g[a, b] = h[a, b] }")
    expected = [("g[0,0]", [0, 1]), ("g[0,1]", [2, 3]), ("g[1,0]", [4, 5]), ("g[1,1]", [6, 7])]
    for net in (short, block):
        assert [(g.name, g.neurons.tolist()) for g in net.groups] == expected
    err = first_error(body % "group g = h[a, b] for a in 0..2, b in 0..2")
    assert "the group must be indexed by the loop variables: `g[a, b]`" in err


# -- errors ----------------------------------------------------------------------------------------

def test_index_out_of_range():
    assert first_error(RELAY + """
corelet Top() {
    input x[2]; output y[2]
    for g in 0..3 { conv[g] = Relay(k = 1) }
    y = conv[3].y
}
""") == ("index 3 is out of range for `conv`: valid 0..2", 13, 14, LATER_ENTRY_HINT)


LATER_ENTRY_HINT = ("only the entries declared so far exist: an entry can be used after the "
                    "declaration that makes it (in a later iteration, or after the loop)")


def test_an_entry_used_before_its_iteration_reports_once():
    """The loop stops at the first failing iteration; uses of its incomplete array after the
    loop are not reported again (no width mismatch that only follows from the first error)."""
    err = error_of(RELAY + """
corelet Top() {
    input x[2]; output y[6]
    for g in 0..3 {
        conv[g] = Relay(k = 1)
        x -> conv[g + 1].x
    }
    y = conv[0:3].y
}
""")
    assert [(d.message, d.span.line, d.span.column, d.hint) for d in err.diagnostics] == [
        ("index 1 is out of range for `conv`: valid 0..0", 14, 19, LATER_ENTRY_HINT)]


def test_entry_declared_twice_in_one_iteration():
    assert first_error(RELAY + """
corelet Top() {
    input x[2]; output y[2]
    for g in 0..3 {
        conv[g] = Relay(k = 1)
        conv[g] = Relay(k = 2)
    }
    y = conv[0].y
}
""") == ("`conv[0]` is already defined", 14, 9, "the first definition is at test.corelet:13:9")


def test_constant_declared_twice_in_one_iteration():
    assert first_error("""
corelet Top() {
    input x; output y
    neurons h = neuron { }
    for g in 0..3 { t = g; t = 2 * g }
    x -> h; y = h
}
""") == ("`t` is already defined", 5, 28, "the first definition is at test.corelet:5:21")


def test_same_entry_in_every_iteration():
    assert first_error("""
corelet Top() {
    input x; output y
    for g in 0..3 { neurons h[0][1] = neuron { } }
    x -> h[0]; y = h[0]
}
""") == ("`h[0]` is already defined", 4, 29, "the first definition is at test.corelet:4:29")


def test_loop_variable_shadowing_a_parameter():
    assert first_error("""
corelet Top(n: int) {
    input x; output y
    neurons h = neuron { }
    for n in 0..3 { t = n }
    x -> h; y = h
}
""", params={"n": 2}) == ("loop variable `n` shadows the parameter `n`", 5, 9,
              "give the loop variable another name")


def test_loop_variable_shadowing_a_constant_and_an_outer_loop_variable():
    assert first_error("""
corelet Top() {
    input x; output y
    neurons h = neuron { }
    k = 2
    for k in 0..3 { }
    x -> h; y = h
}
""") == ("loop variable `k` shadows `k`", 6, 9, "`k` is defined at test.corelet:5:5")
    assert first_error("""
corelet Top() {
    input x; output y
    neurons h = neuron { }
    for i in 0..2 { for i in 0..2 { } }
    x -> h; y = h
}
""") == ("loop variable `i` shadows `i`", 5, 25, "`i` is defined at test.corelet:5:9")


def test_a_loop_stops_after_the_first_iteration_with_an_error():
    err = pytest.raises(language.LanguageError, elaborate, """
corelet Top() {
    input x; output y
    neurons h = neuron { }
    for g in 0..5 { assert g < 2, "too far" }
    x -> h; y = h
}
""").value
    assert [(d.message, d.span.line) for d in err.diagnostics] == [("assertion failed: too far", 5)]


def test_unindexed_population_instance_and_group_in_a_loop():
    assert first_error(RELAY + """
corelet Top() {
    input x[2]; output y[2]
    for g in 0..2 { c = Relay(k = 1) }
    y = c.y
}
""") == ("inside a `for` block an instance needs an index, one entry per iteration: `c[g]`",
         12, 21, "only constants may be local to one iteration")
    assert first_error("""
corelet Top() {
    input x; output y
    for g in 0..2 { neurons h = neuron { } }
}
""")[:3] == ("inside a `for` block a population needs an index, one entry per iteration: `h[g]`",
             4, 29)


def test_connector_inside_a_loop():
    assert first_error("""
corelet Top() {
    for g in 0..2 { input x }
}
""") == ("an input connector is declared outside `for` blocks", 3, 27,
         "declare it before the loop and connect its parts inside")


def test_array_used_without_an_index_and_a_hole():
    assert first_error(RELAY + """
corelet Top() {
    input x[2]; output y[2]
    for g in 0..3 { conv[g] = Relay(k = 1) }
    y = conv.y
}
""") == ("`conv` is an array of instances: pick an entry or a slice first", 13, 9,
         "e.g. `conv[0].y` or `conv[:].y`")
    assert first_error(RELAY + """
corelet Top() {
    input x[2]; output y[4]
    conv[0] = Relay(k = 1)
    conv[2] = Relay(k = 1)
    y = conv[0:2].y
}
""") == ("`conv[1]` is not declared", 14, 9, "`conv` is declared for 2 indices")


def test_mixed_kinds_negative_index_and_a_comprehension_variable():
    assert first_error("""
corelet Top() {
    input x; output y
    neurons a[0][1] = neuron { }
    a[1] = 3
    x -> a[0]; y = a[0]
}
""") == ("`a` is an array of populations; this entry is a constant", 5, 5,
         "its first entry is at test.corelet:4:13")
    assert first_error("""
corelet Top() {
    input x; output y
    for g in 0..2 { neurons a[g - 1][1] = neuron { } }
}
""")[:3] == ("the index of a declaration must be 0 or more, got -1", 4, 31)
    assert first_error("""
corelet Top() {
    input x[2]; output y
    for g in 0..2 { neurons a[g][1] = neuron { } }
    neurons s = neuron { }
    a[i] -> s for i in 0..2
    y = s
}
""") == ("an entry of `a` is picked by one integer, not by a comprehension variable", 6, 7,
         "join the entries with a slice, e.g. `a[0:2]`")


def test_assign_to_something_that_is_not_a_name():
    message, line, column, _ = first_error("""
corelet Top() {
    f(2) = 3
}
""")
    assert (message, line, column) == \
        ("cannot assign to this: the left of `=` is a name or a name with an index (`conv[g]`)",
         3, 5)


# -- the builder ---------------------------------------------------------------------------------

def relay_builder() -> cb.Corelet:
    relay = cb.Corelet("Relay", k="int")
    x, y = relay.input("x", 2), relay.output("y", 2)
    f = relay.neurons("f", 2, None, threshold=relay.param("k"))
    relay.connect(x, f)
    relay.connect(f, y)
    return relay


def test_builder_for_block_equals_the_dsl():
    relay = relay_builder()
    top = cb.Corelet("Top", G="int")
    x, y = top.input("x", 2), top.output("y", 6)
    with top.for_(g="G") as g:
        t = top.let("t", g + 1)
        conv = top.instance(("conv", g), relay, k=t)
        top.connect(x, conv.x)
        h = top.neurons(("h", g), 2, None, threshold=1)
        top.connect(conv.y, h, delay=t)
        top.group(("core", g), h)
    top.let("y", top.param("conv")[0:top.param("G")].y)
    top.connect(top.param("conv")[1].y[1], top.param("h")[0][0], type=2)
    built = top.elaborate(G=3)
    text = elaborate(LOOP_TOP, G=3)
    same_network(built, text)


def test_builder_nested_loops_with_two_variables():
    relay = relay_builder()
    top = cb.Corelet("Top")
    x, y = top.input("x", 2), top.output("y", 2)
    with top.for_(i=2, j=(1, 3)) as (i, j):
        grid = top.instance(("grid", i, j), relay, k=i * 3 + j)
        top.connect(x, grid.x)
    top.connect(top.param("grid")[1, 2].y, y)
    net = top.elaborate()
    assert [p.path for p in net.populations] == \
        ["grid[0,1].f", "grid[0,2].f", "grid[1,1].f", "grid[1,2].f"]


# -- a convolution layer with per-feature bias and feature groups, compiled and run ----------------

CONV = """
corelet ConvGroup(K: int[F, C, 3, 3], B: int[F], H: int) {
    \"\"\"F features over C channels, 3x3 ternary kernels, padding 1, a bias per feature.\"\"\"
    input x[C, H, H]
    output y[F, H, H]
    neurons f[F, H, H] = neuron {
        weights = [1, -1, 0, 0]
        threshold = 2
        floor = 0
        leak = [B[o] for o in 0..F, r in 0..H, q in 0..H]
    }
    x[c, r + dr - 1, q + dq - 1] -> f[o, r, q] type (1 - K[o, c, dr, dq]) // 2
        for o in 0..F, c in 0..C, r in 0..H, q in 0..H, dr in 0..3, dq in 0..3
        if K[o, c, dr, dq] != 0 and r + dr >= 1 and r + dr <= H and q + dq >= 1 and q + dq <= H
    y = f
}

corelet ConvLayer(K: int[G, F, Cg, 3, 3], B: int[G, F], H: int) {
    \"\"\"G feature groups; group g reads input channels g * Cg .. (g + 1) * Cg - 1.\"\"\"
    input x[G * Cg, H, H]
    output y[G * F * H * H]
    for g in 0..G {
        conv[g] = ConvGroup(K = K[g], B = B[g], H = H)
        x[g * Cg:(g + 1) * Cg] -> conv[g].x
    }
    y = conv[0:G].y
}
"""


def conv_params(seed=3):
    rng = np.random.default_rng(seed)
    G, F, Cg, H = 2, 3, 2, 4
    K = rng.integers(-1, 2, (G, F, Cg, 3, 3))
    B = rng.integers(-1, 2, (G, F))
    return {"K": K, "B": B, "H": H}


def test_convolution_layer_built_by_a_loop_has_the_expected_synapses_and_biases():
    params = conv_params()
    K, B, H = params["K"], params["B"], params["H"]
    G, F, Cg = K.shape[:3]
    net = language.elaborate_source(CONV, "conv.corelet", params=params)
    assert [p.path for p in net.populations] == ["conv[0].f", "conv[1].f"]
    assert net.params.leak.tolist() == np.repeat(B.ravel(), H * H).tolist()
    expected = set()
    for g in range(G):
        for o in range(F):
            for c in range(Cg):
                for r in range(H):
                    for q in range(H):
                        for dr in range(3):
                            for dq in range(3):
                                rr, qq = r + dr - 1, q + dq - 1
                                k = K[g, o, c, dr, dq]
                                if k and 0 <= rr < H and 0 <= qq < H:
                                    pin = ((g * Cg + c) * H + rr) * H + qq
                                    dst = f"conv[{g}].f[{(o * H + r) * H + q}]"
                                    expected.add((f"x[{pin}]", dst, 0 if k == 1 else 1, 1))
    assert edges(net) == expected


def test_convolution_layer_compiled_runs_like_the_logical_network():
    from corelet import runtime
    from corelet.compiler import compile_network

    net = language.elaborate_source(CONV, "conv.corelet", params=conv_params())
    compiled = compile_network(net)
    assert compiled.record["added_latency"] == []
    rng = np.random.default_rng(5)
    raster = (rng.random((20, net.inputs[0].width)) < 0.4).astype(np.uint8)
    logical = runtime.simulate(runtime.fabric_from_network(net), 24, {"x": raster}).outputs["y"]
    chip = runtime.simulate(runtime.fabric_from_model(compiled.model), 24,
                            {"x": raster}).outputs["y"]
    assert np.asarray(logical).sum() > 20  # not silent
    assert np.array_equal(np.asarray(logical), np.asarray(chip))


# -- size ----------------------------------------------------------------------------------------

WIDE = wide(7)


def test_a_wide_layer_of_a_thousand_instances():
    net = language.elaborate_source(WIDE, "wide.corelet", params={"G": 1000})
    assert len(net.populations) == 1000 and net.n_neurons == 4000
    assert net.populations[999].path == "cell[999].f"
    assert net.neuron_name(3999) == "cell[999].f[3]"
    assert net.connections.src.size == 4000
    assert net.params.threshold[::4].tolist() == [g % 7 + 1 for g in range(1000)]
    assert net.outputs[0].neurons.tolist() == list(range(4000))
    assert len(set(net.neuron_ids().tolist())) == 4000


def test_the_documented_builder_loop_equals_the_documented_program():
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "language.md").read_text()
    code = re.search(r"```python\n(layer = cb\.Corelet.*?)```", doc, re.S).group(1)
    text = re.search(r"```\n(corelet Feature\(.*?)```", doc, re.S).group(1)
    feature = cb.Corelet("Feature", bias="int", C="int")
    fx, fy = feature.input("x", "C", 4), feature.output("y", 4)
    f = feature.neurons("f", 4, None, threshold=2, leak=feature.param("bias"))
    c, p = cb.var("c"), cb.var("p")
    feature.connect(fx[c, p], f[p], loops={c: "C", p: 4})
    feature.connect(f, fy)
    namespace = {"cb": cb, "feature": feature}
    exec(code, namespace)
    built = namespace["layer"].elaborate(B=np.array([1, 0, -1]))
    net = language.elaborate_source(text)
    same_network(built, net)
    assert [p.path for p in net.populations] == \
        ["conv[0].f", "gate[0]", "conv[1].f", "gate[1]", "conv[2].f", "gate[2]"]
    assert [g.name for g in net.groups] == ["core[0]", "core[1]", "core[2]"]


def test_an_error_inside_the_third_instance_names_it_and_stops_the_loop():
    err = pytest.raises(language.LanguageError, elaborate, RELAY + """
corelet Top() {
    input x[2]; output y[2]
    for g in 0..5 { conv[g] = Relay(k = 2 - g) }
    y = conv[0].y
}
""").value
    assert len(err.diagnostics) == 1
    d = err.diagnostics[0]
    assert (d.message, d.span.line, d.span.column) == \
        ("threshold 0 is outside the chip's range 1..262143", 5, 41)
    assert d.notes[0].startswith("in instance `conv[2]` of `Relay` at test.corelet:12:21")


def test_comprehension_variable_reusing_a_loop_variable():
    assert first_error("""
corelet Top() {
    input x[2]; output y
    neurons s = neuron { }
    for g in 0..2 { x[g] -> s for g in 0..1 }
    y = s
}
""")[:3] == ("loop variable `g` is used twice", 5, 35)


def test_loops_inside_if_inside_loops_and_two_dimensional_groups():
    net = elaborate("""
corelet Top(n: int = 3) {
    input x; output y
    neurons s = neuron { }
    for i in 0..n {
        if i != 1 {
            for j in 0..2 {
                neurons cell[i, j][2] = neuron { threshold = 1 + i + j }
                x -> cell[i, j]
                group core[i, j] = cell[i, j]
            }
        }
    }
    cell[2, 1][0] -> s
    y = s
    assert len(cell) == 3
}
""")
    assert [p.path for p in net.populations] == \
        ["s", "cell[0,0]", "cell[0,1]", "cell[2,0]", "cell[2,1]"]
    assert [g.name for g in net.groups] == ["core[0,0]", "core[0,1]", "core[2,0]", "core[2,1]"]
    assert net.neuron_name(7) == "cell[2,1][0]"
    assert ("cell[2,1][0]", "s[0]", 0, 1) in edges(net)


def test_builder_takes_an_indexed_expression_as_a_name():
    relay = relay_builder()
    top = cb.Corelet("Top")
    x, y = top.input("x", 2), top.output("y", 4)
    conv = top.param("conv")
    with top.for_({cb.var("g"): (0, 2)}) as g:
        top.instance(conv[g], relay, k=1)
        top.connect(x, conv[g].x)
    top.connect(conv[:].y, y)
    net = top.elaborate()
    assert [p.path for p in net.populations] == ["conv[0].f", "conv[1].f"]
    assert net.outputs[0].neurons.tolist() == [0, 1, 2, 3]
