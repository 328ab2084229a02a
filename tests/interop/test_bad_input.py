"""Bad model and spike files are rejected with the file, the core and the field named."""

from __future__ import annotations

import re

import pytest

from corelet import interop
from corelet.interop import InteropError
from corelet.chip import IDEAL, ToolchainError
from tests.interop.test_tn_roundtrip import two_core_text
from tests.interop.tn_helpers import FIXTURES


def rejected(text, *words, core=None, field=None, file="bad.json"):
    with pytest.raises(InteropError) as info:
        interop.parse_tn_model(text, file)
    err = info.value
    message = str(err)
    assert message.startswith(file), message
    for word in words:
        assert word in message, message
    loc = err.location
    assert loc.file == file
    if core is not None:
        assert loc.core == core and f"core {core}" in message
    if field is not None:
        assert loc.field == field and field in message
    return err


def test_unknown_neuron_type():
    text = two_core_text().replace('"types":["0x2",1,"0x253"]', '"types":["0x2",4,"0x253"]')
    rejected(text, "neuron 2", "neuron type 4 is not in neuronTypes", "1 (N00000001)",
             core=1, field="neurons.types")


def test_crossbar_row_of_the_wrong_width():
    text = two_core_text().replace('"synapses":"00 00', '"synapses":"00', 1)
    rejected(text, "248 synapses", "32 hex bytes", field="crossbarTypes[a].crossbar.rows[1].synapses")  # row 0 holds the synapse


def test_crossbar_with_too_few_rows():
    text = re.sub(r'\{"type":"S0","synapses":"[0-9A-F ]+"\},', "", two_core_text(), count=1)
    rejected(text, "255 rows", field="crossbarTypes[a].crossbar.rows")


def test_bad_axon_type():
    text = two_core_text().replace('"type":"S0"', '"type":"S7"', 1)
    rejected(text, "axon type 'S7'", field="crossbarTypes[a].crossbar.rows[0].type")


@pytest.mark.parametrize("column, words", [
    ('"destAxons":[5,"0x25"]', "add up to only 26, not 256"),
    ('"destAxons":[5,"0:x"]', "does not parse"),
    ('"destAxons":[5,"9:2:20","0x249"]', "does not reach 20"),
])
def test_run_length_strings(column, words):
    text = two_core_text().replace('"destAxons":[5,"0x255"]', column)
    rejected(text, words, core=0, field="neurons.destAxons")


def test_target_core_that_does_not_exist():
    text = two_core_text().replace('"destCores":[1,', '"destCores":[9,')
    rejected(text, "targets core 9", core=0, field="neurons.destCores")


def test_delay_out_of_range_and_time_scale():
    rejected(two_core_text(delay=16), "outside 1..15", core=0, field="neurons.destDelays")
    rejected(two_core_text().replace('"timeScaleExponent":0', '"timeScaleExponent":2'),
             "timeScaleExponent", core=0, field="timeScaleExponent")


def test_neuron_type_fields():
    text = two_core_text()
    rejected(text.replace('"sigma0":1', '"sigma0":2'), "sigma0 = 2 is not a sign",
             field="neuronTypes[N00000001].sigma0")
    rejected(text.replace('"s0":1', '"s0":256'), "s0 = 256",
             field="neuronTypes[N00000001].s0")
    rejected(text.replace('"VR":0', '"VR":18'), "VR = 18", field="neuronTypes[N00000001].VR")
    rejected(text.replace('"alpha":1,', ''), "'alpha' is missing",
             field="neuronTypes[N00000001].alpha")
    rejected(text.replace('"class":"NeuronGeneral"', '"class":"NeuronLIF"'), "NeuronLIF",
             field="neuronTypes[N00000001].class")


def test_structure():
    rejected("{/* never closed", "comment is never closed")
    rejected('{"model":{}, "neuronTypes":[] ', "not JSON")
    rejected(two_core_text().replace('"model":{"coreCount":2}', '"model":{"coreCount":3}'),
             "coreCount", field="model.coreCount")
    rejected(two_core_text().replace('"name":"b"}}', '"name":"zz"}}'), "'zz' is not in crossbarTypes",
             core=1, field="crossbar.name")
    rejected(two_core_text().replace('"id":1,', '"id":0,'), "core id 0 is used by 2 cores")


def test_values_the_model_cannot_hold_are_named():
    # alpha = 0 parses but is outside our threshold range: the shared validation names it
    from corelet.chip import ModelError
    with pytest.raises(ModelError) as info:
        interop.parse_tn_model(two_core_text().replace('"alpha":1', '"alpha":0'), "bad.json")
    assert "bad.json" in str(info.value) and "threshold" in str(info.value)


def sfti(*lines, header=True):
    head = ['{"class":"SpikeWriter","encoding":"TEXT","nscsVersion":"1.4.0"}',
            '{"version":"sfti1.0", "defaultDestinationDelay" : 1}'] if header else []
    return "\n".join(head + list(lines))


def spike(t, core, axon):
    return '{"spike":{"srcTime":%d,"destCore":%d,"destAxon":%d}}' % (t, core, axon)


def test_spikes_out_of_order():
    with pytest.raises(InteropError) as info:
        interop.parse_sfti(sfti(spike(3, 0, 1), spike(2, 0, 1)), "in.sfti")
    assert "line 4" in str(info.value) and "time order" in str(info.value)
    assert info.value.location.field == "srcTime" and info.value.location.file == "in.sfti"


@pytest.mark.parametrize("line, words, field", [
    ('{"spike":{"srcTime":-1,"destCore":0,"destAxon":1}}', "srcTime = -1", "srcTime"),
    ('{"spike":{"srcTime":1,"destCore":0}}', "destAxon = None", "destAxon"),
    ('{"spike":{"srcTime":1,"destCore":"a","destAxon":0}}', "destCore = 'a'", "destCore"),
    ('{"spike": ', "line 3: field 'spike': not a JSON object", "spike"),
])
def test_malformed_spikes(line, words, field):
    with pytest.raises(InteropError) as info:
        interop.parse_sfti(sfti(line), "in.sfti")
    assert words in str(info.value) and info.value.location.field == field


def test_spikes_to_cores_and_axons_that_do_not_exist():
    model = interop.parse_tn_model(two_core_text())
    for line, words, core in ((spike(0, 5, 1), "destCore 5 does not exist", 5),
                              (spike(0, 1, 256), "destAxon 256 does not exist", 1)):
        with pytest.raises(InteropError) as info:
            interop.sfti_inputs(model, interop.parse_sfti(sfti(line), "in.sfti"))
        assert words in str(info.value) and "in.sfti" in str(info.value)
        assert info.value.location.core == core


def test_spike_to_an_axon_no_input_reaches(tmp_path):
    from corelet import compiler
    from tests.compiler.compiler_nets import random_network
    model = compiler.compile_network(random_network(1)).model
    fed = {(int(c), int(a)) for conn in model.inputs for c, a in zip(conn.core, conn.axon)}
    core, axon = next((0, a) for a in range(256) if (0, a) not in fed)
    with pytest.raises(InteropError, match=f"core 0 axon {axon} is fed by no input connector"):
        interop.sfti_inputs(model, interop.parse_sfti(sfti(spike(0, core, axon))))
    # a compiled model's inputs reach tick 0, which the format cannot: export says so
    conn = model.inputs[0]
    import numpy as np
    raster = np.zeros((3, conn.width), bool)
    raster[0, 0] = True
    with pytest.raises(InteropError, match="earliest delivery is tick 1"):
        interop.inputs_sfti(model, {conn.name: raster})


def test_nothing_is_written_on_error(tmp_path):
    model = interop.parse_tn_model(two_core_text())
    target = tmp_path / "out.json"
    from corelet.chip import NeuronParams
    import attrs
    fields = dict(model.cores.params.arrays())
    fields["reset_value"] = fields["reset_value"] + 2  # a reset value the chip cannot hold
    bad = attrs.evolve(model, cores=attrs.evolve(model.cores, params=NeuronParams(**fields)))
    with pytest.raises(ToolchainError) as info:  # the shared validation's ModelError
        interop.write_tn_model(bad, target)
    assert info.value.location.field == "reset_value"
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InteropError):  # the same values under the ideal profile: the export refuses
        bad = attrs.evolve(bad, profile=IDEAL)
        interop.write_tn_model(bad, target)
    assert list(tmp_path.iterdir()) == []


def test_fixture_names_its_file_in_errors(tmp_path):
    text = (FIXTURES / "ex1.json").read_text().replace('"0x56"],\n\t\t\t"destCores"', '"0x55"],\n\t\t\t"destCores"')
    path = tmp_path / "ex1.json"
    path.write_text(text)
    with pytest.raises(InteropError) as info:
        interop.read_tn_model(path)
    assert str(info.value).startswith(str(path)) and info.value.location.field == "neurons.types"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(monkeypatch):
    from pathlib import Path

    from corelet.chip.limits import Limits, using_limits

    read = []
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: read.append(self) or "")
    with using_limits(Limits(file_bytes=1000)):
        for reader, name in ((interop.read_tn_model, "ex1.json"),
                             (interop.read_sfti, "ex1_spikes.sfti")):
            with pytest.raises(InteropError, match="over the limit `file_bytes`"):
                reader(FIXTURES / name)
    assert read == []
