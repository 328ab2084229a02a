"""Valid .corelet programs: neuron counts, connections, types, delays and parameters, each
checked against expectations written by hand from the program text."""

from __future__ import annotations

import numpy as np
import pytest

from corelet import language
from .lang_helpers import edges, elaborate, row


def test_minimal_corelet_one_input_one_neuron():
    net = elaborate("""
corelet One() {
    input x
    output y
    neurons h = neuron { threshold = 2 }
    x -> h
    y = h
}
""")
    assert net.name == "One"
    assert net.n_neurons == 1 and [p.path for p in net.populations] == ["h"]
    assert edges(net) == {("x[0]", "h[0]", 0, 1)}
    assert [(c.name, c.width, c.offset) for c in net.inputs] == [("x", 1, 0)]
    assert net.outputs[0].name == "y" and net.outputs[0].neurons.tolist() == [0]


def test_every_template_field_reaches_the_parameter_table():
    net = elaborate("""
neuron full {
    weights = [3, -2, 1, 0]
    stochastic_weights = [false, true, false, true]
    leak = -1; stochastic_leak = true; leak_reversal = true
    threshold = 7; threshold_mask = 3; neg_threshold = 9; neg_mode = reset
    reset = value; reset_value = -3; initial = 5
}
corelet Full() {
    input x
    output y
    neurons h = full
    x -> h
    y = h
}
""")
    assert row(net, 0) == {
        "weights": [3, -2, 1, 0], "stochastic_weights": [False, True, False, True], "leak": -1,
        "stochastic_leak": True, "leak_reversal": True, "threshold": 7, "neg_threshold": 9,
        "threshold_mask": 3, "reset_mode": 0, "neg_mode": 0, "reset_value": -3, "initial": 5}


def test_defaults_of_an_empty_template():
    net = elaborate("""
corelet D() {
    input x
    output y
    neurons h = neuron { }
    x -> h
    y = h
}
""")
    assert row(net, 0) == {
        "weights": [0, 0, 0, 0], "stochastic_weights": [False] * 4, "leak": 0,
        "stochastic_leak": False, "leak_reversal": False, "threshold": 1, "neg_threshold": 0,
        "threshold_mask": 0, "reset_mode": 0, "neg_mode": 1, "reset_value": 0, "initial": 0}


def test_override_keeps_the_other_fields_and_floor_is_sugar():
    net = elaborate("""
neuron relu { weights = [1, 2, 4, -8]; threshold = 16; reset = linear; floor = 0 }
neuron fast = relu { threshold = 4 }
corelet T() {
    input x[3]
    output y[3]
    neurons a = relu
    neurons b = relu { threshold = 8; floor = -5 }
    neurons c = fast
    x -> [a, b, c]
    y = [a, b, c]
}
""")
    a, b, c = row(net, 0), row(net, 1), row(net, 2)
    assert a["threshold"] == 16 and a["reset_mode"] == 1 and a["weights"] == [1, 2, 4, -8]
    assert a["neg_threshold"] == 0 and a["neg_mode"] == 1
    assert b["threshold"] == 8 and b["neg_threshold"] == 5 and b["neg_mode"] == 1
    assert b["weights"] == [1, 2, 4, -8] and b["reset_mode"] == 1
    assert c["threshold"] == 4 and c["reset_mode"] == 1


def test_per_neuron_field_arrays_from_parameters():
    net = elaborate("""
corelet P(L: int[n], Wt: int[n, 4]) {
    input x[n]
    output y[n]
    neurons h[n] = neuron { leak = L; weights = Wt; threshold = 3 }
    x -> h
    y = h
}
""", L=np.array([-1, 0, 2]), Wt=np.array([[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 3, -3]]))
    assert net.params.leak.tolist() == [-1, 0, 2]
    assert net.params.weights.tolist() == [[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 3, -3]]
    assert net.params.threshold.tolist() == [3, 3, 3]


def test_slices_with_steps_connect_one_to_one():
    net = elaborate("""
corelet S() {
    input x[6]
    output y[4]
    neurons h[4] = neuron { }
    x[0:2] -> h[2:4]
    x[::3] -> h[0:2] type 1
    y = h
}
""")
    assert edges(net) == {("x[0]", "h[2]", 0, 1), ("x[1]", "h[3]", 0, 1),
                          ("x[0]", "h[0]", 1, 1), ("x[3]", "h[1]", 1, 1)}


def test_concatenation_with_brackets_and_cat():
    net = elaborate("""
corelet C() {
    input a[2]
    input b
    output y[3]
    output z[3]
    neurons h[3] = neuron { }
    neurons g[3] = neuron { }
    [a, b] -> h
    cat(b, a) -> g delay 2
    y = h
    z = cat(g[2], g[0:2])
}
""")
    assert edges(net) == {("a[0]", "h[0]", 0, 1), ("a[1]", "h[1]", 0, 1), ("b[0]", "h[2]", 0, 1),
                          ("b[0]", "g[0]", 0, 2), ("a[0]", "g[1]", 0, 2), ("a[1]", "g[2]", 0, 2)}
    assert [p.start for p in net.populations] == [0, 3]
    assert net.output("z").neurons.tolist() == [5, 3, 4]


def test_width_one_source_fans_out_and_width_one_target_fans_in():
    net = elaborate("""
corelet F() {
    input x[3]
    output y[3]
    output s
    neurons h[3] = neuron { }
    neurons sum = neuron { }
    x[1] -> h
    x -> sum type 2
    y = h; s = sum
}
""")
    assert edges(net) == {("x[1]", "h[0]", 0, 1), ("x[1]", "h[1]", 0, 1), ("x[1]", "h[2]", 0, 1),
                          ("x[0]", "sum[0]", 2, 1), ("x[1]", "sum[0]", 2, 1),
                          ("x[2]", "sum[0]", 2, 1)}


def test_comprehension_with_filter_builds_recurrent_all_to_all():
    net = elaborate("""
corelet R(n: int = 3) {
    input x[n]
    output y[n]
    neurons h[n] = neuron { weights = [1, -1, 0, 0] }
    x -> h
    h[i] -> h[j] type 1 for i in 0..n, j in 0..n if i != j
    y = h
}
""")
    expected = {(f"x[{i}]", f"h[{i}]", 0, 1) for i in range(3)}
    expected |= {(f"h[{i}]", f"h[{j}]", 1, 1) for i in range(3) for j in range(3) if i != j}
    assert edges(net) == expected


def test_comprehension_sets_type_and_delay_per_connection():
    net = elaborate("""
corelet D() {
    input x[3]
    output y[2]
    neurons h[2] = neuron { }
    x[i] -> h[j] type (i + j) % 4 delay i + 2 * j + 1 for i in 0..3, j in 0..2
    y = h
}
""")
    assert edges(net) == {(f"x[{i}]", f"h[{j}]", (i + j) % 4, i + 2 * j + 1)
                          for i in range(3) for j in range(2)}


def test_four_bit_weights_spelled_by_axon_types():
    # W[i, j] in two's complement over types 0..3 with weights 1, 2, 4, -8:
    # 1 -> bit 0; -8 -> bit 3; 3 -> bits 0, 1; 0 -> nothing; -1 -> all four bits.
    net = elaborate("""
neuron relu { weights = [1, 2, 4, -8]; threshold = 16; reset = linear; floor = 0 }
corelet Dense(W: int[n, m], cell = relu) {
    input  x[n]
    output y[m]
    neurons h[m] = cell
    x[i] -> h[j] type k  for i in 0..n, j in 0..m, k in 0..4  if bit(W[i, j], k)
    y = h
}
""", W=np.array([[1, -8], [3, 0], [-1, 0]]))
    assert edges(net) == {("x[0]", "h[0]", 0, 1), ("x[0]", "h[1]", 3, 1),
                          ("x[1]", "h[0]", 0, 1), ("x[1]", "h[0]", 1, 1),
                          ("x[2]", "h[0]", 0, 1), ("x[2]", "h[0]", 1, 1),
                          ("x[2]", "h[0]", 2, 1), ("x[2]", "h[0]", 3, 1)}


def test_delays_add_along_a_chain_of_connectors():
    net = elaborate("""
corelet Inner() {
    input x
    output y
    neurons h = neuron { }
    x -> h delay 3
    y = h
}
corelet Middle() {
    input x
    output y
    inner = Inner()
    x -> inner.x delay 4
    y = inner.y
}
corelet Outer() {
    input word
    output out
    mid = Middle()
    neurons after = neuron { }
    word -> mid.x delay 2
    mid.y -> after delay 5
    out = after
}
""")
    assert [p.path for p in net.populations] == ["mid.inner.h", "after"]
    # pin -> mid.x (2) -> inner.x (4) -> h (3): 9; h -> after: 5, not changed by the aliases
    assert edges(net) == {("word[0]", "mid.inner.h[0]", 0, 9),
                          ("mid.inner.h[0]", "after[0]", 0, 5)}


def test_plain_connections_through_ports_keep_delay_one():
    net = elaborate("""
corelet Inner() {
    input x[2]
    output y[2]
    neurons h[2] = neuron { }
    x -> h type 3
    y = h
}
corelet Top() {
    input a[2]
    output b[2]
    sub = Inner()
    a -> sub.x
    b = sub.y
}
""")
    assert edges(net) == {("a[0]", "sub.h[0]", 3, 1), ("a[1]", "sub.h[1]", 3, 1)}
    assert net.output("b").neurons.tolist() == [0, 1]
    assert net.neuron_name(1) == "sub.h[1]"


def test_output_of_one_instance_feeds_another_and_a_sub_input_takes_two_sources():
    net = elaborate("""
corelet Relay() {
    input x
    output y
    neurons h = neuron { }
    x -> h
    y = h
}
corelet Top() {
    input a
    input b
    output z
    first = Relay()
    second = Relay()
    a -> first.x
    b -> second.x
    first.y -> second.x delay 2
    z = second.y
}
""")
    assert edges(net) == {("a[0]", "first.h[0]", 0, 1), ("b[0]", "second.h[0]", 0, 1),
                          ("first.h[0]", "second.h[0]", 0, 3)}


def test_recurrence_around_a_ring():
    net = elaborate("""
corelet Ring(n: int) {
    input kick
    output y[n]
    neurons h[n] = neuron { }
    kick -> h[0]
    h[i] -> h[(i + 1) % n] delay 15 for i in 0..n
    y = h
}
""", n=4)
    assert edges(net) == {("kick[0]", "h[0]", 0, 1), ("h[0]", "h[1]", 0, 15),
                          ("h[1]", "h[2]", 0, 15), ("h[2]", "h[3]", 0, 15),
                          ("h[3]", "h[0]", 0, 15)}


def test_delays_longer_than_the_chips_are_legal():
    net = elaborate("""
corelet Long() {
    input x
    output y
    neurons h = neuron { }
    x -> h delay 40
    y = h
}
""")
    assert edges(net) == {("x[0]", "h[0]", 0, 40)}


@pytest.mark.parametrize("n, expected", [(1, 1), (3, 6), (8, 2)])
def test_if_elif_else_choose_what_to_build(n, expected):
    net = elaborate("""
corelet Choice(n: int) {
    input x
    output y
    if n == 1 {
        neurons h[1] = neuron { }
    } elif n < 5 {
        neurons h[2 * n] = neuron { }
    } else {
        neurons h[2] = neuron { }
    }
    x -> h[0]
    y = h[0]
}
""", n=n)
    assert net.n_neurons == expected


def test_chip_constants_and_a_passing_assert():
    net = elaborate("""
corelet K() {
    assert MAX_DELAY == 15 and AXONS_PER_CORE == 256, "TrueNorth"
    input x
    output y[AXONS_PER_CORE // 64 + AXON_TYPES]
    neurons h[AXONS_PER_CORE // 64 + AXON_TYPES] = neuron { threshold = MAX_THRESHOLD }
    x -> h
    y = h
}
""")
    assert net.n_neurons == 8
    assert set(net.params.threshold.tolist()) == {2**18 - 1}


def test_groups_become_placement_hints_with_hierarchical_names():
    net = elaborate("""
corelet Inner() {
    input x[4]
    output y[4]
    neurons h[4] = neuron { }
    x -> h
    y = h
    group pair = h[1:3]
}
corelet Top() {
    input x[4]
    output y[4]
    sub = Inner()
    x -> sub.x
    y = sub.y
    neurons extra[2] = neuron { }
    x[0] -> extra
    group both = extra
}
""")
    groups = {g.name: g.neurons.tolist() for g in net.groups}
    assert groups == {"sub.pair": [1, 2], "both": [4, 5]}


def test_multi_dimensional_populations_flatten_row_major():
    net = elaborate("""
corelet Grid() {
    input x[2, 3]
    output y[6]
    neurons h[2, 3] = neuron { }
    x[r, c] -> h[1 - r, c] for r in 0..2, c in 0..3
    x[1, 2] -> h[0, 0] type 2
    y = h
}
""")
    assert net.n_neurons == 6 and net.inputs[0].width == 6
    expected = {(f"x[{r * 3 + c}]", f"h[{(1 - r) * 3 + c}]", 0, 1)
                for r in range(2) for c in range(3)}
    assert edges(net) == expected | {("x[5]", "h[0]", 2, 1)}


def test_integer_and_float_arithmetic_semantics():
    # 7 // 2 = 3, -7 // 2 = -4, -7 % 3 = 2, 2 ** 3 = 8, int(7 / 2) = 3, int(-3.5) = -3
    net = elaborate("""
corelet Arith() {
    a = 7 // 2
    b = -7 // 2
    c = -7 % 3
    d = 2 ** 3
    e = int(7 / 2)
    f = int(-3.5)
    assert 7 / 2 == 3.5 and 1 + 0.5 == 1.5
    input x
    output y[a + (-b) + c + d + e + f]
    neurons h[a + (-b) + c + d + e + f] = neuron { }
    x -> h
    y = h
}
""")
    assert net.n_neurons == 3 + 4 + 2 + 8 + 3 - 3


def test_builtins():
    net = elaborate("""
corelet B(v: int[n]) {
    assert min(3, 5) == 3 and max(v) == 9 and abs(-4) == 4 and len(v) == 4
    assert sum(v) == 13 and clip(12, 0, 10) == 10 and ceil(2.1) == 3 and floor(-2.1) == -3
    assert round(2.5) == 2 and bit(-8, 3) and not bit(-8, 2) and bit(5, 0) and all(v >= 0)
    assert any(v == 9) and size(v) == 4 and log2(8) == 3.0 and float(3) == 3.0
    input x
    output y
    neurons h = neuron { threshold = max(v) - min(v) }
    x -> h
    y = h
}
""", v=np.array([0, 1, 3, 9]))
    assert net.params.threshold.tolist() == [9]


def test_parameters_of_each_type_and_top_level_overrides_of_defaults():
    net = elaborate("""
corelet Kinds(n: int = 2, gain: float = 1.5, on: bool = false, mode: str = "linear") {
    input x
    output y[n]
    k = int(gain * 4)
    if on {
        neurons h[n] = neuron { threshold = k; reset = mode }
    } else {
        neurons h[n] = neuron { threshold = 1 }
    }
    x -> h
    y = h
}
""", n=3, gain=2.0, on=True, mode="none")
    assert net.n_neurons == 3
    assert net.params.threshold.tolist() == [8, 8, 8]
    assert net.params.reset_mode.tolist() == [2, 2, 2]


def test_named_dimensions_bind_and_positional_arguments():
    net = elaborate("""
corelet Layer(W: int[n, m], t: int = 2) {
    input x[n]
    output y[m]
    neurons h[m] = neuron { threshold = t }
    x[i] -> h[j] for i in 0..n, j in 0..m if W[i, j] != 0
    y = h
}
corelet Top(A: int[2, 3]) {
    input x[2]
    output y[3]
    l = Layer(A, 5)
    x -> l.x
    y = l.y
}
""", A=[[1, 0, 0], [0, 0, 1]])
    assert net.params.threshold.tolist() == [5, 5, 5]
    assert edges(net) == {("x[0]", "l.h[0]", 0, 1), ("x[1]", "l.h[2]", 0, 1)}


def test_the_same_synapse_asked_twice_is_one_synapse():
    net = elaborate("""
corelet Twice() {
    input x
    output y
    neurons h = neuron { }
    x -> h
    x -> h
    x[i] -> h for i in 0..1
    y = h
}
""")
    assert len(net.connections) == 1


def test_a_template_passed_as_a_parameter():
    net = elaborate("""
neuron relu { weights = [1, 2, 4, -8]; threshold = 16; reset = linear }
neuron fast = relu { threshold = 2 }
corelet Layer(cell = relu) {
    input x
    output y
    neurons h = cell
    x -> h
    y = h
}
corelet Top() {
    input x
    output y[2]
    a = Layer()
    b = Layer(cell = fast { leak = -1 })
    x -> a.x; x -> b.x
    y = [a.y, b.y]
}
""")
    assert net.params.threshold.tolist() == [16, 2]
    assert net.params.leak.tolist() == [0, -1]
    assert net.params.reset_mode.tolist() == [1, 1]


def test_a_guard_keeps_out_of_range_indices_harmless():
    # a 1-D convolution with zero padding: only the in-range taps connect
    net = elaborate("""
corelet Conv(n: int = 4) {
    input x[n]
    output y[n]
    neurons h[n] = neuron { }
    x[i + d - 1] -> h[i] type d for i in 0..n, d in 0..3 if i + d - 1 >= 0 and i + d - 1 < n
    y = h
}
""")
    expected = {(f"x[{i + d - 1}]", f"h[{i}]", d, 1)
                for i in range(4) for d in range(3) if 0 <= i + d - 1 < 4}
    assert edges(net) == expected and len(expected) == 10


def test_doc_strings_comments_separators_and_literals():
    net = elaborate('''
"""A file doc string."""
# a comment line
corelet Doc(n: int = 0x2) {   # hex
    """The corelet's doc string."""
    input x; output y[0b11]    # binary
    neurons h[n + 1] = neuron { threshold = 1_0 } ; x -> h
    y = h
}
'''.replace("1_0", "10"))
    assert net.n_neurons == 3 and net.params.threshold.tolist() == [10, 10, 10]


def test_top_selects_a_corelet_other_than_the_last():
    source = """
corelet A() {
    input x
    output y
    neurons a = neuron { }
    x -> a
    y = a
}
corelet B() {
    input x
    output y[2]
    neurons b[2] = neuron { }
    x -> b
    y = b
}
"""
    assert language.elaborate_source(source).name == "B"
    net = language.elaborate_source(source, top="A")
    assert net.name == "A" and net.n_neurons == 1


def test_an_output_can_read_another_output_and_an_alias_name():
    net = elaborate("""
corelet Out() {
    input x[2]
    output y[2]
    output first
    neurons h[2] = neuron { }
    x -> h
    y = h
    part = y[0]
    first = part
    y -> h delay 2
}
""")
    assert net.output("first").neurons.tolist() == [0]
    assert ("h[1]", "h[1]", 0, 2) in edges(net)


def test_an_input_used_directly_and_through_an_instance():
    net = elaborate("""
corelet Inner() {
    input x
    output y
    neurons h = neuron { }
    x -> h type 1
    y = h
}
corelet Top() {
    input x
    output y[2]
    sub = Inner()
    neurons own = neuron { }
    x -> sub.x delay 2
    x -> own
    sub.y -> own type 2
    y = [sub.y, own]
}
""")
    assert edges(net) == {("x[0]", "sub.h[0]", 1, 3), ("x[0]", "own[0]", 0, 1),
                          ("sub.h[0]", "own[0]", 2, 1)}
    assert net.output("y").neurons.tolist() == [0, 1]


def test_float_parameters_from_python_and_rounding_into_fields():
    net = elaborate("""
corelet Scale(gain: float, w: float[n]) {
    input x[n]
    output y[n]
    neurons h[n] = neuron { threshold = round(gain * 10); leak = int(w * 10) }
    x -> h
    y = h
}
""", gain=1.26, w=np.array([0.5, -0.25]))
    assert net.params.threshold.tolist() == [13, 13]
    assert net.params.leak.tolist() == [5, -2]


def test_unused_input_is_a_warning_not_an_error():
    warnings: list = []
    net = language.elaborate_source("""
corelet U() {
    input x
    input spare[3]
    output y
    neurons h = neuron { }
    x -> h
    y = h
}
""", "u.corelet", warnings=warnings)
    assert net.n_neurons == 1
    assert [(w.severity, w.message, w.span.line, w.span.column) for w in warnings] == [
        ("warning", "input `spare` is never used", 4, 5)]
    assert str(warnings[0].render()).startswith("u.corelet:4:5: warning: input `spare` is never used")


def test_logical_ids_follow_hierarchical_names():
    net = elaborate("""
corelet Inner() {
    input x
    output y
    neurons h[2] = neuron { }
    x -> h
    y = h[0]
}
corelet Top() {
    input x
    output y
    hid = Inner()
    x -> hid.x
    y = hid.y
}
""")
    from corelet.chip import logical_ids

    assert net.neuron_ids().tolist() == logical_ids("hid.h", np.arange(2)).tolist()


def test_fan_in_split_into_core_sized_blocks_with_a_group_per_block():
    # 600 inputs into 2 neurons: partial sums in blocks of at most AXONS_PER_CORE inputs,
    # one placement group per block, then the partial sums into the outputs.
    net = elaborate("""
corelet WideSum(n: int, m: int) {
    input x[n]
    output y[m]
    blocks = (n + AXONS_PER_CORE - 1) // AXONS_PER_CORE
    neurons part[blocks, m] = neuron { weights = [1, 0, 0, 0] }
    neurons total[m] = neuron { weights = [1, 0, 0, 0] }
    x[b * AXONS_PER_CORE + i] -> part[b, j]
        for b in 0..blocks, i in 0..AXONS_PER_CORE, j in 0..m if b * AXONS_PER_CORE + i < n
    part[b, j] -> total[j] for b in 0..blocks, j in 0..m
    group block[b] = part[b] for b in 0..blocks
    y = total
}
""", n=600, m=2)
    assert [p.path for p in net.populations] == ["part", "total"]
    assert net.n_neurons == 3 * 2 + 2
    assert len(net.connections) == 600 * 2 + 3 * 2
    assert {g.name: g.neurons.tolist() for g in net.groups} == {
        "block[0]": [0, 1], "block[1]": [2, 3], "block[2]": [4, 5]}
    fan_in = np.bincount(net.connections.dst, minlength=net.n_neurons)
    assert fan_in.tolist() == [256, 256, 256, 256, 88, 88, 3, 3]
