"""corelet.training.trinary: hysteresis rounding, the binary neuron and batch-norm folding, against
values worked out by hand from seed 003's equations and brute force over every integer sum."""

from __future__ import annotations

import math

import numpy as np
import pytest

from corelet.training.trinary import (HysteresisTrinary, binary, binary_grad, clip_hidden,
                                      fold_batch_norm, round_with_hysteresis)


def test_rounding_outside_the_bands_ignores_the_previous_value():
    hidden = np.array([-1.0, -0.6, -0.4, 0.0, 0.4, 0.6, 1.0])
    for prev in (-1, 0, 1):
        got = round_with_hysteresis(hidden, np.full(7, prev), h=0.1)
        assert got.tolist() == [-1, -1, 0, 0, 0, 1, 1]


def test_rounding_inside_the_bands_keeps_the_previous_value():
    # h = 0.1: the bands are (0.4, 0.6) and (-0.6, -0.4)
    hidden = np.array([0.45, 0.55, 0.45, 0.55, -0.45, -0.55, -0.45, -0.55])
    prev = np.array([0, 0, 1, 1, 0, 0, -1, -1])
    assert round_with_hysteresis(hidden, prev).tolist() == [0, 0, 1, 1, 0, 0, -1, -1]


def test_band_edges_belong_to_the_outer_values():
    # w_h >= 0.5 + h is +1 and w_h <= 0.5 - h is 0 whatever came before
    hidden = np.array([0.75, 0.25, -0.25, -0.75])
    assert round_with_hysteresis(hidden, np.array([0, 1, -1, 0]), h=0.25).tolist() == [1, 0, 0, -1]


def test_a_fresh_weight_rounds_to_nearest_and_h_zero_is_plain_rounding():
    hidden = np.array([-0.55, -0.45, 0.45, 0.55])
    assert round_with_hysteresis(hidden).tolist() == [-1, 0, 0, 1]
    rng = np.random.default_rng(0)
    w = rng.uniform(-1, 1, 1000)
    prev = rng.integers(-1, 2, 1000)
    assert np.array_equal(round_with_hysteresis(w, prev, h=0.0), np.rint(w).astype(int))


def test_hysteresis_stops_flipping_on_small_oscillations():
    """A hidden weight jittering by less than h around 0.5 keeps its value; plain rounding would
    flip it on every crossing."""
    w = HysteresisTrinary(np.array([0.7]))
    assert w.value.tolist() == [1]
    w.step(np.array([-0.25]))          # 0.45: in the band, stays 1
    flips = 0
    for k in range(20):
        before = int(w.value[0])
        w.step(np.array([0.1 if k % 2 == 0 else -0.1]))   # 0.55, 0.45, ...
        flips += int(w.value[0]) != before
    assert flips == 0 and w.value.tolist() == [1]
    w.step(np.array([-0.1]))           # 0.35: below 0.5 - h, now 0
    assert w.value.tolist() == [0]


def test_hidden_weights_are_clipped():
    w = HysteresisTrinary(np.array([3.0, -2.0]))
    assert w.hidden.tolist() == [1.0, -1.0]
    w.step(np.array([5.0, -5.0]))
    assert w.hidden.tolist() == [1.0, -1.0]
    w.step(np.array([-0.3, 0.3]))      # one step back from the bound, not from +-6
    assert np.allclose(w.hidden, [0.7, -0.7])
    assert clip_hidden(np.array([-1.5, 0.2, 1.5])).tolist() == [-1.0, 0.2, 1.0]


def test_bad_hysteresis_is_refused():
    with pytest.raises(ValueError, match="hysteresis"):
        round_with_hysteresis(np.zeros(2), h=0.5)


def test_binary_neuron_and_its_approximate_derivative():
    r = np.array([-2.0, -1.0, -0.25, 0.0, 0.25, 1.0, 2.0])
    assert binary(r).tolist() == [0, 0, 0, 1, 1, 1, 1]
    assert binary_grad(r).tolist() == [0.0, 0.0, 0.75, 1.0, 0.75, 0.0, 0.0]


def test_folded_leak_matches_batch_norm_on_every_integer_sum():
    """For random statistics, the chip neuron [s + L >= 1] equals [(s - mu)/(sigma + eps) + b >= 0]
    for every reachable sum s of a 128-input trinary filter."""
    rng = np.random.default_rng(3)
    n = 2000
    mu = rng.uniform(-40, 40, n)
    sigma = rng.uniform(0.0, 20, n)
    b = rng.normal(0, 2, n)
    leak = fold_batch_norm(mu, sigma, b, fan_in=128)
    s = np.arange(-128, 129)[:, None]
    want = (s - mu) / (sigma + 1e-4) + b >= 0
    assert np.array_equal(s + leak >= 1, want)


def test_folded_leak_at_a_whole_number_boundary():
    # mu = 3, sigma + eps = 2, b = 0.5: r >= 0 iff s >= 2; the leak must be 1 - 2 = -1.
    # Seed 003's ceil(b (sigma + eps) - mu) = ceil(-2) = -2 would fire only from s = 3.
    leak = fold_batch_norm(np.array([3.0]), np.array([2.0 - 1e-4]), np.array([0.5]))
    assert leak.tolist() == [-1]
    assert math.ceil(0.5 * 2.0 - 3.0) == -2


def test_folded_leak_is_clipped_only_where_clipping_changes_nothing():
    leak = fold_batch_norm(np.array([-1000.0, 1000.0]), np.array([1.0, 1.0]), np.zeros(2),
                           fan_in=128)
    assert leak.tolist() == [255, -255]
    with pytest.raises(ValueError, match="fan-in of 300"):
        fold_batch_norm(np.zeros(1), np.ones(1), np.zeros(1), fan_in=300)


def test_a_previous_value_the_band_does_not_allow_is_not_kept():
    # around +0.5 the weight can only be 0 or +1; a -1 left over from far away rounds to nearest
    got = round_with_hysteresis(np.array([0.45, 0.55, -0.45, -0.55]), np.array([-1, -1, 1, 1]))
    assert got.tolist() == [0, 1, 0, -1]
