"""Export and re-import: every model the compiler produces comes back equal in every field, and
runs the same; multi-core models written by hand import with the chip's timing."""

from __future__ import annotations

import re

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from corelet import compiler, interop, runtime
from corelet.chip import IDEAL, NeuronParams
from tests.compiler.compiler_nets import dense_layers, random_network


def representable(reset: np.ndarray) -> np.ndarray:
    """The nearest reset value the format can hold: sign(R) * (2^k - 1)."""
    k = np.floor(np.log2(np.abs(reset) + 1)).astype(np.int64)
    return (np.sign(reset) * (2 ** k - 1)).astype(np.int32)


def with_representable_resets(net):
    fields = dict(net.params.arrays())
    fields["reset_value"] = representable(fields["reset_value"])
    return attrs.evolve(net, params=NeuronParams(**fields))


def assert_same_model(a, b):
    assert b.to_json() == a.to_json()
    for name in ("axon_type", "axon_path", "axon_index", "crossbar", "neuron_path", "neuron_index",
                 "neuron_role", "target_core", "target_axon", "delay", "coords"):
        np.testing.assert_array_equal(getattr(b.cores, name), getattr(a.cores, name), err_msg=name)
    used = (a.cores.neuron_path >= 0).ravel()
    assert a.cores.params.take(np.flatnonzero(used)).equals(b.cores.params.take(np.flatnonzero(used)))
    assert (a.seed, a.paths, a.provenance, a.profile) == (b.seed, b.paths, b.provenance, b.profile)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(0, 2**40))
def test_compiled_models_round_trip(seed, model_seed):
    net = with_representable_resets(random_network(seed))
    model = compiler.compile_network(net, seed=model_seed).model
    text = interop.tn_model_text(model)
    back = interop.parse_tn_model(text)
    assert_same_model(model, back)
    # the original fields alone describe the same chip: neuron types hold weights as sign and
    # magnitude, one type per distinct parameter set
    assert '"neuronTypes"' in text and text.count('\t"core":') == model.n_cores


def test_multi_core_model_round_trips_and_runs_the_same(tmp_path):
    net = dense_layers([300, 40], 0.1, seed=3, inputs=64)
    net = attrs.evolve(net, params=NeuronParams.from_fields(
        net.n_neurons, weights=[1, 2, 3, -2], threshold=3, reset_mode=1, leak=-1))
    model = compiler.compile_network(net, seed=5).model
    assert model.n_cores >= 2 and (model.cores.target_core >= 0).any()
    path = tmp_path / "model.json"
    interop.write_tn_model(model, path)
    back = interop.read_tn_model(path)
    assert_same_model(model, back)
    rng = np.random.default_rng(0)
    name = model.inputs[0].name
    raster = rng.random((20, model.inputs[0].width)) < 0.3
    raster[0] = False  # the original format cannot deliver in tick 0
    ticks = 30
    a = runtime.simulate(runtime.fabric_from_model(model), ticks, {name: raster}, seed=1)
    # the inputs go through an sfti file too, and come back as the same raster
    spikes = interop.parse_sfti(interop.inputs_sfti(model, {name: raster}))
    again = interop.sfti_inputs(back, spikes)
    np.testing.assert_array_equal(again[name], raster[:len(again[name])])
    assert not raster[len(again[name]):].any()
    b = runtime.simulate(runtime.fabric_from_model(back), ticks, again, seed=1)
    for out in model.outputs:
        np.testing.assert_array_equal(a.outputs[out.name], b.outputs[out.name])
    assert sum(v.sum() for v in a.outputs.values()) > 0
    # the original fields alone (the file without our extension, as the original tools read it)
    # give the same chip: the same output spikes at the same off-chip addresses
    plain = "\n".join(line for line in path.read_text().splitlines()
                       if not line.lstrip().startswith(('"corelet"', "/* corelet")))
    bare = interop.parse_tn_model(re.sub(r",\s*}\s*$", "\n}\n", plain))
    assert bare.paths[0] == "core0" and "imported" in bare.provenance
    c = runtime.simulate(runtime.fabric_from_model(bare), ticks, interop.sfti_inputs(bare, spikes),
                         seed=1)
    assert interop.output_spikes_text(bare, c.outputs) == interop.output_spikes_text(model, a.outputs)


def test_exported_output_addresses_are_distinct():
    net = dense_layers([300], 0.1, seed=1, inputs=64)
    model = compiler.compile_network(net).model
    addresses = interop.tn_output_addresses(model)
    pairs = [(int(c), int(a)) for codes, axons in addresses.values() for c, a in zip(codes, axons)]
    assert len(set(pairs)) == len(pairs) == sum(o.width for o in model.outputs)
    assert {c for c, _ in pairs} == {-32, -33}  # 300 pins: one block of 256, then the rest
    text = interop.tn_model_text(model)
    assert '"destCores"' in text and "-32" in text and "-33" in text


def test_unrepresentable_reset_value_is_refused_naming_the_neuron():
    net = random_network(4)
    fields = dict(net.params.arrays())
    fields["reset_value"] = np.full_like(fields["reset_value"], 5)
    net = attrs.evolve(net, params=NeuronParams(**fields))
    # the chip's profile refuses it at compile time, naming the neuron and the field
    with pytest.raises(compiler.PlacementError) as info:
        compiler.compile_network(net)
    loc = info.value.location
    assert loc.field == "reset_value" and loc.neuron == net.neuron_name(0)
    assert "reset_value' = 5 cannot be held by the chip" in str(info.value)
    assert "nearest: 3 or 7" in str(info.value)
    # the ideal profile compiles it (for research), and the export still refuses it
    model = compiler.compile_network(net, profile=IDEAL).model
    with pytest.raises(interop.InteropError) as info:
        interop.tn_model_text(model, "out.json")
    loc = info.value.location
    assert loc.field == "reset_value" and loc.core is not None and loc.slot is not None
    assert "reset_value = 5" in str(info.value) and "out.json" in str(info.value)


@pytest.mark.parametrize("field, value", [("weights", 300), ("threshold", 2**18),
                                          ("neg_threshold", 2**18), ("threshold_mask", 18),
                                          ("leak", -256), ("initial", 2**19)])
def test_values_beyond_the_chips_ranges_are_refused_naming_neuron_and_field(field, value):
    net = random_network(4)
    fields = dict(net.params.arrays())
    column = fields[field].astype(np.int64)  # wide enough for the bad value
    column[3] = value
    fields[field] = column.astype(fields[field].dtype)
    net = attrs.evolve(net, params=NeuronParams(**fields))
    with pytest.raises(compiler.PlacementError) as info:
        compiler.compile_network(net)
    loc = info.value.location
    assert (loc.field, loc.neuron) == (field, net.neuron_name(3))
    assert f"= {value} is outside" in str(info.value)


def two_core_text(delay=3, extra=""):
    """Core 0 relays axon 0 to core 1 axon 5 (delay ``delay``); core 1 neuron 2 relays axon 5
    off the chip to (-32, 9). Both relays: weight 1, alpha 1, reset to 0."""
    zero = " ".join(["00"] * 32)
    def rows(axon, neuron):
        body = []
        for i in range(256):
            row = ["00"] * 32
            if i == axon:
                row[neuron // 8] = f"{0x80 >> (neuron % 8):02X}"
            body.append('{"type":"S0","synapses":"%s"}' % (" ".join(row) if i == axon else zero))
        return ",".join(body)
    relay = ('{"name":"N00000001","class":"NeuronGeneral","sigma0":1,"sigma1":1,"sigma2":1,'
             '"sigma3":1,"s0":1,"s1":0,"s2":0,"s3":0,"b0":false,"b1":false,"b2":false,"b3":false,'
             '"sigma_lambda":1,"lambda":0,"c_lambda":false,"epsilon":false,"alpha":1,"beta":0,'
             '"TM":0,"gamma":0,"kappa":true,"sigma_VR":1,"VR":0,"V":0}')
    core0 = ('"core":{"id":0,"timeScaleExponent":0,"rngSeed":1,"neurons":{"dendrites":["0:255"],'
             '"types":[1,"0x255"],"destCores":[1,"-1x255"],"destAxons":[5,"0x255"],'
             f'"destDelays":[{delay},"1x255"]}},"crossbar":{{"name":"a"}}}}')
    core1 = ('"core":{"id":1,"neurons":{"dendrites":["0:255"],"types":["0x2",1,"0x253"],'
             '"destCores":["-1x2",-32,"-1x253"],"destAxons":["0x2",9,"0x253"],'
             '"destDelays":["1x256"]},"crossbar":{"name":"b"}}')
    return ("{/* two cores */\n\"model\":{\"coreCount\":2},\n"
            f'"crossbarTypes":[{{"name":"a","crossbar":{{"rows":[{rows(0, 0)}]}}}},'
            f'{{"name":"b","crossbar":{{"rows":[{rows(5, 2)}]}}}}],\n'
            f'"neuronTypes":[{relay}],\n{core0},\n{core1}{extra}\n}}')


def test_hand_written_two_core_model_has_the_chip_timing():
    model = interop.parse_tn_model(two_core_text(delay=3), "two.json")
    assert model.n_cores == 2 and model.cores.target_core[0, 0] == 1
    assert model.cores.target_axon[0, 0] == 5 and model.cores.delay[0, 0] == 3
    assert model.cores.coords[1].tolist() == [0, 0, 1]  # id 1: chip 0, row 0, column 1
    spikes = interop.parse_sfti('{"spike":{"srcTime":2,"destCore":0,"destAxon":0}}')
    result = runtime.simulate(runtime.fabric_from_model(model), 12,
                              interop.sfti_inputs(model, spikes))
    # sent at 2 -> integrated in 3, relay fires in 3 -> +3 -> core 1 integrates and fires in 6
    (out,) = model.outputs
    assert out.name == "out32" and np.flatnonzero(result.outputs["out32"][0, :, 0]).tolist() == [6]
    text = interop.output_spikes_text(model, result.outputs)
    assert text.splitlines()[-1] == '{"spike":{"srcTime":6,"destCore":-32,"destAxon":9}}'
    # and it survives export and import
    back = interop.parse_tn_model(interop.tn_model_text(model))
    assert_same_model(model, back)


def test_non_contiguous_core_ids_keep_their_ids_for_spikes():
    text = two_core_text().replace('"id":1,', '"id":70,').replace('"destCores":[1,', '"destCores":[70,')
    model = interop.parse_tn_model(text)
    assert model.cores.coords[1].tolist() == [0, 1, 6]  # id 70 = row 1, column 6
    assert model.provenance["imported"]["core_ids"] == [0, 70]
    spikes = interop.parse_sfti('{"spike":{"srcTime":0,"destCore":70,"destAxon":5}}')
    inputs = interop.sfti_inputs(model, spikes)
    assert np.flatnonzero(inputs["core70.axon"][0]).tolist() == [5]
    assert '"destCore":70' in interop.inputs_sfti(model, inputs)
