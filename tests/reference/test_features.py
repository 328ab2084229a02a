"""One test per neuron feature of docs/neuron-model.md, with traces computed by hand.

Every test runs twice, on the scalar reference and on the runtime (the ``sim`` fixture), and checks
both against the expected spikes and membrane potentials written out here, never against each other.
"""

from __future__ import annotations

import numpy as np
import pytest

from .refsim import driven, raster, tiny_fabric

V_MIN, V_MAX = -(2**19), 2**19 - 1
A_MAX = 2**18 - 1
LINEAR, VALUE, NONE = 1, 0, 2


def fired(run, pin=0, b=0, name="out") -> list[int]:
    return np.flatnonzero(run.outputs[name][b, :, pin]).tolist()


def trace(run, j=0, b=0) -> list[int]:
    return [int(v) for v in run.voltages[b, :, j]]


def every_tick(ticks):
    return list(range(ticks))


# -- reset modes ------------------------------------------------------------------------------
def test_linear_reset_hand_trace(sim):
    fab = driven([dict(weights=[2, 3, 0, 0], threshold=3, reset_mode=LINEAR)], [0, 1])
    run = sim(fab, 6, {"in": raster(6, 2, {0: [0, 1], 1: [2]})})
    # V: 2 | 4 >= 3 spike -> 1 | 1 + 3 = 4 spike -> 1 | 1 | 1 | 1
    assert fired(run) == [1, 2]
    assert trace(run) == [2, 1, 1, 1, 1, 1]


@pytest.mark.parametrize("alpha", [1, 3, 7, 100])
def test_linear_reset_count_is_floor_of_total_over_threshold(sim, alpha):
    weights = [1, 5, 17, 255]
    spikes = np.random.default_rng(alpha).random((30, 4)) < 0.3
    total = int((spikes * np.array(weights)).sum())
    ticks = 30 + total // alpha + 1  # one spike per tick at most: leave time to drain
    inp = np.zeros((ticks, 4), bool)
    inp[:30] = spikes
    fab = driven([dict(weights=weights, threshold=alpha, reset_mode=LINEAR)], [0, 1, 2, 3])
    run = sim(fab, ticks, {"in": inp})
    assert len(fired(run)) == total // alpha
    assert trace(run)[-1] == total % alpha


def test_floor_at_zero_makes_relu(sim):
    # beta = 0, kappa = 1 (the defaults): a negative input is forgotten, so -5 then +3 gives a spike
    fab = driven([dict(weights=[-5, 3, 0, 0], threshold=3, reset_mode=LINEAR)], [0, 1])
    run = sim(fab, 3, {"in": raster(3, 2, {0: [0], 1: [1]})})
    assert trace(run) == [0, 0, 0]
    assert fired(run) == [1]


def test_reset_to_value_and_no_floor_in_a_spike_tick(sim):
    fab = driven([dict(weights=[3, 0, 0, 0], threshold=4, reset_mode=VALUE, reset_value=-2)], [0])
    run = sim(fab, 7, {"in": raster(7, 1, {0: range(6)})})
    # V: 3 | 6 spike -> R = -2, kept although -2 < -beta = 0 (step 4 only without a spike)
    #    | 1 | 4 spike -> -2 | 1 | 4 spike -> -2 | no input: -2 < 0 floored to 0
    assert fired(run) == [1, 3, 5]
    assert trace(run) == [3, -2, 1, -2, 1, -2, 0]


def test_no_reset(sim):
    fab = driven([dict(weights=[2, 0, 0, 0], threshold=5, reset_mode=NONE)], [0])
    run = sim(fab, 6, {"in": raster(6, 1, {0: range(4)})})
    assert trace(run) == [2, 4, 6, 8, 8, 8]
    assert fired(run) == [2, 3, 4, 5]


# -- negative threshold -----------------------------------------------------------------------
STORE, CLOCK, UP, DOWN = 0, 1, 2, 3


def store_and_release(beta=200):
    return driven([dict(weights=[-250, 100, 1, -1], threshold=1, reset_mode=LINEAR,
                        neg_threshold=beta, neg_mode=1)], [STORE, CLOCK, UP, DOWN])


def test_store_saturates_and_release_gives_the_stored_count(sim):
    inp = raster(10, 4, {STORE: [0], CLOCK: [1, 5], UP: [2, 3, 4]})
    run = sim(store_and_release(), 10, {"in": inp})
    assert trace(run) == [-200, -100, -99, -98, -97, 2, 1, 0, 0, 0]
    assert fired(run) == [5, 6, 7]


def test_store_counts_net_spikes_both_signs(sim):
    inp = raster(13, 4, {STORE: [0], CLOCK: [1, 8], UP: [2, 3, 4, 5, 6], DOWN: [3, 7]})
    run = sim(store_and_release(), 13, {"in": inp})
    # stored -100 + 5 - 2 = -97; release -> 3 -> three spikes
    assert trace(run)[7] == -97
    assert fired(run) == [8, 9, 10]


def test_store_without_the_floor_does_not_close(sim):
    inp = raster(10, 4, {STORE: [0], CLOCK: [1, 5], UP: [2, 3, 4]})
    run = sim(store_and_release(beta=A_MAX), 10, {"in": inp})
    assert trace(run)[5] == -250 + 100 + 3 + 100
    assert fired(run) == []


@pytest.mark.parametrize("gamma, expected", [
    (VALUE, [-7, -7, -7, -10]),      # V < -10: V = -R = -7; -10 is not below -10
    (LINEAR, [-5, -10, -15, -8]),    # V < -10: V = V + 10
    (NONE, [-15, -30, -45, -48]),    # unchanged
])
def test_negative_reset_modes(sim, gamma, expected):
    fab = driven([dict(weights=[-15, -3, 0, 0], threshold=1, reset_mode=gamma, reset_value=7,
                       neg_threshold=10, neg_mode=0)], [0, 1])
    run = sim(fab, 4, {"in": raster(4, 2, {0: [0, 1, 2], 1: [3]})})
    assert trace(run) == expected
    assert fired(run) == []


# -- leak -------------------------------------------------------------------------------------
def test_leak_decays_to_the_floor(sim):
    fab = tiny_fabric([dict(leak=-2, initial=9, threshold=100)], outputs=[("out", [0])])
    assert trace(sim(fab, 6)) == [7, 5, 3, 1, 0, 0]


def test_positive_leak_is_a_bias_that_fires(sim):
    fab = tiny_fabric([dict(leak=3, threshold=10)], outputs=[("out", [0])])
    run = sim(fab, 12)
    assert trace(run) == [3, 6, 9, 0] * 3
    assert fired(run) == [3, 7, 11]


def test_leak_comes_before_the_threshold(sim):
    fab = driven([dict(weights=[8, 0, 0, 0], leak=-1, threshold=8)], [0])
    run = sim(fab, 2, {"in": raster(2, 1, {0: [0]})})
    assert trace(run) == [7, 6]
    assert fired(run) == []


def test_leak_reversal_stops_at_zero_instead_of_crossing_it(sim):
    starts = [10, -10, 0, -1, 1, 0, 9, 4]
    leaks = [-3, -3, -3, 2, 2, 2, -3, -3]
    fab = tiny_fabric([dict(leak=lam, leak_reversal=1, initial=v0, threshold=100,
                            neg_threshold=100) for v0, lam in zip(starts, leaks)],
                      outputs=[("out", range(8))])
    run = sim(fab, 6)
    assert trace(run, 0) == [7, 4, 1, 0, 0, 0]        # toward 0, and stops there (1 - 3 -> 0)
    assert trace(run, 1) == [-7, -4, -1, 0, 0, 0]
    assert trace(run, 2) == [0] * 6                   # sign(0) = 0: no leak at all
    assert trace(run, 3) == [-3, -5, -7, -9, -11, -13]  # positive lambda pushes away from 0
    assert trace(run, 4) == [3, 5, 7, 9, 11, 13]
    assert trace(run, 5) == [0] * 6
    assert trace(run, 6) == [6, 3, 0, 0, 0, 0]        # lands on 0 exactly
    assert trace(run, 7) == [1, 0, 0, 0, 0, 0]


def test_leak_reversal_stop_at_zero_is_against_the_potential_after_integration(sim):
    # input +5 in tick 0 only, leak -3 with reversal, V0 = -2: tick 0 integrates to 3, leaks to 0;
    # had the leak used V before integration (sign -1) it would have pushed V to 6.
    fab = driven([dict(weights=[5, 0, 0, 0], leak=-3, leak_reversal=1, initial=-2, threshold=100,
                       neg_threshold=100)], [0])
    run = sim(fab, 3, {"in": raster(3, 1, {0: [0]})})
    assert trace(run, 0) == [0, 0, 0]


# -- binomial checks --------------------------------------------------------------------------
def assert_binomial(successes: int, trials: int, p: float, sigmas: float = 5.0) -> None:
    mean, sd = trials * p, (trials * p * (1 - p)) ** 0.5
    assert abs(successes - mean) <= sigmas * sd + 1e-9, (successes, trials, p)


N_STAT, T_STAT = 40, 100  # 4000 trials per statistical test


def test_stochastic_leak_rate(sim):
    # each tick V = 0 + 1 with probability (64 + 1)/256 (the chip's |lambda| >= rho), which
    # spikes (threshold 1) and resets to 0
    fab = tiny_fabric([dict(leak=64, stochastic_leak=1, threshold=1)] * N_STAT,
                      outputs=[("out", range(N_STAT))])
    run = sim(fab, T_STAT, seed=11)
    assert_binomial(int(run.outputs["out"].sum()), N_STAT * T_STAT, 65 / 256)


def test_stochastic_leak_with_reversal_moves_toward_zero(sim):
    half = N_STAT // 2
    neurons = ([dict(leak=-100, stochastic_leak=1, leak_reversal=1, initial=1000,
                     threshold=A_MAX)] * half
               + [dict(leak=-100, stochastic_leak=1, leak_reversal=1, initial=-1000,
                       threshold=A_MAX, neg_threshold=2000)] * half)
    fab = tiny_fabric(neurons, outputs=[("out", range(N_STAT))])
    v = sim(fab, T_STAT, seed=5).voltages[0, -1]
    steps = (1000 - v[:half]).sum() + (v[half:] + 1000).sum()
    assert (v[:half] <= 1000).all() and (v[half:] >= -1000).all()
    assert_binomial(int(steps), N_STAT * T_STAT, 101 / 256)


@pytest.mark.parametrize("weight", [77, 255, 0])
def test_stochastic_synapse_rate(sim, weight):
    fab = driven([dict(weights=[weight, 0, 0, 0], stochastic_weights=[1, 0, 0, 0],
                       threshold=1)] * N_STAT, [0])
    run = sim(fab, T_STAT, {"in": np.ones((T_STAT, 1), bool)}, seed=3)
    count = int(run.outputs["out"].sum())
    if weight == 0:
        assert count == 0  # the draw hits when rho = 0 (1/256), but adds sign(0) = 0
    elif weight == 255:
        assert count == N_STAT * T_STAT  # 255 >= rho always: a weight of 255 always adds 1
    else:
        assert_binomial(count, N_STAT * T_STAT, (weight + 1) / 256)


def test_negative_stochastic_synapse_rate(sim):
    # +1 every tick (deterministic) and -1 with probability 78/256: spikes when the -1 misses
    fab = driven([dict(weights=[1, -77, 0, 0], stochastic_weights=[0, 1, 0, 0],
                       threshold=1)] * N_STAT, [0, 1])
    run = sim(fab, T_STAT, {"in": np.ones((T_STAT, 2), bool)}, seed=4)
    assert_binomial(int(run.outputs["out"].sum()), N_STAT * T_STAT, 1 - 78 / 256)


@pytest.mark.parametrize("tm, alpha, v, p", [
    (3, 1, 3, 3 / 8),            # fires when eta <= 2
    (5, 10, 20, 11 / 32),        # eta <= 10
    (17, 1, 2**16, 1 / 2),       # eta <= 2^16 - 1
])
def test_stochastic_threshold_rate(sim, tm, alpha, v, p):
    fab = tiny_fabric([dict(threshold=alpha, threshold_mask=tm, initial=v,
                            reset_mode=NONE)] * N_STAT, outputs=[("out", range(N_STAT))])
    run = sim(fab, T_STAT, seed=tm)
    assert_binomial(int(run.outputs["out"].sum()), N_STAT * T_STAT, p)


def test_stochastic_threshold_range_is_alpha_to_alpha_plus_mask(sim):
    alpha, tm = 50, 4
    fab = tiny_fabric([dict(threshold=alpha, threshold_mask=tm, initial=alpha + 2**tm - 1,
                            reset_mode=NONE),
                       dict(threshold=alpha, threshold_mask=tm, initial=alpha - 1,
                            reset_mode=NONE)], outputs=[("out", [0, 1])])
    run = sim(fab, 200, seed=9)
    assert fired(run, 0) == list(range(200))  # V at the top of the range: always
    assert fired(run, 1) == []                # V below alpha: never


# -- delays, inputs, merging ------------------------------------------------------------------
def relay_pair(delay: int, input_delay: int = 1):
    """Input pin -> A (axon 0); A -> axon 1 with ``delay`` -> B. Output 'out' = [A, B]."""
    return tiny_fabric([dict(weights=[1, 0, 0, 0])] * 2, axons=[0, 0],
                       synapses=[(0, 0), (1, 1)], routes=[(0, 1, delay)],
                       inputs=[("in", 1)], input_routes=[(0, 0, input_delay)],
                       outputs=[("out", [0, 1])])


@pytest.mark.parametrize("delay", [1, 2, 7, 15, 16, 40])
def test_spike_fired_in_t_is_integrated_in_t_plus_delay(sim, delay):
    ticks = delay + 6
    run = sim(relay_pair(delay), ticks, {"in": raster(ticks, 1, {0: [2]})})
    assert fired(run, 0) == [2]
    assert fired(run, 1) == [2 + delay]


@pytest.mark.parametrize("input_delay", [1, 2, 15])
def test_input_row_t_is_integrated_in_t_plus_delay_minus_one(sim, input_delay):
    ticks = input_delay + 6
    run = sim(relay_pair(1, input_delay), ticks, {"in": raster(ticks, 1, {0: [3]})})
    assert fired(run, 0) == [3 + input_delay - 1]
    assert fired(run, 1) == [3 + input_delay]


def test_two_inputs_on_one_axon_in_one_tick_merge(sim):
    fab = tiny_fabric([dict(weights=[1, 0, 0, 0], threshold=2)], axons=[0], synapses=[(0, 0)],
                      inputs=[("in", 2)], input_routes=[(0, 0, 1), (1, 0, 1)],
                      outputs=[("out", [0])])
    run = sim(fab, 4, {"in": raster(4, 2, {0: [0, 2], 1: [0]})})
    assert trace(run) == [1, 1, 0, 0]  # tick 0 adds 1, not 2; tick 2 reaches 2 and fires
    assert fired(run) == [2]


def test_input_and_neuron_spike_on_one_axon_merge(sim):
    # A fires in tick 0 and reaches axon 1 in tick 2; pin 1 reaches axon 1 in tick 2 too
    fab = tiny_fabric([dict(weights=[1, 0, 0, 0]), dict(weights=[1, 0, 0, 0], threshold=2)],
                      axons=[0, 0], synapses=[(0, 0), (1, 1)], routes=[(0, 1, 2)],
                      inputs=[("in", 2)], input_routes=[(0, 0, 1), (1, 1, 1)],
                      outputs=[("out", [0, 1])])
    run = sim(fab, 4, {"in": raster(4, 2, {0: [0], 1: [2]})})
    assert fired(run, 0) == [0]
    assert trace(run, 1) == [0, 0, 1, 1]
    assert fired(run, 1) == []


def test_two_routes_landing_in_one_tick_merge(sim):
    # A fires in 0 (delay 3), A' in 1 (delay 2): both reach axon 2 in tick 3
    fab = tiny_fabric([dict(weights=[1, 0, 0, 0])] * 2 + [dict(weights=[1, 0, 0, 0],
                                                               threshold=2)],
                      axons=[0, 0, 0], synapses=[(0, 0), (1, 1), (2, 2)],
                      routes=[(0, 2, 3), (1, 2, 2)], inputs=[("in", 2)],
                      input_routes=[(0, 0, 1), (1, 1, 1)], outputs=[("out", [0, 1, 2])])
    run = sim(fab, 5, {"in": raster(5, 2, {0: [0], 1: [1]})})
    assert trace(run, 2) == [0, 0, 0, 1, 1]


# -- membrane range ---------------------------------------------------------------------------
def test_membrane_saturates_at_the_top_after_integration_then_leaks(sim):
    fab = driven([dict(weights=[255, 0, 0, 0], leak=-100, initial=V_MAX - 5, threshold=A_MAX,
                       reset_mode=NONE)], [0])
    run = sim(fab, 3, {"in": raster(3, 1, {0: [0]})})
    # clamp(V_MAX - 5 + 255) = V_MAX, then leak: V_MAX - 100 (without the first clamp: V_MAX)
    assert trace(run) == [V_MAX - 100, V_MAX - 200, V_MAX - 300]
    assert fired(run) == [0, 1, 2]


def test_membrane_saturates_at_the_bottom(sim):
    fab = driven([dict(weights=[-255, 0, 0, 0], leak=100, initial=V_MIN + 5, reset_mode=NONE,
                       neg_threshold=A_MAX, neg_mode=0)], [0])
    run = sim(fab, 2, {"in": raster(2, 1, {0: [0]})})
    assert trace(run) == [V_MIN + 100, V_MIN + 200]


def test_leak_saturates(sim):
    fab = tiny_fabric([dict(leak=255, initial=V_MAX - 1, threshold=A_MAX, reset_mode=NONE),
                       dict(leak=-255, initial=V_MIN + 1, reset_mode=NONE,
                            neg_threshold=A_MAX, neg_mode=0)], outputs=[("out", [0, 1])])
    run = sim(fab, 2)
    assert trace(run, 0) == [V_MAX, V_MAX]
    assert trace(run, 1) == [V_MIN, V_MIN]


# -- library consequences ---------------------------------------------------------------------
def test_eedn_binary_neuron(sim):
    # y(t) = [x(t) + L >= 1], V = 0 after every tick
    leak = -2
    fab = driven([dict(weights=[1, -1, 3, 0], leak=leak, threshold=1)], [0, 1, 2])
    inp = np.random.default_rng(0).random((40, 3)) < 0.5
    run = sim(fab, 40, {"in": inp})
    x = inp @ np.array([1, -1, 3])
    assert fired(run) == np.flatnonzero(x + leak >= 1).tolist()
    assert trace(run) == [0] * 40


def test_and_gate_of_one_tick(sim):
    fab = driven([dict(weights=[1, 1, 0, 0], leak=-1, threshold=1)], [0, 1])
    inp = np.random.default_rng(1).random((40, 2)) < 0.5
    run = sim(fab, 40, {"in": inp})
    assert fired(run) == np.flatnonzero(inp[:, 0] & inp[:, 1]).tolist()


def test_and_gate_threshold_two_over_reset_windows(sim):
    fab = driven([dict(weights=[1, 1, 0, 0], threshold=2)], [0, 1])
    windows, width = 10, 4
    rng = np.random.default_rng(2)
    inp = np.zeros((windows * width, 2), bool)
    expected = []
    for w in range(windows):
        times = rng.integers(0, width, 2)
        present = rng.random(2) < 0.7
        for pin in range(2):
            if present[pin]:
                inp[w * width + times[pin], pin] = True
        if present.all():
            expected.append(w * width + int(times.max()))
    run = sim(fab, windows * width, {"in": inp}, reset_at=range(width, windows * width, width))
    assert fired(run) == expected


# -- state reset ------------------------------------------------------------------------------
def test_state_reset_restores_v0_and_drops_pending_spikes(sim):
    fab = tiny_fabric(
        [dict(weights=[1, 0, 0, 0]),                       # A: relays pin 0
         dict(weights=[1, 0, 0, 0]),                       # B: on axon 1
         dict(weights=[1, 0, 0, 0], threshold=100, initial=5)],  # C: counts pin 0 from 5
        axons=[0, 0], synapses=[(0, 0), (1, 1), (0, 2)], routes=[(0, 1, 4)],
        inputs=[("in", 2)], input_routes=[(0, 0, 1), (1, 1, 2)], outputs=[("out", [0, 1, 2])])
    inp = raster(10, 2, {0: [1, 4], 1: [5, 6]})
    run = sim(fab, 10, {"in": inp}, reset_at=[6])
    assert fired(run, 0) == [1, 4]
    # A@1 reaches B in 5; A@4 would reach it in 8 but is dropped by the reset at 6; pin 1 row 5
    # (due in 6) was in flight at the reset and is dropped; row 6 (due in 7) belongs to the new
    # segment
    assert fired(run, 1) == [5, 7]
    assert trace(run, 2) == [5, 6, 6, 6, 7, 7, 5, 5, 5, 5]


def test_batch_samples_use_seed_plus_b(sim):
    fab = tiny_fabric([dict(threshold=1, threshold_mask=2, initial=2, reset_mode=NONE)] * 3,
                      outputs=[("out", range(3))])
    together = sim(fab, 30, seed=7, batch=3).outputs["out"]
    for b in range(3):
        alone = sim(fab, 30, seed=7 + b).outputs["out"]
        assert np.array_equal(together[b], alone[0])
