"""Plots as SVG: they parse, and their points and lines sit where the data say, read back through
the axes' own tick labels (so a wrong scale, offset or flipped axis fails)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

import corelet
from corelet import language, plots
from corelet.reports.plots import MAX_LINES, SVG, rates_svg, transfer_svg

NS = "{http://www.w3.org/2000/svg}"


def axes(svg: str):
    """The SVG's elements and two functions from pixels back to data, fitted on the tick labels."""
    root = ET.fromstring(svg)
    texts = [t for t in root.iter(f"{NS}text") if _number(t.text) is not None]
    xs = [(float(t.get("x")), _number(t.text)) for t in texts if t.get("text-anchor") == "middle"]
    ys = [(float(t.get("y")) - 4, _number(t.text)) for t in texts if t.get("text-anchor") == "end"]

    def fit(pairs):
        px, value = np.array(pairs).T
        slope, offset = np.polyfit(px, value, 1)
        assert np.allclose(slope * px + offset, value, atol=0.06 * abs(slope))  # pixels to 0.1
        return lambda p: slope * np.asarray(p, float) + offset
    return root, fit(xs), fit(ys)


def _number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def points_of(root):
    return [(float(c.get("cx")), float(c.get("cy")), c.get("fill")) for c in root.iter(f"{NS}circle")]


def lines_of(root):
    return [np.array([[float(v) for v in pair.split(",")] for pair in line.get("points").split()])
            for line in root.iter(f"{NS}polyline")]


def test_transfer_points_and_ideal_line_are_where_the_data_say():
    x = np.linspace(-1.25, 1.25, 11)
    measured = np.clip(x + 0.5, 0, 1) + np.linspace(-0.03, 0.03, 11)
    svg = transfer_svg(x, {"measured": measured}, ideal={"ideal": np.clip(x + 0.5, 0, 1)})
    root, to_x, to_y = axes(svg)
    pts = points_of(root)[:-1]  # the last circle is the legend's mark
    assert len(pts) == 11
    got = np.array([(to_x(px), to_y(py)) for px, py, _ in pts])
    assert np.allclose(got[:, 0], x, atol=0.01) and np.allclose(got[:, 1], measured, atol=0.01)
    (ideal,) = lines_of(root)
    assert np.allclose(to_y(ideal[:, 1]), np.clip(x + 0.5, 0, 1), atol=0.01)
    assert isinstance(svg, SVG) and svg._repr_svg_() == str(svg)
    assert len(repr(svg)) < 80 and str(svg).startswith("<svg")


def test_series_must_match_and_stay_readable():
    with pytest.raises(ValueError, match="has 2 values for 3 points"):
        transfer_svg([0, 1, 2], {"m": [0, 1]})
    with pytest.raises(ValueError, match="too many"):
        rates_svg({f"s{k}": [0.0] for k in range(MAX_LINES + 1)}, window=4)


SKELETON_X = "examples/skeleton_input.npz"


def test_rates_plot_of_the_skeleton_run_draws_its_hand_computed_rates():
    # y[0] fires at 1, 6; y[1] at 4; y[2] at 3, 8 (examples/skeleton.corelet): windows of 5 ticks
    compiled = corelet.compile("examples/skeleton.corelet")
    result = corelet.run(compiled, 10, {"x": np.load(SKELETON_X)["x"]})
    root, to_x, to_y = axes(plots.rates_plot(result, 5))
    lines = lines_of(root)
    assert len(lines) == 3
    expected = {0: [0.2, 0.2], 1: [0.2, 0.0], 2: [0.2, 0.2]}
    for pin, line in enumerate(lines):
        assert np.allclose(to_x(line[:, 0]), [2.5, 7.5], atol=0.05)  # the windows' middles
        assert np.allclose(to_y(line[:, 1]), expected[pin], atol=0.005)
    labels = [t.text for t in root.iter(f"{NS}text")]
    assert {"y[0]", "y[1]", "y[2]"} <= set(labels)


def test_wide_connectors_are_averaged_into_one_line():
    raster = np.zeros((1, 8, 20), bool)
    raster[0, :4, :10] = True  # pins 0..9 fire in ticks 0..3: mean rate 0.5 then 0
    series = plots.rate_series({"y": raster}, 4)
    assert list(series) == ["y (mean of 20 pins)"] and series["y (mean of 20 pins)"].tolist() == [0.5, 0.0]


RELAY = """neuron relay { weights = [1, 0, 0, 0]; threshold = 1; reset = value; reset_value = 0 }
corelet Relays() { input x[2]; output y[2]; neurons h[2] = relay; x[i] -> h[i] for i in 0..2; y = h }"""


def test_measured_transfer_of_a_relay_is_the_identity():
    # every input spike makes one output spike in the same tick: out rate = in rate, exactly
    model = corelet.compile(language.elaborate_source(RELAY, "relay.corelet")).model
    levels = np.linspace(0, 1, 6)
    measured = plots.measure_transfer(model, "x", "y", levels, 50)
    assert np.allclose(measured, levels[:, None])
    with pytest.raises(ValueError, match="no input connector 'z'"):
        plots.measure_transfer(model, "z", "y", levels, 50)


def test_hard_sigmoid_measured_on_the_runtime_follows_the_ideal_curve():
    """HardSigmoid(nS = 32) fires in its release phase at clip(AMP / nS + 0.5, 0, 1) per tick
    (library/activations.corelet); AMP spikes go into the store window, the rate comes out."""
    amp = np.arange(-24, 25, 8)
    PL, cycles, batch = 32, 2, 8
    ticks = 2 * PL * cycles + 1
    xp = np.zeros((ticks, len(amp)), bool)
    xn = np.zeros((ticks, len(amp)), bool)
    for k in range(cycles):
        start = 2 * PL * k + 3  # the store window opens with the pre-charge tick
        for i, a in enumerate(amp):
            (xp if a > 0 else xn)[start:start + abs(a), i] = True
    source = """use "store_release"
    use "activations"
    corelet Sig() {
        input xp[7]; input xn[7]; output y[7]
        c = SRClock(PL = 32)
        s = HardSigmoid(n = 7, nS = 32); xp -> s.x_pos; xn -> s.x_neg; y = s.y
        c.store -> s.store; c.precharge -> s.precharge; c.release -> s.release
    }"""
    model = corelet.compile(language.elaborate_source(source, "sig.corelet")).model
    out = corelet.run(model, ticks, {"xp": np.broadcast_to(xp, (batch, *xp.shape)),
                                     "xn": np.broadcast_to(xn, (batch, *xn.shape))}, seed=3)
    # the release phases: ticks 2 PL k + PL + 1 .. 2 PL (k + 1), PL ticks per cycle
    release = np.concatenate([corelet.decode.spike_counts(out.outputs["y"], window=PL,
                                                          start=2 * PL * k + PL + 1)[:, :1]
                              for k in range(cycles)], axis=1)
    measured = release.sum(axis=(0, 1)) / (batch * cycles * PL)
    x = amp / 32
    ideal = np.clip(x + 0.5, 0, 1)
    # 512 draws per point: a standard deviation of at most 0.022
    assert np.abs(measured - ideal).max() < 0.09
    svg = transfer_svg(x, {"HardSigmoid": measured}, ideal={"clip(x + 0.5, 0, 1)": ideal})
    root, to_x, to_y = axes(svg)
    got = np.array([(to_x(px), to_y(py)) for px, py, _ in points_of(root)[:-1]])
    assert np.allclose(got, np.column_stack([x, measured]), atol=0.01)
