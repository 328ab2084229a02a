"""Neuron templates as top-level parameter values: by name (``-p cell=and2``), as a builder template
or an elaborator ``Template`` from Python; a string stays a string for every other type."""

from __future__ import annotations

import numpy as np
import pytest

import corelet
from corelet import language
from corelet.language import builder as cb
from corelet.language._values import Template

from .lang_helpers import elaborate, error_of, first_error, row

GATES = """\
neuron and2 { weights = [1, 0, 0, 0]; threshold = 2 }
neuron or2 { weights = [1, 0, 0, 0]; threshold = 1 }
neuron relu { weights = [1, 0, 0, 0]; threshold = 16; reset = linear; floor = 0 }

corelet Gate(cell: neuron, fallback = relu, mode: str = "plain") {
    input x[2]
    output y[2]
    neurons h = cell
    neurons g = fallback
    x -> h
    x -> g
    y = cat(h, g)
    assert mode == "plain" or mode == "and2", "mode is a string"
}
"""


def thresholds(net) -> list[int]:
    return [row(net, i)["threshold"] for i in range(net.n_neurons)]


# -- valid --------------------------------------------------------------------------------------
def test_a_template_name_selects_that_template():
    assert thresholds(elaborate(GATES, cell="and2")) == [2, 16]
    assert thresholds(elaborate(GATES, cell="or2")) == [1, 16]


def test_a_parameter_with_a_template_default_takes_a_name():
    net = elaborate(GATES, cell="or2", fallback="and2")
    assert thresholds(net) == [1, 2]


def test_the_name_may_come_from_a_json_string_on_the_command_line():
    name, value = language.parse_param('cell="and2"')
    assert thresholds(elaborate(GATES, **{name: value})) == [2, 16]
    name, value = language.parse_param("cell=and2")  # a bare word: the string, read as a name
    assert (name, value) == ("cell", "and2")
    assert thresholds(elaborate(GATES, **{name: value})) == [2, 16]


def test_a_string_stays_a_string_for_a_str_parameter():
    net = elaborate(GATES, cell="and2", mode="and2")  # `mode` is a str: not looked up
    assert net.n_neurons == 2
    message, line, column, _ = first_error(GATES, params={"cell": "and2", "mode": "relu"})
    assert (message, line, column) == ("assertion failed: mode is a string", 13, 5)


def test_a_string_given_to_an_int_parameter_is_still_a_type_error():
    source = ("corelet A(n: int) {\n    input x[n]\n    output y[n]\n"
              "    neurons h[n] = neuron { }\n    x -> h\n    y = h\n}\n")
    assert first_error(source, params={"n": "and2"}) == (
        "parameter `n` of `A` expects int, got str 'and2' (the value given for the top corelet)",
        1, 11, "")


def test_an_imported_template_is_visible_by_name(tmp_path):
    (tmp_path / "gates.corelet").write_text(GATES.split("corelet")[0], encoding="utf-8")
    (tmp_path / "top.corelet").write_text(
        'use and2, or2 from "gates"\n'
        "corelet Top(cell: neuron) {\n    input x\n    output y\n    neurons h = cell\n"
        "    x -> h\n    y = h\n}\n", encoding="utf-8")
    net = language.elaborate_file(tmp_path / "top.corelet", params={"cell": "or2"})
    assert thresholds(net) == [1]
    err = error_of((tmp_path / "top.corelet").read_text(), str(tmp_path / "top.corelet"),
                   params={"cell": "relu"})  # defined in gates.corelet, but not imported
    assert err.first.message == ("unknown template `relu` (the value given for parameter `cell` "
                                 "of `Top`)")
    assert err.first.hint == "the templates are `and2`, `or2`"


def test_a_builder_template_object_is_accepted():
    base = cb.template("strong", threshold=7, weights=[2, 0, 0, 0])
    derived = cb.template("derived", base, leak=-1)
    net = elaborate(GATES, cell=base, fallback=derived)
    assert thresholds(net) == [7, 7]
    assert row(net, 0)["weights"] == [2, 0, 0, 0] and row(net, 1)["leak"] == -1


def test_an_elaborator_template_object_is_accepted():
    net = elaborate(GATES, cell=Template("plain", {}))
    assert thresholds(net) == [1, 16]


def test_the_api_takes_a_name_or_a_template(tmp_path):
    path = tmp_path / "gate.corelet"
    path.write_text(GATES, encoding="utf-8")
    assert thresholds(corelet.load(path, params={"cell": "and2"})) == [2, 16]
    t5 = cb.template("t5", threshold=5)
    assert thresholds(corelet.load(path, params={"cell": t5})) == [5, 16]


def test_the_builder_takes_a_name_of_a_template_it_uses():
    relu = cb.template("relu", weights=[1, 0, 0, 0], threshold=16)
    fast = cb.template("fast", relu, threshold=4)
    top = cb.Corelet("Top", cell="neuron", other=fast)
    x, y = top.input("x", 1), top.output("y", 1)
    h = top.neurons("h", 1, top.param("cell"))
    top.connect(x, h)
    top.connect(h, y)
    assert thresholds(top.elaborate(cell="fast")) == [4]
    assert thresholds(top.elaborate(cell="relu")) == [16]  # the base of `fast` is in the program
    assert thresholds(top.elaborate(cell=relu)) == [16]


# -- invalid ------------------------------------------------------------------------------------
def test_an_unknown_name_is_an_error_with_a_did_you_mean_and_the_known_templates():
    err = error_of(GATES, params={"cell": "and3"})
    assert len(err.diagnostics) == 1
    d = err.first
    assert d.message == "unknown template `and3` (the value given for parameter `cell` of `Gate`)"
    assert (d.span.line, d.span.column, d.span.end_column) == (5, 14, 26)  # `cell: neuron`
    assert d.hint == "did you mean `and2`? the templates are `and2`, `or2`, `relu`"
    assert str(err) == (
        "test.corelet:5:14: error: unknown template `and3` (the value given for parameter "
        "`cell` of `Gate`)\n"
        "    corelet Gate(cell: neuron, fallback = relu, mode: str = \"plain\") {\n"
        "                 ^^^^^^^^^^^^\n"
        "hint: did you mean `and2`? the templates are `and2`, `or2`, `relu`")


def test_an_unknown_name_without_a_close_one_lists_the_templates():
    assert first_error(GATES, params={"cell": "zzz"}) == (
        "unknown template `zzz` (the value given for parameter `cell` of `Gate`)", 5, 14,
        "the templates are `and2`, `or2`, `relu`")


def test_a_template_default_parameter_checks_the_name_too():
    assert first_error(GATES, params={"cell": "and2", "fallback": "rleu"}) == (
        "unknown template `rleu` (the value given for parameter `fallback` of `Gate`)", 5, 28,
        "did you mean `relu`? the templates are `and2`, `or2`, `relu`")


def test_a_corelet_name_is_not_a_template():
    assert first_error(GATES, params={"cell": "Gate"}) == (
        "`Gate` is a corelet, not a neuron template (the value given for parameter `cell` of "
        "`Gate`)", 5, 14, "the templates are `and2`, `or2`, `relu`")


def test_a_file_without_templates_says_so():
    source = "corelet A(cell: neuron) {\n    input x\n    output y\n    neurons h = cell\n" \
             "    x -> h\n    y = h\n}\n"
    assert first_error(source, params={"cell": "relu"}) == (
        "unknown template `relu` (the value given for parameter `cell` of `A`)", 1, 11,
        "no neuron template is visible from test.corelet")


def test_inside_the_language_a_string_is_not_a_template():
    source = GATES + """
corelet Top() {
    input x[2]
    output y[2]
    g = Gate(cell = "and2")
    x -> g.x
    y = g.y
}
"""
    message, line, column, _ = first_error(source)
    assert (message, line, column) == (
        "parameter `cell` of `Gate` expects a neuron template, got str 'and2'", 19, 21)


def test_a_template_object_for_a_non_template_parameter_is_a_type_error():
    assert first_error(GATES, params={"cell": "and2", "mode": cb.template("t", threshold=3)}) == (
        "parameter `mode` of `Gate` expects str, got neuron template (the value given for the top "
        "corelet)", 5, 45, "")


@pytest.mark.parametrize("value", [3, np.array([1, 2]), True])
def test_a_non_template_value_for_a_neuron_parameter_is_a_type_error(value):
    message, line, column, _ = first_error(GATES, params={"cell": value})
    assert message.startswith("parameter `cell` of `Gate` expects a neuron template, got ")
    assert (line, column) == (5, 14)


def test_a_template_object_is_recorded_by_name_in_the_provenance(tmp_path):
    path = tmp_path / "gate.corelet"
    path.write_text(GATES, encoding="utf-8")
    fields = corelet.api.source_provenance(path, {"cell": cb.template("t5", threshold=5),
                                                  "fallback": Template("plain", {}), "mode": "x"})
    assert fields["parameters"] == {"cell": "neuron template t5",
                                    "fallback": "neuron template plain", "mode": "x"}
