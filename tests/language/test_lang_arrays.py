"""Array expressions: comprehensions, the array builtins and `a if c else b`.

Each value is compared with the numpy expression written independently here; a value is read
back through a neuron field (``initial = cat(EXPR)``: one value per neuron, flattened row-major).
"""

from __future__ import annotations

import numpy as np
import pytest

from corelet import language
from corelet.language import builder as cb

from .lang_helpers import elaborate, first_error
from .test_lang_builder import same_network


def value_of(expression: str, size: int, params: str = "", **values) -> np.ndarray:
    """The flattened value of ``expression`` (``size`` elements), elaborated in a corelet."""
    net = elaborate(f"""
corelet T({params}) {{
    input x
    output y
    neurons h[{size}] = neuron {{ initial = cat({expression}) }}
    x -> h
    y = h[0]
}}
""", **values)
    return net.params.initial


def test_comprehension_over_three_variables_equals_numpy():
    B = np.array([3, -1, 4])
    got = value_of("[B[o] + 1 + 10 * r - q for o in 0..3, r in 0..2, q in 0..2]", 12,
                   "B: int[3]", B=B)
    o, r, q = np.meshgrid(np.arange(3), np.arange(2), np.arange(2), indexing="ij")
    assert got.tolist() == (B[o] + 1 + 10 * r - q).ravel().tolist()


def test_comprehension_ranges_start_anywhere_and_broadcast_a_constant():
    assert value_of("[7 for i in 2..5]", 3).tolist() == [7, 7, 7]
    assert value_of("[i * j for i in 1..3, j in -1..2]", 6).tolist() == \
        (np.arange(1, 3)[:, None] * np.arange(-1, 2)[None, :]).ravel().tolist()


def test_per_feature_bias_in_a_field():
    B = np.array([2, -3])
    net = elaborate("""
corelet T(B: int[F], P: int) {
    input x
    output y
    neurons f[F, P] = neuron { leak = [B[o] + 1 for o in 0..F, p in 0..P]; threshold = 4 }
    x -> f
    y = f[0, 0]
}
""", B=B, P=3)
    assert net.params.leak.tolist() == np.repeat(B + 1, 3).tolist()


def test_array_builtins_equal_numpy():
    assert value_of("zeros(2, 3)", 6).tolist() == [0] * 6
    assert value_of("ones([2, 2])", 4).tolist() == [1] * 4
    assert value_of("full([2, 3], -4)", 6).tolist() == [-4] * 6
    assert value_of("full(3, 9)", 3).tolist() == [9] * 3
    assert value_of("arange(4)", 4).tolist() == [0, 1, 2, 3]
    assert value_of("arange(-2, 2)", 4).tolist() == [-2, -1, 0, 1]
    A = np.arange(6).reshape(2, 3)
    assert value_of("repeat(A, 2)", 12, "A: int[2, 3]", A=A).tolist() == \
        np.repeat(A, 2).tolist()
    assert value_of("repeat(A, 2, 0)", 12, "A: int[2, 3]", A=A).tolist() == \
        np.repeat(A, 2, axis=0).ravel().tolist()
    assert value_of("repeat(A, 2, 1)", 12, "A: int[2, 3]", A=A).tolist() == \
        np.repeat(A, 2, axis=1).ravel().tolist()
    assert value_of("transpose(reshape(arange(6), [2, 3]))", 6).tolist() == \
        np.arange(6).reshape(2, 3).T.ravel().tolist()
    assert value_of("reshape(arange(6), [3, -1])[2]", 2).tolist() == [4, 5]
    C = np.arange(24).reshape(2, 3, 4)
    assert value_of("transpose(C, [2, 0, 1])", 24, "C: int[2, 3, 4]", C=C).tolist() == \
        np.transpose(C, (2, 0, 1)).ravel().tolist()
    assert value_of("where(arange(5) > 2, 10, arange(5))", 5).tolist() == [0, 1, 2, 10, 10]


def test_conditional_expression_scalar_and_elementwise():
    assert value_of("[1 if n > 2 else 2]", 1, "n: int", n=3).tolist() == [1]
    assert value_of("[1 if n > 2 else 2]", 1, "n: int", n=0).tolist() == [2]
    # elementwise, and the condition guards the index of the other side
    W = np.array([5, 6, 7])
    got = value_of("[W[i - 1] if i > 0 else -1 for i in 0..4]", 4, "W: int[3]", W=W)
    assert got.tolist() == [-1, 5, 6, 7]
    # right-associative chains
    got = value_of("[0 if i < 1 else 1 if i < 3 else 2 for i in 0..5]", 5)
    assert got.tolist() == [0, 1, 1, 2, 2]


def test_conditional_needs_parentheses_at_statement_level():
    net = elaborate("""
corelet T(n: int) {
    input x
    output y
    k = (2 if n > 0 else 3)
    neurons h[k] = neuron { }
    x -> h
    y = h[0]
}
""", n=1)
    assert net.n_neurons == 2
    assert first_error("""
corelet T(n: int) {
    k = 2 if n > 0 else 3
}
""") == ("unexpected `else`", 3, 20,
         "at statement level a conditional expression needs parentheses: `(a if c else b)`")


def test_conditional_picks_a_connector():
    net = elaborate("""
corelet T(left: bool) {
    input a
    input b
    output y
    neurons h = neuron { }
    (a if left else b) -> h
    y = h
}
""", left=False)
    assert net.source_name(int(net.connections.src[0])) == "b[0]"


# -- errors ----------------------------------------------------------------------------------------

def program(expression: str) -> str:
    return f"""
corelet T() {{
    input x
    output y
    neurons h = neuron {{ }}
    x -> h
    y = h
    v = {expression}
}}
"""  # the expression starts at line 8, column 9


def test_errors_of_array_expressions():
    cases = {
        "[i for i in 0..100000, j in 0..100000]":
            ("elements of an array comprehension: 10000000000 is over the limit `array_elements` "
             "of 67108864", 8, 9),
        "zeros(100000, 100000)":
            ("elements of `zeros`: 10000000000 is over the limit `array_elements` of 67108864",
             8, 9),
        "[i for i in 0..2, i in 0..3]": ("loop variable `i` is used twice", 8, 27),
        "(arange(2) if arange(3) > 0 else 0)":
            ("the condition and the sides of `if ... else` do not broadcast together: shapes "
             "[3], [2], []", 8, 10),
        "[arange(3) for i in 0..2]":
            ("the element of an array comprehension must be one value per grid point: the grid "
             "has shape [2], the element has shape [3]", 8, 10),
        '["a" for i in 0..2]': ("an array comprehension builds numbers or bools, got str", 8, 10),
        "(1 if 2 else 3)": ("`if ... else` needs a bool, got int", 8, 15),
        "where(1, 2, 3)": ("`where` needs bools as its condition, got int", 8, 15),
        "where(true, 2)": ("`where` takes 3 argument(s), got 2", 8, 9),
        "reshape(arange(6), [4, 2])": ("cannot reshape int[6] to [4, 2]", 8, 9),
        "transpose(zeros(2, 3), [0, 0])":
            ("`transpose` needs the axes 0..1 in some order, got [0, 0]", 8, 32),
        "repeat(arange(3), -1)": ("`repeat` count cannot be negative, got -1", 8, 27),
        "repeat(arange(3), 2, 1)":
            ("axis 1 is out of range for an array of 1 dimension(s)", 8, 30),
        "arange(2.5)": ("`arange` needs integers, got float", 8, 16),
        "zeros(-1)": ("a size cannot be negative, got -1", 8, 15),
        "full(2, arange(2))": ("`full` fills with a number or a bool, got int[2]", 8, 17),
        "[i + 1 for i in 0..3][3]": ("index 3 is out of range for array: valid 0..2", 8, 31),
    }
    for expression, expected in cases.items():
        assert first_error(program(expression))[:3] == expected, expression


# -- the builder ---------------------------------------------------------------------------------

def test_builder_array_expressions_equal_the_dsl():
    B = np.array([2, -3])
    o, p, i = cb.var("o"), cb.var("p"), cb.var("i")
    top = cb.Corelet("T", B="int[F]", P="int")
    x, y = top.input("x"), top.output("y")
    bias = cb.array(top.param("B")[o] + 1, {o: "F", p: "P"})
    grid = cb.reshape(cb.arange(6), [2, 3])
    f = top.neurons("f", ("F", "P"), None, leak=bias,
                    initial=cb.if_else(grid > 2, grid * 0 + cb.full([2, 3], 5), cb.zeros(2, 3)),
                    threshold=cb.array(cb.if_else(i % 2 == 0, 3, 4), {i: (0, 6)}))
    top.connect(x, f)
    top.connect(f[0, 0], y)
    built = top.elaborate(B=B, P=3)
    text = elaborate("""
corelet T(B: int[F], P: int) {
    input x
    output y
    neurons f[F, P] = neuron {
        leak = [B[o] + 1 for o in 0..F, p in 0..P]
        initial = (reshape(arange(6), [2, 3]) * 0 + full([2, 3], 5)
                   if reshape(arange(6), [2, 3]) > 2 else zeros(2, 3))
        threshold = [3 if i % 2 == 0 else 4 for i in 0..6]
    }
    x -> f
    y = f[0, 0]
}
""", B=B, P=3)
    same_network(built, text)
    assert built.params.threshold.tolist() == [3, 4, 3, 4, 3, 4]


def test_builder_shortcuts_are_the_builtins():
    assert [cb.zeros(2).node.func, cb.ones(2).node.func, cb.full(2, 1).node.func,
            cb.arange(3).node.func, cb.repeat(1, 2).node.func, cb.reshape(1, 1).node.func,
            cb.transpose(1).node.func, cb.where(1, 2, 3).node.func] == \
        ["zeros", "ones", "full", "arange", "repeat", "reshape", "transpose", "where"]


def test_every_field_takes_an_array_expression():
    net = elaborate("""
corelet T(N: int = 3) {
    input x
    output y
    neurons h[N] = neuron {
        weights = [1 if k == 0 else -n for n in 0..N, k in 0..4]
        stochastic_weights = [k == 3 for n in 0..N, k in 0..4]
        leak = arange(N) - 1
        stochastic_leak = [n == 2 for n in 0..N]
        leak_reversal = where(arange(N) > 0, true, false)
        threshold = full(N, 5)
        threshold_mask = [n for n in 0..N]
        neg_threshold = repeat([7], N)
        reset_value = reshape(transpose([[1, 3, 7]]), [N]) * -1
        initial = ones(N) * 2
    }
    x -> h
    y = h[0]
}
""")
    p = net.params
    assert p.weights.tolist() == [[1, 0, 0, 0], [1, -1, -1, -1], [1, -2, -2, -2]]
    assert p.stochastic_weights.tolist() == [[False, False, False, True]] * 3
    assert p.leak.tolist() == [-1, 0, 1]
    assert p.stochastic_leak.tolist() == [False, False, True]
    assert p.leak_reversal.tolist() == [False, True, True]
    assert p.threshold.tolist() == [5, 5, 5]
    assert p.threshold_mask.tolist() == [0, 1, 2]
    assert p.neg_threshold.tolist() == [7, 7, 7]
    assert p.reset_value.tolist() == [-1, -3, -7]
    assert p.initial.tolist() == [2, 2, 2]


def test_a_field_in_another_shape_with_as_many_values():
    assert first_error("""
corelet T() {
    input x
    output y
    neurons h[6] = neuron { leak = [i + j for i in 0..2, j in 0..3] }
    x -> h
    y = h[0]
}
""") == ("`leak` has shape [2, 3] but `h` has shape [6]", 5, 36,
         "give one value per neuron in the population's shape or flattened, e.g. "
         "`reshape(..., [6])`")
    net = elaborate("""
corelet T() {
    input x
    output y
    neurons h[6] = neuron { leak = reshape([i + j for i in 0..2, j in 0..3], [6]) }
    x -> h
    y = h[0]
}
""")
    assert net.params.leak.tolist() == [0, 1, 2, 1, 2, 3]
