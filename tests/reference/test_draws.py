"""Stochastic features checked exactly against the normative draw function, draw by draw.

The rate tests of test_features.py can hardly tell the chip's ``|s| >= rho`` from ``rho < |s|``
(a 1/256 shift); these tests can: the expected raster is computed here from ``runtime.random.draw`` and the rule of
docs/neuron-model.md, with the keys (seed, neuron id, absolute tick, kind, source id, axon type)
spelled out, so a wrong comparison, a wrong key or a wrong bit width fails.
"""

from __future__ import annotations

import numpy as np
import pytest

from corelet.runtime.random import LEAK, SYNAPSE, THRESHOLD, draw

from .refsim import driven, tiny_fabric

SEED = 12345
T = 120


def column(run, k, b=0) -> np.ndarray:
    return run.outputs["out"][b, :, k]


def test_stochastic_synapse_fires_when_the_8bit_draw_is_at_most_the_weight(sim):
    weights = [1, 255, -255, 128]
    types = [2, 3, 1, 0]
    sources = [777, 2**63 + 5, 42, 42]  # the last two share a source but differ in type
    ids = [11, 12, 13, 14]
    # neuron j listens to axon j (stochastic) and, for the negative weight, to axon 4 (+1 always)
    neurons = []
    for j, (w, g) in enumerate(zip(weights, types)):
        ws, st = [0, 0, 0, 0], [0, 0, 0, 0]
        ws[g], st[g] = w, 1
        if w < 0:
            ws[[x for x in range(4) if x != g][0]] = 1
        neurons.append(dict(weights=ws, stochastic_weights=st, threshold=1))
    plus_type = [x for x in range(4) if x != types[2]][0]
    fab = tiny_fabric(neurons, axons=types + [plus_type],
                      synapses=[(j, j) for j in range(4)] + [(4, 2)],
                      inputs=[("in", 5)], input_routes=[(i, i, 1) for i in range(5)],
                      outputs=[("out", range(4))], axon_sources=sources + [99],
                      neuron_ids=ids)
    run = sim(fab, T, {"in": np.ones((T, 5), bool)}, seed=SEED)
    for j in range(4):
        hit = np.array([abs(weights[j]) >= (draw(SEED, ids[j], t, SYNAPSE, sources[j], types[j])
                                            & 0xFF) for t in range(T)])
        expected = ~hit if weights[j] < 0 else hit  # -1 cancels the +1 exactly when it hits
        assert np.array_equal(column(run, j), expected), f"neuron {j}"


def test_stochastic_leak_fires_when_the_8bit_draw_is_at_most_the_leak(sim):
    # leaks 1 and 255 tell ">=" from ">" whenever rho is 1 or 255: 8 neurons x 300 ticks see both
    leaks = [1, 255, 100, -1] * 2
    ids = list(range(21, 29))
    fab = tiny_fabric([dict(leak=lam, stochastic_leak=1, threshold=1, initial=1 if lam < 0 else 0,
                            reset_mode=2 if lam < 0 else 0) for lam in leaks],
                      outputs=[("out", range(8))], neuron_ids=ids)
    run = sim(fab, 300, seed=SEED)
    for j, lam in enumerate(leaks):
        hits = [abs(lam) >= (draw(SEED, ids[j], t, LEAK) & 0xFF) for t in range(300)]
        if lam > 0:  # +1 fires (threshold 1) and resets to 0
            assert column(run, j).tolist() == hits, f"leak {lam}"
        else:  # V = 1 falls to 0 at the first hit and stays there (floor 0, leak -1 then +0)
            first = hits.index(True) if True in hits else 300
            assert column(run, j).tolist() == [t < first for t in range(300)], f"leak {lam}"


@pytest.mark.parametrize("tm, alpha, v", [(3, 1, 3), (17, 1, 2**16), (17, 2**18 - 1, 2**18 + 2**16)])
def test_stochastic_threshold_is_alpha_plus_masked_17bit_draw(sim, tm, alpha, v):
    fab = tiny_fabric([dict(threshold=alpha, threshold_mask=tm, initial=v, reset_mode=2)],
                      outputs=[("out", [0])], neuron_ids=[31])
    run = sim(fab, T, seed=SEED)
    expected = [v >= alpha + (draw(SEED, 31, t, THRESHOLD) & 0x1FFFF & (2**tm - 1))
                for t in range(T)]
    assert column(run, 0).tolist() == expected


def test_negative_reset_threshold_adds_the_same_eta(sim):
    # kappa = 0, linear: V < -(beta + eta) -> V += beta + eta; input -4 every tick
    beta, tm = 2, 3
    fab = driven([dict(weights=[-4, 0, 0, 0], threshold=1000, neg_threshold=beta, neg_mode=0,
                       reset_mode=1, threshold_mask=tm)], [0])
    ids = [int(fab.neuron_ids[0])]
    run = sim(fab, 40, {"in": np.ones((40, 1), bool)}, seed=SEED)
    v, expected = 0, []
    for t in range(40):
        v -= 4
        eta = draw(SEED, ids[0], t, THRESHOLD) & (2**tm - 1)
        if v < -(beta + eta):
            v += beta + eta
        expected.append(v)
    assert run.voltages[0, :, 0].tolist() == expected


def test_draws_use_the_absolute_tick_across_state_resets(sim):
    fab = tiny_fabric([dict(threshold=1, threshold_mask=2, initial=2, reset_mode=2)],
                      outputs=[("out", [0])], neuron_ids=[41])
    run = sim(fab, 60, seed=SEED, reset_at=[20, 40])
    expected = [2 >= 1 + (draw(SEED, 41, t, THRESHOLD) & 3) for t in range(60)]
    assert column(run, 0).tolist() == expected


def test_copies_share_draws_and_others_do_not(sim):
    params = dict(threshold=1, threshold_mask=4, initial=8, reset_mode=2)
    fab = tiny_fabric([params] * 3, outputs=[("out", range(3))], neuron_ids=[51, 51, 52])
    run = sim(fab, T, seed=SEED)
    assert np.array_equal(column(run, 0), column(run, 1))
    assert not np.array_equal(column(run, 0), column(run, 2))


def test_saturating_negative_threshold_ignores_eta(sim):
    # kappa = 1: V < -beta -> V = -beta, whatever eta is (input -4 every tick from -2)
    fab = driven([dict(weights=[-4, 0, 0, 0], threshold=1000, neg_threshold=2, neg_mode=1,
                       threshold_mask=3)], [0])
    run = sim(fab, 40, {"in": np.ones((40, 1), bool)}, seed=SEED)
    assert run.voltages[0, :, 0].tolist() == [-2] * 40


def test_stochastic_reversal_leak_is_not_stopped_at_zero_before_its_draw_hits(sim):
    # |V| = 1 < |lambda| = 100: the deterministic reversal leak would go to 0 at once; the stochastic
    # one moves V by sign(lambda) * sign(V) only in ticks whose draw hits (100 >= rho), then stays
    ids = [61, 62]
    fab = tiny_fabric([dict(leak=-100, stochastic_leak=1, leak_reversal=1, initial=v0,
                            threshold=100, neg_threshold=100) for v0 in (1, -1)],
                      outputs=[("out", range(2))], neuron_ids=ids)
    run = sim(fab, 40, seed=SEED)
    for j, v0 in enumerate((1, -1)):
        hits = [100 >= (draw(SEED, ids[j], t, LEAK) & 0xFF) for t in range(40)]
        first = hits.index(True)
        assert first > 0  # this seed: the draw misses at tick 0, so the test can tell
        expected = [v0 if t < first else 0 for t in range(40)]
        assert run.voltages[0, :, j].tolist() == expected, f"V0 = {v0}"
