"""Parameters in any order: a type or default may use any other parameter; they are bound in
dependency order, and a cycle is an error naming it. A body name used before its declaration
says where it is declared."""

from __future__ import annotations

import numpy as np

from corelet.language import builder as cb

from .lang_helpers import elaborate, error_of, first_error, row

BODY = ("    input x\n    output y\n    neurons h = neuron { threshold = {t} }\n    x -> h\n"
        "    y = h\n}\n")


def program(params: str, threshold: str = "1") -> str:
    """A one-neuron corelet `A(params)` whose threshold is the expression ``threshold``."""
    return f"corelet A({params}) {{\n" + BODY.replace("{t}", threshold)


def threshold(net) -> int:
    return row(net, 0)["threshold"]


# -- valid --------------------------------------------------------------------------------------
def test_a_type_may_use_a_parameter_declared_later():
    source = """\
corelet A(L: int[F, H - 2, H - 2], H: int) {
    input x[F, H, H]
    output y[F]
    neurons h[F] = neuron { threshold = H }
    x[f, 0, 0] -> h[f] for f in 0..F
    y = h
}
"""
    net = elaborate(source, L=np.zeros((3, 4, 4), int), H=6)
    assert net.n_neurons == 3 and net.inputs[0].width == 3 * 6 * 6 and threshold(net) == 6


def test_a_default_may_use_a_parameter_declared_later():
    assert threshold(elaborate(program("n = m * 2, m = 3", "n"))) == 6
    assert threshold(elaborate(program("n = m * 2, m = 3", "n"), m=5)) == 10
    assert threshold(elaborate(program("a = b + c, b = c * 10, c = 1", "a"))) == 11


def test_a_default_may_use_a_dimension_bound_by_a_later_parameter():
    net = elaborate(program("k: int = 2 * n, W: int[n, m]", "k + m"), W=np.ones((3, 4), int))
    assert threshold(net) == 10


def test_a_dimension_named_after_a_later_parameter_is_checked_against_it():
    net = elaborate(program("W: int[n], n: int", "n"), W=np.arange(4), n=4)
    assert threshold(net) == 4


def test_a_given_value_is_not_a_cycle():
    # typed parameters given a value never evaluate their default
    net = elaborate(program("n: int = m * 2, m: int = n + 1", "m"), n=3)
    assert threshold(net) == 4


def test_sub_corelet_parameters_in_any_order():
    source = """\
corelet Sub(n = m * 2, m: int) {
    input x
    output y
    neurons h = neuron { threshold = n }
    x -> h
    y = h
}
corelet Top() {
    input x
    output y
    s = Sub(m = 3)
    x -> s.x
    y = s.y
}
"""
    assert threshold(elaborate(source)) == 6


def test_the_builder_takes_parameters_in_any_order():
    top = cb.Corelet("A", k=2 * cb.var("n"), n="int")
    x, y = top.input("x", 1), top.output("y", 1)
    h = top.neurons("h", 1, None, threshold=top.param("k"))
    top.connect(x, h)
    top.connect(h, y)
    assert threshold(top.elaborate(n=4)) == 8


def test_the_first_declared_parameter_binds_a_shared_dimension():
    source = program("a: int[n], b: int[n]", "n")
    assert threshold(elaborate(source, a=np.arange(2), b=np.arange(2))) == 2
    assert first_error(source, params={"a": np.arange(2), "b": np.arange(3)}) == (
        "parameter `b` of `A` has shape [3], but dimension 0 (`n`) must be 2", 1, 22, "")
    # the same when the second one's type is what makes the first depend on it
    source = program("b: int[n + 1], a: int[n]", "n")
    assert threshold(elaborate(source, a=np.arange(2), b=np.arange(3))) == 2


# -- invalid ------------------------------------------------------------------------------------
def test_a_cycle_is_an_error_naming_it():
    err = error_of(program("n = m * 2, m = n + 1"))
    assert len(err.diagnostics) == 1
    d = err.first
    assert (d.message, d.span.line, d.span.column, d.span.end_column) == (
        "parameters n -> m -> n depend on each other", 1, 11, 20)
    assert str(err) == ("test.corelet:1:11: error: parameters n -> m -> n depend on each other\n"
                        "    corelet A(n = m * 2, m = n + 1) {\n"
                        "              ^^^^^^^^^")


def test_a_longer_cycle_starts_where_it_is_first_reached():
    assert first_error(program("a = b, c: int = 1, b = d + c, d = a")) == (
        "parameters a -> b -> d -> a depend on each other", 1, 11, "")
    # `k` is declared first but is not in the cycle; the cycle is reported from `n`
    assert first_error(program("k = n, n = m * 2, m = n + 1")) == (
        "parameters n -> m -> n depend on each other", 1, 18, "")


def test_a_parameter_using_itself():
    assert first_error(program("n: int = n + 1")) == ("parameter n depends on itself", 1, 11, "")


def test_a_cycle_through_a_bound_dimension():
    # `a` binds n; `k` uses n (so depends on a); `a`'s type uses k
    assert first_error(program("a: int[n, k], k: int = n"), params={"a": np.ones((2, 2), int)}) \
        == ("parameters a -> k -> a depend on each other", 1, 11, "")


def test_an_untyped_parameter_always_evaluates_its_default():
    # its kind comes from the default, so a given value does not break the cycle
    assert first_error(program("n = m * 2, m = n + 1"), params={"n": 3}) == (
        "parameters n -> m -> n depend on each other", 1, 11, "")


def test_parameters_using_a_cycle_or_a_failed_parameter_stay_quiet():
    err = error_of(program("k = n + 1, n = m * 2, m = n + 1, j = k"))
    assert [d.message for d in err.diagnostics] == ["parameters n -> m -> n depend on each other"]
    # `k` uses the missing `n`, `j` uses `k` (this used to end in an internal error)
    err = error_of(program("n: int, k = n * 2, j: int[k]"), params={"j": np.arange(2)})
    assert [(d.message, d.span.column) for d in err.diagnostics] == [
        ("missing value for parameter `n` of `A`", 11)]


def test_a_parameter_declared_twice_is_still_an_error():
    assert first_error(program("n: int = 1, n: int = 2")) == (
        "`n` is already defined", 1, 23, "the first definition is at test.corelet:1:11")
    err = error_of(program("n = m, m = n, n: int = 2"))
    assert [(d.message, d.span.column, d.hint) for d in err.diagnostics] == [
        ("parameters n -> m -> n depend on each other", 11, ""),
        ("`n` is already defined", 25, "the first definition is at test.corelet:1:11")]


def test_a_cycle_in_a_sub_corelet_is_reported_at_its_declaration():
    source = """\
corelet Sub(n = m * 2, m = n + 1) {
    input x
    output y
    neurons h = neuron { }
    x -> h
    y = h
}
corelet Top() {
    input x
    output y
    s = Sub()
    x -> s.x
    y = s.y
}
"""
    err = error_of(source)
    d = err.first
    assert (d.message, d.span.line, d.span.column) == (
        "parameters n -> m -> n depend on each other", 1, 13)
    assert len(err.diagnostics) == 1


# -- names used before their declaration --------------------------------------------------------
def test_a_constant_used_before_its_declaration_says_where_it_is():
    source = """\
corelet A(n: int = 2) {
    input x[n]
    output y[n]
    neurons h[k] = neuron { }
    x -> h
    y = h
    k = n
}
"""
    assert first_error(source) == ("unknown name `k`", 4, 15, "`k` is declared later, at line 7")


def test_neurons_used_before_their_declaration():
    source = """\
corelet A() {
    input x
    output y
    x -> h
    neurons h = neuron { }
    y = h
}
"""
    assert first_error(source) == ("unknown name `h`", 4, 10, "`h` is declared later, at line 5")


def test_a_name_declared_later_inside_a_block():
    source = """\
corelet A(n: int = 1) {
    input x
    output y
    neurons h[w] = neuron { }
    if n > 0 {
        w = 1
    }
    x -> h
    y = h
}
"""
    assert first_error(source) == ("unknown name `w`", 4, 15, "`w` is declared later, at line 6")


def test_a_body_constant_used_by_a_parameter():
    source = program("n: int = half", "n").replace("    y = h\n", "    y = h\n    half = 2\n")
    assert first_error(source) == ("unknown name `half`", 1, 20,
                                   "`half` is declared later, at line 7")


def test_a_template_used_before_its_declaration():
    source = """\
corelet A() {
    input x
    output y
    neurons h = cell
    cell = neuron { threshold = 2 }
    x -> h
    y = h
}
"""
    assert first_error(source) == ("unknown template `cell`", 4, 17,
                                   "`cell` is declared later, at line 5")


def test_a_name_declared_earlier_in_a_branch_not_taken_gets_no_later_hint():
    source = """\
corelet A(n: int = 0) {
    input x
    output y
    if n > 0 {
        w = 1
    }
    neurons h[w] = neuron { }
    x -> h
    y = h
}
"""
    assert first_error(source) == ("unknown name `w`", 7, 15, "")


def test_a_misspelt_name_still_gets_did_you_mean():
    source = program("width: int = 3", "widht")
    assert first_error(source) == ("unknown name `widht`", 4, 38, "did you mean `width`?")


def test_a_failed_array_parameter_silences_what_uses_its_dimension_names():
    """``W`` fails, so ``n`` and ``m`` are never bound: ``k = 2 * n`` and ``V``'s default are
    skipped, and the one error reported is the real one."""
    source = """
corelet A(k: int = 2 * n, W: int[n, m], V: int[m, n] = zeros(m, n)) {
    input x[n]
    output y[m]
    neurons h[m] = neuron { }
    x -> h
    y = h
}
"""
    err = error_of(source, params={"W": np.array([[True, False]])})
    assert [(d.message, d.span.line, d.span.column) for d in err.diagnostics] == [
        ("parameter `W` of `A` expects int[n, m], got bool[1, 2] (the value given for the top "
         "corelet)", 2, 27)]
