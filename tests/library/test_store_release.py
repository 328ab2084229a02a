"""Tests of library/store_release.corelet: the store-and-release clock, bank and burst sum (seed 002).

Expectations are derived by hand from docs/neuron-model.md: a clock pin fired in tick t reaches the
bank in tick t + 1; with an SRClock(PL, offset) cycle k has its store kick in tick
a = offset + 2 PL k + 1, pre-charge in a + 1, release in a + PL; the data integrated in ticks
a + 1 .. a + PL are stored and the release emits max(0, net) spikes in ticks a + PL, a + PL + 1, ...
"""

from __future__ import annotations

import numpy as np
import pytest

from corelet import language

from .lib_helpers import burst_raster, elaborate, run_compiled, spike_ticks

BANK = """
use SRClock, SRBank from "store_release"
corelet Top(n: int, PL: int, offset: int = 0, charge: int = 100) {
    input x_pos[n]
    input x_neg[n]
    output y[n]
    clk = SRClock(PL = PL, offset = offset)
    bank = SRBank(n = n, charge = charge)
    x_pos -> bank.x_pos;  x_neg -> bank.x_neg
    clk.store -> bank.store;  clk.precharge -> bank.precharge;  clk.release -> bank.release
    y = bank.y
}
"""

BANK_PINS = """
use SRBank from "store_release"
corelet Top(n: int, charge: int = 100, store_weight: int = -250, kicks: int = 1) {
    input x_pos[n]
    input x_neg[n]
    input store
    input precharge
    input release
    output y[n]
    bank = SRBank(n = n, charge = charge, store_weight = store_weight, kicks = kicks)
    x_pos -> bank.x_pos;  x_neg -> bank.x_neg
    store -> bank.store;  precharge -> bank.precharge;  release -> bank.release
    y = bank.y
}
"""

SUM = """
use SRClock, BurstSum from "store_release"
corelet Top(n: int, terms: int, PL: int) {
    input a_pos[terms, n]
    input a_neg[terms, n]
    output y_pos[n]
    output y_neg[n]
    clk = SRClock(PL = PL)
    s = BurstSum(n = n, terms = terms)
    a_pos -> s.a_pos;  a_neg -> s.a_neg
    clk.store -> s.store;  clk.precharge -> s.precharge;  clk.release -> s.release
    y_pos = s.y_pos;  y_neg = s.y_neg
}
"""


def random_window(rng, counts, ticks, lo, hi):
    """Raster (ticks, n): pin i fires in counts[i] distinct ticks drawn at random in lo .. hi - 1."""
    counts = np.asarray(counts)
    ranks = rng.random((hi - lo, counts.size)).argsort(0).argsort(0)
    raster = np.zeros((ticks, counts.size), bool)
    raster[lo:hi] = ranks < counts[None, :]
    return raster


def test_clock_phases():
    """store at t % 2PL == offset, precharge one tick later, release PL ticks after the store."""
    src = """
    use SRClock from "store_release"
    corelet Top(PL: int, offset: int) {
        output s; output p; output r
        c = SRClock(PL = PL, offset = offset)
        s = c.store;  p = c.precharge;  r = c.release
    }
    """
    for PL, offset in [(16, 0), (16, 16), (5, 7), (3, 5)]:
        T = 6 * PL
        out = run_compiled(elaborate(src, dict(PL=PL, offset=offset)), T)
        t = np.arange(T)
        for pin, phase in [("s", offset), ("p", offset + 1), ("r", offset + PL)]:
            expect = np.flatnonzero(t % (2 * PL) == phase % (2 * PL)).tolist()
            assert spike_ticks(out[pin][0]) == [expect], (PL, offset, pin)


def test_clock_and_bank_parameter_checks():
    src = """
    use SRClock, SRBank from "store_release"
    corelet Top(PL: int, offset: int, store_weight: int, charge: int) {
        input x; output y[1]
        c = SRClock(PL = PL, offset = offset)
        b = SRBank(n = 1, store_weight = store_weight, charge = charge)
        x -> b.x_pos;  x -> b.x_neg
        c.store -> b.store;  c.precharge -> b.precharge;  c.release -> b.release
        y = b.y
    }
    """
    ok = dict(PL=8, offset=0, store_weight=-250, charge=100)
    elaborate(src, ok)
    for bad, text in [(dict(PL=1), "at least 2"), (dict(offset=16), "offset must be"),
                      (dict(store_weight=-150), "store_weight must be"),
                      (dict(charge=127), "store kicks reach the floor"),   # one kick holds 126
                      (dict(charge=256), "charge must be")]:
        with pytest.raises(language.LanguageError) as info:
            elaborate(src, {**ok, **bad})
        assert text in str(info.value), (bad, str(info.value))


def test_worked_table_of_the_neuron_model():
    """docs/neuron-model.md section 7: store in tick 0, pre-charge in 1, three data spikes in 2, 3,
    4, release in 5 -> spikes in ticks 5, 6, 7 and nothing else. A second neuron gets the same
    plus two x_neg spikes (net 1: one spike, in tick 5); a third gets a data spike in the store
    tick 0 (lost to the floor: three spikes again)."""
    T = 12
    st, pc, rl = (np.zeros((T, 1), bool) for _ in range(3))
    st[0] = pc[1] = rl[5] = True
    xp = np.zeros((T, 3), bool)
    xn = np.zeros((T, 3), bool)
    xp[2:5, :] = True
    xn[[2, 4], 1] = True
    xp[0, 2] = True
    out = run_compiled(elaborate(BANK_PINS, dict(n=3)), T,
                       dict(x_pos=xp, x_neg=xn, store=st, precharge=pc, release=rl))
    assert spike_ticks(out["y"][0]) == [[5, 6, 7], [5], [5, 6, 7]]


@pytest.mark.parametrize("PL, offset", [(16, 0), (32, 32), (16, 5)])
def test_bank_random_cycles(PL, offset):
    """Random x_pos / x_neg spikes at random ticks of each cycle's store window (ticks a + 1 .. a + PL),
    plus random spikes in the store tick a (lost): the output is exactly max(0, net) spikes in
    ticks a + PL .. a + PL + net - 1 of every cycle, and nothing else (nothing in the store phase)."""
    rng = np.random.default_rng(PL + offset)
    n, cycles = 12, 4
    T = offset + 2 * PL * cycles + 2
    xp = np.zeros((T, n), bool)
    xn = np.zeros((T, n), bool)
    expect = np.zeros((T, n), bool)
    for k in range(cycles):
        a = offset + 2 * PL * k + 1
        cp = rng.integers(0, PL + 1, n)
        cn = rng.integers(0, PL + 1, n)
        xp |= random_window(rng, cp, T, a + 1, a + PL + 1)
        xn |= random_window(rng, cn, T, a + 1, a + PL + 1)
        xp[a] |= rng.random(n) < 0.5                    # lost to the floor
        xn[a] |= rng.random(n) < 0.5
        expect |= burst_raster(np.maximum(cp - cn, 0), T, start=a + PL)
    out = run_compiled(elaborate(BANK, dict(n=n, PL=PL, offset=offset)), T,
                       dict(x_pos=xp, x_neg=xn))
    y = out["y"][0]
    t = np.arange(T)
    store_phase = ((t - offset - 1) % (2 * PL) < PL) | (t <= offset)
    assert not y[store_phase].any()
    assert np.array_equal(y, expect)


def test_bank_capacity_edges():
    """charge = 10 (floor -20), PL = 32, bank driven through its pins with store in tick 0,
    pre-charge in 1, release in 33; data from tick 1 on.
    neuron 0: +10 in ticks 1..10       -> the limit: 10 spikes in ticks 33..42, none before.
    neuron 1: +11 in ticks 1..11       -> prefix 11 > charge: V = 1 in tick 11, a spike during the
                                          store phase (tick 11), then 10 more in 33..42.
    neuron 2: -10 in 1..10, +13 in 11..23 -> prefix -10 is still stored: net 3, ticks 33..35.
    neuron 3: -11 in 1..11, +14 in 12..25 -> prefix -11 < -charge: one x_neg spike is lost to
                                          the floor, so 4 spikes (33..36) instead of the net 3.
    neuron 4: +3 in 1..3, then +1 in tick 40 (release phase, V = 0 after the burst 33..35):
                                          passes through in its own tick: 33, 34, 35, 40.
    neuron 5: +3 in 1..3, then +1 in tick 34 (during the burst): the burst grows to 33..36.
    """
    T, rel = 64, 33
    st, pc, rl = (np.zeros((T, 1), bool) for _ in range(3))
    st[0] = pc[1] = rl[rel] = True
    xp = np.zeros((T, 6), bool)
    xn = np.zeros((T, 6), bool)
    xp[1:11, 0] = True
    xp[1:12, 1] = True
    xn[1:11, 2] = True
    xp[11:24, 2] = True
    xn[1:12, 3] = True
    xp[12:26, 3] = True
    xp[1:4, 4] = True
    xp[40, 4] = True
    xp[1:4, 5] = True
    xp[34, 5] = True
    out = run_compiled(elaborate(BANK_PINS, dict(n=6, charge=10)), T,
                       dict(x_pos=xp, x_neg=xn, store=st, precharge=pc, release=rl))
    r = lambda a, b: list(range(a, b))  # noqa: E731
    assert spike_ticks(out["y"][0]) == [
        r(33, 43), [11] + r(33, 43), r(33, 36), r(33, 37), r(33, 36) + [40], r(33, 37)]


def test_two_store_kicks_hold_a_charge_of_200():
    """kicks = 2, store_weight -255, charge 200 (floor -400): the store pin's row 0 kicks in ticks 0
    and 1 (data of tick 1 lost), the pre-charge row 1 (delay 2) lands in tick 2, data from tick 2
    on are stored, the release row 230 lands in 230. Second cycle: store 440 (kicks 440, 441),
    pre-charge 441 (lands 442), release 470.
    neuron 0: +150 in 2..151, then +5 in 450..454 -> 150 spikes 230..379; after the kicks floor
              the drained V = 0 to -400, exactly 5 spikes 470..474.
    neuron 1: -60 in 2..61, +140 in 62..201   -> net 80: 230..309 (negative prefix kept).
    neuron 2: +1 in tick 1 (second kick: lost), +3 in 2..4 -> 230..232.
    neuron 3: +201 in 2..202                   -> prefix 201 > charge: a spike in tick 202, then
              200 spikes 230..429."""
    T = 500
    st, pc, rl = (np.zeros((T, 1), bool) for _ in range(3))
    st[[0, 440]] = pc[[1, 441]] = rl[[230, 470]] = True
    xp = np.zeros((T, 4), bool)
    xn = np.zeros((T, 4), bool)
    xp[2:152, 0] = xp[450:455, 0] = True
    xn[2:62, 1] = True
    xp[62:202, 1] = True
    xp[1:5, 2] = True
    xp[2:203, 3] = True
    out = run_compiled(elaborate(BANK_PINS, dict(n=4, charge=200, store_weight=-255, kicks=2)), T,
                       dict(x_pos=xp, x_neg=xn, store=st, precharge=pc, release=rl))
    r = lambda a, b: list(range(a, b))  # noqa: E731
    assert spike_ticks(out["y"][0]) == [r(230, 380) + r(470, 475), r(230, 310), r(230, 233),
                                         [202] + r(230, 430)]


def test_two_partitions_in_opposite_phases():
    """Two clocks, offsets 0 and PL: partition A releases while B stores and the other way round.
    Each gets 5 spikes in its store window (A: ticks 2..6, B: ticks PL + 2 .. PL + 6) and releases
    them in its own release phase (A: PL + 1 .., B: 2 PL + 1 ..)."""
    src = """
    use SRClock, SRBank from "store_release"
    corelet Top(PL: int) {
        input xa; input xb; input none
        output ya; output yb
        ca = SRClock(PL = PL)
        cb = SRClock(PL = PL, offset = PL)
        a = SRBank(n = 1)
        b = SRBank(n = 1)
        xa -> a.x_pos;  none -> a.x_neg;  xb -> b.x_pos;  none -> b.x_neg
        ca.store -> a.store;  ca.precharge -> a.precharge;  ca.release -> a.release
        cb.store -> b.store;  cb.precharge -> b.precharge;  cb.release -> b.release
        ya = a.y;  yb = b.y
    }
    """
    PL, T = 16, 64
    xa = burst_raster([5], T, start=2)
    xb = burst_raster([5], T, start=PL + 2)
    out = run_compiled(elaborate(src, dict(PL=PL)), T,
                       dict(xa=xa, xb=xb, none=np.zeros((T, 1), bool)))
    assert spike_ticks(out["ya"][0]) == [list(range(PL + 1, PL + 6))]
    assert spike_ticks(out["yb"][0]) == [list(range(2 * PL + 1, 2 * PL + 6))]


@pytest.mark.parametrize("terms, PL", [(2, 16), (3, 32)])
def test_burst_sum_exact(terms, PL):
    """y_pos = max(0, net), y_neg = max(0, -net), net = sum over terms of (a_pos - a_neg), exactly,
    in consecutive ticks from the release tick a + PL; the other channel silent."""
    rng = np.random.default_rng(terms)
    n, cycles = 10, 3
    T = 2 * PL * cycles + 2
    cap = PL // terms
    ap = np.zeros((T, terms * n), bool)
    an = np.zeros((T, terms * n), bool)
    ep = np.zeros((T, n), bool)
    en = np.zeros((T, n), bool)
    for k in range(cycles):
        a = 2 * PL * k + 1
        cp = rng.integers(0, cap + 1, (terms, n))
        cn = rng.integers(0, cap + 1, (terms, n))
        ap |= random_window(rng, cp.ravel(), T, a + 1, a + PL + 1)
        an |= random_window(rng, cn.ravel(), T, a + 1, a + PL + 1)
        net = (cp - cn).sum(0)
        assert (net > 0).any() and (net < 0).any()
        ep |= burst_raster(np.maximum(net, 0), T, start=a + PL)
        en |= burst_raster(np.maximum(-net, 0), T, start=a + PL)
    out = run_compiled(elaborate(SUM, dict(n=n, terms=terms, PL=PL)), T,
                       dict(a_pos=ap, a_neg=an))
    assert np.array_equal(out["y_pos"][0], ep)
    assert np.array_equal(out["y_neg"][0], en)
