"""Loading chip models: JSON round trip, lowering to a fabric, bad models rejected by place."""

import json

import numpy as np
import pytest
from .rt_builder import ModelBuilder, relay_chain

from corelet import runtime
from corelet.chip import logical_ids
from corelet.runtime import ChipModel, ModelError


def chain_model():
    return relay_chain(3).output("out", [(0, 1)]).build()


def test_json_round_trip_keeps_every_field(tmp_path):
    model = chain_model()
    path = tmp_path / "m.json"
    model.save(path)
    back = ChipModel.load(path)
    assert back.paths == model.paths
    assert back.cores.params.equals(model.cores.params)
    for field in ("axon_type", "axon_path", "axon_index", "crossbar", "neuron_path",
                  "neuron_index", "neuron_role", "target_core", "target_axon", "delay"):
        assert np.array_equal(getattr(back.cores, field), getattr(model.cores, field)), field
    assert [c.name for c in back.inputs] == ["x"] and [c.name for c in back.outputs] == ["out"]
    assert back.to_json() == model.to_json()


def test_fabric_keeps_used_neurons_axons_synapses_and_routes():
    b = ModelBuilder(2)
    b.axon(1, 7, 2, source=("x", 0)).synapse(1, 7, 200).synapse(1, 7, 3)
    b.neuron(1, 3, "p", 0, target=(0, 9, 4))
    b.neuron(1, 200, "p", 1, target="output")
    b.neuron(0, 5, "q", 0).axon(0, 9, 1, source=("p", 0)).synapse(0, 9, 5)
    b.synapse(0, 9, 6)  # onto an unused neuron: not a synapse of the fabric
    b.input("x", 2, [(1, 1, 7, 2)]).output("o", [(1, 200)])
    fabric = runtime.fabric_from_model(b.build())
    # neurons in (core, neuron) order: (0,5) (1,3) (1,200); axons: (0,9) (1,7)
    assert fabric.neuron_names(np.arange(3)) == ["q[0]", "p[0]", "p[1]"]
    assert fabric.axon_type.tolist() == [1, 2]
    synapses = sorted(zip(fabric.syn_axon.tolist(), fabric.syn_neuron.tolist()))
    assert synapses == [(0, 0), (1, 1), (1, 2)]
    assert (fabric.route_neuron.tolist(), fabric.route_axon.tolist(),
            fabric.route_delay.tolist()) == ([1], [0], [4])
    assert (fabric.input_route_pin.tolist(), fabric.input_route_axon.tolist(),
            fabric.input_route_delay.tolist()) == ([1], [1], [2])
    assert [(n, r.tolist()) for n, r in fabric.outputs] == [("o", [2])]
    assert fabric.neuron_ids[1] == logical_ids("p", 0)
    assert fabric.axon_source_id[1] == logical_ids("x", 0)
    maps = runtime.model_index_maps(b.build())
    assert maps.neuron_core.tolist() == [0, 1, 1] and maps.axon_core.tolist() == [0, 1]


def _json_with(edit):
    data = json.loads(chain_model().to_json())
    edit(data)
    return json.dumps(data)


def _plain(column: dict) -> list:
    """A run-length coded column written out as a plain list, as a writer may."""
    r = column["runs"]
    return [r[i] + r[i + 1] * j for i in range(0, len(r), 3) for j in range(r[i + 2])]


def _set_plain(data, field, k, value):
    column = data["cores"][0]["neurons"][field]
    values = _plain(column) if isinstance(column, dict) else column
    values[k] = value(values[k])
    data["cores"][0]["neurons"][field] = values


@pytest.mark.parametrize("edit", [
    lambda d: _set_plain(d, "target_axon", 1, lambda v: v + 0.5),
    lambda d: _set_plain(d, "delay", 1, str),
    lambda d: _set_plain(d, "type", 0, float),  # 0.0: numpy would have read it as 0
    lambda d: d["cores"][0]["neurons"]["delay"].__setitem__("runs", [1.5, 0, 256]),
])
def test_a_number_that_is_not_an_integer_is_refused_not_truncated(edit):
    """Both readers (all cores at once, and core by core) refuse a float or a numeric string in
    an integer column, plain or run-length coded, naming the core and the field."""
    with pytest.raises(ModelError, match=r"core 0: field 'neurons\.\w+' is not a list of "
                                         r"integers .*: a value that is not an integer"):
        ChipModel.from_json(_json_with(edit))


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.update(version=2), "version 2 is not supported"),
    (lambda d: d.pop("paths"), "missing field 'paths'"),
    (lambda d: d["cores"][0]["neurons"].pop("delay"), "core 0: missing field 'delay'"),
    (lambda d: d["neuron_types"][0]["weights"].__setitem__(0, 300),
     "core 0 neuron 0: field 'weights' = 300 is outside [-255, 255]"),
    (lambda d: d["cores"][0].__setitem__("crossbar", d["cores"][0]["crossbar"][:255]),
     "core 0: field 'crossbar' must be 256 rows"),
    (lambda d: d["cores"][0]["crossbar"].__setitem__(0, "f" * 65),
     "core 0: field 'crossbar' must be 256 rows of at most 64 hex digits"),
])
def test_bad_json_is_rejected_naming_the_place(edit, message):
    with pytest.raises(ModelError) as err:
        ChipModel.from_json(_json_with(edit)).validate()
    assert message in str(err.value)


@pytest.mark.parametrize("field, value, message", [
    ("delay", 0, "core 0 neuron 0: field 'delay' = 0 is not in 1..15"),
    ("delay", 16, "core 0 neuron 0: field 'delay' = 16 is not in 1..15"),
    ("target_axon", 256, "core 0 neuron 0: field 'target_axon' = 256 is not in 0..255"),
    ("target_core", 5, "core 0 neuron 0: field 'target_core' = 5 is not a core 0..0"),
])
def test_bad_targets_are_rejected_naming_core_neuron_and_field(field, value, message):
    model = relay_chain(3).build()
    getattr(model.cores, field)[0, 0] = value
    with pytest.raises(ModelError) as err:
        model.validate()
    assert message in str(err.value)


def test_bad_model_file_is_rejected_with_its_path(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(_json_with(lambda d: d["neuron_types"][0].__setitem__("threshold", 0)))
    with pytest.raises(ModelError) as err:
        ChipModel.load(path)
    assert str(path) in str(err.value) and "'threshold' = 0" in str(err.value)
