"""The SVG raster of a run: which sample, which panels, tick labels, segment and window marks, and
bins for long runs. Results are built by hand, so each expectation is worked out from the arrays."""

from __future__ import annotations

import re

import numpy as np
import pytest

from corelet.runtime import SimResult, SimulationError, raster_svg
from corelet.runtime.raster import LABEL, RIGHT, WIDTH


def result(outputs: dict, probes: dict | None = None, ticks: int | None = None) -> SimResult:
    first = next(iter(outputs.values()))
    batch, ticks = first.shape[0], ticks or first.shape[1]
    probes = probes or {}
    return SimResult(ticks=ticks, batch=batch, seed=0, outputs=outputs,
                     counts={k: v.sum(axis=1) for k, v in outputs.items()}, probes=probes,
                     probe_neurons={k: [f"{k}{i}" for i in range(v.shape[2])] for k, v in probes.items()},
                     traces={}, neuron_spikes=np.zeros(1, np.int64), axon_activity=np.zeros(1, np.int64))


def mark_xs(svg: str, kind: str) -> list[float]:
    """The x of each spike mark in the panel of ``kind``."""
    panel = re.search(rf'<g class="panel {kind}">(.*?)</g>', svg).group(1)
    path = re.search(r'<path class="spikes" d="([^"]*)"', panel)
    return [float(x) for x in re.findall(r"M([\d.]+) ", path.group(1))] if path else []


def test_the_chosen_sample_is_drawn_and_named():
    out = np.zeros((3, 10, 1), bool)
    out[0, 2, 0] = out[1, 5, 0] = out[1, 7, 0] = out[2, 9, 0] = True
    svg = raster_svg(result({"y": out}), sample=1)
    x_scale = (WIDTH - LABEL - RIGHT) / 10
    assert mark_xs(svg, "output") == pytest.approx([LABEL + 5.5 * x_scale, LABEL + 7.5 * x_scale],
                                                      abs=0.06)
    assert "sample 1 of 3" in svg and "1 pin, 2 spikes" in svg
    with pytest.raises(SimulationError, match=r"sample 3 is not in this run: it has 3 sample\(s\), 0..2"):
        raster_svg(result({"y": out}), sample=3)


def test_inputs_and_probes_are_drawn_before_the_outputs():
    out = np.zeros((1, 6, 2), bool)
    out[0, 4, 1] = True
    probe = np.zeros((1, 6, 3), bool)
    probe[0, [1, 2, 3], [0, 1, 2]] = True
    x = np.zeros((6, 1), bool)  # an unbatched input (shared by all samples), shorter runs padded
    x[[0, 1]] = True
    svg = raster_svg(result({"y": out}, {"hid.h[*]": probe}), inputs={"x": x[:4]})
    order = re.findall(r'<g class="panel (\w+)">', svg)
    assert order == ["input", "probe", "output"]
    assert "input x" in svg and "1 pin, 2 spikes" in svg
    assert "probe hid.h[*]" in svg and "3 pins, 3 spikes" in svg
    assert "output y" in svg and "2 pins, 1 spike<" in svg


def test_tick_labels_between_the_ends():
    svg = raster_svg(result({"y": np.zeros((1, 200, 1), bool)}))
    labels = [int(t) for t in re.findall(r'text-anchor="middle">(\d+)</text>', svg)]
    assert labels == list(range(0, 201, 20))  # about ten round steps: 200 / 10 = 20


def test_reset_segments_and_input_windows_are_marked():
    svg = raster_svg(result({"y": np.zeros((1, 200, 1), bool)}), reset_every=50, window=40)
    x_scale = (WIDTH - LABEL - RIGHT) / 200
    resets = [float(x) for x in re.findall(r'<line class="reset" x1="([\d.]+)"', svg)]
    windows = [float(x) for x in re.findall(r'<line class="window" x1="([\d.]+)"', svg)]
    assert resets == pytest.approx([LABEL + t * x_scale for t in (50, 100, 150)], abs=0.06)
    assert windows == pytest.approx([LABEL + t * x_scale for t in (40, 80, 120, 160)], abs=0.06)
    assert "--reset-every 50 ticks" in svg and "input windows (every 40 ticks)" in svg
    two = raster_svg(result({"y": np.zeros((1, 200, 1), bool)}), window=40, windows=2)
    assert len(re.findall(r'<line class="window" x1="([\d.]+)"', two)) == 2  # ends of windows 1, 2


def test_long_runs_are_binned_and_say_so():
    ticks = 10_000
    out = np.zeros((1, ticks, 2), bool)
    out[0, :5000, 0] = True  # pin 0 fires every tick of the first half
    svg = raster_svg(result({"y": out}))
    plot_w = WIDTH - LABEL - RIGHT
    bin_ticks = -(-ticks // plot_w)  # at most one bin per pixel
    assert f"{ticks} ticks binned by {bin_ticks}" in svg
    full = 5000 // bin_ticks  # bins wholly inside the first half
    partial_share = (5000 - full * bin_ticks) / bin_ticks
    paths = dict((opacity, d) for d, opacity in re.findall(
        r'<path class="bins" d="([^"]*)" fill="[^"]*" fill-opacity="([\d.]+)"', svg))
    assert sorted(paths) == ["0.25", "1.00"]
    cell_w = bin_ticks * plot_w / ticks
    # the full bins of pin 0 make one dark rectangle from tick 0; the bin holding tick 5000 one
    # light cell after it; pin 1 (silent) nothing
    (x, w), = [(float(a), float(b)) for a, b in re.findall(r"M([\d.]+) [\d.]+h([\d.]+)", paths["1.00"])]
    assert x == pytest.approx(LABEL) and w == pytest.approx(full * cell_w, abs=0.01)
    (x, w), = [(float(a), float(b)) for a, b in re.findall(r"M([\d.]+) [\d.]+h([\d.]+)", paths["0.25"])]
    assert x == pytest.approx(LABEL + full * cell_w, abs=0.06) and w == pytest.approx(cell_w, abs=0.01)
    assert 0 < partial_share <= 0.25
    assert "spikes" not in re.findall(r'<path class="(\w+)"', svg)  # no per-spike marks
    assert len(svg) < 100_000


def test_wide_connectors_group_pins_into_rows():
    out = np.zeros((1, 20, 1000), bool)
    out[0, 3, :5] = True  # pins 0-4 fire at tick 3: the first row of 5 pins, full
    out[0, 7, 999] = True  # pin 999: the last row (995-999), one of its five places
    svg = raster_svg(result({"y": out}))
    assert "1000 pins, 6 spikes" in svg and "5 pins a row" in svg  # ceil(1000 / 240) = 5
    cells = dict((opacity, d.count("z")) for d, opacity in
                 re.findall(r'<path class="bins" d="([^"]*)" fill="[^"]*" fill-opacity="([\d.]+)"', svg))
    assert cells == {"1.00": 1, "0.25": 1}  # 5 of 5 places, and 1 of 5 (20%, the lightest shade)


def test_a_run_with_nothing_recorded_says_so():
    empty = SimResult(ticks=5, batch=1, seed=0, outputs={}, counts={}, probes={}, probe_neurons={},
                      traces={}, neuron_spikes=np.zeros(0), axon_activity=np.zeros(0))
    assert "nothing recorded" in raster_svg(empty)
