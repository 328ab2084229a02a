"""What the report adds for a reader: bars per corelet, activity over time and the busiest cores
from run statistics, and the spikes that cross chip boundaries with what they cost. Expectations
are worked out by hand from ``report_models.small_model`` (see its docstring)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from corelet.reports.power import ChipLink, StatsError, crossing_estimate, tick_spikes
from corelet.reports.report import render_report
from .report_models import small_model
from .test_report_hops_power import STATS

# Routes of small_model across chips: core 0's copy of layer1.h[0] (chip 0) -> core 2 (chip 1);
# core 2's layer1.sub.k[0] -> core 1 and its relay -> core 0 (chip 1 -> chip 0). One boundary each.
CROSSING_ROUTES = 3


def test_crossings_counted_by_hand_at_the_assumed_rate():
    est = crossing_estimate(small_model())
    assert (est.routes, est.boundaries, est.max_boundaries) == (CROSSING_ROUTES, 3, 1)
    assert est.pairs == ((0, 1, 1), (1, 0, 2))
    assert est.boundary_routes == (3,)  # the one boundary, between chips 0 and 1
    p = 20 / 1000  # 20 Hz at 1000 ticks per second
    assert est.spikes_per_tick == pytest.approx(3 * p) and est.crossings_per_tick == pytest.approx(3 * p)
    assert est.power_w == pytest.approx(3 * p * 1000 * 320e-12)  # 19.2 nW
    assert est.max_latency_s == pytest.approx(1e-6) and est.added_ticks == 0
    assert est.link_load == pytest.approx(3 * p * 1000 / 50e6)


def test_a_slow_link_adds_ticks_and_a_busy_one_overruns():
    slow = crossing_estimate(small_model(), link=ChipLink(latency_s=2.5e-3))
    assert slow.added_ticks == 2  # 2.5 ms on the link: due one tick later, it lands 2 ticks late
    busy = crossing_estimate(small_model(), link=ChipLink(spikes_per_s=30.0), rate_hz=1000)
    assert busy.link_load == pytest.approx(3 * 1 * 1000 / 30)  # 3 routes firing every tick
    html = render_report(small_model(), fmt="html")
    assert "<h2>Between chips</h2>" in html and "19.2 nW" in html


def test_measured_crossings_come_from_the_run_statistics():
    stats = {**STATS, "chip_crossings": {"spikes": 50, "boundaries": 60}}
    est = crossing_estimate(small_model(), stats)
    assert est.basis == "measured"
    assert est.spikes_per_tick == pytest.approx(50 / 200)  # 100 ticks x 2 samples
    assert est.crossings_per_tick == pytest.approx(60 / 200)
    assert est.link_load is None  # the statistics do not say which boundary
    text = render_report(small_model(), fmt="text", stats=stats)
    assert re.search(r"measured +0\.25 spikes across per tick, 0\.3 boundary crossings per tick", text)
    with pytest.raises(StatsError, match="no 'chip_crossings' entry"):
        crossing_estimate(small_model(), STATS)
    with pytest.raises(StatsError, match="'chip_crossings'"):
        crossing_estimate(small_model(), {**STATS, "chip_crossings": {"spikes": -1, "boundaries": 0}})


def test_single_chip_models_have_no_between_chips_section():
    from .report_models import full_model
    model = full_model(8)
    assert "Between chips" not in render_report(model, fmt="html")


def test_activity_over_time_is_drawn_per_sample_and_binned_when_long():
    series = [4, 0, 2, 6] * 25  # 100 ticks, 2 samples
    html = render_report(small_model(), fmt="html", stats={**STATS, "tick_spikes": series})
    chart = re.search(r'<svg class="activity-time".*?</svg>', html, re.S).group(0)
    points = re.search(r'<polyline points="([^"]*)"', chart).group(1).split()
    assert len(points) == 100
    assert "spikes per tick</text>" in chart
    long = tick_spikes({**STATS, "ticks": 1200, "tick_spikes": [2] * 1200})
    assert long.tolist() == [1.0] * 1200  # per sample: 2 spikes over 2 samples
    html = render_report(small_model(), fmt="html",
                         stats={**STATS, "ticks": 1200, "tick_spikes": [2] * 1200})
    chart = re.search(r'<svg class="activity-time".*?</svg>', html, re.S).group(0)
    # 1200 ticks in bins of ceil(1200 / 500) = 3 ticks: 400 points
    assert len(re.search(r'<polyline points="([^"]*)"', chart).group(1).split()) == 400
    assert "mean of 3-tick bins" in chart


def test_statistics_without_the_series_say_so():
    html = render_report(small_model(), fmt="html", stats=STATS)
    assert "do not record spikes per tick" in html and "activity-time" not in html
    with pytest.raises(StatsError, match="'tick_spikes' must list 100"):
        tick_spikes({**STATS, "tick_spikes": [1, 2]})


def test_busiest_cores_are_drawn_as_bars_longest_first():
    html = render_report(small_model(), fmt="html", stats=STATS)
    bars = re.search(r'<svg class="bars busiest".*?</svg>', html, re.S).group(0)
    # events per tick: core 0 300/200 = 1.5, core 1 100/200 = 0.5; core 2 is idle and not listed
    assert re.findall(r">core (\d+)</text>", bars) == ["0", "1"]
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', bars)]
    assert widths == pytest.approx([170, 170 / 3], abs=0.06)  # the longest bar is 170 px


def test_corelet_bars_give_cores_and_neurons():
    html = render_report(small_model(), fmt="html")
    bars = re.search(r'<svg class="bars corelet-bars".*?</svg>', html, re.S).group(0)
    # one core each; neurons: layer1 5 + 1 copy on core 0, layer1.sub 3 (1 a relay) on core 2,
    # layer2 2 and the top corelet's bias 1 on core 1: most neurons first
    assert re.findall(r'text-anchor="end">([^<]+)</text>', bars) == ["layer1", "layer1.sub", "layer2",
                                                                      "(top)"]
    values = re.findall(r'font-size="11">([^<]+)</text>', bars)
    assert values == ["1"] * 4 + ["6 (1 copy)", "3 (1 relay)", "2", "1"]
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" '
                                           r'height="12" fill="#21918c"', bars)]
    assert widths == pytest.approx([170 * n / 6 for n in (6, 3, 2, 1)], abs=0.06)  # longest: 170 px
