"""Quantisers against hand-computed levels and against their defining properties (range, nearest
level, symmetry, the STE's pass-through), including seed 002's balanced quantisation and its
rounding to n decimals."""

import numpy as np
import pytest

from corelet.training import quantise as q


def test_uniform_is_seed_002s_q_k_by_hand():
    # 2 bits: levels 0, 1/3, 2/3, 1; floor(3 x + 1/2) / 3
    x = np.array([0.0, 0.16, 0.17, 0.5, 0.84, 1.0, 1.7, -0.3])
    assert np.allclose(q.uniform(x, 2), [0, 0, 1 / 3, 2 / 3, 1, 1, 1, 0])
    assert q.uniform(np.array([0.5]), 1).tolist() == [1.0]  # floor(1 * 0.5 + 0.5) = 1


def test_signed_ranges_are_twos_complement():
    assert q.signed_range(4) == (-8, 7)
    assert q.signed_range(4, symmetric=True) == (-7, 7)
    assert q.signed_range(2) == (-2, 1)
    with pytest.raises(ValueError):
        q.signed_range(1)


def test_to_chip_fills_the_range_and_rounds_to_the_nearest_level():
    w = np.array([0.75, -0.3125, 0.125, 0.0625, -1.0])  # binary fractions: the halves are exact
    ints, scale = q.to_chip(w, 4)
    # the scale keeps 0.75 <= 7 s and -1 >= -8 s: s = max(0.75 / 7, -1 / -8) = 0.125
    assert scale == 0.125
    assert ints.tolist() == [6, -3, 1, 1, -8]  # -2.5 -> -3 and 0.5 -> 1: halves away from zero
    rng = np.random.default_rng(1)
    w = rng.normal(size=500)
    ints, scale = q.to_chip(w, 4)
    assert ints.min() >= -8 and ints.max() <= 7
    assert np.all(np.abs(ints * scale - w) <= scale / 2 + 1e-12)  # nothing clipped: nearest level


def test_symmetric_integers_of_a_negation_are_the_negation():
    w = np.random.default_rng(2).normal(size=300)
    ints, scale = q.to_chip(w, 4, symmetric=True)
    assert ints.min() >= -7 and ints.max() <= 7
    assert np.array_equal(q.to_integers(-w, 4, scale, symmetric=True), -ints)


def test_fake_quantise_and_the_straight_through_gradient():
    w = np.array([0.12, -0.51, 0.96, -1.2, 0.0])
    wq, mask = q.fake_quantise(w, 4, 0.1)   # range -8 .. 7 steps of 0.1: -0.85 .. 0.75 pass
    assert np.allclose(wq, [0.1, -0.5, 0.7, -0.8, 0.0])  # -0.51 -> -5.1 -> -5; 0.96 and -1.2 clip
    assert mask.tolist() == [True, True, False, False, True]
    g = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert q.ste_grad(g, mask).tolist() == [1.0, 2.0, 0.0, 0.0, 5.0]


def test_ste_training_reaches_a_quantised_least_squares_fit():
    # fit y = X w* with w* on the 4-bit grid of step 0.25: gradient steps on the float copy through
    # the STE must land the quantised weights exactly on w*
    rng = np.random.default_rng(3)
    w_true = np.array([1.0, -0.5, 0.25, -1.75, 0.75])
    x = rng.normal(size=(400, 5))
    y = x @ w_true
    w = np.zeros(5)
    for _ in range(300):
        wq, mask = q.fake_quantise(w, 4, 0.25)
        grad = x.T @ (x @ wq - y) / len(x)
        w -= 0.1 * q.ste_grad(grad, mask)
    assert np.allclose(q.fake_quantise(w, 4, 0.25)[0], w_true)


def test_balanced_quantisation_by_hand():
    # mean |w| = 0.4 -> scale 1.0; w' = clip(w, -.5, .5) + .5 = 0, .4, .6, 1; 2 bits: 0, 1/3, 2/3, 1
    w = np.array([-0.6, -0.1, 0.1, 0.8])
    assert np.allclose(q.balanced(w, 2), [-0.5, -1 / 6, 1 / 6, 0.5])


def test_balanced_quantisation_spreads_bell_shaped_weights_over_the_levels():
    # seed 002, figure 9: uniform quantisation of a bell leaves the outer 2-bit levels nearly empty;
    # balanced quantisation (scale 2.5 mean|w|) gives them a fair share
    w = np.random.default_rng(4).normal(size=20000)
    uniform_levels = np.unique(q.uniform((w - w.min()) / (w.max() - w.min()), 2), return_counts=True)[1]
    balanced_levels = np.unique(q.balanced(w, 2), return_counts=True)[1]
    assert len(balanced_levels) == 4
    assert uniform_levels.min() / len(w) < 0.01
    assert balanced_levels.min() / len(w) > 0.15


def test_rounding_to_decimals_gives_exact_integers():
    w = np.array([0.14, -0.15, 0.25, -0.96, 1.0])
    assert np.allclose(q.round_decimals(w, 1), [0.1, -0.2, 0.3, -1.0, 1.0])
    assert q.decimal_integers(w, 1).tolist() == [1, -2, 3, -10, 10]
    assert q.decimal_integers(w, 2).tolist() == [14, -15, 25, -96, 100]
    assert np.array_equal(q.decimal_integers(w, 1) / 10, q.round_decimals(w, 1))
