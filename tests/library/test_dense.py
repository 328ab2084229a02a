"""Tests of library/dense.corelet: two's-complement multi-axon weights, the ReLU count
floor(max(0, W.x) / threshold) where the floor at 0 never acts, the bound
floor(max(0, W.x) / t) <= count <= floor(P / t) where it does (random signed cases, one core and
partial sums), a hand-built case where the floor makes them differ, the error of the partial sums
against a one-core neuron, seed 000's threshold 100 with rate inputs, timing and the cell."""

from __future__ import annotations

import numpy as np
import pytest

from corelet import language

from tests.library.lib_helpers import burst_raster, cores_used, elaborate, run_compiled, spike_ticks

USE = 'use Dense, relu from "dense"\n'
AXONS_PER_CORE = 256

# Two Dense layers on the same input: `one` with the default block (one core when n * bits fits),
# `split` with a given block, so the same inputs go through one neuron and through partial sums.
PAIR = USE + """
corelet Pair(W: int[n, m], threshold: int = 1, block: int = 16) {
    input x[n]
    output one[m]
    output split[m]
    a = Dense(W = W, threshold = threshold)
    b = Dense(W = W, threshold = threshold, block = block)
    x -> a.x;  x -> b.x
    one = a.y;  split = b.y
}
"""


def bursts(counts, ticks):
    return np.stack([burst_raster(c, ticks) for c in counts])


def positive_part(W, x):
    """P: the sum of the positive terms of W.x (x: (batch, n) counts)."""
    return x @ np.where(W > 0, W, 0)


def negative_part(W, x):
    return x @ np.where(W < 0, -W, 0)


def relu_count(W, x, t):
    return np.maximum(x @ W, 0) // t


@pytest.mark.parametrize("bits, weights", [(4, [1, 2, 4, -8]), (3, [1, 2, -4]), (2, [1, -2])])
def test_every_two_complement_weight(bits, weights):
    """Neuron j sees one spike of pin j (weight v_j, every value of the range once) and, in the
    same tick, one spike of each of 8 bias pins of weight top = 2^(bits-1) - 1 (8 * top >= 2^(bits-1),
    so the sum is never negative). All in one tick, so the floor never acts:
    count_j = 8 * top + v_j, threshold 1. The template's weights are 1, 2, ..., -2^(bits-1)."""
    values = np.arange(-2 ** (bits - 1), 2 ** (bits - 1))
    k = len(values)
    top = 2 ** (bits - 1) - 1
    W = np.zeros((8 + k, k), dtype=int)
    W[:8, :] = top
    W[8 + np.arange(k), np.arange(k)] = values
    net = elaborate(USE, {"W": W, "bits": bits}, top="Dense")
    assert net.params.weights[0].tolist() == weights + [0] * (4 - bits)
    x = np.zeros((1, 8 + k), dtype=bool); x[0] = True
    out = run_compiled(net, 8 * top + top + 2, {"x": x})["y"][0]
    assert out.sum(axis=0).tolist() == (8 * top + values).tolist()
    # every synapse a bit of the two's complement spelling: |synapses of pin 8 + j| = popcount
    conns = net.connections
    for j, v in enumerate(values):
        used = sorted(conns.axon_type[conns.src == net.n_neurons + 8 + j].tolist())
        assert used == [b for b in range(bits) if (int(v) >> b) & 1]


@pytest.mark.parametrize("n, m, t, block", [
    (30, 10, 1, None),     # one core
    (30, 10, 3, None),
    (100, 12, 2, None),    # 400 axons: partial sums through the IC module (64 inputs per block)
    (40, 8, 1, 16),        # partial sums forced
])
def test_non_negative_weights_count_exactly(n, m, t, block):
    """Non-negative weights never push the potential below 0, so the floor never acts and the
    count is floor(W.x / t) exactly, once the window has drained."""
    rng = np.random.default_rng(n + m + t)
    W = rng.integers(0, 8, size=(n, m))
    x = rng.integers(0, 5, size=(3, n))
    params = {"W": W, "threshold": t} | ({"block": block} if block else {})
    net = elaborate(USE, params, top="Dense")
    ticks = 5 + int(positive_part(W, x).max()) + 3
    y = run_compiled(net, ticks, {"x": bursts(x, 5)})["y"].sum(axis=1)
    assert np.array_equal(y, relu_count(W, x, t))
    assert np.array_equal(y, (x @ W) // t)


@pytest.mark.parametrize("n, m, t, block", [
    (40, 16, 1, None),     # one core
    (40, 16, 3, None),
    (40, 16, 2, 16),       # partial sums forced (3 blocks)
    (100, 16, 1, None),    # partial sums needed (2 blocks of 64)
])
def test_signed_weights_stay_within_the_bound(n, m, t, block):
    """Random signed weights and burst inputs. The floor at 0 only ever adds back negative charge
    (at most the tick's negative input), so with a drained window
        floor(max(0, W.x) / t) <= count <= floor(P / t),   P = sum of the positive terms.
    (t * count = W.x + F - V_end with 0 <= F <= N and 0 <= V_end < t.) One core: the count
    overshoots floor(max(0, W.x) / t) on some outputs (bursts of different lengths make late ticks
    net negative after the early positive ones have fired). Partial sums: bursts that all start in
    one tick give gap-free channel bursts that start together, so the +1 and -1 spikes cancel tick
    by tick and the count is exact (see test_partial_sums_against_one_core)."""
    rng = np.random.default_rng(10 * n + m + t)
    W = rng.integers(-8, 8, size=(n, m))
    x = rng.integers(0, 7, size=(4, n))
    params = {"W": W, "threshold": t} | ({"block": block} if block else {})
    net = elaborate(USE, params, top="Dense")
    partial = any(p.path.endswith("part") for p in net.populations)
    assert partial == (block is not None or n * 4 > AXONS_PER_CORE)
    P, N = positive_part(W, x), negative_part(W, x)
    ticks = 7 + int(max(P.max(), N.max())) + 4
    raster = run_compiled(net, ticks, {"x": bursts(x, 7)})["y"]
    y = raster.sum(axis=1)
    low, high = relu_count(W, x, t), P // t
    assert np.all(low <= y) and np.all(y <= high)
    # the documented drain: last spike by T_in - 1 + floor(P / t) (one core), T_in + max(P, N)
    last = np.where(y > 0, ticks - 1 - np.argmax(raster[:, ::-1], axis=1), -1)
    assert np.all(last <= (7 + np.maximum(P, N) if partial else 7 - 1 + P // t))
    if partial:
        assert np.array_equal(y, low)
    else:
        assert np.any(y > low)        # the bound is needed: the floor made a difference


def test_floor_makes_the_count_differ_by_hand():
    """W = [[-4], [3]]: x0 spikes in rows 0 and 1 (-8), x1 in rows 5, 6, 7 (+9): W.x = 1.
    One core, t = 1: the -4s land on V = 0 and are floored away; then V = 3 (fire, 2), 5 (fire, 4),
    7 (fire, 6), and 6 drains in ticks 8..13: 9 spikes in ticks 5..13 = floor(P / t), not 1.
    t = 2: V = 3 (fire, 1), 4 (fire, 2), 5 (fire, 3), 3 (fire, 1): 4 spikes in ticks 5..8.
    Partial sums (block 1): the negative channel bursts 8 spikes in ticks 1..8, reaching the output
    in 2..9; the positive one 9 spikes in 6..14, reaching it in 7..15. Ticks 2..6 are floored away,
    7..9 cancel (+1 - 1), 10..15 add 1 each: 6 spikes (ticks 10..15) with t = 1; with t = 2 V goes
    1, 2 (fire) ...: ticks 11, 13, 15."""
    W = [[-4], [3]]
    x = np.zeros((20, 2), dtype=bool)
    x[[0, 1], 0] = True
    x[[5, 6, 7], 1] = True
    expected = {(1, None): list(range(5, 14)), (2, None): [5, 6, 7, 8],
                (1, 1): list(range(10, 16)), (2, 1): [11, 13, 15]}
    for (t, block), ticks in expected.items():
        params = {"W": W, "threshold": t} | ({"block": block} if block else {})
        out = run_compiled(elaborate(USE, params, top="Dense"), 20, {"x": x})["y"][0]
        assert spike_ticks(out) == [ticks], (t, block)
    assert max(0, -8 + 9) // 1 == 1          # the ReLU count the floor broke


def test_partial_sums_against_one_core():
    """The error the partial sums introduce, measured against a one-core neuron on the same inputs
    (Pair: the same W through Dense with one core and with block 16, 4 blocks).

    What it is: none on the counts here. The one-core neuron integrates W.x(t) tick by tick and
    loses the negative charge that arrives while V is 0 (count above floor(max(0, W.x) / t)); the
    partial sums deliver P and N as two bursts of one spike per tick that start in the same tick
    and have no gaps (each burst neuron's input only shrinks over the window), so +1 and -1 cancel
    until the shorter ends and the count is floor(max(0, W.x) / t) exactly. So the partial sums are
    never above the one-core count and equal the exact ReLU; their cost is time: the output starts
    two ticks later and the channels drain in max(P, N) ticks instead of about W.x / t."""
    rng = np.random.default_rng(42)
    n, m = 64, 16
    W = rng.integers(-8, 8, size=(n, m))
    x = rng.integers(0, 6, size=(4, n))
    net = elaborate(PAIR, {"W": W})
    assert cores_used(net, "packer") > 1
    P, N = positive_part(W, x), negative_part(W, x)
    ticks = 6 + int(max(P.max(), N.max())) + 4
    out = run_compiled(net, ticks, {"x": bursts(x, 6)})
    one, split = out["one"].sum(axis=1), out["split"].sum(axis=1)
    exact = relu_count(W, x, 1)
    assert np.array_equal(split, exact)                       # partial sums: no error
    assert np.all(one >= split)
    error = one - exact                                       # the one-core neuron's floor error
    assert error.sum() > 0 and np.all(error <= P - exact)
    # first spikes: the partial-sum outputs start 2 ticks after the one-core ones (bursts start
    # in row 0, so where both fire the one-core neuron starts in tick 0 at the earliest)
    first_split = np.argmax(out["split"], axis=1)[split > 0]
    assert first_split.min() >= 2


def test_seed_000_threshold_100_with_rate_inputs():
    """Seed 000's hidden layer: 64 inputs, 4-bit weights (here -6 .. 7, a positive mean so that
    the ReLU is not mostly 0), threshold 100, rate-coded inputs (Bernoulli spikes, rates 0 .. 0.4,
    60 ticks), one core against partial sums (block 16). Both stay within
    floor(max(0, W.x) / 100) <= count <= floor(P / 100). Measured with this seed: the one-core
    neuron is above the ReLU count on some outputs (the floor at 0 absorbs negative ticks), the
    partial sums equal it (their channels have no gaps: the accumulated input runs ahead of one
    spike per tick). A wrong threshold (say 16 instead of 100) would give about 6 times the counts,
    far above floor(P / 100) on most outputs."""
    rng = np.random.default_rng(2024)
    n, m, t, t_in, batch = 64, 16, 100, 60, 3
    W = rng.integers(-6, 8, size=(n, m))
    rates = rng.uniform(0, 0.4, size=(batch, 1, n))
    x_raster = rng.random((batch, t_in, n)) < rates
    x = x_raster.sum(axis=1)
    P, N = positive_part(W, x), negative_part(W, x)
    ticks = t_in + int(max(P.max(), N.max())) + 4
    net = elaborate(PAIR, {"W": W, "threshold": t})
    out = run_compiled(net, ticks, {"x": x_raster})
    one, split = out["one"].sum(axis=1), out["split"].sum(axis=1)
    low, high = relu_count(W, x, t), P // t
    for y in (one, split):
        assert np.all(low <= y) and np.all(y <= high)
    assert low.sum() > 100                    # the ReLU is not trivially 0
    assert (one - low).sum() > 0              # measured: the floor's error on one core
    assert np.array_equal(split, low)         # measured: none with partial sums


def test_timing_one_core_and_partial_sums():
    """One input spike in row 3, W = 5, t = 1: one core fires in ticks 3..7 (integrated in tick 3,
    one spike a tick); with partial sums (block 1, a second input of weight 0) the IC's partial sum
    bursts 3..7, its total 4..8 and the output neuron 5..9: two ticks later."""
    x = np.zeros((15, 2), dtype=bool); x[3, 0] = True
    for block, first in ((None, 3), (1, 5)):
        params = {"W": [[5], [0]]} | ({"block": block} if block else {})
        out = run_compiled(elaborate(USE, params, top="Dense"), 15, {"x": x})["y"][0]
        assert spike_ticks(out) == [list(range(first, first + 5))]


def test_cell_template_changes_the_leak():
    """cell = relu { threshold = 4; leak = -1 }, one weight 7, spikes in rows 0 and 1.
    Default cell (threshold 4): V = 7 (fire, 3), 10 (fire, 6), 6 (fire, 2): 3 spikes, floor(14/4).
    With leak -1: 6 (fire, 2), 8 (fire, 4), then 3, 2, 1, 0: 2 spikes in ticks 0 and 1. With
    partial sums the cell's leak is kept too (its weights become +1 / -1): the channel's 14 spikes
    arrive in ticks 2..15, one a tick, and the leak eats each one: no spike at all."""
    x = np.zeros((20, 2), dtype=bool); x[[0, 1], 0] = True
    W = [[7], [0]]
    src = USE + """
    corelet Leaky(W: int[n, m], block: int = 64) {
        input x[n]
        output y[m]
        d = Dense(W = W, cell = relu { threshold = 4; leak = -1 }, block = block)
        x -> d.x;  y = d.y
    }
    """
    plain = run_compiled(elaborate(USE, {"W": W, "threshold": 4}, top="Dense"), 20, {"x": x})["y"][0]
    leaky = run_compiled(elaborate(src, {"W": W}), 20, {"x": x})["y"][0]
    split = run_compiled(elaborate(src, {"W": W, "block": 1}), 20, {"x": x})["y"][0]
    assert spike_ticks(plain) == [[0, 1, 2]]
    assert spike_ticks(leaky) == [[0, 1]]
    assert spike_ticks(split) == [[]]


def test_large_layer_splits_fan_in():
    """n = 300 inputs, 4 bits: 1200 axons. Partial sums in blocks of 64 (5 blocks) through the IC,
    no neuron with more input axons than a core, several cores with every placer, and the counts
    with non-negative weights exact."""
    rng = np.random.default_rng(9)
    n, m = 300, 20
    W = rng.integers(0, 8, size=(n, m))
    W[rng.random((n, m)) < 0.5] = 0
    net = elaborate(USE, {"W": W, "threshold": 5}, top="Dense")
    fan_in = np.bincount(net.connections.dst, minlength=net.n_neurons)
    assert fan_in.max() <= AXONS_PER_CORE
    part = [p for p in net.populations if p.path == "ic.part"]
    assert part and part[0].size == 5 * m * 2
    for placer in ("packer", "alg1", "alg2"):
        assert cores_used(net, placer) >= 5
    x = rng.integers(0, 3, size=(1, n))
    ticks = 3 + int(positive_part(W, x).max()) + 4
    y = run_compiled(net, ticks, {"x": bursts(x, 3)})["y"].sum(axis=1)
    assert np.array_equal(y, (x @ W) // 5)


@pytest.mark.parametrize("params, message", [
    ({"W": [[8]]}, "two's complement"),
    ({"W": [[-9]]}, "two's complement"),
    ({"W": [[2]], "bits": 2}, "two's complement"),
    ({"W": [[-3]], "bits": 2}, "two's complement"),
    ({"W": [[0]], "bits": 5}, "bits (axons per input)"),
    ({"W": [[0]], "bits": 1}, "bits (axons per input)"),
    ({"W": [[0]], "block": 65}, "block (inputs per partial sum)"),
    ({"W": [[0]], "threshold": 0}, "threshold 0 is outside the chip's range"),   # the template's check
])
def test_bad_parameters_are_refused_clearly(params, message):
    with pytest.raises(language.LanguageError) as err:
        elaborate(USE, params, top="Dense")
    assert message in str(err.value)
    assert "threshold" in message or "assertion failed" in str(err.value)
