"""Make the pictures of docs/library.md from runtime runs of the compiled library corelets.

    python docs/library/make_figures.py            # writes docs/library/*.svg
    python docs/library/make_figures.py --out DIR  # somewhere else (the docs test compares)

Every picture is measured: a small program that uses the library is compiled and its chip model
run by the runtime; nothing is drawn from the formulas alone except the dashed "ideal" lines. The
runs use fixed seeds, so the same code gives the same bytes (tests/library/test_library_docs.py
checks that the committed pictures are exactly what this script makes).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import corelet
from corelet import language
from corelet.chip import atomic_write
from corelet.reports.charts import Chart, heatmaps_svg, timing_svg

HERE = Path(__file__).resolve().parent


def build(source: str, params: dict | None = None):
    """A Network from source text that uses the library."""
    return language.elaborate_source(source, "figure.corelet", params=dict(params or {}))


def run(source: str, ticks: int, inputs: dict | None = None, params: dict | None = None,
        seed: int = 0, batch: int | None = None):
    """Compile ``source`` and run its chip model; returns the SimResult."""
    compiled = corelet.compile(build(source, params))
    return corelet.run(compiled.model, ticks, inputs or {}, seed=seed, batch=batch)


# -- clocks ---------------------------------------------------------------------------------------
def clocks() -> str:
    source = """use "clocks"
    corelet Figure() {
        output every[1]; output phases[3]; output once[2]
        a = Clock(); every = a.y
        b = Clock(period = 8, phases = [0, 1, 4]); phases = b.y
        c = OneShot(at = [3, 20]); once = c.y
    }"""
    out = run(source, 32).outputs
    rows = [("Clock()", out["every"][0][:, 0])]
    rows += [(f"Clock(8) phase {p}", out["phases"][0][:, i]) for i, p in enumerate((0, 1, 4))]
    rows += [(f"OneShot at {t}", out["once"][0][:, i]) for i, t in enumerate((3, 20))]
    return timing_svg("Clocks: measured spikes", rows, marks=[(8, "period 8"), (16, ""), (24, "")])


# -- splitter, relays ------------------------------------------------------------------------------
def splitter() -> str:
    x = np.random.default_rng(1).random((24, 2)) < 0.3
    source = """use "splitter"
    corelet Figure() { input x[2]; output y[2, 4]; s = Splitter(n = 2); x -> s.x; y = s.y }"""
    y = run(source, 24, {"x": x}).outputs["y"][0]
    rows = []
    for i in range(2):
        rows.append((f"x[{i}]", x[:, i]))
        rows += [(f"y[{i}, {c}]", y[:, i * 4 + c]) for c in range(4)]
    return timing_svg("Splitter(n = 2): copies fire in the tick of their input", rows)


def relay() -> str:
    x = np.zeros((50, 1), dtype=bool)
    x[[0, 6], 0] = True
    source = """use "relay"
    corelet Figure() {
        input x; output line; output one
        d = DelayLine(n = 1, delay = 40); x -> d.x; line = d.y
        r = Relay(n = 1, delay = 40); x -> r.x; one = r.y
    }"""
    compiled = corelet.compile(build(source))
    result = corelet.run(compiled.model, 50, {"x": x}, probes=["d.stage[0][*]", "d.stage[1][*]"])
    rows = [("input row", x[:, 0]),
            ("DelayLine stage[0]", result.probes["d.stage[0][*]"][0][:, 0]),
            ("DelayLine stage[1]", result.probes["d.stage[1][*]"][0][:, 0]),
            ("DelayLine y (stage[2])", result.outputs["line"][0][:, 0]),
            ("Relay(delay = 40) y", result.outputs["one"][0][:, 0])]
    return timing_svg("Delay 40: rows 0 and 6 come out in ticks 39 and 45", rows,
                      marks=[(14, "15 - 1"), (29, "30 - 1"), (39, "40 - 1")])


# -- AND product ----------------------------------------------------------------------------------
def products() -> str:
    ticks, q = 4000, 0.5
    p = np.linspace(0, 1, 11)
    rng = np.random.default_rng(5)
    a = rng.random((ticks, len(p))) < p
    b = rng.random((ticks, len(p))) < q
    source = """use "products"
    corelet Figure() {
        input a[11]; input b[11]
        output product[11]; output literal[11]; output memory[11]
        g1 = And(n = 11); a -> g1.a; b -> g1.b; product = g1.y
        g2 = And(n = 11, cell = and_seed_literal); a -> g2.a; b -> g2.b; literal = g2.y
        g3 = And(n = 11, cell = and_with_memory); a -> g3.a; b -> g3.b; memory = g3.y
    }"""
    out = run(source, ticks, {"a": a, "b": b}).outputs
    chart = Chart("AND of two random streams (rate of b = 0.5), measured", "rate p of a",
                  "output rate")
    chart.line(p, p * q, "p q (the product)", dashed=True)
    chart.points(p, out["product"][0].mean(axis=0), "And (and_product)")
    chart.points(p, out["literal"][0].mean(axis=0), "and_seed_literal")
    chart.points(p, out["memory"][0].mean(axis=0), "and_with_memory")
    return chart.svg()


# -- dense layer and IC module --------------------------------------------------------------------
def dense() -> str:
    """W = [7, -8], threshold 4: input 1 fixed at a burst of 5, input 0 a burst of c = 0 .. 20
    (a batch, one sample per c), both from tick 0. One core loses the early -1s to the floor."""
    c = np.arange(21)
    ticks = 220
    x = np.zeros((len(c), ticks, 2), dtype=bool)
    for b, count in enumerate(c):
        x[b, :count, 0] = True
    x[:, :5, 1] = True
    source = """use "dense"
    corelet Figure() {
        input x[2]; output one; output parts
        a = Dense(W = [[7], [-8]], threshold = 4); x -> a.x; one = a.y[0]
        b = Dense(W = [[7], [-8]], threshold = 4, block = 1); x -> b.x; parts = b.y[0]
    }"""
    out = run(source, ticks, {"x": x}).outputs
    wx = 7 * c - 40
    chart = Chart("Dense, threshold 4: measured spike counts", "W.x", "output spikes")
    chart.line(wx, np.floor(np.maximum(wx, 0) / 4), "floor(max(0, W.x) / 4)", dashed=True)
    chart.points(wx, out["one"][:, :, 0].sum(axis=1), "one core (the floor drops the early -1s)")
    chart.points(wx, out["parts"][:, :, 0].sum(axis=1), "partial sums (block = 1)")
    return chart.svg()


def ic() -> str:
    """IC with partial sums (100 inputs x 10 outputs, 4 blocks): y_pos - y_neg against W.x for
    random weights and burst counts."""
    rng = np.random.default_rng(7)
    W = rng.integers(-15, 16, size=(100, 10))
    xp, xn = rng.integers(0, 3, size=(6, 100)), rng.integers(0, 3, size=(6, 100))
    positive = np.where(W > 0, W, 0)
    negative = np.where(W < 0, -W, 0)
    y_pos, y_neg = xp @ positive + xn @ negative, xp @ negative + xn @ positive
    ticks = 3 + int(max(y_pos.max(), y_neg.max())) + 3
    raster = np.arange(ticks)[None, :, None]
    inputs = {"xp": raster < xp[:, None, :], "xn": raster < xn[:, None, :]}
    source = """use "ic"
    corelet Figure(W: int[100, 10]) {
        input xp[100]; input xn[100]; output yp[10]; output yn[10]
        c = IC(W = W); xp -> c.x_pos; xn -> c.x_neg; yp = c.y_pos; yn = c.y_neg
    }"""
    out = run(source, ticks, inputs, params={"W": W}).outputs
    measured = out["yp"].sum(axis=1) - out["yn"].sum(axis=1)
    wx = (xp - xn) @ W
    chart = Chart("IC module, 4 blocks of partial sums: measured", "W.x (numpy)",
                  "count(y_pos) - count(y_neg)")
    chart.line([wx.min(), wx.max()], [wx.min(), wx.max()], "W.x", dashed=True)
    chart.points(wx, measured, "chip, 6 samples x 10 outputs")
    return chart.svg()


# -- store and release, activations ---------------------------------------------------------------
SR_FIGURE = """use "store_release"
corelet Figure() {
    input xp; input xn; output y; output clock[3]
    c = SRClock(PL = 8)
    b = SRBank(n = 1); xp -> b.x_pos; xn -> b.x_neg; y = b.y[0]
    c.store -> b.store; c.precharge -> b.precharge; c.release -> b.release
    c.store -> clock[0]; c.precharge -> clock[1]; c.release -> clock[2]
}"""


def _sr_run():
    xp = np.zeros((40, 1), dtype=bool)
    xn = np.zeros((40, 1), dtype=bool)
    xp[[3, 4, 6], 0] = True      # cycle 1: +3 - 1 = 2
    xn[5, 0] = True
    xp[[17, 18, 19, 20, 23], 0] = True  # cycle 2: 5
    compiled = corelet.compile(build(SR_FIGURE))
    result = corelet.run(compiled.model, 40, {"xp": xp, "xn": xn}, probes=["b.h"], trace=True)
    return xp, xn, result


def store_release() -> str:
    xp, xn, result = _sr_run()
    clock = result.outputs["clock"][0]
    rows = [("store (fired)", clock[:, 0]), ("precharge (fired)", clock[:, 1]),
            ("release (fired)", clock[:, 2]), ("x_pos", xp[:, 0]), ("x_neg", xn[:, 0]),
            ("y", result.outputs["y"][0][:, 0])]
    return timing_svg("SRBank, PL 8: stores +3 - 1, releases 2; then 5", rows,
                      marks=[(1, "kick"), (9, "release"), (17, "kick"), (25, "release")])


def store_release_trace() -> str:
    _, _, result = _sr_run()
    v = result.traces["b.h"][0][:, 0]
    return (Chart("SRBank membrane potential (end of each tick)", "tick", "V")
            .line(np.arange(len(v)), v, "V").svg())


def activations() -> str:
    """Release-phase firing rate against x = AMP / nS, nS = 32, PL 64, 3 cycles x 8 samples."""
    amp = np.arange(-40, 41, 4)
    PL, cycles, batch = 64, 3, 8
    ticks = 2 * PL * cycles + 1
    xp = np.zeros((ticks, len(amp)), dtype=bool)
    xn = np.zeros((ticks, len(amp)), dtype=bool)
    for k in range(cycles):
        start = 2 * PL * k + 3           # the store window opens with the pre-charge tick
        for i, a in enumerate(amp):
            (xp if a > 0 else xn)[start:start + abs(a), i] = True
    source = """use "store_release"
    use "activations"
    corelet Figure() {
        input xp[21]; input xn[21]; output sig[21]; output tp[21]; output tn[21]
        c = SRClock(PL = 64)
        s = HardSigmoid(n = 21, nS = 32); xp -> s.x_pos; xn -> s.x_neg; sig = s.y
        t = HardTanh(n = 21, nS = 32); xp -> t.x_pos; xn -> t.x_neg; tp = t.y_pos; tn = t.y_neg
        c.store -> s.store; c.precharge -> s.precharge; c.release -> s.release
        c.store -> t.store; c.precharge -> t.precharge; c.release -> t.release
    }"""
    out = run(source, ticks, {"xp": np.broadcast_to(xp, (batch, *xp.shape)),
                              "xn": np.broadcast_to(xn, (batch, *xn.shape))}, seed=11).outputs
    release = np.zeros(ticks, dtype=bool)
    for k in range(cycles):
        release[2 * PL * k + PL + 1:2 * PL * (k + 1) + 1] = True

    def rate(name):
        return out[name][:, release].mean(axis=(0, 1))
    x = amp / 32
    chart = Chart("Hard sigmoid and hard tanh, nS = 32: measured",
                  "x = AMP / nS", "spikes per tick (tanh: pos - neg)")
    chart.line(x, np.clip(x + 0.5, 0, 1), "max(0, min(1, x + 0.5))", dashed=True)
    chart.line(x, np.clip(2 * x, -1, 1), "max(-1, min(1, 2 x))", dashed=True)
    chart.points(x, rate("sig"), "HardSigmoid")
    chart.points(x, rate("tp") - rate("tn"), "HardTanh")
    return chart.svg()


# -- trinary convolution --------------------------------------------------------------------------
def conv() -> str:
    """The binary neuron's step: 1x1 filters over 16 channels (8 at +1, 8 at -1); in tick t the
    input turns on a chosen number of + and - channels, so s runs over -8 .. 8, one per tick."""
    s_values = np.arange(-8, 9)
    plus = np.clip(s_values, 0, 8)
    minus = np.clip(-s_values, 0, 8)
    x = np.zeros((len(s_values), 16), dtype=bool)
    for t, (p, m) in enumerate(zip(plus, minus)):
        x[t, :p] = True
        x[t, 8:8 + m] = True
    source = """use "conv"
    corelet Figure(L: int[3]) {
        input x[16, 1, 1]
        output y[3, 1, 1]
        g = ConvGroup(K = [(1 if c < 8 else -1) for f in 0..3, c in 0..16, dr in 0..1, dq in 0..1],
                      L = L, rows = 1, cols = 1)
        x -> g.x
        y = g.y
    }"""
    leaks = [-2, 0, 2]
    out = run(source, len(s_values), {"x": x}, params={"L": np.array(leaks)}).outputs["y"][0]
    chart = Chart("ConvGroup: binary neuron, measured", "weighted input s in one tick",
                  "output spike")
    for i, leak in enumerate(leaks):
        chart.points(s_values, out[:, i] + 0.03 * (i - 1), f"leak L = {leak} (fires at s >= {1 - leak})")
    return chart.svg()


def conv_maps() -> str:
    """One random image through a 3x3x8, 4-feature layer: the chip's output maps next to a numpy
    convolution (identical, as the tests check bit for bit)."""
    rng = np.random.default_rng(3)
    K = rng.integers(-1, 2, size=(4, 8, 3, 3))
    L = np.array([-2, 0, 1, 2])
    image = rng.random((8, 10, 10)) < 0.5
    source = """use "conv"
    corelet Figure(K: int[4, 8, 3, 3], L: int[4]) {
        input x[8, 10, 10]
        output y[4, 8, 8]
        c = ConvLayer(K = K, L = L, H = 10, W = 10)
        x -> c.x
        y = c.y
    }"""
    chip = run(source, 1, {"x": image.reshape(1, -1)}, params={"K": K, "L": L}).outputs["y"][0, 0]
    chip = chip.reshape(4, 8, 8)
    windows = np.lib.stride_tricks.sliding_window_view(image.astype(int), (3, 3), axis=(1, 2))
    reference = np.einsum("crqab,fcab->frq", windows, K) + L[:, None, None] >= 1
    maps = [(f"chip f{f}", chip[f]) for f in range(4)]
    maps += [(f"numpy f{f}", reference[f]) for f in range(4)]
    return heatmaps_svg("ConvLayer: output maps of one image, chip and numpy", maps, cell_px=12)


FIGURES = {
    "clocks": clocks,
    "splitter": splitter,
    "relay": relay,
    "products": products,
    "dense": dense,
    "ic": ic,
    "store_release": store_release,
    "store_release_trace": store_release_trace,
    "activations": activations,
    "conv": conv,
    "conv_maps": conv_maps,
}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder for the SVG files")
    ap.add_argument("names", nargs="*", help=f"figures to make (default all: {', '.join(FIGURES)})")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or FIGURES:
        atomic_write(args.out / f"{name}.svg", FIGURES[name]())
        print(f"wrote {args.out / f'{name}.svg'}")


if __name__ == "__main__":
    main()
