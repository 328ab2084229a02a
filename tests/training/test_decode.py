"""Decoding spike rasters: counts, windowed rates, values and class votes on hand-made rasters."""

import numpy as np
import pytest

from corelet.training import decode as d

# two samples, 6 ticks, 2 pins
RASTER = np.array([
    [[1, 0], [1, 1], [0, 0], [1, 0], [0, 1], [1, 0]],
    [[0, 0], [0, 1], [0, 1], [0, 1], [1, 1], [0, 1]],
], dtype=bool)


def test_counts_over_the_whole_raster_and_per_window():
    assert d.spike_counts(RASTER).tolist() == [[4, 2], [1, 5]]
    assert d.spike_counts(RASTER, start=2).tolist() == [[2, 1], [1, 4]]
    assert d.spike_counts(RASTER, window=3).tolist() == [[[2, 1], [2, 1]], [[0, 2], [1, 3]]]
    assert d.spike_counts(RASTER, window=4).tolist() == [[[3, 1]], [[0, 3]]]  # partial window dropped
    assert d.spike_counts(RASTER[0]).tolist() == [[4, 2]]                    # one 2-d sample


def test_rates_divide_by_the_window():
    assert np.allclose(d.rates(RASTER), [[4 / 6, 2 / 6], [1 / 6, 5 / 6]])
    assert np.allclose(d.rates(RASTER, window=3)[1], [[0, 2 / 3], [1 / 3, 1]])


def test_counts_to_values_undoes_a_rate_code():
    assert d.counts_to_values(np.array([250, 0]), 1000, scale=8.0, offset=1.0).tolist() == [3.0, 1.0]
    with pytest.raises(ValueError):
        d.counts_to_values([1], 0)


def test_class_votes_sum_the_pins_of_each_class():
    counts = np.array([[3, 1, 4, 1, 5], [0, 2, 0, 2, 1]])
    pin_class = [0, 1, 0, 2, 1]
    votes = d.class_votes(counts, pin_class, 3)
    assert votes.tolist() == [[7, 6, 1], [0, 3, 2]]
    assert d.predict_class(votes).tolist() == [0, 1]
    assert d.predict_class(np.array([[2, 5, 5], [1, 1, 1]])).tolist() == [1, 0]  # ties: lowest class
    with pytest.raises(ValueError):
        d.class_votes(counts, [0, 1, 0], 3)


def test_classify_counts_votes_and_breaks_ties_to_the_lowest_class():
    # sample 0 counts [4, 2], sample 1 [1, 5]: each pin its own class
    assert d.classify(RASTER).tolist() == [0, 1]
    # both pins vote for class 1 of 2: class 1 always (class 0 has no pin, 0 votes)
    assert d.classify(RASTER, [1, 1], 2).tolist() == [1, 1]
    # per window of 3 ticks: sample 0 [2, 1], [2, 1]; sample 1 [0, 2], [1, 3]
    assert d.classify(RASTER, window=3).tolist() == [[0, 0], [1, 1]]
    tie = np.array([[[1, 1], [0, 0]]], dtype=bool)  # 2 ticks: one spike on each pin
    assert d.classify(tie).tolist() == [0]


# pin 0: ticks 1-3 (3), 6 (1); pin 1: 0 (1), 4-7 (4, to the end); sample 1: pin 0 at 7 only
TRAIN = np.zeros((2, 8, 2), dtype=bool)
TRAIN[0, [1, 2, 3, 6], 0] = True
TRAIN[0, [0, 4, 5, 6, 7], 1] = True
TRAIN[1, 7, 0] = True


def test_bursts_are_the_runs_of_consecutive_spikes():
    found = d.bursts(TRAIN)
    rows = list(zip(found.sample.tolist(), found.pin.tolist(), found.start.tolist(),
                    found.length.tolist()))
    assert rows == [(0, 0, 1, 3), (0, 0, 6, 1), (0, 1, 0, 1), (0, 1, 4, 4), (1, 0, 7, 1)]
    assert len(d.bursts(np.zeros((3, 5, 4), bool))) == 0
    # a burst code: value v is v spikes in consecutive ticks, the lengths read the values back
    values = np.array([0, 3, 1, 5])
    code = np.arange(6)[:, None] < values[None, :]  # 6 ticks, v spikes from tick 0
    assert d.bursts(code).length.tolist() == [3, 1, 5]


def test_burst_lengths_take_the_longest_burst_starting_in_each_window():
    # windows of 4 ticks: [0..3], [4..7]
    # pin 0: the 3-burst starts in window 0; the 1-burst at 6 in window 1
    # pin 1: the 1-burst at 0 in window 0; the 4-burst at 4 in window 1
    assert d.burst_lengths(TRAIN, 4).tolist() == [[[3, 1], [1, 4]], [[0, 0], [1, 0]]]
    # from tick 2 on, windows [2..3], [4..5], [6..7]: the 3-burst is cut to its part after tick 1
    assert d.burst_lengths(TRAIN, 2, start=2)[0].tolist() == [[2, 0], [0, 4], [1, 0]]
    # a burst running past its window counts whole in the window it started in
    assert d.burst_lengths(TRAIN, 5)[0].tolist() == [[3, 4]]
    with pytest.raises(ValueError):
        d.burst_lengths(TRAIN, 0)


def test_read_run_groups_a_run_file_by_connector(tmp_path):
    path = tmp_path / "run.npz"
    np.savez(path, **{"outputs/y": TRAIN, "probes/h*": TRAIN[:, :, :1], "ticks": 8, "batch": 2,
                      "seed": 5, "probe_neurons/h*": np.array(["h[0]"])})
    run = d.read_run(path)
    assert run["ticks"] == 8 and run["batch"] == 2 and run["seed"] == 5
    assert np.array_equal(run["outputs"]["y"], TRAIN) and list(run["probes"]) == ["h*"]
    assert run["probe_neurons"]["h*"].tolist() == ["h[0]"]
