"""Tests of library/clocks.corelet: `Clock` and `OneShot` fire on exactly the ticks their doc
strings promise, computed here from the definition (t % period == phase; the one tick `at`), and
bad parameters fail with the corelet's assertion messages."""

from __future__ import annotations

import numpy as np
import pytest

from corelet import language

from tests.library.lib_helpers import elaborate, run_compiled, spike_ticks

USE = 'use Clock, OneShot from "clocks"\n'
MAX_THRESHOLD = 2 ** 18 - 1  # the TrueNorth profile's largest threshold (docs/language.md)


def clock_ticks(period: int, phase: int, ticks: int) -> list[int]:
    """The ticks t < ticks with t % period == phase, counted out one by one."""
    return [t for t in range(ticks) if t % period == phase]


def run_clock(params: dict, ticks: int) -> list[list[int]]:
    net = elaborate(USE, params, top="Clock")
    out = run_compiled(net, ticks)
    return spike_ticks(out["y"][0])


def test_default_clock_fires_every_tick():
    assert run_clock({}, 40) == [list(range(40))]


def test_period_one_fires_every_tick():
    assert run_clock({"period": 1, "phases": [0, 0]}, 25) == [list(range(25))] * 2


@pytest.mark.parametrize("period, phases", [
    (8, [0]),
    (2, [0, 1]),
    (3, [2, 0, 1]),
    (16, [0, 1, 8]),          # store, pre-charge and release of a 16-tick cycle
    (16, [15, 15, 0]),        # last phase; two pins on one phase
    (7, [6, 3]),
])
def test_clock_phases(period, phases):
    ticks = 5 * period + 3
    got = run_clock({"period": period, "phases": phases}, ticks)
    assert got == [clock_ticks(period, ph, ticks) for ph in phases]
    # every pin fires exactly once in every full period, never twice in a row (period > 1)
    for ticks_of_pin in got:
        assert np.all(np.diff(ticks_of_pin) == period)


def test_clock_large_period():
    ticks = 3000
    phases = [0, 1, 500, 999]
    got = run_clock({"period": 1000, "phases": phases}, ticks)
    assert got == [[ph, ph + 1000, ph + 2000] for ph in phases]


def test_clock_largest_period():
    """period = MAX_THRESHOLD: the phase-7 pin fires in tick 7 and then not for 262143 ticks."""
    got = run_clock({"period": MAX_THRESHOLD, "phases": [7, MAX_THRESHOLD - 1, 0]}, 60)
    assert got == [[7], [], [0]]


def test_one_shot_fires_exactly_once():
    at = [0, 1, 2, 17, 300, 5]
    ticks = 2000
    net = elaborate(USE, {"at": at}, top="OneShot")
    out = run_compiled(net, ticks, batch=2)
    for sample in out["y"]:
        assert spike_ticks(sample) == [[a] for a in at]


def test_one_shot_default_and_latest():
    net = elaborate(USE, {}, top="OneShot")
    assert spike_ticks(run_compiled(net, 50)["y"][0]) == [[0]]
    # the latest tick the parameter range allows still elaborates (threshold MAX_THRESHOLD)
    net = elaborate(USE, {"at": [MAX_THRESHOLD - 2, 3]}, top="OneShot")
    assert spike_ticks(run_compiled(net, 100)["y"][0]) == [[], [3]]


def test_clock_and_one_shot_inside_a_corelet():
    """Clock and OneShot pins drive a neuron inside a corelet (fan-in of three pins): the clock
    fires in ticks 0, 1 (mod 4), the one-shot in tick 2; a relay neuron (threshold 1) fires one
    tick after each (delay 1)."""
    src = USE + """
    corelet Merge() {
        output y
        c = Clock(period = 4, phases = [0, 1])
        o = OneShot(at = [2])
        neurons h = neuron { weights = [1, 0, 0, 0]; threshold = 1 }
        c.y -> h
        o.y -> h
        y = h
    }
    """
    out = run_compiled(elaborate(src, {}, top="Merge"), 30)
    expected = sorted({t + 1 for t in range(30) if t % 4 in (0, 1)} | {3})
    assert spike_ticks(out["y"][0]) == [[t for t in expected if t < 30]]


@pytest.mark.parametrize("top, params, message", [
    ("Clock", {"period": 0}, "the period must be 1 .. MAX_THRESHOLD ticks"),
    ("Clock", {"period": -3}, "the period must be 1 .. MAX_THRESHOLD ticks"),
    ("Clock", {"period": MAX_THRESHOLD + 1}, "the period must be 1 .. MAX_THRESHOLD ticks"),
    ("Clock", {"period": 4, "phases": [4]}, "every phase must be 0 .. period - 1"),
    ("Clock", {"period": 4, "phases": [0, 7, 1]}, "every phase must be 0 .. period - 1"),
    ("Clock", {"period": 4, "phases": [-1]}, "every phase must be 0 .. period - 1"),
    ("Clock", {"phases": [1]}, "every phase must be 0 .. period - 1"),
    ("OneShot", {"at": [-1]}, "a one-shot tick must be 0 .. MAX_THRESHOLD - 2"),
    ("OneShot", {"at": [3, MAX_THRESHOLD - 1]}, "a one-shot tick must be 0 .. MAX_THRESHOLD - 2"),
])
def test_bad_parameters(top, params, message):
    with pytest.raises(language.LanguageError) as info:
        elaborate(USE, params, top=top)
    assert "assertion failed: " + message in str(info.value)
