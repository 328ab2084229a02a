"""Several errors per file: the parser recovers after a syntax error (up to ten per file, no
cascade), every problem of one connection is reported, and constructs of other languages get a
hint saying what to write instead. Expected messages and positions are written by hand."""

from __future__ import annotations

import pytest

from corelet import language
from corelet.language._parser import MAX_SYNTAX_ERRORS
from .lang_helpers import TRUEHAPPINESS, error_of

DELAY_HINT = "delays are 1 or more ticks (longer than the chip's 15 is fine)"


def found(source: str, **kwargs) -> list[tuple[str, int, int, str]]:
    return [(d.message, d.span.line, d.span.column, d.hint)
            for d in error_of(source, **kwargs).diagnostics]


# -- recovery after a syntax error ----------------------------------------------------------------

def test_three_syntax_errors_are_all_reported():
    err = error_of("""
corelet A() {
    input x[2] )
    output y[2]
    neurons h[2] = neuron { threshold = }
    x => h
    y = h
}
""")
    assert [(d.message, d.span.line, d.span.column, d.hint) for d in err.diagnostics] == [
        ("unexpected `)`", 3, 16, ""),
        ("unexpected `}`", 5, 41, ""),
        ("unexpected `>`", 6, 8, "a connection is written `->`")]
    assert str(err) == (
        "test.corelet:3:16: error: unexpected `)`\n"
        "        input x[2] )\n"
        "                   ^\n"
        "test.corelet:5:41: error: unexpected `}`\n"
        "        neurons h[2] = neuron { threshold = }\n"
        "                                            ^\n"
        "test.corelet:6:8: error: unexpected `>`\n"
        "        x => h\n"
        "           ^\n"
        "hint: a connection is written `->`")


def test_errors_in_several_corelets_and_at_module_level():
    assert found("""
import dense
corelet A() {
    input x )
}
corelet B() {
    return x
}
""") == [
        ("unexpected `import`", 2, 1,
         'to import a file write `use "dense.corelet"` (or `use Name from "dense.corelet"`)'),
        ("unexpected `)`", 4, 13, ""),
        ("unexpected `return`", 7, 5, "there is no `return`; a corelet gives its results "
                                      "through its output connectors: `output y[n]` and `y = h`")]


def test_at_most_ten_syntax_errors_per_file():
    source = "".join(f"corelet A{i}() {{\n    input x )\n}}\n" for i in range(12))
    assert MAX_SYNTAX_ERRORS == 10
    assert found(source) == [("unexpected `)`", 2 + 3 * i, 13, "") for i in range(10)]


def test_the_cap_says_the_rest_was_not_read():
    from corelet import language

    twelve = "".join(f"corelet A{i}() {{\n    input x )\n}}\n" for i in range(12))
    with pytest.raises(language.LanguageError) as err:
        language.elaborate_source(twelve, "many.corelet")
    notes = [d.notes for d in err.value.diagnostics]
    assert notes[:9] == [()] * 9
    assert notes[9] == ("stopped after 10 syntax errors; the rest of many.corelet was not read",)
    ten = "".join(f"corelet A{i}() {{\n    input x )\n}}\n" for i in range(10))
    with pytest.raises(language.LanguageError) as err:
        language.elaborate_source(ten, "ten.corelet")
    assert all(d.notes == () for d in err.value.diagnostics)


@pytest.mark.parametrize("line, expected", [
    ("    input x[2] )", ("unexpected `)`", 11, 16, "")),                # a stray token
    ("    input x$", ("unexpected character `$`", 11, 12, "")),         # a stray character
    ("    x -> h )", ("unexpected `)`", 11, 12, "")),
    ("    neurons g[2] = neuron { threshold = = 2 }", ("unexpected `=`", 11, 41, "")),
])
def test_one_error_in_a_long_program_is_one_diagnostic(line, expected):
    """No cascade: the statements after the error parse as they are."""
    lines = TRUEHAPPINESS.split("\n")  # line 11 is `    y = h` of Dense
    source = "\n".join(lines[:10] + [line] + lines[10:])
    message, row, column, hint = expected
    got = found(source)
    assert len(got) == 1 and got[0][:3] == (message, row, column)


def test_a_skipped_block_is_skipped_whole():
    """The `{ ... }` of a `while` goes with it: its `}` does not close the corelet."""
    assert found("""
corelet A() {
    input x
    output y
    while x < 3 {
        x -> y
    }
    neurons h = neuron { }
    x -> h
    y = h
}
""") == [("unexpected `while`", 5, 5,
          "there is no `while` loop; a loop runs over a range: `for i in 0..n { ... }`")]


def test_a_missing_open_brace_is_one_error():
    assert found("""
corelet A()
    input x
    output y
    neurons h = neuron { }
    x -> h
    y = h
}
""") == [("unexpected `input`", 3, 5, "expected `{`")]


def test_a_missing_bracket_and_a_later_error():
    assert found("""
corelet A() {
    input x[2
    output y
    neurons h = neuron { }
    x -> h )
    y = h
}
""") == [("unexpected `output`", 4, 5, "expected one of `,`, `]`"),
         ("unexpected `)`", 6, 12, "")]


def test_an_unclosed_brace_after_an_error_is_still_reported():
    assert found("""
corelet A() {
    input x )
    neurons h = neuron { threshold = 2
""") == [("unexpected `)`", 3, 13, ""),
         ("missing `}`: this `{` is never closed", 4, 24, "the file ends before the matching `}`")]


def test_an_unterminated_doc_string_stops_the_parse():
    assert found('corelet A() {\n    """open doc\n    input x )\n    output y )\n}\n') == [
        ("unterminated string", 2, 7, 'a string ends with `"` on the same line')]


def test_a_file_without_errors_still_parses():
    net = language.elaborate_source(TRUEHAPPINESS, params={
        "W1": [[0] * 64] * 64, "W2": [[0]] * 64})
    assert len(net.populations) == 2


# -- every problem of one connection --------------------------------------------------------------

CONNECTION = """
corelet A() {{
    input x[2]
    output y
    neurons h = neuron {{ }}
    {line}
    y = h
}}
"""


def test_type_and_delay_of_one_connection_are_both_reported():
    assert found(CONNECTION.format(line="x -> h type 4 delay 0")) == [
        ("axon type 4 is outside the allowed range 0..3", 6, 17, "the chip has axon types 0..3"),
        ("delay 0 is below 1", 6, 25, DELAY_HINT)]


def test_type_and_delay_of_a_comprehension_are_both_reported():
    assert found(CONNECTION.format(line="x[i] -> h type 5 delay i for i in 0..2")) == [
        ("axon type 5 is outside the allowed range 0..3", 6, 20, "the chip has axon types 0..3"),
        ("delay 0 is below 1", 6, 28, DELAY_HINT)]


def test_an_unknown_target_and_a_bad_delay_are_both_reported():
    assert found(CONNECTION.format(line="x -> q delay 0")) == [
        ("unknown name `q`", 6, 10, ""),
        ("delay 0 is below 1", 6, 18, DELAY_HINT)]


def test_a_width_mismatch_and_a_bad_type_are_both_reported():
    assert found(CONNECTION.format(line="neurons g[3] = neuron { }; x -> g type 7")) == [
        ("width mismatch: expected width 3, got 2", 6, 32, "`x` is 2 wide, `g` is 3 wide"),
        ("axon type 7 is outside the allowed range 0..3", 6, 44, "the chip has axon types 0..3")]


def test_delay_before_type_is_a_syntax_error_with_a_hint():
    assert found(CONNECTION.format(line="x -> h delay 0 type 4")) == [
        ("unexpected `type`", 6, 20, "the type comes before the delay: `x -> h type 1 delay 2`")]


# -- constructs the language lacks ----------------------------------------------------------------

NO_FUNCTIONS = ("there are no functions; a reusable part is a corelet, "
                "`corelet Name(n: int) { ... }`, instantiated as `part = Name(n = 2)`")
NO_PLUS_PLUS = ("there is no `++`: constants cannot change; a loop counts by itself: "
                "`for i in 0..n { ... }`")


@pytest.mark.parametrize("line, expected", [
    ("while x < 3 { x -> x }", ("unexpected `while`", 3, 5, "there is no `while` loop; a loop "
                                "runs over a range: `for i in 0..n { ... }`")),
    ("def f(a):", ("unexpected `def`", 3, 5, NO_FUNCTIONS)),
    ("function f(a) { }", ("unexpected `function`", 3, 5, NO_FUNCTIONS)),
    ("return x", ("unexpected `return`", 3, 5, "there is no `return`; a corelet gives its results "
                  "through its output connectors: `output y[n]` and `y = h`")),
    ("let k = 1", ("unexpected `let`", 3, 5,
                   "a constant is declared without a keyword: `x = 1` (constants cannot change)")),
    ("k += 1", ("unexpected `=`", 3, 8, "constants cannot change: there is no `+=`; give the new "
                "value a new name: `x2 = x + 1`")),
    ("i++", ("cannot assign to this: the left of `=` is a name or a name with an index "
             "(`conv[g]`)", 3, 5, NO_PLUS_PLUS)),
    ("y = a && b", ("unexpected character `&`", 3, 11, "write `and` for `&&`")),
    ("y = a || b", ("unexpected character `|`", 3, 11, "write `or` for `||`")),
    ("y = !a", ("unexpected character `!`", 3, 9, "write `not x` for `!x` (`!=` compares)")),
    ("y = true ? 1 : 2", ("unexpected character `?`", 3, 14,
                          "a conditional expression is written `(a if c else b)`")),
    ("y = 'a'", ("unexpected character `'`", 3, 9,
                 'a string is written in double quotes: `"text"`')),
    ("for i in range(4) { }", ("unexpected `range(4)`", 3, 14,
                               "a loop runs over a range written `0..4`")),
    ("x[i] -> x for i in range(1, 3)", ("unexpected `range(1, 3)`", 3, 24,
                                        "a loop runs over a range written `1..3`")),
    ("for i = 0; i < 4; i = i + 1 { }", ("unexpected `=`", 3, 11,
                                         "a loop is written `for i in 0..n { ... }`")),
    ("if true { } else if false { }", ("unexpected `if`", 3, 22,
                                       "write `elif c { ... }` for `else if c { ... }`")),
    ("if true { } elseif false { }", ("unexpected `elseif`", 3, 17, "write `elif c { ... }`")),
    ("if true:", ("unexpected `:`", 3, 12,
                  "a block is written in braces: `{ ... }`, not with `:`")),
    ("// note", ("unexpected `//`", 3, 5, "a comment starts with `#`")),
    ("x == x", ("unexpected `z`", 4, 5, "`==` compares two values and is no statement; connect "
                "with `x -> h`, name a value with `x = ...`")),
])
def test_a_construct_of_another_language_gets_a_hint(line, expected):
    assert found("corelet A() {\n    input x\n    " + line + "\n    z = 1\n}\n") == [expected]


def test_plus_plus_before_a_closing_brace():
    assert found("corelet A() {\n    input x\n    i++\n}\n") == [
        ("unexpected `}`", 4, 1, NO_PLUS_PLUS)]


def test_python_import_at_module_level():
    assert found("from dense import Dense\ncorelet A() {\n    input x\n}\n") == [
        ("unexpected `from`", 1, 1, 'to import from a file write `use Name from "dense.corelet"`')]


def test_a_name_that_looks_like_a_keyword_is_still_a_name():
    """`loop`, `match` and `case` are ordinary names; an error on their line gets no hint."""
    assert found("corelet A() {\n    input x\n    loop = x )\n}\n") == [
        ("unexpected `)`", 3, 14, "")]


def test_comparing_connectors_suggests_a_connection():
    assert found(CONNECTION.format(line="if x == h { y = h }")) == [
        ("`==` needs numbers, got connector of width 2", 6, 8,
         "neurons and connectors are no values to compare or compute with; connect them with "
         "`x -> h`, or compare their sizes: `size(x) == size(h)`")]
