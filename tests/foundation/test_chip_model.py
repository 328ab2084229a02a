"""The ChipModel contract: JSON round trip, determinism, run-length columns, validation."""

import json

import numpy as np
import pytest

from corelet.chip import TRUENORTH
from corelet.runtime import ChipInput, ChipModel, ChipOutput, Cores, ModelError, OUTPUT
from corelet.chip import _runs


def tiny_model():
    cores = Cores.empty(2, TRUENORTH)
    cores.coords[1] = (0, 0, 1)
    cores.neuron_path[0, :3] = 0
    cores.neuron_index[0, :3] = [0, 1, 2]
    cores.target_core[0, :3] = [1, 1, OUTPUT]
    cores.target_axon[0, :3] = [0, 1, 0]
    cores.delay[0, :3] = [1, 15, 1]
    cores.params.threshold[:3] = [5, 6, 7]
    cores.params.weights[1] = [1, -2, 3, -4]
    cores.crossbar[0, 0, 0] = 0b1010_0000  # axon 0 -> neurons 0 and 2
    cores.axon_path[0, 0] = 1
    inputs = (ChipInput("x", 2, np.array([0, 1]), np.array([0, 0]), np.array([0, 1]),
                        np.array([1, 1])),)
    outputs = (ChipOutput("y", np.array([0]), np.array([2])),)
    return ChipModel(TRUENORTH, cores, ("h", "x"), inputs, outputs, seed=7,
                     provenance={"source": "t.corelet"})


def test_round_trip_is_exact_and_deterministic():
    model = tiny_model()
    text = model.to_json()
    again = ChipModel.from_json(text)
    again.validate()
    assert again.to_json() == text
    assert np.array_equal(again.cores.crossbar, model.cores.crossbar)
    assert again.cores.params.equals(model.cores.params)
    assert again.neuron_name(0, 2) == "h[2]"
    assert again.seed == 7


def test_crossbar_bit_order_reads_left_to_right():
    data = json.loads(tiny_model().to_json())
    assert data["cores"][0]["crossbar"][0] == "a"  # neurons 0 and 2: bits 1010 of the first nibble
    assert data["cores"][0]["crossbar"][1] == ""


@pytest.mark.parametrize("values", [[], [5], [1, 2, 3, 4, 5, 6], [7] * 300, [0, 1, 2, 3, 10, 10, 10],
                                    list(range(256)) + [-1] * 10, [3, 1, 4, 1, 5, 9, 2, 6]])
def test_runs_round_trip(values):
    arr = np.array(values, dtype=np.int64)
    assert np.array_equal(_runs.decode(_runs.encode(arr)), arr)


def test_runs_compress_ranges():
    assert _runs.encode(np.arange(256)) == {"runs": [0, 1, 256]}


def test_validation_names_core_neuron_and_field():
    model = tiny_model()
    model.cores.params.weights[1, 2] = 300
    model.cores.delay[0, 0] = 16
    with pytest.raises(ModelError) as err:
        model.validate()
    text = str(err.value)
    assert "core 0 neuron 1: field 'weights' = 300 is outside [-255, 255]" in text
    assert "core 0 neuron 0: field 'delay' = 16 is not in 1..15" in text


def test_validation_catches_dangling_references():
    model = tiny_model()
    model.cores.target_core[0, 0] = 9
    model.cores.target_axon[0, 1] = 256
    with pytest.raises(ModelError) as err:
        model.validate()
    assert "field 'target_core' = 9" in str(err.value)
    assert "field 'target_axon' = 256" in str(err.value)


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(version=99), "version 99 is not supported"),
    (lambda d: d.pop("cores"), "missing field 'cores'"),
    (lambda d: d["cores"][0].update(crossbar=["0"] * 10), "must be 256 rows"),
    (lambda d: d["cores"][0]["neurons"].update(delay=[1, 2]), "has 2 entries, expected 256"),
    (lambda d: d.update(format="other"), "not a chip model"),
])
def test_malformed_json_is_rejected_with_the_place(mutate, message):
    data = json.loads(tiny_model().to_json())
    mutate(data)
    with pytest.raises(ModelError, match=message):
        ChipModel.from_json(json.dumps(data))


def test_load_reports_missing_and_non_json_files(tmp_path):
    with pytest.raises(ModelError, match="no such file"):
        ChipModel.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    with pytest.raises(ModelError, match="not a JSON chip model"):
        ChipModel.load(bad)


def test_save_is_atomic_and_complete(tmp_path):
    path = tmp_path / "m.json"
    tiny_model().save(path)
    assert ChipModel.load(path).to_json() == path.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_neuron_types_are_the_distinct_rows_in_order_of_first_use():
    from corelet.chip.arrays import unique_rows

    rows = np.array([[5, 1], [2, 2], [5, 1], [0, 9], [2, 2]])
    unique, index = unique_rows(rows)
    assert unique.tolist() == [[5, 1], [2, 2], [0, 9]]
    assert index.tolist() == [0, 1, 0, 2, 1]


def test_neuron_types_in_json_are_shared_and_complete():
    model = tiny_model()
    data = json.loads(model.to_json())
    assert [t["threshold"] for t in data["neuron_types"]] == [5, 6, 7]
    model.cores.params.threshold[:3] = 9
    model.cores.params.weights[1] = 0
    assert len(json.loads(model.to_json())["neuron_types"]) == 1
