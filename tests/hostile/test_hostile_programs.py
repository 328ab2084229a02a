"""Hostile programs (issue 12): every case the issue found is an error at its place, before the
work or allocation it asks for; the silent miscompile (delays cast to int32) included."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from corelet import language
from corelet.chip.limits import Limits, using_limits

CELL = "neurons h[1] = neuron { threshold = 1 }"


def program(body: str, head: str = "") -> str:
    return head + "corelet T() {\n    input x[1]; output y[1]\n    " + body + "\n}\n"


def first_error(text: str, filename: str = "t.corelet", **kw):
    with pytest.raises(language.LanguageError) as info:
        language.elaborate_source(text, filename, **kw)
    d = info.value.diagnostics[0]
    return d.message, d.span.line if d.span else None, d.span.column if d.span else None, d.hint


def test_a_delay_past_int32_is_an_error_not_delay_1():
    # 4294967297 = 2**32 + 1 was cast to int32 and compiled to delay 1
    text = program(f"{CELL}; x -> h delay 4294967297; y = h")
    message, line, column, hint = first_error(text)
    assert (message, line, column) == (
        "ticks of this delay: 4294967297 is over the limit `delay` of 65536", 3,
        text.splitlines()[2].index("4294967297") + 1)
    assert "--limit delay=N" in hint


def test_a_delay_of_2_31_is_refused_before_building_relays():
    text = program(f"{CELL}; x -> h delay 2147483647; y = h")
    assert first_error(text)[0] == \
        "ticks of this delay: 2147483647 is over the limit `delay` of 65536"


def test_delays_in_a_comprehension_are_checked_where_the_filter_keeps():
    text = program("neurons h[4] = neuron { threshold = 1 }\n"
                   "    x[0] -> h[i] delay (i + 1) * 40000 for i in 0..4 if i < 1\n    y = h[0:1]")
    net = language.elaborate_source(text, "t.corelet")  # only i = 0 is kept: delay 40000
    assert net.connections.delay.tolist() == [40000]
    bad = text.replace("if i < 1", "if i < 2")
    assert first_error(bad)[0] == "ticks of this delay: 80000 is over the limit `delay` of 65536"
    with using_limits(Limits(delay=10**5)):
        assert language.elaborate_source(bad, "t.corelet").connections.delay.tolist() == \
            [40000, 80000]


def test_power_tower_is_refused_before_computing():
    start = time.perf_counter()
    message, line, column, _ = first_error(program(f"a = 10 ** 10 ** 10; {CELL}; x -> h; y = h"))
    assert (message, line, column) == (
        "bits of this power: 30000000001 is over the limit `int_bits` of 4096", 3, 9)
    assert time.perf_counter() - start < 30  # (a bound on a hang, not a timing: it was hours)


def test_integer_literal_over_the_limit():
    message, line, column, _ = first_error(program("a = " + "9" * 5000))
    assert (message, line, column) == (
        "digits of this integer literal: 5000 is over the limit `literal_digits` of 1000", 3, 9)


@pytest.mark.parametrize("escape, reason", [("\\x", "truncated \\xXX escape"),
                                            ("\\u12", "truncated \\uXXXX escape"),
                                            ("\\N{nothing}", "unknown Unicode character name")])
def test_bad_string_escapes(escape, reason):
    message, line, column, _ = first_error(f'use "{escape}"\n' + program(""))
    assert (message, line, column) == (f"bad escape in string: {reason}", 1, 5)


@pytest.mark.parametrize("opening, closing", [("-", ""), ("[", "]"), ("(", ")")])
def test_deep_nesting(opening, closing):
    text = program(f"a = {opening * 3000}1{closing * 3000}; {CELL}; x -> h; y = h")
    if opening == "(":  # parentheses make no nesting in the tree: 3000 of them are fine
        assert language.elaborate_source(text, "t.corelet").n_neurons == 1
        return
    message = first_error(text)[0]
    assert message.startswith("nesting depth: ") and \
        message.endswith("is over the limit `nesting` of 100")


def test_an_output_driven_by_itself():
    text = program(f"{CELL}; x -> h; y = y")
    message, line, column, hint = first_error(text)
    assert (message, line, column) == ("output `y[0]` is driven by itself", 3,
                                       text.splitlines()[2].index("y = y") + 1)


@pytest.mark.parametrize("expression, message", [
    ("int(1e309)", "`int` of inf has no integer value"),
    ("int(-1e309)", "`int` of -inf has no integer value"),
    ("round(1e309 - 1e309)", "`round` of nan has no integer value"),
    ("int([1e300, 1.0])", "`int`: a value does not fit the int64 of arrays"),
    ("floor([1e309])", "`floor` of an infinity or NaN has no integer value"),
])
def test_float_to_int_without_an_integer(expression, message):
    assert first_error(program(f"a = {expression}"))[0] == message


@pytest.mark.parametrize("expression", [
    "arange(3) + 9223372036854775807",
    "arange(2) * 2**62 * 4",
    "-(arange(1) - 9223372036854775807 - 1)",
    "arange(3) - 9223372036854775807 - 2",
    "arange(3) + 2**64",
    "arange(2) ** 64 + 3 ** arange(50)",
])
def test_array_arithmetic_overflow_is_an_error(expression):
    message = first_error(program(f"a = {expression}"))[0]
    assert "overflows: the arrays of the language hold integers in int64" in message


def test_array_arithmetic_near_the_edge_is_exact():
    """Right up to the int64 edge arrays compute exactly (checked against Python's integers)."""
    top = 2**63 - 1
    text = program(f"a = arange(3) + {top - 2}\n    b = arange(3) * 3074457345618258602"
                   f"\n    c = -(arange(2) - {top})\n    assert all(a == [{top - 2}, {top - 1}, "
                   f"{top}])\n    assert b[2] == {2 * 3074457345618258602}\n    assert c[1] == "
                   f"{top - 1}\n    {CELL}; x -> h; y = h")
    assert language.elaborate_source(text, "t.corelet").n_neurons == 1


def test_sum_of_a_large_int_array_is_exact():
    text = program("s = sum(full(4, 2**62))\n    assert s == 2**64\n"
                   f"    {CELL}; x -> h; y = h")
    assert language.elaborate_source(text, "t.corelet").n_neurons == 1


def test_index_arithmetic_near_2_63():
    text = program(f"{CELL}\n    x[i + 9223372036854775807 + 2 - 9223372036854775807] -> h[i] "
                   "for i in 0..1\n    y = h")
    message, line, column, _ = first_error(text)
    assert line == 4 and message.startswith("`+` overflows")


@pytest.mark.parametrize("decl, what, limit", [
    ("neurons h[10**12] = neuron { threshold = 1 }", "size of population `h`", "neurons"),
    ("neurons h[2**63] = neuron { threshold = 1 }", "size of population `h`", "neurons"),
    ("neurons h[100000, 100000] = neuron { threshold = 1 }", "size of population `h`",
     "neurons"),
])
def test_huge_populations(decl, what, limit):
    message = first_error(program(decl))[0]
    assert message.startswith(f"{what}: ") and f"is over the limit `{limit}`" in message


def test_huge_connector():
    text = "corelet T() {\n    input x[10**12]; output y[1]\n}\n"
    assert first_error(text)[:3] == (
        "size of input connector `x`: 1000000000000 is over the limit `neurons` of 67108864",
        2, 13)  # the size that is too large


def test_seventy_dimensions():
    dims = ", ".join(["1"] * 70)
    message = first_error(program(f"neurons h[{dims}] = neuron {{ threshold = 1 }}"))[0]
    assert message == "dimensions of population `h`: 70 is over the limit `array_dims` of 32"
    message = first_error(program(f"a = zeros({dims})"))[0]
    assert message == "dimensions of `zeros`: 70 is over the limit `array_dims` of 32"


@pytest.mark.parametrize("grid, points", [("0..1048576, j in 0..1048576", 2**40),
                                          ("0..1000000, j in 0..1000000", 10**12)])
def test_huge_grids_with_an_empty_filter_are_refused_not_looped(grid, points):
    text = program(f"{CELL}\n    x[0] -> h[0] for i in {grid} if i < 0\n    y = h")
    message, line, column, _ = first_error(text)
    assert (message, line) == (f"points of this comprehension's grid: {points} is over the "
                               f"limit `grid_points` of 1073741824", 4)


def test_1e10_connections():
    text = ("corelet T() {\n    input x[100000]; output y[1]\n"
            "    neurons h[100000] = neuron { threshold = 1 }\n"
            "    x[i] -> h[j] for i in 0..100000, j in 0..100000\n    y = h[0:1]\n}\n")
    assert first_error(text)[0].startswith("points of this comprehension's grid: 10000000000")
    with using_limits(Limits(grid_points=10**11)):
        assert first_error(text)[0] == ("connections in all: 10000000000 is over the limit "
                                        "`connections` of 1073741824")


def test_total_connections_are_counted_across_statements():
    text = program("neurons h[100] = neuron { threshold = 1 }\n"
                   "    x[0] -> h[j] for j in 0..100\n    x[0] -> h[j] delay 2 for j in 0..100\n"
                   "    y = h[0:1]")
    with using_limits(Limits(connections=150)):
        message, line, _, _ = first_error(text)
    assert (message, line) == ("connections in all: 200 is over the limit `connections` of 150",
                               5)


def test_a_corelet_that_instantiates_itself_twice_stops_at_the_instance_limit():
    text = ("corelet T(n: int = 0) {\n    input x; output y\n    neurons h = neuron "
            "{ threshold = 1 }\n    x -> h; y = h\n    a = T(n = n + 1); b = T(n = n + 1)\n}\n")
    with using_limits(Limits(instances=2000)):
        with pytest.raises(language.LanguageError) as info:
            language.elaborate_source(text, "t.corelet")
    messages = [d.message for d in info.value.diagnostics]
    assert "corelet instances in all: 2001 is over the limit `instances` of 2000" in messages


def test_a_loop_of_10000_instances_is_within_the_default_limits():
    text = ("corelet R() { input x; output y; neurons h = neuron { threshold = 1 }; x -> h; "
            "y = h }\ncorelet T() {\n    input x[10000]; output y[10000]\n"
            "    for g in 0..10000 { r[g] = R(); x[g] -> r[g].x; y[g] = r[g].y }\n}\n")
    assert language.elaborate_source(text, "t.corelet").n_neurons == 10000


# -- files ---------------------------------------------------------------------------------------
def test_byte_order_mark_is_not_a_character(tmp_path):
    path = tmp_path / "bom.corelet"
    path.write_bytes(b"\xef\xbb\xbf" + program(f"{CELL}; x -> h; y = h").encode())
    assert language.elaborate_file(path).n_neurons == 1
    text = program(f"{CELL}; x -> h; y = hh")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    with pytest.raises(language.LanguageError) as info:
        language.elaborate_file(path)
    column = text.splitlines()[2].index("hh") + 1  # the column an editor shows
    assert str(info.value.first.span) == f"{path}:3:{column}"


def test_a_binary_file_has_a_position_and_no_lines_shown(tmp_path):
    path = tmp_path / "bin.corelet"
    path.write_bytes(b"corelet T() {\n  \x00\x01\x02 secret")
    with pytest.raises(language.LanguageError) as info:
        language.elaborate_file(path)
    text = str(info.value)
    assert text == (f"{path}:2:3: error: cannot read this file: a binary file, not .corelet "
                    f"source (a NUL byte)")
    path.write_bytes(b"corelet\n\n  T\xff\xfe secret")
    with pytest.raises(language.LanguageError) as info:
        language.elaborate_file(path)
    assert str(info.value) == (f"{path}:3:4: error: cannot read this file: not UTF-8 text "
                               f"(byte 0xff at offset 12)")


def test_warnings_print_like_errors():
    text = ("corelet T() {\n    input x[1]; input z[1]; output y[1]\n"
            "    neurons h[1] = neuron { threshold = 1 }\n    x -> h; y = h\n}\n")
    warnings: list = []
    language.elaborate_source(text, "w.corelet", warnings=warnings)
    assert warnings, "an input that nothing reads is a warning"
    shown = str(warnings[0])
    assert shown.splitlines()[0] == "w.corelet:2:17: warning: input `z` is never used"
    assert "Diagnostic(" not in shown
