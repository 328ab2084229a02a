"""Tests of library/splitter.corelet: every copy of a pin is that pin's raster, in the same tick,
for several widths and copy counts (one core and several), also when a neuron drives it."""

from __future__ import annotations

import numpy as np
import pytest

from corelet import language

from tests.library.lib_helpers import cores_used, elaborate, run_compiled, spike_ticks

USE = 'use Splitter from "splitter"\n'


@pytest.mark.parametrize("n, k, density", [
    (1, 1, 0.5),
    (1, 4, 0.5),
    (5, 4, 0.3),
    (64, 4, 0.2),      # seed 000: 64 words, 4 copies each, one core of 256 neurons
    (100, 3, 0.5),     # 300 copies: more than one core
    (7, 40, 0.1),      # many copies of few pins: 280 neurons
])
def test_copies_are_exact_in_the_same_tick(n, k, density):
    ticks, batch = 40, 2
    rng = np.random.default_rng(1000 * n + k)
    x = rng.random((batch, ticks, n)) < density
    net = elaborate(USE, {"n": n, "k": k}, top="Splitter")
    y = run_compiled(net, ticks, {"x": x})["y"]
    assert y.shape == (batch, ticks, n * k)
    y = y.reshape(batch, ticks, n, k)        # y[i, c] is flat pin i * k + c
    for c in range(k):
        assert np.array_equal(y[:, :, :, c], x), f"copy {c} differs from its input"
    # each output spike is one of the input spikes, k times over (no extra spikes anywhere)
    assert y.sum() == k * x.sum()


def test_default_is_four_copies_and_placement():
    net = elaborate(USE, {"n": 64}, top="Splitter")
    assert net.n_neurons == 64 * 4
    assert cores_used(net, "packer") == 1           # seed 000's splitter core
    x = np.eye(64, dtype=bool)                     # pin i alone in tick i
    y = run_compiled(net, 64, {"x": x})["y"][0]
    assert spike_ticks(y) == [[i] for i in range(64) for _ in range(4)]


def test_fed_by_a_neuron_inside_a_corelet():
    """A relay neuron inside the corelet fires in the tick its input row arrives (t); its spike
    reaches the splitter in t + 1 (delay 1) and the copies fire in t + 1; the pin's own spike
    trains are checked too, against the raster."""
    src = USE + """
    corelet Fed(n: int, k: int) {
        input x[n]
        output src[n]
        output y[n, k]
        neurons h[n] = neuron { weights = [1, 0, 0, 0]; threshold = 1; floor = 0 }
        s = Splitter(n = n, k = k)
        x -> h
        h -> s.x
        src = h
        y = s.y
    }
    """
    n, k, ticks = 6, 3, 50
    x = np.random.default_rng(7).random((ticks - 1, n)) < 0.4
    out = run_compiled(elaborate(src, {"n": n, "k": k}, top="Fed"), ticks, {"x": x})
    assert np.array_equal(out["src"][0, :ticks - 1], x) and not out["src"][0, -1].any()
    y = out["y"][0].reshape(ticks, n, k)
    assert not y[0].any()
    for c in range(k):
        assert np.array_equal(y[1:, :, c], x)


def test_four_axon_weights_behind_a_splitter():
    """Seed 000's use: the four copies of a pin reach one neuron on axon types 0..3 with weights
    1, 2, 4, -8, so a pin with copies picked by the bits of w adds w (a 4-bit two's complement
    weight). The sum neuron (threshold 1, reset to 0, floor 0, leak -1) fires in tick t iff
    sum_i w[i] x[t, i] > 1, computed here with numpy; it sits one tick behind the splitter."""
    src = USE + """
    corelet Weighted(w: int[n]) {
        input x[n]
        output y
        neurons acc = neuron { weights = [1, 2, 4, -8]; threshold = 1; leak = -1; floor = 0 }
        s = Splitter(n = n, k = 4)
        x -> s.x
        s.y[i, c] -> acc type c for i in 0..n, c in 0..4 if bit(w[i], c)
        y = acc
    }
    """
    w = np.array([3, -2, 5, 1, -8, 7])
    ticks = 60
    x = np.random.default_rng(3).random((ticks - 1, len(w))) < 0.5
    out = run_compiled(elaborate(src, {"w": w}, top="Weighted"), ticks, {"x": x})
    drive = x.astype(int) @ w
    expected = np.zeros(ticks, dtype=bool)
    expected[1:] = drive - 1 >= 1
    assert np.array_equal(out["y"][0, :, 0], expected)
    assert 5 < expected.sum() < ticks - 5      # the raster exercises both outcomes


@pytest.mark.parametrize("params, message", [
    ({"n": 0}, "a splitter needs at least one input pin (n >= 1)"),
    ({"n": 3, "k": 0}, "a splitter makes at least one copy per pin (k >= 1)"),
])
def test_bad_parameters(params, message):
    with pytest.raises(language.LanguageError) as info:
        elaborate(USE, params, top="Splitter")
    assert "assertion failed: " + message in str(info.value)
