"""Invalid .corelet programs: the exact diagnostic (message, line, column, hint) of each."""

from __future__ import annotations

import numpy as np
import pytest

from corelet import language
from .lang_helpers import error_of, first_error

RELAY = """
corelet Relay(n: int = 1) {
    input x
    output y
    neurons h = neuron { }
    x -> h
    y = h
}
"""  # 8 lines with the leading newline; programs appended start at line 9


# -- syntax ---------------------------------------------------------------------------------------

def test_missing_closing_brace_points_at_the_open_one():
    assert first_error("""
corelet A() {
    input x
    neurons h = neuron { threshold = 2 }
""") == ("missing `}`: this `{` is never closed", 2, 13, "the file ends before the matching `}`")


def test_stray_token():
    message, line, column, _ = first_error("""
corelet A() {
    input x[2] )
}
""")
    assert (message, line, column) == ("unexpected `)`", 3, 16)


def test_unterminated_string():
    assert first_error("""
corelet A() {
    assert true, "open
}
""") == ("unterminated string", 3, 18, 'a string ends with `"` on the same line')


def test_unexpected_character():
    message, line, column, _ = first_error("corelet A() {\n    input x$\n}\n")
    assert (message, line, column) == ("unexpected character `$`", 2, 12)


def test_rendering_has_location_source_line_caret_and_hint():
    err = error_of("""
corelet A() {
    input x
    output y
    neurons h = neuron { treshold = 3 }
    x -> h
    y = h
}
""")
    assert str(err) == (
        "test.corelet:5:26: error: unknown neuron field `treshold`\n"
        "        neurons h = neuron { treshold = 3 }\n"
        "                             ^^^^^^^^\n"
        "hint: did you mean `threshold`?")


# -- unknown names --------------------------------------------------------------------------------

def test_unknown_corelet_with_suggestion():
    assert first_error(RELAY + """
corelet A() {
    input x
    output y
    sub = Relya()
}
""") == ("unknown corelet or function `Relya`", 13, 11, "did you mean `Relay`?")


def test_unknown_parameter_in_an_instance():
    assert first_error(RELAY + """
corelet A() {
    sub = Relay(m = 3)
}
""") == ("`Relay` has no parameter `m`", 11, 17, "its parameters are `n`")


def test_unknown_connector_of_an_instance():
    assert first_error(RELAY + """
corelet A() {
    input x
    output y
    sub = Relay()
    x -> sub.z
    y = sub.y
}
""") == ("`Relay` has no connector `z`", 14, 10, "its connectors are `x`, `y`")


def test_unknown_template_with_suggestion():
    assert first_error("""
neuron relu { threshold = 2 }
corelet A() {
    input x[2]
    output y[2]
    neurons h[2] = rleu
    x -> h
    y = h
}
""") == ("unknown template `rleu`", 6, 20, "did you mean `relu`?")


def test_unknown_field_with_suggestion():
    assert first_error("""
neuron relu { treshold = 2 }
corelet A() {
    input x
    output y
    neurons h = relu
    x -> h
    y = h
}
""") == ("unknown neuron field `treshold`", 2, 15, "did you mean `threshold`?")


def test_unknown_name_with_suggestion():
    assert first_error("""
corelet A(width: int = 2) {
    input x[widht]
}
""") == ("unknown name `widht`", 3, 13, "did you mean `width`?")


def test_unknown_choice_for_reset():
    assert first_error("""
corelet A() {
    input x
    output y
    neurons h = neuron { reset = linaer }
    x -> h
    y = h
}
""") == ("`reset` must be `value`, `linear` or `none`, got 'linaer'", 5, 34,
         "did you mean `linear`?")


def test_wrong_string_for_neg_mode():
    assert first_error("""
corelet A() {
    input x
    output y
    neurons h = neuron { neg_mode = "saturat" }
    x -> h
    y = h
}
""") == ("`neg_mode` must be `saturate` or `reset`, got 'saturat'", 5, 37,
         "did you mean `saturate`?")


# -- parameters -----------------------------------------------------------------------------------

def test_wrong_parameter_type_from_the_caller():
    assert first_error("""
corelet A(n: int) {
    input x[n]
    output y
}
""", params={"n": 2.5})[:3] == (
        "parameter `n` of `A` expects int, got float 2.5 (the value given for the top corelet)",
        2, 11)


def test_wrong_parameter_type_in_an_instance():
    assert first_error(RELAY + """
corelet A() {
    input x
    output y
    sub = Relay(n = "three")
}
""")[:3] == ("parameter `n` of `Relay` expects int, got str 'three'", 13, 21)


def test_wrong_array_shape():
    assert first_error("""
corelet A(W: int[n, 3]) {
    input x[n]
    output y
}
""", params={"W": np.zeros((2, 2), dtype=int)})[:3] == (
        "parameter `W` of `A` has shape [2, 2], but dimension 1 (`3`) must be 3", 2, 11)


def test_wrong_array_rank():
    assert first_error("""
corelet A(W: int[n, m]) {
    input x[n]
}
""", params={"W": np.zeros(3, dtype=int)})[:3] == (
        "parameter `W` of `A` expects int[n, m], got int[3] (the value given for the top "
        "corelet)", 2, 11)


def test_float_array_for_int_parameter():
    assert first_error("""
corelet A(W: int[n]) {
    input x[n]
}
""", params={"W": np.array([0.5, 1.0])})[0] == (
        "parameter `W` of `A` expects int[n], got float[2] (the value given for the top corelet)")


def test_missing_parameter_value():
    assert first_error("""
corelet A(n: int) {
    input x[n]
}
""") == ("missing value for parameter `n` of `A`", 2, 11,
         "give it on the command line: -p n=VALUE")


def test_unknown_top_level_parameter():
    assert first_error("""
corelet A(n: int = 1) {
    input x[n]
}
""", params={"nn": 2}) == ("`A` has no parameter `nn`", 2, 9, "did you mean `n`?")


# -- connections ----------------------------------------------------------------------------------

def test_width_mismatch_names_both_sides():
    assert first_error("""
corelet A() {
    input x[256]
    output y[64]
    neurons h[64] = neuron { threshold = 2 }
    x[0:48] -> h
    y = h
}
""") == ("width mismatch: expected width 64, got 48", 6, 5,
         "`x[0:48]` is 48 wide, `h` is 64 wide")


def test_index_out_of_range():
    assert first_error("""
corelet A() {
    input x[3]
    output y[2]
    neurons h[2] = neuron { }
    x -> h[5]
    y = h
}
""")[:3] == ("index 5 is out of range for `h`: valid 0..1", 6, 12)


def test_index_out_of_range_in_a_comprehension():
    assert first_error("""
corelet A() {
    input x[3]
    output y[2]
    neurons h[2] = neuron { }
    x[i] -> h[i] for i in 0..3
    y = h
}
""")[:3] == ("index 2 is out of range for `h`: valid 0..1", 6, 15)


def test_axon_type_out_of_range():
    assert first_error("""
corelet A() {
    input x
    output y
    neurons h = neuron { }
    x -> h type 4
    y = h
}
""") == ("axon type 4 is outside the allowed range 0..3", 6, 17, "the chip has axon types 0..3")


def test_delay_below_one():
    assert first_error("""
corelet A() {
    input x[2]
    output y
    neurons h = neuron { }
    x[i] -> h delay i for i in 0..2
    y = h
}
""") == ("delay 0 is below 1", 6, 21,
         "delays are 1 or more ticks (longer than the chip's 15 is fine)")


def test_type_on_a_connection_into_a_connector_is_checked():
    # the caller may choose the type of an input (tests/language/test_lang_caller_types.py), but
    # only one the chip has
    assert first_error(RELAY + """
corelet A() {
    input x
    output y
    r = Relay()
    x -> r.x type 4
    y = r.y
}
""")[:3] == ("axon type 4 is outside the allowed range 0..3", 14, 19)


def test_driving_an_own_input_is_an_error():
    assert first_error("""
corelet A() {
    input x
    output y
    neurons h = neuron { }
    h -> x
    y = h
}
""")[:3] == ("`x` is an input of this corelet; it is driven from outside and cannot be a target",
             6, 10)


def test_instance_without_a_name():
    assert first_error(RELAY + """
corelet A() {
    input x
    output y
    x -> Relay().x
}
""")[:3] == ("an instance of `Relay` needs a name", 13, 10)


# -- chip ranges ----------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value, message", [
    ("weights", "[1, 300, 0, 0]", "weight 300 (element 1) is outside the chip's range -255..255"),
    ("threshold", "0", "threshold 0 is outside the chip's range 1..262143"),
    ("leak", "-256", "leak -256 is outside the chip's range -255..255"),
    ("threshold_mask", "18", "threshold_mask 18 is outside the chip's range 0..17"),
    ("reset_value", "200000", "reset_value 200000 is outside the chip's range -131072..131071"),
])
def test_values_outside_the_chips_ranges(field, value, message):
    source = f"""
corelet A() {{
    input x
    output y
    neurons h = neuron {{ {field} = {value} }}
    x -> h
    y = h
}}
"""
    column = 26 + len(field) + 3
    assert first_error(source)[:3] == (message, 5, column)


@pytest.mark.parametrize("value, nearest", [("5", "3 or 7"), ("-2", "-3 or -1"),
                                            ("[0, 3, 100]", "63 or 127")])
def test_reset_values_the_chip_cannot_encode(value, nearest):
    """The chip stores R as sign * (2^k - 1): 5, -2 and 100 are in range but have no encoding."""
    source = f"""
corelet A() {{
    input x
    output y
    neurons h[3] = neuron {{ reset_value = {value} }}
    x -> h
    y = h[0]
}}
"""
    message, line, column, hint = first_error(source)
    bad = value.strip("[]").split(", ")[-1] if value.startswith("[") else value
    assert message.startswith(f"reset_value {bad}")
    assert "cannot be held by the chip" in message and "+-131071" in message
    assert (line, column) == (5, 43) and f"nearest values the chip holds: {nearest}" in hint


def test_the_ideal_profile_elaborates_any_reset_value_in_range():
    from corelet.chip import IDEAL
    net = elaborate_with_profile("""
corelet A() {
    input x
    output y
    neurons h = neuron { reset_value = 5 }
    x -> h
    y = h
}
""", IDEAL)
    assert net.params.reset_value.tolist() == [5]


def elaborate_with_profile(source, profile):
    from corelet import language
    return language.elaborate_source(source, "test.corelet", profile=profile)


def test_floor_above_zero():
    assert first_error("""
corelet A() {
    input x
    output y
    neurons h = neuron { floor = 3 }
    x -> h
    y = h
}
""")[:3] == ("floor 3 is outside the chip's range -262143..0", 5, 34)


def test_per_neuron_array_of_the_wrong_length():
    assert first_error("""
corelet A(L: int[k]) {
    input x
    output y
    neurons h[3] = neuron { leak = L }
    x -> h
    y = h[0]
}
""", params={"L": np.array([1, 2])})[:3] == ("`leak` has 2 values but `h` has 3 neurons", 5, 36)


# -- declarations ---------------------------------------------------------------------------------

def test_duplicate_names_are_reported_with_the_first_definition():
    err = error_of(RELAY + """
corelet A() {
    input x
    output y
    neurons x = neuron { }
    sub = Relay()
    sub = Relay()
    y = sub.y
}
""")
    found = [(d.message, d.span.line, d.span.column, d.hint) for d in err.diagnostics]
    assert found == [
        ("`x` is already defined", 13, 13, "the first definition is at test.corelet:11:11"),
        ("`sub` is already defined", 15, 5, "the first definition is at test.corelet:14:5")]


def test_duplicate_corelet_definition():
    assert first_error(RELAY + RELAY) == (
        "`Relay` is defined twice", 10, 9, "the first definition is at test.corelet:2:9")


def test_duplicate_template_field():
    assert first_error("""
neuron t { threshold = 2; threshold = 3 }
corelet A() {
    input x
    output y
    neurons h = t
    x -> h
    y = h
}
""") == ("field `threshold` is set twice", 2, 27, "first set at test.corelet:2:12")


def test_failed_assert_shows_its_message():
    assert first_error("""
corelet A(W: int[n, m]) {
    assert all(W >= -8 and W < 8), "weights must fit 4 bits"
}
""", params={"W": np.array([[1, 9]])})[:3] == (
        "assertion failed: weights must fit 4 bits", 3, 5)


def test_output_left_unconnected():
    assert first_error("""
corelet A() {
    input x
    output y
    output z[2]
    neurons h = neuron { }
    x -> h
    y = h
}
""") == ("output connector `z` is not connected", 5, 5, "drive it, e.g. `z = neurons`")


def test_output_partly_connected():
    assert first_error("""
corelet A() {
    input x
    output z[3]
    neurons h = neuron { }
    x -> h
    h -> z[1]
}
""") == ("output connector `z` is not connected", 4, 5, "no source for z[0], z[2]")


def test_output_driven_twice():
    assert first_error("""
corelet A() {
    input x
    output y
    neurons g[2] = neuron { }
    x -> g
    y = g[0]
    y = g[1]
}
""") == ("output `y[0]` is driven twice", 8, 5, "an output element names exactly one neuron")


def test_output_cannot_delay():
    assert first_error("""
corelet A() {
    input x
    output y
    neurons h = neuron { }
    x -> h
    h -> y delay 2
}
""") == ("an output connector cannot delay: it names neurons", 7, 18,
         "put the delay on the connection that reads it")


def test_unbounded_recursion():
    err = error_of("""
corelet Tree(n: int) {
    input x
    output y
    sub = Tree(n = n - 1)
    x -> sub.x
    y = sub.y
}
""", params={"n": 3})
    d = err.diagnostics[0]
    assert (d.message, d.span.line, d.span.column) == (
        "recursion without end: instances of `Tree` nest deeper than 64 levels", 5, 11)
    assert d.hint == "give `Tree` a condition (`if ...`) that stops instantiating itself"
    assert len(d.notes) == 5 and d.notes[2] == "... 60 more instances ..."


def test_recursion_with_a_base_case_is_fine():
    net = language.elaborate_source("""
corelet Chain(n: int) {
    input x
    output y
    neurons h = neuron { }
    x -> h
    if n > 1 {
        rest = Chain(n = n - 1)
        h -> rest.x
        y = rest.y
    } else {
        y = h
    }
}
""", params={"n": 3})
    assert [p.path for p in net.populations] == ["h", "rest.h", "rest.rest.h"]


def test_several_errors_at_once_sorted_by_position():
    err = error_of("""
corelet A() {
    input x
    output y
    neurons h = neuron { }
    q = 1 / 0
    z = 3 + true
    x -> h type 9
    y = h
}
""")
    assert [(d.message, d.span.line, d.span.column) for d in err.diagnostics] == [
        ("division by zero", 6, 13),
        ("`+` needs numbers, got bool", 7, 13),
        ("axon type 9 is outside the allowed range 0..3", 8, 17)]
    assert str(err).count("error:") == 3


def test_a_failed_declaration_does_not_cascade():
    err = error_of("""
corelet A() {
    input x
    output y
    neurons h = rleu
    x -> h
    y = h
}
""")
    assert [d.message for d in err.diagnostics] == ["unknown template `rleu`"]


def test_no_corelet_in_file():
    assert first_error('neuron t { }\n')[:3] == ("this file defines no corelet", 1, 1)


def test_unknown_top():
    assert first_error(RELAY, top="Rely")[0] == "no corelet named `Rely`"


def test_language_error_is_a_toolchain_error():
    from corelet.chip import ToolchainError

    assert issubclass(language.LanguageError, ToolchainError)


def test_fat_arrow_gets_a_hint():
    assert first_error("corelet A() {\n    input x[2]\n    x => h\n}\n") == (
        "unexpected `>`", 3, 8, "a connection is written `->`")


def test_assigning_to_neurons_suggests_a_connection():
    assert first_error("""
corelet A() {
    input x
    output y
    neurons h = neuron { }
    h = x
    y = h
}
""") == ("`h` is already defined", 6, 5, "to connect into it, write `x -> h`")


def test_output_width_mismatch():
    assert first_error("""
corelet A() {
    input x[2]
    output y[2]
    neurons h[2] = neuron { }
    x -> h
    y = h[0]
}
""") == ("width mismatch: expected width 2, got 1", 7, 5, "`h[0]` is 1 wide, `y` is 2 wide")


def test_float_where_an_integer_is_needed():
    assert first_error("""
corelet A(v: float = 1.0) {
    input x
    output y
    neurons h = neuron { threshold = v }
    x -> h
    y = h
}
""") == ("`threshold` must be an integer, got float 1.0", 5, 38, "use int(...) or round(...)")


def test_a_sub_corelet_input_is_not_a_source():
    assert first_error(RELAY + """
corelet A() {
    input x
    output y
    r = Relay()
    neurons h = neuron { }
    r.x -> h
    y = h
}
""")[:3] == ("`r.x` is an input of a sub-corelet; it cannot be a source", 15, 5)


def test_if_statement_right_after_a_comprehension_gets_a_hint():
    assert first_error("""
corelet A() {
    input x[2]
    output y[2]
    neurons h[2] = neuron { }
    x[i] -> h[i] for i in 0..2
    if true { y = h }
}
""") == ("unexpected `{`", 7, 13, "an `if` right after a comprehension reads as its filter; "
         "end the connection with `;` to start an `if` statement")


def test_the_semicolon_ends_a_comprehension_before_an_if_statement():
    net = language.elaborate_source("""
corelet A() {
    input x[2]
    output y[2]
    neurons h[2] = neuron { }
    x[i] -> h[i] for i in 0..2;
    if true { y = h }
}
""")
    assert net.output("y").neurons.tolist() == [0, 1]


def test_group_index_must_match_its_loop():
    assert first_error("""
corelet A() {
    input x[4]
    output y[4]
    neurons h[4] = neuron { }
    x -> h
    y = h
    group g[b] = h[c] for c in 0..4
}
""")[:3] == ("the group is indexed by `b` but the loop runs over `c`", 8, 27)


def test_a_recursive_corelet_reports_its_mistake_once_not_at_every_level():
    """The output size fails in every instance of the recursion; the outermost report stands for
    the nested ones, and the recursion's own error still comes."""
    source = """neuron pass { weights = [1, 0, 0, 0] }
corelet Tree(d: int) {
    input x[1]
    output y[2 ** d]
    neurons h[1] = pass
    x -> h
    if d != 0 {
        l = Tree(d = d - 1)
        h -> l.x
    }
}
"""
    err = error_of(source, params={"d": -1})
    assert [(d.message, d.span.line, d.span.column) for d in err.diagnostics] == [
        ("a size must be an integer, got float 0.5", 4, 14),
        ("recursion without end: instances of `Tree` nest deeper than 64 levels", 8, 13)]
