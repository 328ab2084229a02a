"""Tests of library/relay.corelet: `Relay` and `DelayLine` delay every spike by exactly the
documented number of ticks (input raster row t -> output tick t + delay - 1; a driving neuron's
spike of tick t -> output tick t + delay), for delays below, at and above MAX_DELAY = 15."""

from __future__ import annotations

import numpy as np
import pytest

from corelet import compiler, language, runtime

from tests.library.lib_helpers import elaborate, run_compiled, spike_ticks

USE = 'use Relay, DelayLine from "relay"\n'
MAX_DELAY = 15
DELAYS = [1, 2, 15, 16, 31, 40]


def shifted(x: np.ndarray, shift: int, ticks: int) -> np.ndarray:
    """Raster x (batch, rows, n) moved `shift` ticks later into a (batch, ticks, n) raster."""
    out = np.zeros((x.shape[0], ticks, x.shape[2]), dtype=bool)
    out[:, shift:shift + x.shape[1]] = x[:, :ticks - shift]
    return out


@pytest.mark.parametrize("top", ["Relay", "DelayLine"])
@pytest.mark.parametrize("delay", DELAYS)
def test_raster_row_t_comes_out_in_tick_t_plus_delay_minus_1(top, delay):
    n, rows, batch = 6, 50, 2
    ticks = rows + delay                      # long enough for every row to come out
    rng = np.random.default_rng(delay)
    x = rng.random((batch, rows, n)) < 0.4
    x[0, 0, 0] = x[0, 1, 0] = True            # spikes in consecutive ticks stay apart
    net = elaborate(USE, {"n": n, "delay": delay}, top=top)
    y = run_compiled(net, ticks, {"x": x})["y"]
    assert np.array_equal(y, shifted(x, delay - 1, ticks))
    assert y.sum() == x.sum()                 # every input spike once, nothing lost or added


@pytest.mark.parametrize("top", ["Relay", "DelayLine"])
@pytest.mark.parametrize("delay", DELAYS)
def test_driving_neuron_spike_of_tick_t_comes_out_in_tick_t_plus_delay(top, delay):
    """A source neuron inside a corelet fires in tick t (the tick its raster row arrives); the
    delayed pin fires in t + delay: one tick later than from a raster row."""
    src = USE + f"""
    corelet Driven(n: int, delay: int) {{
        input x[n]
        output src[n]
        output y[n]
        neurons h[n] = neuron {{ weights = [1, 0, 0, 0]; threshold = 1; floor = 0 }}
        r = {top}(n = n, delay = delay)
        x -> h
        h -> r.x
        src = h
        y = r.y
    }}
    """
    n, rows = 4, 40
    ticks = rows + delay
    x = np.random.default_rng(100 + delay).random((1, rows, n)) < 0.3
    out = run_compiled(elaborate(src, {"n": n, "delay": delay}, top="Driven"), ticks, {"x": x})
    assert np.array_equal(out["src"], shifted(x, 0, ticks))
    assert np.array_equal(out["y"], shifted(x, delay, ticks))


def test_single_spike_hand_trace():
    """One spike in row 3 of pin 1: with delay 16 it is integrated, and the relay fires, in tick
    3 + 16 - 1 = 18; nothing else fires."""
    x = np.zeros((10, 3), dtype=bool)
    x[3, 1] = True
    for top in ("Relay", "DelayLine"):
        y = run_compiled(elaborate(USE, {"n": 3, "delay": 16}, top=top), 30, {"x": x})["y"][0]
        assert spike_ticks(y) == [[], [18], []]


@pytest.mark.parametrize("delay", [16, 31, 40])
def test_relay_above_max_delay_uses_the_compilers_relays(delay):
    """Relay puts the whole delay on one connection: the compiler adds hidden relays (at least
    one per pin per extra 15 ticks) and no latency; DelayLine's stages are its own, visible
    neurons, so the compiler adds none."""
    n = 5
    stages = -(-delay // MAX_DELAY)
    relay = elaborate(USE, {"n": n, "delay": delay}, top="Relay")
    assert relay.n_neurons == n
    assert relay.connections.delay.tolist() == [delay] * n
    record = compiler.compile_network(relay).record
    assert record["relays"] >= n * (stages - 1)
    assert not record["added_latency"]
    line = elaborate(USE, {"n": n, "delay": delay}, top="DelayLine")
    assert line.n_neurons == n * stages
    assert compiler.compile_network(line).record["relays"] == 0
    # both compiled runs agree with their logical runs and with each other
    x = np.random.default_rng(delay).random((30, n)) < 0.5
    ys = [run_compiled(net, 30 + delay, {"x": x})["y"] for net in (relay, line)]
    assert np.array_equal(ys[0], ys[1]) and ys[0].sum() == x.sum()


@pytest.mark.parametrize("delay, expected", [
    (1, [1]), (15, [15]), (16, [15, 1]), (30, [15, 15]), (31, [15, 15, 1]), (40, [15, 15, 10]),
])
def test_delay_line_stages(delay, expected):
    """Stage s is population stage[s] of n neurons; the connection into it has delay 15 for every
    stage but the last, which takes the rest. Stage s fires sum(expected[:s + 1]) - 1 ticks after
    a raster row (probed on the compiled chip)."""
    n = 3
    net = elaborate(USE, {"n": n, "delay": delay}, top="DelayLine")
    assert [p.path for p in net.populations] == [f"stage[{s}]" for s in range(len(expected))]
    assert sorted(net.connections.delay.tolist()) == sorted(expected * n)
    assert max(net.connections.delay) <= MAX_DELAY
    x = np.zeros((4, n), dtype=bool)
    x[0, 0] = x[2, 1] = x[3, 2] = True
    ticks = delay + 5
    run_compiled(net, ticks, {"x": x})
    comp = compiler.compile_network(net)
    probes = [f"stage[{s}][*]" for s in range(len(expected))]
    sim = runtime.simulate(runtime.fabric_from_model(comp.model), ticks, {"x": x}, probes=probes)
    for s, pattern in enumerate(probes):
        lag = sum(expected[:s + 1]) - 1
        assert spike_ticks(sim.probes[pattern][0]) == [[lag], [2 + lag], [3 + lag]]


@pytest.mark.parametrize("top, params, message", [
    ("Relay", {"n": 2, "delay": 0}, "the delay must be 1 or more ticks"),
    ("Relay", {"n": 0}, "a relay needs at least one pin (n >= 1)"),
    ("DelayLine", {"n": 2, "delay": 0}, "the delay must be 1 or more ticks"),
    ("DelayLine", {"n": 0, "delay": 3}, "a delay line needs at least one pin (n >= 1)"),
])
def test_bad_parameters(top, params, message):
    with pytest.raises(language.LanguageError) as info:
        elaborate(USE, params, top=top)
    assert "assertion failed: " + message in str(info.value)
