"""Tests of library/products.corelet: the memoryless AND is exact tick by tick, its rate is the
product of two independent rates, a burst AND a Bernoulli stream gives c * q; the seed's literal
form and the form with memory are measured to be wrong where the product form is right."""

from __future__ import annotations

import numpy as np
import pytest

from corelet import language

from tests.library.lib_helpers import burst_raster, elaborate, run_compiled, spike_ticks

USE = 'use "products"\n'
SIGMAS = 5.0

# the (p, q) sweep: every pair of these rates, one pin per pair
RATES = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
P = np.repeat(RATES, len(RATES))
Q = np.tile(RATES, len(RATES))


def run_and(a: np.ndarray, b: np.ndarray, cell: str = "and_product", ticks: int | None = None):
    """y of And(n, cell) for rasters a, b of shape (batch, rows, n)."""
    n = a.shape[-1]
    net = elaborate(USE, {"n": n, "cell": cell}, top="And")
    return run_compiled(net, ticks or a.shape[-2], {"a": a, "b": b})["y"]


def bernoulli(rng, rates, ticks: int, batch: int = 1) -> np.ndarray:
    return rng.random((batch, ticks, len(rates))) < np.asarray(rates)


def test_hand_trace():
    """Pin 0: a in ticks 0, 2, 3; b in ticks 2, 3, 4 -> y in ticks 2, 3 (no memory of the lone
    a of tick 0, none of the lone b of tick 4). Pin 1: only a; pin 2: only b; pin 3: both every
    tick."""
    a = np.zeros((1, 8, 4), dtype=bool)
    b = np.zeros((1, 8, 4), dtype=bool)
    a[0, [0, 2, 3], 0] = True
    b[0, [2, 3, 4], 0] = True
    a[0, :, 1] = True
    b[0, :, 2] = True
    a[0, :, 3] = b[0, :, 3] = True
    assert spike_ticks(run_and(a, b)[0]) == [[2, 3], [], [], list(range(8))]


@pytest.mark.parametrize("n, pa, pb", [(1, 0.5, 0.5), (12, 0.3, 0.7), (300, 0.6, 0.6)])
def test_exact_per_tick_and_on_random_rasters(n, pa, pb):
    rng = np.random.default_rng(n)
    a = bernoulli(rng, [pa] * n, 40, batch=2)
    b = bernoulli(rng, [pb] * n, 40, batch=2)
    assert np.array_equal(run_and(a, b), a & b)


def test_driven_by_neurons_one_tick_later():
    """Relay neurons in front of the gate: their spikes of tick t are integrated in t + 1."""
    src = USE + """
    corelet Fed(n: int) {
        input a[n]
        input b[n]
        output y[n]
        neurons ra[n] = neuron { weights = [1, 0, 0, 0]; threshold = 1; floor = 0 }
        neurons rb[n] = neuron { weights = [1, 0, 0, 0]; threshold = 1; floor = 0 }
        g = And(n = n)
        a -> ra
        b -> rb
        ra -> g.a
        rb -> g.b
        y = g.y
    }
    """
    rng = np.random.default_rng(5)
    a, b = bernoulli(rng, [0.5] * 8, 39), bernoulli(rng, [0.5] * 8, 39)
    y = run_compiled(elaborate(src, {"n": 8}, top="Fed"), 40, {"a": a, "b": b})["y"]
    assert not y[:, 0].any() and np.array_equal(y[:, 1:], a & b)


def test_product_of_rates():
    """Independent Bernoulli(p) and Bernoulli(q) streams over T ticks: count ~ Binomial(T, pq),
    so count / T is within 5 sigma = 5 sqrt(pq (1 - pq) / T) of p q (sigma <= 0.011 here).
    A wrong gate would give min(p, q) (0.5 instead of 0.25 at p = q = 0.5: 22 sigma), or
    p + q - pq (an OR)."""
    ticks = 2000
    rng = np.random.default_rng(2024)
    a, b = bernoulli(rng, P, ticks), bernoulli(rng, Q, ticks)
    y = run_and(a, b)[0]
    assert np.array_equal(y, (a & b)[0])                  # exact, tick by tick
    rate = y.mean(axis=0)
    sigma = np.sqrt(P * Q * (1 - P * Q) / ticks)
    assert np.all(np.abs(rate - P * Q) <= SIGMAS * sigma), np.round((rate - P * Q) / sigma, 1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_product_of_rates_short_windows(seed):
    """The same over a batch of 64 windows of 32 ticks (the LSTM's window lengths), pooled."""
    ticks, batch = 32, 64
    rng = np.random.default_rng(seed)
    a, b = bernoulli(rng, P, ticks, batch), bernoulli(rng, Q, ticks, batch)
    rate = run_and(a, b).mean(axis=(0, 1))
    sigma = np.sqrt(P * Q * (1 - P * Q) / (ticks * batch))
    assert np.all(np.abs(rate - P * Q) <= SIGMAS * sigma)


def test_burst_and_bernoulli():
    """A burst of c spikes (ticks 0 .. c - 1 of a 16-tick window) AND a Bernoulli(q) stream:
    the count is Binomial(c, q), mean c q, over a batch of 400 windows within 5 sigma =
    5 sqrt(c q (1 - q) / 400) (at most 0.9 spikes). An OR would give c + (16 - c) q, the seed's
    literal form at least 8 per window, an AND that ignored q would give c."""
    window, batch = 16, 400
    counts = np.array([0, 1, 3, 8, 12, 16] * 3)
    q = np.repeat([0.25, 0.5, 0.875], 6)
    rng = np.random.default_rng(77)
    a = np.broadcast_to(burst_raster(counts, window), (batch, window, len(counts)))
    b = bernoulli(rng, q, window, batch)
    y = run_and(np.ascontiguousarray(a), b)
    assert not y[:, :, counts == 0].any()
    mean = y.sum(axis=1).mean(axis=0)
    sigma = np.sqrt(counts * q * (1 - q) / batch)
    assert np.all(np.abs(mean - counts * q) <= SIGMAS * sigma + 1e-12), (mean, counts * q)
    # the spikes lie inside the burst
    assert not (y & ~a).any()


def test_signed_and():
    """Seed 002's dot product: a two-channel burst-coded value (c_pos, c_neg spikes) AND a
    rate-coded gate g of rate q: each channel exact per tick, and the signed count
    count(y_pos) - count(y_neg) has mean (c_pos - c_neg) q, within 5 sigma over 400 windows
    (one channel of each pin is silent, as in the seed's encoding, so the variance is
    (c_pos + c_neg) q (1 - q) / 400). A gate that ignored g would give c_pos - c_neg."""
    window, batch = 16, 400
    c_pos = np.array([10, 0, 4, 16, 0])
    c_neg = np.array([0, 7, 0, 0, 0])
    q = np.array([0.5, 0.75, 0.25, 0.9, 0.5])
    rng = np.random.default_rng(11)
    a_pos = np.ascontiguousarray(np.broadcast_to(burst_raster(c_pos, window), (batch, window, 5)))
    a_neg = np.ascontiguousarray(np.broadcast_to(burst_raster(c_neg, window), (batch, window, 5)))
    g = bernoulli(rng, q, window, batch)
    net = elaborate(USE, {"n": 5}, top="SignedAnd")
    out = run_compiled(net, window, {"a_pos": a_pos, "a_neg": a_neg, "g": g})
    assert np.array_equal(out["y_pos"], a_pos & g)
    assert np.array_equal(out["y_neg"], a_neg & g)
    value = (out["y_pos"].sum(axis=1) - out["y_neg"].sum(axis=1)).mean(axis=0)
    sigma = np.sqrt((c_pos + c_neg) * q * (1 - q) / batch)
    assert np.all(np.abs(value - (c_pos - c_neg) * q) <= SIGMAS * sigma + 1e-12)


def test_other_forms_hand_traces():
    """and_seed_literal (threshold 2, leak +1): with no input V climbs 1, 2 -> fires in ticks
    1, 3, 5, ...; a lone a in tick 0 gives 0 + 1 + 1 = 2 -> fires in tick 0.
    and_with_memory (threshold 2, leak 0): a lone a in tick 0 stays (V = 1) and pairs with a
    lone b in tick 5 -> fires in tick 5; the product form fires never."""
    a = np.zeros((1, 8, 3), dtype=bool)
    b = np.zeros((1, 8, 3), dtype=bool)
    a[0, 0, 1] = True                 # pin 1: a lone a in tick 0
    a[0, 0, 2] = b[0, 5, 2] = True    # pin 2: a in tick 0, b in tick 5
    literal = spike_ticks(run_and(a, b, "and_seed_literal")[0])
    assert literal[0] == [1, 3, 5, 7]
    assert literal[1][0] == 0
    assert spike_ticks(run_and(a, b, "and_with_memory")[0]) == [[], [], [5]]
    assert spike_ticks(run_and(a, b, "and_product")[0]) == [[], [], []]


def test_other_forms_are_wrong_products():
    """Measured on the (p, q) sweep, 2000 ticks, the same streams for the three forms:
    - and_product: every rate within 5 sigma of p q (checked above); measured mean |error| 0.007, max 2.2 sigma;
    - and_seed_literal fires on lone inputs, and by its leak even on none: its rate is at least
      the OR's p + q - p q (and at least 1/2), measured 0.56 .. 0.99 against p q = 0.01 .. 0.81;
    - and_with_memory overcounts: a lone spike waits in V for the next one, so its rate is
      about (p + q) / 2, measured 0.10 .. 0.84.
    Each wrong form is more than 5 sigma off p q wherever its formula says it should be
    (for and_with_memory where (p + q) / 2 - p q >= 0.1: all pairs but p = q = 0.1 and
    p = q = 0.9, where that excess is only 0.09), and its mean |error| over the sweep is more
    than 10x the product form's."""
    ticks = 2000
    rng = np.random.default_rng(99)
    a, b = bernoulli(rng, P, ticks), bernoulli(rng, Q, ticks)
    sigma = np.sqrt(P * Q * (1 - P * Q) / ticks)
    rates = {cell: run_and(a, b, cell)[0].mean(axis=0)
             for cell in ("and_product", "and_seed_literal", "and_with_memory")}
    error = {cell: np.abs(r - P * Q) for cell, r in rates.items()}
    assert np.all(error["and_product"] <= SIGMAS * sigma)

    literal = rates["and_seed_literal"]
    or_rate = P + Q - P * Q
    assert np.all(literal >= or_rate - SIGMAS * np.sqrt(or_rate * (1 - or_rate) / ticks))
    assert np.all(literal >= 0.5)    # V >= 1 a tick after a spike, >= 2 the tick after that
    assert np.all(error["and_seed_literal"] > SIGMAS * sigma)

    memory = rates["and_with_memory"]
    big = (P + Q) / 2 - P * Q >= 0.1
    assert big.sum() == 23 and np.all((memory - P * Q)[big] > SIGMAS * sigma[big])
    assert np.all(memory >= P * Q - SIGMAS * sigma)          # never under the product
    for cell in ("and_seed_literal", "and_with_memory"):
        assert error[cell].mean() > 10 * error["and_product"].mean(), cell


@pytest.mark.parametrize("top, params, message", [
    ("And", {"n": 0}, "an AND needs at least one pin (n >= 1)"),
    ("SignedAnd", {"n": 0}, "a signed AND needs at least one pin (n >= 1)"),
])
def test_bad_parameters(top, params, message):
    with pytest.raises(language.LanguageError) as info:
        elaborate(USE, params, top=top)
    assert "assertion failed: " + message in str(info.value)
