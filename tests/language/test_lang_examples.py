"""The DESIGN.md TrueHappiness sketch and the walking-skeleton example."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corelet import language
from .lang_helpers import TRUEHAPPINESS, edges

ROOT = Path(__file__).resolve().parents[2]



def test_true_happiness_sketch():
    # W1[i, j] = (i + j) % 16 - 8 covers every 4-bit value; W2[i] = 1 for even i, -8 for odd.
    i, j = np.meshgrid(np.arange(64), np.arange(64), indexing="ij")
    w1 = (i + j) % 16 - 8
    w2 = np.where(np.arange(64) % 2 == 0, 1, -8).reshape(64, 1)
    net = language.elaborate_source(TRUEHAPPINESS, params={"W1": w1, "W2": w2})
    assert net.n_neurons == 64 + 1
    assert [(p.path, p.size) for p in net.populations] == [("hid.h", 64), ("out.h", 1)]
    # popcount of the 4-bit pattern of v: each of the 16 values appears 256 times in W1
    bits = {v: bin(v & 0xF).count("1") for v in range(-8, 8)}
    assert sum(bits.values()) == 32
    hidden_synapses = 256 * 32
    out_synapses = 32 * 1 + 32 * 1  # value 1 sets bit 0; value -8 sets bit 3
    assert len(net.connections) == hidden_synapses + out_synapses
    found = edges(net)
    assert ("word[0]", "hid.h[0]", 3, 1) in found  # W1[0, 0] = -8: bit 3 only
    assert not any(e[:2] == ("word[0]", "hid.h[8]") for e in found)  # W1[0, 8] = 0
    assert {e[2] for e in found if e[:2] == ("word[7]", "hid.h[0]")} == {0, 1, 2, 3}  # -1
    assert {e[2] for e in found if e[1] == "out.h[0]" and e[0] == "hid.h[1]"} == {3}
    assert net.output("score").neurons.tolist() == [64]
    assert net.inputs[0].name == "word" and net.inputs[0].width == 64


def simulate_reference(net: language.Network, raster: np.ndarray, ticks: int) -> np.ndarray:
    """A plain reference of the deterministic neuron model (docs/neuron-model.md) for this test:
    integrate, leak, threshold with linear or value reset, floor; spikes (ticks, neurons)."""
    p, c = net.params, net.connections
    v = p.initial.astype(np.int64).copy()
    spikes = np.zeros((ticks, net.n_neurons), dtype=bool)
    for t in range(ticks):
        for s, d, g, dl in zip(c.src, c.dst, c.axon_type, c.delay):
            if s < net.n_neurons:
                fired = t - dl >= 0 and spikes[t - dl, s]
            else:
                row = t - dl + 1
                fired = 0 <= row < len(raster) and raster[row, s - net.n_neurons]
            if fired:
                v[d] += p.weights[d, g]
        v += p.leak
        for n in range(net.n_neurons):
            if v[n] >= p.threshold[n]:
                spikes[t, n] = True
                v[n] = v[n] - p.threshold[n] if p.reset_mode[n] == 1 else p.reset_value[n]
            elif v[n] < -p.neg_threshold[n]:
                v[n] = -p.neg_threshold[n]
    return spikes


def test_skeleton_example_spikes_match_the_hand_computation_in_its_comments():
    net = language.elaborate_file(ROOT / "examples" / "skeleton.corelet")
    assert [p.path for p in net.populations] == ["a", "b", "c"]
    assert edges(net) == {("x[0]", "a[0]", 0, 1), ("x[1]", "a[0]", 1, 1),
                          ("x[1]", "b[0]", 0, 1), ("a[0]", "c[0]", 2, 2)}
    assert net.params.threshold.tolist() == [2, 3, 2]
    raster = np.load(ROOT / "examples" / "skeleton_input.npz")["x"]
    spikes = simulate_reference(net, raster, ticks=10)
    fired = {name: np.flatnonzero(spikes[:, i]).tolist() for i, name in enumerate("abc")}
    assert fired == {"a": [1, 6], "b": [4], "c": [3, 8]}
    assert net.output("y").neurons.tolist() == [0, 1, 2]
