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
