"""Tests of library/activations.corelet: store-and-release hard sigmoid, hard tanh and rate relay
(seed 002, III.C.3, IV.A.1, IV.C).

The gates are driven by an SRClock(PL) (offset 0): cycle k has its two store kicks in ticks
a = 2 PL k + 1 and a + 1, its pre-charge in a + 2, its store window a + 2 .. a + PL (data stored),
its release in a + PL and its release phase a + PL .. a + 2 PL - 1 (PL ticks). Every release-phase
tick fires independently with probability p = clip((AMP + offset) / RThR, 0, 1); in any other tick
a gate never fires.

Statistical bound: over N independent release-phase ticks of one rate p the count is
Binomial(N, p); we accept |count - N p| <= 5 sqrt(N p (1 - p)) (plus exact equality when p is 0 or
1), per value, and the same 5-sigma bound for the sum of the deviations over every unsaturated
value (the aggregate catches an off-by-one in the numerator, (AMP + offset + 1) / RThR, which one
value alone would not). Seeds are fixed.
"""

from __future__ import annotations

import numpy as np
import pytest

from corelet import language

from .lib_helpers import elaborate, run_compiled, spike_ticks

GATES = """
use SRClock from "store_release"
use HardSigmoid, HardTanh from "activations"
corelet Top(n: int, PL: int, nS: int, sf: int = 1, msig: float = 1.0, mtanh: float = 2.0,
            offset: int = 0) {
    input x_pos[n]
    input x_neg[n]
    output sig[n]
    output tpos[n]
    output tneg[n]
    clk = SRClock(PL = PL, offset = offset)
    s = HardSigmoid(n = n, nS = nS, m = msig, sf = sf)
    t = HardTanh(n = n, nS = nS, m = mtanh, sf = sf)
    x_pos -> s.x_pos;  x_neg -> s.x_neg;  x_pos -> t.x_pos;  x_neg -> t.x_neg
    clk.store -> s.store;  clk.precharge -> s.precharge;  clk.release -> s.release
    clk.store -> t.store;  clk.precharge -> t.precharge;  clk.release -> t.release
    sig = s.y;  tpos = t.y_pos;  tneg = t.y_neg
}
"""

RELAY = """
use SRClock from "store_release"
use RateRelay from "activations"
corelet Top(n: int, PL: int) {
    input x_pos[n]
    input x_neg[n]
    output y[n]
    clk = SRClock(PL = PL)
    r = RateRelay(n = n, PL = PL)
    x_pos -> r.x_pos;  x_neg -> r.x_neg
    clk.store -> r.store;  clk.precharge -> r.precharge;  clk.release -> r.release
    y = r.y
}
"""


def store_windows(rng, amps, PL, mix=True):
    """Rasters for len(amps) cycles of an SRClock(PL): in cycle k pin i gets amps[k, i] net spikes,
    at random ticks of the store window a + 2 .. a + PL; with `mix`, x_pos and x_neg both get a
    random number of extra spikes (same net)."""
    amps = np.asarray(amps)
    cycles, n = amps.shape
    T = 2 * PL * cycles + 2
    xp = np.zeros((T, n), bool)
    xn = np.zeros((T, n), bool)
    W = PL - 1
    for k in range(cycles):
        a = 2 * PL * k + 1
        extra = rng.integers(0, (W - np.abs(amps[k])) // 2 + 1) if mix else 0
        for raster, count in ((xp, np.maximum(amps[k], 0) + extra),
                              (xn, np.maximum(-amps[k], 0) + extra)):
            ranks = rng.random((W, n)).argsort(0).argsort(0)
            raster[a + 2:a + 2 + W] |= ranks < count[None, :]
    return xp, xn, T


def release_mask(T, PL):
    """The release-phase ticks a + PL .. a + 2 PL - 1 of every cycle (a = 2 PL k + 1)."""
    t = np.arange(T)
    return (t >= 1) & ((t - 1) % (2 * PL) >= PL)


def check_rates(counts, p, N, label):
    """counts[k, i] ~ Binomial(N, p[k, i]): exact at p = 0 and 1, 5 sigma elsewhere and in sum."""
    counts, p = np.asarray(counts, float), np.asarray(p, float)
    sat0, sat1 = p == 0, p == 1
    assert np.all(counts[sat0] == 0), f"{label}: spikes where the rate is 0"
    assert np.all(counts[sat1] == N), f"{label}: missed spikes where the rate is 1"
    lin = ~(sat0 | sat1)
    dev = counts[lin] - N * p[lin]
    sd = np.sqrt(N * p[lin] * (1 - p[lin]))
    assert np.all(np.abs(dev) <= 5 * sd), f"{label}: worst deviation {np.max(np.abs(dev) / sd):.2f} sigma"
    total_sd = np.sqrt(np.sum(sd ** 2))
    assert abs(dev.sum()) <= 5 * total_sd, f"{label}: aggregate {dev.sum() / total_sd:.2f} sigma"
    return float(np.max(np.abs(dev) / sd)), float(dev.sum() / total_sd)


@pytest.mark.parametrize("nS, sf, msig, mtanh", [(32, 1, 1.0, 2.0), (8, 4, 1.0, 2.0), (24, 1, 0.75, 1.5)])
def test_sigmoid_and_tanh_rates(nS, sf, msig, mtanh):
    """A sweep of AMP over both saturations and the whole ramp, three cycles, 8 batch samples: the
    counts of every release phase match max(0, min(1, m x + 0.5)) (sigmoid) and
    max(0, min(1, +-m x)) (tanh channels), x = AMP / (nS sf), within the binomial bound; nothing
    fires outside the release phases; the saturated values are exact.
    Sigmoid RThR = nS sf / msig (32, 32, 32), tanh RThR = nS sf / mtanh (16, 16, 16).
    A sigmoid without its offset (rate AMP / RThR) would be off by 0.5 * 256 = 128 spikes per value;
    a tanh with the sigmoid's RThR by up to half its rate; off-by-one in AMP, 8 spikes per value,
    shows in the aggregate (about 11 sigma over the ramp)."""
    PL, cycles, batch = 32, 3, 8
    rng = np.random.default_rng(nS + sf)
    base = np.arange(-20, 21)                               # RThR_sig / 2 = 16: ramp -16 .. 16
    amps = np.stack([rng.permutation(base) for _ in range(cycles)])
    xp, xn, T = store_windows(rng, amps, PL)
    net = elaborate(GATES, dict(n=base.size, PL=PL, nS=nS, sf=sf, msig=msig, mtanh=mtanh))
    out = run_compiled(net, T, dict(x_pos=xp, x_neg=xn), batch=batch)
    rel = release_mask(T, PL)
    x = amps / (nS * sf)
    expected = {"sig": np.clip(msig * x + 0.5, 0, 1),
                "tpos": np.clip(mtanh * x, 0, 1), "tneg": np.clip(-mtanh * x, 0, 1)}
    for name, p in expected.items():
        y = out[name]
        assert not y[:, ~rel].any(), f"{name} fired outside a release phase"
        counts = np.stack([y[:, 2 * PL * k + 1 + PL:2 * PL * (k + 1) + 1].sum((0, 1))
                           for k in range(cycles)])
        check_rates(counts, p, PL * batch, f"{name} nS={nS} sf={sf}")
    # both tanh channels never fire in one tick
    assert not (out["tpos"] & out["tneg"]).any()


def test_saturated_gate_fires_in_every_release_tick():
    """Exact tick-level timing: a sigmoid at AMP >= RThR / 2 fires in every tick a + PL .. a + 2 PL - 1
    of each cycle and in no other tick; one at AMP <= -RThR / 2 never fires. Also with the clock
    in the opposite phase (offset PL, a = PL + 2 PL k + 1): its release pin fires in tick 0,
    before any store, and the gate (still at its initial floor) must stay silent then."""
    PL, nS = 16, 16
    amps = np.array([[8, -8, 12], [10, -12, 8]])          # RThR 16, offset 8
    rng = np.random.default_rng(5)
    for offset in (0, PL):
        xp, xn, T = store_windows(rng, amps, PL)
        xp = np.roll(xp, offset, axis=0)
        xn = np.roll(xn, offset, axis=0)
        out = run_compiled(elaborate(GATES, dict(n=3, PL=PL, nS=nS, offset=offset)), T,
                           dict(x_pos=xp, x_neg=xn), batch=2)
        release = [t for k in range(2)
                   for t in range(offset + 2 * PL * k + 1 + PL, offset + 2 * PL * (k + 1) + 1)
                   if t < T]
        for b in range(2):
            assert spike_ticks(out["sig"][b]) == [release, [], release]


def test_power_of_two_and_parameter_checks():
    """RThR = nS sf / m must be a power of two (and a whole number); the capacity conditions."""
    ok = dict(n=1, PL=16, nS=32)
    elaborate(GATES, ok)
    for bad, text in [(dict(nS=20), "power of two"),               # sigmoid RThR 20
                      (dict(nS=32, mtanh=3.0), "whole number"),    # tanh RThR 10.67
                      (dict(nS=48, mtanh=2.0), "power of two"),    # sigmoid 48, tanh 24
                      (dict(nS=256), "charge")]:                   # RThR 256 > max charge 255
        with pytest.raises(language.LanguageError) as info:
            elaborate(GATES, {**ok, **bad})
        assert text in str(info.value), (bad, str(info.value))
    src = """
    use SRGate from "activations"
    corelet Top(charge: int, store_weight: int) {
        input x; output y
        g = SRGate(n = 1, rthr = 32, charge = charge, store_weight = store_weight)
        x -> g.x_pos; x -> g.x_neg; x -> g.store; x -> g.precharge; x -> g.release
        y = g.y
    }
    """
    elaborate(src, dict(charge=166, store_weight=-250))
    with pytest.raises(language.LanguageError) as info:   # 167 + 1 - 500 = -332 not < -334
        elaborate(src, dict(charge=167, store_weight=-250))
    assert "two store kicks" in str(info.value)


PITFALL = """
use SRClock from "store_release"
use HardSigmoid, HardTanh, sr_gate_cell from "activations"

corelet OneKick(n: int, tm: int) {
    # the pitfall: a stochastic hold-neuron (tanh channel, offset 0) with one store kick only
    input x_pos[n]; input x_neg[n]; input store; input precharge; input release
    output y[n]
    neurons h[n] = sr_gate_cell { weights = [1, -1, -250, 100]; threshold_mask = tm
                                  neg_threshold = 200; initial = -200 }
    x_pos -> h type 0;  x_neg -> h type 1
    store -> h type 2;  precharge -> h type 3;  release -> h type 3
    y = h
}

corelet Top(n: int, PL: int, nSs: int, nSt: int) {
    input x_pos[n]
    input x_neg[n]
    output sig[n]; output tpos[n]; output tneg[n]; output one[n]
    clk = SRClock(PL = PL)
    s = HardSigmoid(n = n, nS = nSs)
    t = HardTanh(n = n, nS = nSt)
    o = OneKick(n = n, tm = 5)
    x_pos -> s.x_pos;  x_neg -> s.x_neg;  x_pos -> t.x_pos;  x_neg -> t.x_neg
    x_pos -> o.x_pos;  x_neg -> o.x_neg
    clk.store -> s.store;  clk.precharge -> s.precharge;  clk.release -> s.release
    clk.store -> t.store;  clk.precharge -> t.precharge;  clk.release -> t.release
    clk.store -> o.store;  clk.precharge -> o.precharge;  clk.release -> o.release
    sig = s.y;  tpos = t.y_pos;  tneg = t.y_neg;  one = o.y
}
"""


def test_held_value_is_cleared_between_cycles():
    """The pitfall of reset `none`: the first cycle ends with the gate holding V = charge = 100
    (sigmoid RThR 64, offset 32, AMP 68; tanh RThR 32, AMP +-100). One kick of -250 would leave
    100 - 250 = -150 above the floor (-168 for the sigmoid, -200 for the tanh), and the next
    release would land 18 (sigmoid) or 50 (tanh) too high. The gates' two kicks floor it, so
    cycles 2 and 3 give the rates of their own inputs:
      pin 0: AMP 68, -16, 0   -> sigmoid p 1, 0.25, 0.5;  tanh pos 1, 0, 0;  neg 0, 0.5, 0
      pin 1: AMP -100, 8, 0   -> sigmoid p 0, 0.625, 0.5; tanh pos 0, 0.25, 0; neg 1, 0, 0
      pin 2: AMP 100, 0, 8    -> tanh pos 1, 0 (exactly: no spike), 0.25
    The one-kick neuron (same weights, tanh channel RThR 32) on pin 2 fires in every tick of cycle
    2 (it lands on 50, not 0): the test tells the two mechanisms apart."""
    PL, batch = 128, 8
    amps = np.array([[68, -100, 100], [-16, 8, 0], [0, 0, 8]])
    rng = np.random.default_rng(11)
    xp, xn, T = store_windows(rng, amps, PL, mix=False)   # prefix sums stay within capacity
    net = elaborate(PITFALL, dict(n=3, PL=PL, nSs=64, nSt=64))
    out = run_compiled(net, T, dict(x_pos=xp, x_neg=xn), batch=batch)
    rel = release_mask(T, PL)
    x = amps / 64
    expected = {"sig": np.clip(x + 0.5, 0, 1), "tpos": np.clip(2 * x, 0, 1),
                "tneg": np.clip(-2 * x, 0, 1)}
    counts = {name: np.stack([out[name][:, 2 * PL * k + 1 + PL:2 * PL * (k + 1) + 1].sum((0, 1))
                              for k in range(3)]) for name in list(expected) + ["one"]}
    for name, p in expected.items():
        pins = slice(0, 2) if name == "sig" else slice(None)   # AMP 100 > 68: beyond the sigmoid's capacity
        assert not out[name][:, ~rel, pins].any()
        check_rates(counts[name][:, pins], p[:, pins], PL * batch, name)
    assert counts["tpos"][1, 2] == 0 and counts["tpos"][0, 2] == PL * batch
    assert counts["one"][1, 2] == PL * batch      # the one-kick neuron: p = 50 / 32 -> 1


def test_rate_relay_mean():
    """RateRelay(PL): the expected release-phase count equals the stored net count (seed 002,
    RThR = PL). AMP in -5 .. 31, PL = 32, 3 cycles x 16 samples: mean count per phase within the
    binomial bound of AMP (a relay with RThR = 2 PL would give half)."""
    PL, cycles, batch = 32, 3, 16
    rng = np.random.default_rng(3)
    base = np.arange(-5, 32)
    amps = np.stack([rng.permutation(base) for _ in range(cycles)])
    xp, xn, T = store_windows(rng, amps, PL)
    out = run_compiled(elaborate(RELAY, dict(n=base.size, PL=PL)), T, dict(x_pos=xp, x_neg=xn),
                       batch=batch)
    y = out["y"]
    assert not y[:, ~release_mask(T, PL)].any()
    per_phase = np.stack([y[:, 2 * PL * k + 1 + PL:2 * PL * (k + 1) + 1].sum(1)
                          for k in range(cycles)])             # (cycles, batch, n)
    check_rates(per_phase.sum(1), np.clip(amps / PL, 0, 1), PL * batch, "relay")
    assert np.all(np.abs(per_phase.mean(1) - np.maximum(amps, 0)) <= 5 * np.sqrt(PL / 4 / batch))
