"""One test per neuron feature, each against a trace computed by hand from docs/neuron-model.md."""

import numpy as np
import pytest
from .rt_builder import ModelBuilder, relay_chain

from corelet import runtime
from corelet.chip import logical_ids
from corelet.runtime import random

V_MAX, V_MIN = 2**19 - 1, -(2**19)


def one_neuron(weights=(1, 0, 0, 0), types=(0,), in_delay=1, **params):
    """Neuron n[0] on core 0, fed by input pins x[i] on axons i of type types[i]; output 'out'."""
    b = ModelBuilder()
    for i, g in enumerate(types):
        b.axon(0, i, g, source=("x", i)).synapse(0, i, 0)
    b.neuron(0, 0, "n", 0, target="output", weights=list(weights), **params)
    b.input("x", len(types), [(i, 0, i, in_delay) for i in range(len(types))])
    return runtime.fabric_from_model(b.output("out", [(0, 0)]).build())


def run(fabric, x, ticks=None, **kw):
    x = np.asarray(x, bool)
    if x.ndim == 1:
        x = x[:, None]
    res = runtime.simulate(fabric, ticks or x.shape[-2], {"x": x}, probes=["n[0]"], trace=True, **kw)
    return res.outputs["out"][..., 0], res.traces["n[0]"][..., 0]


def test_integration_uses_the_weight_of_the_axon_type():
    fabric = one_neuron(weights=(1, 10, 100, -7), types=(0, 1, 2, 3), threshold=10**5)
    x = [[1, 0, 0, 0], [0, 1, 1, 0], [1, 1, 1, 1], [0, 0, 0, 1]]
    _, v = run(fabric, x)
    assert v[0].tolist() == [1, 111, 111 + 104, 215 - 7]


@pytest.mark.parametrize("weight, threshold, ticks", [(3, 7, 40), (5, 5, 13), (2, 9, 31)])
def test_linear_reset_fires_floor_of_total_over_threshold(weight, threshold, ticks):
    fabric = one_neuron(weights=(weight, 0, 0, 0), threshold=threshold, reset_mode=1)
    x = np.random.default_rng(threshold).random(ticks) < 0.6
    spikes, v = run(fabric, x)
    total = int(x.sum()) * weight
    assert spikes.sum() == total // threshold
    assert v[0, -1] == total % threshold


def test_reset_to_value():
    spikes, v = run(one_neuron(weights=(3, 0, 0, 0), threshold=5, reset_mode=0, reset_value=1),
                    [1, 1, 1, 1])
    assert v[0].tolist() == [3, 1, 4, 1] and spikes[0].tolist() == [0, 1, 0, 1]


def test_the_ideal_profile_runs_a_reset_value_the_chip_cannot_hold():
    from corelet.chip import IDEAL
    b = ModelBuilder(profile=IDEAL)
    b.axon(0, 0, 0, source=("x", 0)).synapse(0, 0, 0)
    b.neuron(0, 0, "n", 0, target="output", weights=[3, 0, 0, 0], threshold=5, reset_mode=0,
             reset_value=2)
    b.input("x", 1, [(0, 0, 0, 1)])
    fabric = runtime.fabric_from_model(b.output("out", [(0, 0)]).build())
    spikes, v = run(fabric, [1, 1, 1, 1])
    assert v[0].tolist() == [3, 2, 2, 2] and spikes[0].tolist() == [0, 1, 1, 1]


def test_no_reset_keeps_integrating():
    spikes, v = run(one_neuron(weights=(3, 0, 0, 0), threshold=5, reset_mode=2), [1, 1, 1])
    assert v[0].tolist() == [3, 6, 9] and spikes[0].tolist() == [0, 1, 1]


def test_negative_threshold_saturates():
    _, v = run(one_neuron(weights=(-3, 0, 0, 0), neg_threshold=7, neg_mode=1), [1, 1, 1, 1])
    assert v[0].tolist() == [-3, -6, -7, -7]


def test_negative_threshold_resets_to_minus_reset_value():
    _, v = run(one_neuron(weights=(-3, 0, 0, 0), neg_threshold=7, neg_mode=0, reset_mode=0,
                          reset_value=1), [1] * 5)
    assert v[0].tolist() == [-3, -6, -1, -4, -7]  # -9 < -7 resets to -1; -7 is not below -7


def test_negative_threshold_linear_adds_beta():
    _, v = run(one_neuron(weights=(-3, 0, 0, 0), neg_threshold=7, neg_mode=0, reset_mode=1),
               [1] * 8)
    assert v[0].tolist() == [-3, -6, -2, -5, -1, -4, -7, -3]


def test_leak_and_leak_reversal():
    _, v = run(one_neuron(leak=-2, initial=10, threshold=100), [0] * 4)
    assert v[0].tolist() == [8, 6, 4, 2]
    # reversal: V += sign(V) * lambda, but a leak toward 0 stops at 0 (no ringing); sign(0) = 0
    _, v = run(one_neuron(leak=-2, leak_reversal=True, initial=5, threshold=100,
                          neg_threshold=100), [0] * 5)
    assert v[0].tolist() == [3, 1, 0, 0, 0]
    _, v = run(one_neuron(leak=-3, leak_reversal=True, initial=-7, threshold=100,
                          neg_threshold=100), [0] * 4)
    assert v[0].tolist() == [-4, -1, 0, 0]
    _, v = run(one_neuron(leak=7, leak_reversal=True, initial=0, threshold=100), [0] * 3)
    assert v[0].tolist() == [0, 0, 0]


def test_membrane_saturates_after_integration_and_after_leak():
    top = one_neuron(weights=(255, 0, 0, 0), leak=-100, initial=V_MAX - 9,
                     threshold=2**18 - 1, reset_mode=2)
    spikes, v = run(top, [1, 0])
    assert v[0].tolist() == [V_MAX - 100, V_MAX - 200]
    bottom = one_neuron(leak=-255, initial=V_MIN + 300, neg_threshold=2**18 - 1, neg_mode=0,
                        reset_mode=2)
    spikes, v = run(bottom, [0, 0, 0])
    assert v[0].tolist() == [V_MIN + 45, V_MIN, V_MIN] and not spikes.any()


@pytest.mark.parametrize("delay", [1, 7, 15])
def test_a_spike_is_integrated_delay_ticks_after_it_fires(delay):
    fabric = runtime.fabric_from_model(relay_chain(delay).output("out", [(0, 1)]).build())
    x = np.zeros((40, 1), bool)
    x[2] = True
    out = runtime.simulate(fabric, 40, {"x": x}, probes=["n[*]"]).probes["n[*]"][0]
    assert np.flatnonzero(out[:, 0]).tolist() == [2]
    assert np.flatnonzero(out[:, 1]).tolist() == [2 + delay]


@pytest.mark.parametrize("delay", [1, 4, 15])
def test_input_row_t_is_integrated_in_tick_t_plus_delay_minus_one(delay):
    spikes, _ = run(one_neuron(in_delay=delay), np.eye(30, 1, -3, dtype=bool))
    assert np.flatnonzero(spikes[0]).tolist() == [3 + delay - 1]


def test_spikes_meeting_on_one_axon_merge():
    b = ModelBuilder()
    b.axon(0, 0, 0, source=("x", 0)).axon(0, 1, 0, source=("a", 0))
    b.synapse(0, 0, 0).synapse(0, 0, 1).synapse(0, 1, 2)
    for k in range(2):  # both relays fire in the same tick onto axon 1
        b.neuron(0, k, "a", k, target=(0, 1, 1), weights=[1, 0, 0, 0])
    b.neuron(0, 2, "n", 0, target="output", weights=[1, 0, 0, 0], threshold=2)
    b.input("x", 1, [(0, 0, 0, 1)]).output("out", [(0, 2)])
    fabric = runtime.fabric_from_model(b.build())
    _, v = run(fabric, [1, 0, 0])
    assert v[0].tolist() == [0, 1, 1]  # one merged spike of weight 1, not two


def test_stochastic_threshold_uses_the_keyed_draw_and_its_rate():
    # even ticks: V = 5, a spike iff 5 >= 1 + eta; odd ticks: -5 takes V back to 0 (floor at 0)
    fabric = one_neuron(weights=(5, -5, 0, 0), types=(0, 1), threshold=1, threshold_mask=4,
                        reset_mode=0, neg_threshold=0, neg_mode=1)
    ticks, batch, seed = 400, 32, 11
    even = np.arange(ticks) % 2 == 0
    spikes, _ = run(fabric, np.stack([even, ~even], axis=1), batch=batch, seed=seed)
    nid = int(logical_ids("n", 0))
    eta = np.array([[random.draw(seed + b, nid, t, random.THRESHOLD) & 15 for t in range(ticks)]
                    for b in range(batch)])
    assert np.array_equal(spikes, even & (5 >= 1 + eta))
    p, n = 5 / 16, ticks // 2 * batch  # spike iff eta <= 4
    assert abs(spikes.sum() - p * n) < 5 * np.sqrt(n * p * (1 - p))


def test_stochastic_synapse_and_leak_use_their_keyed_draws():
    fabric = one_neuron(weights=(64, 0, 0, 0), stochastic_weights=[1, 0, 0, 0], threshold=1,
                        reset_mode=0)
    x = np.random.default_rng(0).random((120, 1)) < 0.7
    spikes, _ = run(fabric, x, seed=5)
    nid, src = int(logical_ids("n", 0)), int(logical_ids("x", 0))
    rho = np.array([random.draw(5, nid, t, random.SYNAPSE, src, 0) & 255 for t in range(120)])
    assert np.array_equal(spikes[0], x[:, 0] & (rho <= 64))  # the chip's |s| >= rho
    leaky = one_neuron(leak=-100, stochastic_leak=True, initial=0, neg_threshold=1000)
    _, v = run(leaky, np.zeros((50, 1)), seed=9)
    rho = np.array([random.draw(9, nid, t, random.LEAK) & 255 for t in range(50)])
    assert np.array_equal(v[0], -np.cumsum(rho <= 100))


def _binomial_band(p: float, n: int, sigmas: float = 5.0) -> tuple[float, float]:
    mean, sd = n * p, (n * p * (1 - p)) ** 0.5
    return mean - sigmas * sd, mean + sigmas * sd


@pytest.mark.parametrize("kind", ["synapse", "leak"])
def test_stochastic_probability_is_the_chips_weight_plus_one_over_256(kind):
    """|s| = 1 hits with probability 2/256 on the chip (|s| >= rho), 1/256 under rho < |s|: over
    64,000 trials the two means are 500 and 250, 11 standard deviations apart, so a 5-sigma band
    around the chip's mean cannot hold the other rule's counts by chance (checked below)."""
    batch, ticks = 64, 1000
    if kind == "synapse":
        fabric = one_neuron(weights=(1, 0, 0, 0), stochastic_weights=[1, 0, 0, 0], threshold=1)
        x = np.ones((ticks, 1), bool)
    else:
        fabric = one_neuron(leak=1, stochastic_leak=True, threshold=1)
        x = np.zeros((ticks, 1), bool)
    spikes, _ = run(fabric, x, batch=batch, seed=77)
    n = batch * ticks
    low, high = _binomial_band(2 / 256, n)
    old_low, old_high = _binomial_band(1 / 256, n)
    assert old_high < low  # the band separates the two rules
    assert low <= spikes.sum() <= high, (int(spikes.sum()), low, high)


def test_stochastic_weight_255_always_adds_and_0_never_moves_v():
    fabric = one_neuron(weights=(255, 0, 0, 0), types=(0, 1), stochastic_weights=[1, 1, 0, 0],
                        threshold=10**5)
    x = np.zeros((300, 2), bool)
    x[:, 0] = True
    x[::2, 1] = True  # weight 0 (type 1): its draw hits when rho = 0, but it adds sign(0) = 0
    _, v = run(fabric, x)
    assert v[0].tolist() == list(range(1, 301))
