"""Tests of library/ic.corelet: the IC module's two channels count the positive and the negative
terms of W.x exactly (numpy sums computed here), in one stage or with partial sums over several
cores; hand-derived first-spike ticks; placement; fan-in; parameter checks."""

from __future__ import annotations

import numpy as np
import pytest

from corelet import language

from tests.library.lib_helpers import burst_raster, cores_used, elaborate, run_compiled, spike_ticks

USE = 'use IC from "ic"\n'
AXONS_PER_CORE = 256


def channel_sums(W, xp, xn):
    """(y_pos, y_neg) of seed 002's two-channel rule, written from the rule: a > 0 sends x+ to y+
    and x- to y- with |a|; a < 0 sends x+ to y- and x- to y+ with |a|. xp, xn: (batch, n)."""
    Wpos = np.where(W > 0, W, 0)
    Wneg = np.where(W < 0, -W, 0)
    return xp @ Wpos + xn @ Wneg, xp @ Wneg + xn @ Wpos


def bursts(counts, ticks):
    return np.stack([burst_raster(c, ticks) for c in counts])


def fan_in(net) -> np.ndarray:
    """Distinct input axons each neuron needs: connections are unique on (src, dst, type, delay),
    and each distinct (src, type, delay) into a neuron is one axon of its core."""
    return np.bincount(net.connections.dst, minlength=net.n_neurons)


@pytest.mark.parametrize("n, m, bits, blocks", [
    (20, 8, 4, 1),      # one core, one stage
    (100, 12, 4, 4),    # 32 inputs per block: 4 blocks of partial sums
    (300, 40, 4, 10),   # 10 blocks, 40 outputs
    (40, 30, 2, 1),     # 2 axons per channel (section V.C): 64 inputs per block
    (150, 20, 2, 3),    # 3 blocks of 64
])
def test_channels_count_the_signed_terms_exactly(n, m, bits, blocks):
    rng = np.random.default_rng(7 * n + m + bits)
    top = 2 ** bits - 1
    W = rng.integers(-top, top + 1, size=(n, m))
    W[0, :] = top                     # the extreme magnitudes occur
    W[1, :] = -top
    batch, most = 3, 4
    xp = rng.integers(0, most + 1, size=(batch, n))
    xn = rng.integers(0, most + 1, size=(batch, n))
    ep, en = channel_sums(W, xp, xn)
    t_in = most
    stages = 1 if blocks == 1 else 2
    ticks = t_in + int(max(ep.max(), en.max())) + stages + 1
    net = elaborate(USE, {"W": W, "bits": bits}, top="IC")
    out = run_compiled(net, ticks, {"x_pos": bursts(xp, t_in), "x_neg": bursts(xn, t_in)})
    yp, yn = out["y_pos"].sum(axis=1), out["y_neg"].sum(axis=1)
    assert np.array_equal(yp, ep)
    assert np.array_equal(yn, en)
    assert np.array_equal(yp - yn, (xp - xn) @ W)          # the signed product itself
    # the documented drain: every output done by tick T_in - 2 + stages + count
    for name, counts in (("y_pos", ep), ("y_neg", en)):
        fired = out[name]
        last = np.where(fired.any(axis=1), fired.shape[1] - 1 - np.argmax(fired[:, ::-1], axis=1), -1)
        assert np.all(last <= t_in - 2 + stages + counts)
    # structure: blocks of partial sums, no neuron needing more axons than a core has
    assert fan_in(net).max() <= AXONS_PER_CORE
    part = [p for p in net.populations if p.path.endswith("part")]
    if blocks == 1:
        assert not part and net.n_neurons == 2 * m
        assert cores_used(net, "packer") == 1
    else:
        assert part[0].size == blocks * m * 2
        assert net.n_neurons == blocks * m * 2 + 2 * m
        assert cores_used(net, "packer") >= blocks            # a block's axons fill a core


def test_one_stage_timing_by_hand():
    """W = [[5, -3]]. x_pos spikes in row 3: y_pos[0] gets 5 in tick 3 and bursts in 3..7;
    y_neg[1] gets 3 and bursts in 3..5. x_neg in row 10: y_neg[0] bursts in 10..14, y_pos[1] in
    10..12. Latency 0: the first output spike is in the tick of the input row."""
    net = elaborate(USE, {"W": [[5, -3]]}, top="IC")
    xp = np.zeros((20, 1), bool); xp[3] = True
    xn = np.zeros((20, 1), bool); xn[10] = True
    out = run_compiled(net, 20, {"x_pos": xp, "x_neg": xn})
    assert spike_ticks(out["y_pos"][0]) == [[3, 4, 5, 6, 7], [10, 11, 12]]
    assert spike_ticks(out["y_neg"][0]) == [[10, 11, 12, 13, 14], [3, 4, 5]]


def test_partial_sum_timing_by_hand():
    """block = 1 forces a partial sum per input. W = [[5], [-2]], x_pos[0] in row 3 and x_pos[1]
    in row 4: part[0] bursts 3..7, so sp fires 4..8 (one tick later: two stages); part[1]'s
    negative partial sum bursts 4..5, so sn fires 5..6."""
    net = elaborate(USE, {"W": [[5], [-2]], "block": 1}, top="IC")
    xp = np.zeros((15, 2), bool); xp[3, 0] = xp[4, 1] = True
    out = run_compiled(net, 15, {"x_pos": xp, "x_neg": np.zeros((15, 2), bool)})
    assert spike_ticks(out["y_pos"][0]) == [[4, 5, 6, 7, 8]]
    assert spike_ticks(out["y_neg"][0]) == [[5, 6]]


def test_two_blocks_summing_in_one_tick_are_both_counted():
    """Two blocks' partial spikes reaching one final neuron in the same tick add up (weight 1
    each, two axons): W = [[2], [3]], block 1, both inputs in row 0: parts fire 0..1 and 0..2,
    the sum gets 2, 2, 1 in ticks 1, 2, 3 and bursts 1..5 (5 = 2 + 3 spikes)."""
    net = elaborate(USE, {"W": [[2], [3]], "block": 1}, top="IC")
    xp = np.zeros((10, 2), bool); xp[0] = True
    out = run_compiled(net, 10, {"x_pos": xp, "x_neg": np.zeros((10, 2), bool)})
    assert spike_ticks(out["y_pos"][0]) == [[1, 2, 3, 4, 5]]
    assert not out["y_neg"].any()


def test_placers_and_cores():
    """n = 100, 4 bits: 800 input axons (both channels), so at least ceil(800 / 256) = 4 cores;
    the packer and Algorithm 1 reach that bound (the last block has 4 inputs, 32 axons, room for the
    final sums), Algorithm 2 starts fresh cores per population and needs more but fewer than 8.
    Every placer's compilation agrees with the logical network."""
    rng = np.random.default_rng(3)
    n, m = 100, 10
    W = rng.integers(-15, 16, size=(n, m))
    net = elaborate(USE, {"W": W}, top="IC")
    assert cores_used(net, "packer") == 4
    assert cores_used(net, "alg1") == 4
    assert 4 < cores_used(net, "alg2") < 8
    xp = rng.integers(0, 3, size=(1, n)); xn = rng.integers(0, 3, size=(1, n))
    ep, en = channel_sums(W, xp, xn)
    ticks = 2 + int(max(ep.max(), en.max())) + 3
    for placer in ("alg1", "alg2"):
        out = run_compiled(net, ticks, {"x_pos": bursts(xp, 2), "x_neg": bursts(xn, 2)}, placer=placer)
        assert np.array_equal(out["y_pos"].sum(axis=1), ep)
        assert np.array_equal(out["y_neg"].sum(axis=1), en)


def test_block_default_follows_bits():
    """The default block is AXONS_PER_CORE // (2 * bits): 32 inputs for 4 bits, 64 for 2. So 64
    inputs are one stage with 2 bits and two blocks with 4 bits; 65 with 2 bits are two blocks."""
    W = np.ones((64, 3), dtype=int)
    assert elaborate(USE, {"W": W, "bits": 2}, top="IC").n_neurons == 2 * 3
    assert elaborate(USE, {"W": W, "bits": 4}, top="IC").n_neurons == 2 * 3 * 2 + 2 * 3
    assert elaborate(USE, {"W": np.ones((65, 3), int), "bits": 2}, top="IC").n_neurons == 2 * 3 * 2 + 2 * 3
    assert elaborate(USE, {"W": W, "bits": 4, "block": 16}, top="IC").n_neurons == 4 * 3 * 2 + 2 * 3


@pytest.mark.parametrize("params, message", [
    ({"W": [[16]]}, "fit `bits` bits"),
    ({"W": [[-16]]}, "fit `bits` bits"),
    ({"W": [[4]], "bits": 2}, "fit `bits` bits"),
    ({"W": [[1]], "bits": 5}, "bits (axons per input channel)"),
    ({"W": [[1]], "bits": 0}, "bits (axons per input channel)"),
    ({"W": [[1]], "block": 0}, "block (inputs per partial sum)"),
    ({"W": [[1]], "block": 65}, "block (inputs per partial sum)"),
])
def test_bad_parameters_are_refused_clearly(params, message):
    with pytest.raises(language.LanguageError, match="assertion failed") as err:
        elaborate(USE, params, top="IC")
    assert message in str(err.value)


def test_largest_magnitudes_fit():
    """|W| = 15 (4 bits) and 3 (2 bits) are accepted and counted in full: one input spike gives
    15 and 3 output spikes."""
    for bits, top in ((4, 15), (2, 3)):
        net = elaborate(USE, {"W": [[top, -top]], "bits": bits}, top="IC")
        xp = np.zeros((20, 1), bool); xp[0] = True
        out = run_compiled(net, 20, {"x_pos": xp, "x_neg": np.zeros((20, 1), bool)})
        assert out["y_pos"][0].sum(axis=0).tolist() == [top, 0]
        assert out["y_neg"][0].sum(axis=0).tolist() == [0, top]


@pytest.mark.parametrize("n, m, scale, blocks", [(20, 8, 3, 1), (100, 6, 5, 4)])
def test_scaled_channels_count_one_spike_per_scale_units(n, m, scale, blocks):
    """scale = s: each channel emits floor(sum / s) spikes (a fresh neuron holds no remainder) in
    one stage; with partial sums each block's partial sum is scaled: sum_b floor(block sum / s)."""
    rng = np.random.default_rng(n + scale)
    W = rng.integers(-15, 16, size=(n, m))
    xp = rng.integers(0, 4, size=(3, n))
    xn = rng.integers(0, 4, size=(3, n))
    block = 32                                        # the default for 4 bits
    ep = sum(channel_sums(W[b:b + block], xp[:, b:b + block], xn[:, b:b + block])[0] // scale
             for b in range(0, n, block))
    en = sum(channel_sums(W[b:b + block], xp[:, b:b + block], xn[:, b:b + block])[1] // scale
             for b in range(0, n, block))
    ticks = 3 + int(max(ep.max(), en.max())) + 4
    net = elaborate(USE, {"W": W, "scale": scale}, top="IC")
    out = run_compiled(net, ticks, {"x_pos": bursts(xp, 3), "x_neg": bursts(xn, 3)})
    assert np.array_equal(out["y_pos"].sum(axis=1), ep)
    assert np.array_equal(out["y_neg"].sum(axis=1), en)
    assert len([p for p in net.populations if p.path.endswith("part")]) == (blocks > 1)


def test_scaled_remainder_carries_to_the_next_input_by_hand():
    """W = [[3]], scale 2: x_pos in row 0 gives V = 3, one spike in tick 0 and 1 held; x_pos in
    row 10 gives V = 1 + 3 = 4: spikes in ticks 10 and 11. Three spikes for 6 units, none lost."""
    net = elaborate(USE, {"W": [[3]], "scale": 2}, top="IC")
    xp = np.zeros((15, 1), bool); xp[[0, 10]] = True
    out = run_compiled(net, 15, {"x_pos": xp, "x_neg": np.zeros((15, 1), bool)})
    assert spike_ticks(out["y_pos"][0]) == [[0, 10, 11]]
    assert not out["y_neg"].any()
