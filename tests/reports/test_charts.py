"""The SVG chart writers: round ticks that cover the data, well-formed and deterministic SVG,
escaped labels, and shape errors named."""

import xml.dom.minidom

import numpy as np
import pytest
from hypothesis import given, strategies as st

from corelet.reports.charts import Chart, heatmaps_svg, nice_ticks, timing_svg


@given(st.floats(-1e6, 1e6), st.floats(0, 1e6))
def test_ticks_are_round_evenly_spaced_and_cover_the_range(low, span):
    ticks = nice_ticks(low, low + span)
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0])
    slack = 1e-6 * steps[0]  # a millionth of a step is no gap on any picture
    assert ticks[0] <= low + slack and ticks[-1] >= low + span - slack
    mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
    assert any(np.isclose(mantissa, m) for m in (1, 2, 5, 10))
    assert len(ticks) <= 12


def test_a_chart_is_well_formed_deterministic_and_escapes_labels():
    def make():
        return (Chart("rate <x>", "input & more", "rate")
                .line([0, 1, 2], [0, 0.5, 1], "ideal", dashed=True)
                .points([0.5, 1.5], [0.2, 0.8], "measured").svg())
    svg = make()
    xml.dom.minidom.parseString(svg)
    assert svg == make()
    assert "rate &lt;x&gt;" in svg and "input &amp; more" in svg
    assert svg.count("<circle") == 2 + 1  # two points and the legend's mark
    assert "stroke-dasharray" in svg


def test_timing_diagram_draws_one_bar_per_spike():
    spikes = np.array([1, 0, 1, 1, 0, 0, 0, 1], dtype=bool)
    svg = timing_svg("t", [("x", spikes), ("y", np.zeros(8, bool))], marks=[(2, "store")])
    xml.dom.minidom.parseString(svg)
    assert svg.count('fill="#1f77b4"') == spikes.sum()
    assert ">store<" in svg


def test_heatmap_has_a_cell_per_element():
    svg = heatmaps_svg("h", [("a", np.eye(3)), ("b", np.arange(6).reshape(2, 3))])
    xml.dom.minidom.parseString(svg)
    assert svg.count("<rect") == 1 + 9 + 6 + 2  # the background, one per cell, a frame per map


def test_series_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="3 x values but 2 y values"):
        Chart("t", "x", "y").line([0, 1, 2], [0, 1], "bad")
