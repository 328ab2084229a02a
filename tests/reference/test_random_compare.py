"""The runtime against the scalar reference on random small fabrics, spike for spike, tick for tick.

Each case is drawn by a seeded generator and covers every mode at once: deterministic and
stochastic synapses, leak with reversal and stochastic leak, stochastic thresholds, all reset and
negative modes, membrane saturation, delays beyond the chip's 15, recurrence, spikes merging on one
axon, copies sharing a logical id, shared synapse draws, several inputs and outputs, state resets,
and batches with per-sample seeds (up to 8, where the runtime switches to block-dense integration).
Membrane potentials are compared too.
"""

from __future__ import annotations

import numpy as np
import pytest

from . import refsim
from .conftest import run_runtime

V_MIN, V_MAX = -(2**19), 2**19 - 1
CASES = 150


def _neuron(rng: np.random.Generator) -> dict:
    big = rng.random() < 0.15  # near the ends of the membrane range, with large weights
    scale = 255 if big else int(rng.choice([3, 10, 40]))
    stoch = rng.random(4) < 0.3
    weights = rng.integers(-scale, scale + 1, 4)
    weights[stoch] = rng.integers(-255, 256, int(stoch.sum()))  # stochastic: any probability
    stochastic_leak = rng.random() < 0.25
    leak_span = 255 if stochastic_leak else 4
    tm = int(rng.choice([0, 0, 0, 1, 3, 6, 17]))
    p = dict(
        weights=weights.tolist(), stochastic_weights=stoch.tolist(),
        leak=int(rng.integers(-leak_span, leak_span + 1)), stochastic_leak=bool(stochastic_leak),
        leak_reversal=bool(rng.random() < 0.3),
        threshold=int(rng.choice([1, 2, 5, 20, 60, 2**18 - 1])),
        neg_threshold=int(rng.choice([0, 0, 5, 30, 2**18 - 1])),
        threshold_mask=tm,
        reset_mode=int(rng.integers(0, 3)), neg_mode=int(rng.integers(0, 2)),
        reset_value=int(rng.integers(-20, 21)),
        initial=int(rng.integers(-30, 31)),
    )
    if big:
        p["initial"] = int(rng.choice([V_MIN + 100, V_MAX - 100]))
        p["neg_threshold"] = 2**18 - 1
    return p


def random_case(case: int):
    """(fabric, ticks, inputs, seed, batch, reset_at) for one case number."""
    rng = np.random.default_rng(1000 + case)
    n, a = int(rng.integers(3, 11)), int(rng.integers(4, 13))
    neurons = [_neuron(rng) for _ in range(n)]
    if rng.random() < 0.3:  # one mode for all neurons (the runtime has shortcuts for that)
        for field in ("reset_mode", "neg_mode"):
            value = neurons[0][field]
            for p in neurons:
                p[field] = value
    ids = rng.integers(1, 2**63, n)
    for j in range(n):  # copies share their original's id
        if rng.random() < 0.15:
            ids[j] = ids[rng.integers(0, n)]
    sources = rng.integers(1, 2**63, a)
    for i in range(a):  # two axons of one source share their synapse draws
        if rng.random() < 0.15:
            sources[i] = sources[rng.integers(0, a)]
    synapses = [(i, j) for i in range(a) for j in range(n) if rng.random() < 0.45]
    routes = [(j, int(rng.integers(0, a)), int(rng.choice([1, 1, 2, 3, 5, 15, 16, 21, 70])))
              for j in range(n) for _ in range(int(rng.integers(0, 3)))]
    widths = [int(w) for w in rng.integers(1, 4, int(rng.integers(1, 3)))]
    inputs = [(f"in{k}", w) for k, w in enumerate(widths)]
    input_routes = [(pin, int(rng.integers(0, a)), int(rng.choice([1, 1, 2, 4, 15, 17])))
                    for pin in range(sum(widths)) for _ in range(int(rng.integers(1, 3)))]
    outputs = [(f"out{k}", sorted(rng.choice(n, int(rng.integers(1, n + 1)), replace=False)))
               for k in range(int(rng.integers(1, 3)))]
    fabric = refsim.tiny_fabric(neurons, axons=rng.integers(0, 4, a).tolist(), synapses=synapses,
                                routes=routes, inputs=inputs, input_routes=input_routes,
                                outputs=outputs, axon_sources=sources.tolist(),
                                neuron_ids=ids.tolist())
    ticks = int(rng.integers(30, 61))
    batch = int(rng.choice([1, 1, 2, 3, 8]))  # 8 and more: the runtime's block-dense path
    rate = rng.choice([0.1, 0.3, 0.6])
    per_sample = rng.random() < 0.5
    rasters = {}
    for name, w in inputs:
        ticks_in = int(rng.integers(ticks // 2, ticks + 1))
        shape = (batch, ticks_in, w) if per_sample else (ticks_in, w)
        rasters[name] = rng.random(shape) < rate
    reset_at = sorted(set(rng.integers(0, ticks, int(rng.integers(0, 3))).tolist()))
    seed = int(rng.integers(0, 2**31))
    if per_sample and rng.random() < 0.5:
        batch = None  # inferred from the 3-d inputs
    return fabric, ticks, rasters, seed, batch, reset_at


def first_mismatch(expected: np.ndarray, got: np.ndarray) -> str:
    b, t, k = np.argwhere(expected != got)[0]
    return f"sample {b} tick {t} column {k}: expected {expected[b, t, k]}, got {got[b, t, k]}"


@pytest.mark.parametrize("case", range(CASES))
def test_runtime_equals_reference(case, kernel):
    fabric, ticks, inputs, seed, batch, reset_at = random_case(case)
    ref = refsim.simulate(fabric, ticks, inputs, seed=seed, batch=batch, reset_at=reset_at)
    got = run_runtime(fabric, ticks, inputs, seed=seed, batch=batch, reset_at=reset_at)
    # not a comparison of two idle runs: some neuron spikes or some membrane moves (a few random
    # cases have no spike at all; their membranes are what is compared)
    assert ref.spikes.any() or (ref.voltages != ref.voltages[:, :1]).any(), "an idle run"
    for name, expected in ref.outputs.items():
        actual = np.asarray(got.outputs[name])
        assert actual.shape == expected.shape, name
        assert np.array_equal(actual, expected), f"output {name}: " + first_mismatch(expected, actual)
    assert got.voltages.shape == ref.voltages.shape
    assert np.array_equal(got.voltages, ref.voltages), (
        "membrane: " + first_mismatch(ref.voltages, got.voltages))


def test_cases_cover_every_mode():
    """The generator really reaches the modes it claims to (a guard against a silent narrowing)."""
    seen = {k: set() for k in ("reset_mode", "neg_mode", "stochastic_leak", "leak_reversal")}
    stochastic_synapse = threshold_mask = long_delay = reset = batched = dense = False
    for case in range(CASES):
        fabric, ticks, inputs, seed, batch, reset_at = random_case(case)
        p = fabric.params
        for field, values in seen.items():
            values.update(getattr(p, field).astype(int).tolist())
        stochastic_synapse |= bool(p.stochastic_weights.any())
        threshold_mask |= bool((p.threshold_mask == 17).any())
        long_delay |= bool((fabric.route_delay > 15).any())
        reset |= bool(reset_at)
        batched |= (batch or 0) > 1
        dense |= max([batch or 0] + [x.shape[0] for x in inputs.values() if x.ndim == 3]) >= 8
    assert all(len(v) >= 2 for v in seen.values()), seen
    assert len(seen["reset_mode"]) == 3
    assert stochastic_synapse and threshold_mask and long_delay and reset and batched and dense
