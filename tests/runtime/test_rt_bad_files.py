"""User mistakes in files and options end in a SimulationError / ModelError naming the place,
never in a Python traceback: .npy inputs, non-numeric rates, malformed chip models, probes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from .rt_builder import ModelBuilder, relay_chain

from corelet import runtime
from corelet.runtime import ChipModel, ModelError, SimulationError, parse_encoder_spec


def chain_fabric():
    return runtime.fabric_from_model(relay_chain(1).output("out", [(0, 1)]).build())


# -- input files -------------------------------------------------------------------------------
def test_npy_input_file_is_read_as_one_unnamed_array(tmp_path):
    raster = np.zeros((5, 1), bool)
    raster[[0, 2]] = True
    np.save(tmp_path / "x.npy", raster)
    arrays = runtime.read_input_file(tmp_path / "x.npy")
    assert list(arrays) == [""] and np.array_equal(arrays[""], raster)
    # fed to its connector, the chain (delay 1, threshold 1) fires a in ticks 0, 2 and b one later
    result = runtime.simulate(chain_fabric(), 5, {"x": arrays[""]})
    assert np.flatnonzero(result.outputs["out"][0, :, 0]).tolist() == [1, 3]


def test_unnamed_array_without_a_connector_asks_for_one(tmp_path):
    with pytest.raises(SimulationError, match="needs its connector named, as NAME=FILE; "
                                              r"expected 'x': \(ticks, 1\)"):
        runtime.check_inputs(chain_fabric(), {"": np.zeros((3, 1))}, 5, None)


def test_pickled_input_file_is_refused(tmp_path):
    np.save(tmp_path / "o.npy", np.array([None], dtype=object), allow_pickle=True)
    with pytest.raises(SimulationError, match="input file .*o.npy: the array holds pickled"):
        runtime.read_input_file(tmp_path / "o.npy")


# -- encoders ----------------------------------------------------------------------------------
def test_rate_file_of_strings_names_the_connector_and_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    np.save("strings.npy", np.array(["0.1", "0.5"]))
    with pytest.raises(SimulationError, match=r"--rate x=strings.npy: strings.npy holds <U3 "
                                              "values; rate values must be numbers"):
        parse_encoder_spec("rate", "x=strings.npy", chain_fabric(), 10, 1, 0)
    with pytest.raises(SimulationError, match="rates must be numbers"):
        runtime.rate_code(np.array(["a"]), 10)


def test_rate_and_burst_files_in_every_format(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    np.save("r.npy", np.array([1.0]))
    np.savez("r.npz", a=np.array([0.0]), b=np.array([1.0]))
    (tmp_path / "c.json").write_text("[[2], [0], [1]]")
    fabric = chain_fabric()
    for spec in ("x=r.npy", "x=r.npz:b"):
        assert parse_encoder_spec("rate", spec, fabric, 4, 1, 0)[1].all()  # rate 1: every tick
    name, raster = parse_encoder_spec("burst", "x=c.json:window=3", fabric, 9, 1, 0)
    # window k of 3 ticks holds counts[k] spikes at its start: 2, 0, 1
    assert name == "x" and np.flatnonzero(raster[0, :, 0]).tolist() == [0, 1, 6]
    with pytest.raises(SimulationError, match=r"--rate x=r.npz: r.npz: holds 2 arrays"):
        parse_encoder_spec("rate", "x=r.npz", fabric, 4, 1, 0)


# -- chip model files --------------------------------------------------------------------------
def three_core_model() -> ChipModel:
    b = ModelBuilder(3)
    for core in range(3):
        b.neuron(core, 0, "n", core, weights=[1, 0, 0, 0], threshold=2 + core)
    return b.build()


def _edited(edit, model=None) -> str:
    data = json.loads((model or three_core_model()).to_json())
    edit(data)
    return json.dumps(data)


def _set(path, value):
    """An edit that sets data[path[0]][path[1]]... = value."""
    def edit(data):
        for key in path[:-1]:
            data = data[key]
        data[path[-1]] = value
    return edit


@pytest.mark.parametrize("edit, message", [
    (_set(["cores"], "x"), "field 'cores' must be a list of objects, got a string"),
    (_set(["cores", 1], 7), "cores[1] must be an object, got a number"),
    (_set(["neuron_types"], {"a": 1}), "field 'neuron_types' must be a list of objects"),
    (_set(["profile", "grid"], [64]), "field 'profile.grid' = [64] must be a list of 2 integers"),
    (_set(["profile", "grid"], [64, "a"]), "field 'profile.grid' = 'a' is not an integer"),
    (_set(["profile", "grid"], [0, 64]), "grid rows = 0 must be at least 1"),
    (_set(["profile", "neurons_per_core"], 100), "neurons_per_core = 100 must be a multiple of 8"),
    (_set(["profile", "speed"], 1), "unknown chip profile field 'speed'"),
    (_set(["profile", "reset_value_encoding"], "float"),
     "reset_value_encoding 'float' is not one of 'sign_exponent', 'any'"),
    (_set(["profile"], []), "field 'profile' must be an object, got a list"),
    (_set(["cores", 2, "neurons", "path"], [10**30] * 256),
     "core 2: field 'neurons.path' holds an integer outside the 64-bit range"),
    (_set(["cores", 1, "neurons", "delay"], [300] * 256),
     "core 1: field 'neurons.delay' = 300 does not fit the column's int8 range"),
    (_set(["cores", 0, "axons", "type"], {"runs": "abc"}),
     "core 0: field 'axons.type' is not a list of integers"),
    (_set(["cores", 0, "axons"], [1]), "core 0: field 'axons' must be an object, got a list"),
    (_set(["cores", 0, "chip"], 1.5), "core 0: field 'chip' = 1.5 is not an integer"),
    (_set(["inputs"], [{"name": "x", "width": 1, "pin": [10**30], "core": [0], "axon": [0],
                        "delay": [1]}]), "inputs[0]: field 'pin' holds an integer outside"),
    (_set(["outputs"], [{"name": "y", "core": [0]}]), "outputs[0]: missing field 'neuron'"),
    (_set(["paths"], ["n", 3]), "paths[1] must be a string, got a number"),
    (_set(["seed"], "0"), "field 'seed' = '0' is not an integer"),
])
def test_malformed_model_json_is_rejected_naming_the_field(edit, message):
    with pytest.raises(ModelError) as err:
        ChipModel.from_json(_edited(edit), "m.json")
    assert str(err.value).startswith("m.json: ") and message in str(err.value)


def _type_edit(k, field, value=None, delete=False):
    def edit(data):
        if delete:
            del data["neuron_types"][k][field]
        else:
            data["neuron_types"][k][field] = value
    return edit


@pytest.mark.parametrize("edit, message", [
    (_type_edit(2, "threshold", delete=True), "neuron_types[2]: field 'threshold' is missing"),
    (_type_edit(1, "leak", 2.5), "neuron_types[1]: field 'leak' = 2.5 is not an integer"),
    (_type_edit(0, "weights", [1, 0, 0.5, 0]), "neuron_types[0]: field 'weights' = 0.5 is not"),
    (_type_edit(0, "weights", [1, 0]), "neuron_types[0]: field 'weights' = [1, 0] must be a list "
                                       "of 4 integers"),
    (_type_edit(1, "initial", "3"), "neuron_types[1]: field 'initial' = '3' is not an integer"),
    (_type_edit(2, "treshold", 3), "neuron_types[2]: unknown field(s) treshold"),
])
def test_neuron_types_must_give_every_field_as_integers(edit, message):
    with pytest.raises(ModelError) as err:
        ChipModel.from_json(_edited(edit))
    assert message in str(err.value)


def test_complete_neuron_types_load_exactly_and_flags_may_be_bools():
    model = three_core_model()
    back = ChipModel.from_json(_edited(_type_edit(1, "stochastic_leak", True)))
    assert back.cores.params.threshold[[0, 256, 512]].tolist() == [2, 3, 4]
    assert back.cores.params.stochastic_leak[[0, 256, 512]].tolist() == [False, True, False]
    assert ChipModel.from_json(model.to_json()).cores.params.equals(model.cores.params)


def test_non_hex_crossbar_names_the_first_bad_core():
    def edit(data):
        data["cores"][1]["crossbar"][5] = "0g"
        data["cores"][2]["crossbar"][0] = "zz"
    with pytest.raises(ModelError, match="core 1: field 'crossbar' holds characters that are not "
                                         "hex digits"):
        ChipModel.from_json(_edited(edit))


@pytest.mark.parametrize("row", ["ff ff", "f f", "\tff", "ff\n"])
def test_white_space_in_a_crossbar_row_is_not_read_as_hex(row):
    # bytes.fromhex, which the loader's fast path uses, would skip white space between pairs
    def edit(data):
        data["cores"][1]["crossbar"][3] = row
    with pytest.raises(ModelError, match="core 1: field 'crossbar' holds characters that are not "
                                         "hex digits"):
        ChipModel.from_json(_edited(edit))


def test_short_crossbar_rows_are_zeros_to_the_end():
    def edit(data):
        data["cores"][2]["crossbar"][7] = "8"  # neuron 0 only; the other 63 digits dropped
        data["cores"][2]["crossbar"][8] = ""
    model = ChipModel.from_json(_edited(edit))
    assert np.flatnonzero(np.unpackbits(model.cores.crossbar[2, 7])).tolist() == [0]
    assert not model.cores.crossbar[2, 8].any()


# -- probes ------------------------------------------------------------------------------------
def test_probe_matching_nothing_lists_populations_not_input_connectors():
    b = relay_chain(1)
    b.neuron(0, 7, "hid.h", 0, weights=[1, 0, 0, 0])
    fabric = runtime.fabric_from_model(b.output("out", [(0, 1)]).build())
    assert "x" in fabric.paths  # the input connector's name is in the name table
    with pytest.raises(SimulationError) as err:
        runtime.simulate(fabric, 3, probes=["hid.hh[0]"])
    assert str(err.value) == ("probe 'hid.hh[0]' matches no neuron; did you mean 'hid.h'? "
                              "populations are n, hid.h")
    with pytest.raises(SimulationError) as err:
        runtime.simulate(fabric, 3, probes=["x[0]"])
    assert str(err.value) == "probe 'x[0]' matches no neuron; populations are n, hid.h"


def test_a_reset_value_the_chip_cannot_encode_fails_validation_unless_the_profile_is_ideal():
    model = ChipModel.from_json(_edited(_type_edit(1, "reset_value", 5)))
    with pytest.raises(ModelError) as err:
        model.validate()
    assert ("core 1 neuron 0: field 'reset_value' = 5 cannot be held by the chip" in str(err.value)
            and "nearest: 3 or 7" in str(err.value))
    loc = err.value.location
    assert (loc.core, loc.slot, loc.field) == (1, 0, "reset_value")

    def ideal(data):
        data["neuron_types"][1]["reset_value"] = 5
        data["profile"]["reset_value_encoding"] = "any"
    model = ChipModel.from_json(_edited(ideal))
    model.validate()
    assert model.profile.name == "truenorth" and model.cores.params.reset_value[256] == 5
    # written back with the encoding, read back the same
    assert ChipModel.from_json(model.to_json()).profile == model.profile
