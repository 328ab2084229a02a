"""Saved version-1 chip model files keep loading and running to the same spikes.

tests/data/ holds models written by the compiler of their time (``*_v1.json``, with their sources
``*_v1.corelet``); they are never regenerated to make a test pass. The deterministic one is checked
against spikes computed by hand (in its source's doc string, written out below) and by the
reference simulator; the stochastic one against spikes stored beside it
(``stochastic_v1_expected.npz``, computed by the reference simulator: tests/data/make_saved.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import corelet
from corelet.runtime import ChipModel, fabric_from_model, fabric_from_network

from .reference import refsim

DATA = Path(__file__).resolve().parent / "data"
DETERMINISTIC = DATA / "deterministic_v1.json"
STOCHASTIC = DATA / "stochastic_v1.json"
EXPECTED = DATA / "stochastic_v1_expected.npz"

NEURON_MODEL_CHANGED = (
    "the saved stochastic model {what} no longer gives its stored spikes. They change only with a "
    "change of the neuron model or of its random draws (docs/neuron-model.md): if that change is "
    "intended, update docs/neuron-model.md to say so and regenerate tests/data/stochastic_v1_expected.npz "
    "(python -m tests.data.make_saved); otherwise this is a regression.")

# -- the deterministic model: spikes by hand (tests/data/deterministic_v1.corelet) -------------
RASTER = np.array([[1, 0], [1, 0], [1, 1], [0, 1], [1, 1], [1, 0], [1, 0], [0, 0]], dtype=bool)
TICKS = 40
Y_SPIKES = {  # y pin -> ticks
    0: [1, 6],      # a = x[0] - x[1], threshold 2
    1: [4, 9],      # b[0]: a, 3 ticks later
    2: [4, 9],      # b[1]
    3: [6, 11],     # c: a, 5 ticks later
    4: [26, 31],    # d: c, 20 ticks later (relay chain)
    5: [2, 6],      # e: leak -1, threshold 5, reset to 0
}
Z_SPIKES = [3, 4]   # every w[k]: x[1] and a two ticks later, threshold 2


def deterministic_expected() -> dict:
    y = np.zeros((TICKS, 6), bool)
    for pin, ticks in Y_SPIKES.items():
        y[ticks, pin] = True
    z = np.zeros((TICKS, 300), bool)
    z[Z_SPIKES, :] = True
    return {"y": y, "z": z}


def test_saved_files_are_version_1():
    for path in (DETERMINISTIC, STOCHASTIC):
        head = json.loads(path.read_text(encoding="utf-8"))
        assert (head["format"], head["version"]) == ("corelet-chip-model", 1), path


def test_deterministic_model_still_exercises_copies_relays_and_two_cores():
    record = ChipModel.load(DETERMINISTIC).provenance["compile"]
    assert record["copies"] >= 1 and record["relays"] >= 1 and record["cores"] == 2
    assert record["added_latency"] == []


@pytest.mark.parametrize("backend", ["runtime", "reference"])
def test_deterministic_model_runs_to_the_hand_computed_spikes(backend):
    model = ChipModel.load(DETERMINISTIC)
    if backend == "runtime":
        outputs = corelet.run(model, TICKS, {"x": RASTER}).outputs
    else:
        outputs = refsim.simulate(fabric_from_model(model), TICKS, {"x": RASTER}).outputs
    expected = deterministic_expected()
    for name in ("y", "z"):
        got = np.asarray(outputs[name])[0].astype(bool)
        assert got.any()
        assert np.array_equal(got, expected[name]), \
            f"{name}: spikes at {[np.flatnonzero(c).tolist() for c in got.T[:6]]}"


def test_deterministic_source_means_the_hand_computed_spikes():
    """The logical network of the saved source, with no placement, by the reference simulator."""
    net = corelet.load(DATA / "deterministic_v1.corelet")
    outputs = refsim.simulate(fabric_from_network(net), TICKS, {"x": RASTER}).outputs
    expected = deterministic_expected()
    for name in ("y", "z"):
        assert np.array_equal(outputs[name][0], expected[name])


# -- the stochastic model: spikes stored beside it ----------------------------------------------
@pytest.fixture(scope="module")
def stored():
    with np.load(EXPECTED) as data:
        return {k: data[k] for k in data.files}


def _stochastic_run(stored, backend, seed=None, batch=None):
    model = ChipModel.load(STOCHASTIC)
    seed = int(stored["seed"]) if seed is None else seed
    batch = int(stored["batch"]) if batch is None else batch
    ticks, inputs = int(stored["ticks"]), {"x": stored["x"]}
    if backend == "runtime":
        return np.asarray(corelet.run(model, ticks, inputs, seed=seed, batch=batch).outputs["y"])
    return refsim.simulate(fabric_from_model(model), ticks, inputs, seed=seed, batch=batch).outputs["y"]


def test_stored_expectation_is_not_silent(stored):
    y = stored["y"]
    assert y.shape == (int(stored["batch"]), int(stored["ticks"]), 14)
    assert (y.sum(axis=1) > 0).all(), "every output pin of every sample spikes at least once"
    assert not np.array_equal(y[0], y[1]), "the two samples (seeds S and S + 1) differ"


@pytest.mark.parametrize("backend", ["runtime", "reference"])
def test_stochastic_model_runs_to_the_stored_spikes(stored, backend):
    got = _stochastic_run(stored, backend)
    if not np.array_equal(got, stored["y"]):
        pins = np.flatnonzero((got != stored["y"]).any(axis=(0, 1))).tolist()
        pytest.fail(NEURON_MODEL_CHANGED.format(what=f"(run by the {backend}, output pins {pins})"))


def test_stochastic_model_sample_alone_equals_its_place_in_the_batch(stored):
    alone = _stochastic_run(stored, "runtime", seed=int(stored["seed"]) + 1, batch=1)
    assert np.array_equal(alone[0], stored["y"][1])


def test_stochastic_copies_share_their_originals_draws(stored):
    """u and v hear s[0] 2 and 4 ticks later through copies of s[0] (threshold 1, weight 1); r
    hears t[0] 17 ticks later through a relay."""
    y = stored["y"]
    s0, t0, u, v, r = 0, 6, 11, 12, 13
    assert np.array_equal(y[:, 2:, u], y[:, :-2, s0])
    assert np.array_equal(y[:, 4:, v], y[:, :-4, s0])
    assert np.array_equal(y[:, 17:, r], y[:, :-17, t0])
    assert not y[:, :17, r].any()
