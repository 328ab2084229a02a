"""Errors carry their places as data (``Location``) and print through one renderer.

Expected texts are written out by hand: the source line, four spaces in, and a caret line under the
span; ``note:`` lines for further places; ``hint:`` and ``note:`` lines last.
"""

import json

import numpy as np
import pytest

from corelet.chip import Location, ModelError, Span, ToolchainError
from corelet.chip.errors import render_message
from corelet.chip.source import caret, source_line
from corelet.language import Diagnostic, LanguageError
from corelet.runtime import ChipModel, SimulationError, check_inputs, fabric_from_model
from corelet.runtime import parse_encoder_spec

from .test_chip_model import tiny_model

SOURCE = "neuron n { threshold = 1 }\n\ncorelet Top() {\n    neurons h[4] = n\n}\n"


def span(file, line, column, end_column):
    return Span(file, line, column, line, end_column)


# -- Location ------------------------------------------------------------------------------------
def test_location_parts_are_optional_and_numbers_are_plain_ints():
    loc = Location(core=np.int64(3), slot=np.int32(17), field="weights")
    assert loc == Location(core=3, slot=17, field="weights")
    assert type(loc.core) is int and type(loc.slot) is int
    assert loc.span is None and loc.instance is None and loc.neuron == "" and loc.axon is None
    assert loc.path == ""


def test_describe_names_every_part_in_words():
    assert Location(core=3, slot=17, field="weights").describe() == "core 3 neuron 17 field 'weights'"
    assert Location(core=0, axon=5, file="m.json").describe() == "m.json core 0 axon 5"
    declared = Location(span=span("net.corelet", 6, 5, 23), instance="top.a", corelet="Wide",
                        neuron="top.a.h[0]")
    assert declared.describe() == "net.corelet:6:5 neuron top.a.h[0] in corelet 'Wide' (instance top.a)"
    assert declared.describe(where=False) == "neuron top.a.h[0] in corelet 'Wide' (instance top.a)"
    assert declared.path == "net.corelet"
    assert Location(connector="x", pin=2).describe() == "connector 'x' pin 2"


def test_filled_sets_only_unset_parts():
    loc = Location(core=1, connector="")
    assert loc.filled(core=5, connector="x") == Location(core=1, connector="x")
    assert Location(file="a.json").with_file("b.json").file == "a.json"
    assert Location(core=1).with_file("b.json") == Location(core=1, file="b.json")


# -- source lines and carets ---------------------------------------------------------------------
def test_source_line_from_sources_or_disk_and_none_for_unknown_files(tmp_path):
    path = tmp_path / "t.corelet"
    path.write_text(SOURCE)
    assert source_line(span(str(path), 4, 5, 21)) == "    neurons h[4] = n"
    assert source_line(span("<string>", 4, 5, 21), {"<string>": SOURCE}) == "    neurons h[4] = n"
    assert source_line(span("<string>", 4, 5, 21)) is None
    assert source_line(span(str(path), 40, 1, 2)) is None
    assert caret("    neurons h[4] = n", span("f", 4, 5, 21)) == "    ^^^^^^^^^^^^^^^^"
    assert caret("\tx = y", span("f", 1, 2, 3)) == "\t^"


# -- ToolchainError -------------------------------------------------------------------------------
def test_error_without_a_span_is_its_bare_message_and_the_command_line_adds_a_title():
    err = ToolchainError("the network needs 6 cores on 2 chips", hint="make it smaller",
                         notes=["compiled with profile 'small'"])
    assert err.message == "the network needs 6 cores on 2 chips"
    assert err.locations == () and err.location is None and err.span is None
    assert str(err) == ("the network needs 6 cores on 2 chips\n"
                        "hint: make it smaller\n"
                        "note: compiled with profile 'small'")
    assert err.render(prefix="corelet compile") == (
        "corelet compile: error: the network needs 6 cores on 2 chips\n"
        "hint: make it smaller\n"
        "note: compiled with profile 'small'")
    assert str(ToolchainError("plain")) == "plain"


def test_error_at_a_span_shows_the_source_line_and_a_caret(tmp_path):
    path = tmp_path / "t.corelet"
    path.write_text(SOURCE)
    where = Location(span=span(str(path), 4, 5, 21), instance="", corelet="Top", neuron="h[0]")
    err = ToolchainError("neuron h[0] needs 300 axons", locations=[where], hint="split it")
    assert err.location is where and err.span == where.span
    expected = (f"{path}:4:5: error: neuron h[0] needs 300 axons\n"
                "        neurons h[4] = n\n"
                "        ^^^^^^^^^^^^^^^^\n"
                "hint: split it")
    assert str(err) == expected
    assert err.render(prefix="corelet compile") == expected  # a span is its own title


def test_span_in_string_source_renders_without_a_source_line_unless_given():
    err = ToolchainError("too wide", locations=[Location(span=span("<string>", 4, 5, 21))])
    assert str(err) == "<string>:4:5: error: too wide"
    assert err.render({"<string>": SOURCE}) == ("<string>:4:5: error: too wide\n"
                                                "        neurons h[4] = n\n"
                                                "        ^^^^^^^^^^^^^^^^")


def test_further_places_are_notes_with_a_caret_once_per_span():
    sources = {"a.corelet": "corelet A() {\n  neurons p[2] = n\n  neurons q[2] = n\n}\n"}
    first = Location(span=span("a.corelet", 2, 3, 19), neuron="p[0]")
    same = Location(span=span("a.corelet", 2, 3, 19), neuron="p[1]", label="neuron p[1] needs 290")
    other = Location(span=span("a.corelet", 3, 3, 19), neuron="q[0]")
    data_only = Location(core=4)  # no span, no label: data, already in the message
    spanless = Location(core=5, label="core 5 too")
    err = ToolchainError("neuron p[0] needs 300", locations=[first, same, other, data_only, spanless],
                         hint="split", notes=["... and 2 more"])
    assert err.render(sources) == (
        "a.corelet:2:3: error: neuron p[0] needs 300\n"
        "      neurons p[2] = n\n"
        "      ^^^^^^^^^^^^^^^^\n"
        "a.corelet:2:3: note: neuron p[1] needs 290\n"
        "a.corelet:3:3: note: neuron q[0]\n"
        "      neurons q[2] = n\n"
        "      ^^^^^^^^^^^^^^^^\n"
        "note: core 5 too\n"
        "hint: split\n"
        "note: ... and 2 more")


def test_at_and_in_file_add_the_place_and_return_the_error():
    err = SimulationError("burst counts must lie in 0..4", locations=[Location(field="counts")])
    assert err.at(connector="x") is err
    assert err.locations == (Location(field="counts", connector="x"),)
    bare = ToolchainError("bad")
    assert bare.at(connector="y").locations == (Location(connector="y"),)
    err = ModelError("core 1: field 'delay' is bad", locations=[Location(core=1, field="delay")])
    assert err.in_file("m.json") is err
    assert str(err) == "m.json: core 1: field 'delay' is bad"
    # on the command line the file comes first, where a source span would be
    assert err.render(prefix="corelet run") == "m.json: error: core 1: field 'delay' is bad"
    assert err.locations == (Location(core=1, field="delay", file="m.json"),)
    assert ToolchainError("x").in_file("f.json").locations == (Location(file="f.json"),)


def test_render_message_is_the_diagnostic_format():
    assert render_message("unused input `x`", severity="warning") == "warning: unused input `x`"
    assert render_message("bad", severity="error", bare=False) == "error: bad"
    assert render_message("bad") == "bad"
    assert render_message("bad", prefix="corelet run") == "corelet run: error: bad"


# -- the language's errors use it ----------------------------------------------------------------
def test_language_error_carries_one_location_per_diagnostic_and_renders_as_before():
    a = Diagnostic("error", "unknown template `rleu`", span("<string>", 4, 20, 24),
                   hint="did you mean `relu`?")
    b = Diagnostic("error", "no such thing", None)
    err = LanguageError([a, b], {"<string>": "\n\n\n    neurons h[m] = rleu\n"})
    assert err.locations == (Location(span=a.span, label="unknown template `rleu`"),)
    assert err.message == "no such thing"  # the first diagnostic (in position order: no span first)
    assert str(err) == ("error: no such thing\n"
                        "<string>:4:20: error: unknown template `rleu`\n"
                        "        neurons h[m] = rleu\n"
                        "                       ^^^^\n"
                        "hint: did you mean `relu`?")
    assert err.render(prefix="corelet check") == str(err)


# -- chip models: core, neuron slot, axon and field as data --------------------------------------
def test_validation_errors_carry_core_slot_and_field():
    model = tiny_model()
    model.cores.params.weights[1, 2] = 300
    model.cores.delay[0, 0] = 16
    with pytest.raises(ModelError) as info:
        model.validate()
    err = info.value
    assert err.locations[0] == Location(core=0, slot=1, field="weights", label=(
        "core 0 neuron 1: field 'weights' = 300 is outside [-255, 255]"))
    assert Location(core=0, slot=0, field="delay",
                    label="core 0 neuron 0: field 'delay' = 16 is not in 1..15") in err.locations
    assert str(err) == ("invalid chip model: core 0 neuron 1: field 'weights' = 300 is outside "
                        "[-255, 255]\n"
                        "note: core 0 neuron 0: field 'delay' = 16 is not in 1..15")


def test_validation_of_axons_and_output_pins_names_them():
    model = tiny_model()
    model.cores.axon_type[1, 7] = 9
    model.cores.target_core[0, 2] = 1  # y's pin 0 no longer targets an output
    with pytest.raises(ModelError) as info:
        model.validate()
    places = {(loc.core, loc.slot, loc.axon, loc.field, loc.connector, loc.pin)
              for loc in info.value.locations}
    assert (1, None, 7, "type", "", None) in places
    assert (0, 2, None, "", "y", 0) in places


def test_malformed_json_carries_core_field_and_file(tmp_path):
    data = json.loads(tiny_model().to_json())
    data["cores"][1]["neurons"]["delay"] = [1, 2]
    with pytest.raises(ModelError) as info:
        ChipModel.from_json(json.dumps(data), "m.json")
    assert info.value.locations == (Location(core=1, field="neurons.delay", file="m.json"),)
    assert str(info.value) == "m.json: core 1: field 'neurons.delay' has 2 entries, expected 256"

    data = json.loads(tiny_model().to_json())
    data["neuron_types"][0]["threshold"] = "3"
    with pytest.raises(ModelError) as info:
        ChipModel.from_json(json.dumps(data), "m.json")
    assert info.value.locations == (Location(field="neuron_types[0].threshold", file="m.json"),)

    data = json.loads(tiny_model().to_json())
    data["outputs"][0]["neuron"] = {"runs": "x"}
    with pytest.raises(ModelError) as info:
        ChipModel.from_json(json.dumps(data), "m.json")
    assert info.value.locations == (Location(field="outputs[0].neuron", connector="y",
                                             file="m.json"),)


def test_loading_an_invalid_model_names_the_file_and_keeps_the_places(tmp_path):
    model = tiny_model()
    model.cores.params.threshold[2] = -1
    path = tmp_path / "m.json"
    path.write_text(model.to_json())
    with pytest.raises(ModelError) as info:
        ChipModel.load(path)
    err = info.value
    assert str(err).startswith(f"{path}: invalid chip model: core 0 neuron 2: field 'threshold'")
    assert err.locations[0].core == 0 and err.locations[0].slot == 2
    assert err.locations[0].field == "threshold" and err.locations[0].file == str(path)
    with pytest.raises(ModelError) as info:
        ChipModel.load(tmp_path / "missing.json")
    assert info.value.locations == (Location(file=str(tmp_path / "missing.json")),)


def test_lowering_names_the_output_pin_core_and_neuron():
    model = tiny_model()
    model.outputs[0].neuron[0] = 9  # core 0 neuron 9 is not used
    with pytest.raises(ModelError) as info:
        fabric_from_model(model)
    assert info.value.locations == (Location(connector="y", pin=0, core=0, slot=9),)
    assert str(info.value) == "output 'y' pin 0: core 0 neuron 9 is not a used neuron"


# -- runtime: the input connector and the file ---------------------------------------------------
def test_simulation_errors_name_the_connector():
    fabric = fabric_from_model(tiny_model())
    with pytest.raises(SimulationError) as info:
        check_inputs(fabric, {"x": np.zeros((3, 5))}, 4, None)
    assert info.value.locations == (Location(connector="x"),)
    with pytest.raises(SimulationError) as info:
        check_inputs(fabric, {"z": np.zeros((3, 2))}, 4, None)
    assert info.value.locations == (Location(connector="z"),)
    with pytest.raises(SimulationError) as info:
        parse_encoder_spec("burst", "x=9:window=2", fabric, 8, 1, 0)
    assert info.value.locations == (Location(connector="x"),)
    assert str(info.value).startswith("burst counts must lie in 0..2")


def test_simulation_errors_name_the_file(tmp_path):
    fabric = fabric_from_model(tiny_model())
    bad = tmp_path / "r.npz"
    bad.write_text("not an array file")
    with pytest.raises(SimulationError) as info:
        parse_encoder_spec("rate", f"x={bad}", fabric, 8, 1, 0)
    assert info.value.locations == (Location(file=str(bad)),)
