"""The HTML report: self-contained, one grid cell per used core, and fast on a full 64-chip-core model."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest

from corelet.reports.report import ReportError, render_report
from .report_models import full_model, small_model

VOID = {"meta", "br", "rect", "hr", "img", "input", "link"}


class Outline(HTMLParser):
    """Collects every svg with its cells, and checks that tags nest properly."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.svgs: list[dict] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg":
            self.svgs.append({"class": attrs.get("class", ""), "cells": []})
        if tag == "rect" and attrs.get("class") == "core":
            self.svgs[-1]["cells"].append(attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    assert parser.errors == [] and parser.stack == []
    return parser


def test_grid_has_one_cell_per_used_core_on_chips_in_use():
    page = outline(render_report(small_model(), fmt="html"))
    by_util = [s for s in page.svgs if "utilisation" in s["class"]]
    by_corelet = [s for s in page.svgs if "grid corelets" in s["class"]]
    assert len(by_util) == len(by_corelet) == 2  # chips 0 and 1 are in use
    cells = [(int(c["x"]), int(c["y"]), int(c["width"])) for s in by_util for c in s["cells"]]
    # Few cores in a small region: each chip is zoomed. Chip 0 holds cores 0 (row 0, col 0) and
    # 1 (row 2, col 3): rows 0-2 and columns 0-3, widened to the least region shown (3 rows,
    # 6 columns), 480 px / 6 columns = 80 px, capped at 48 px a cell, after the 26 px of row numbers
    # and the 16 px of column numbers. Chip 1 holds core 2 (row 0, col 1): region rows 0-2,
    # columns 1-6, so core 2 is the region's first cell. The empty core 3 gets no cell.
    assert cells == [(26, 16, 48), (26 + 3 * 48, 16 + 2 * 48, 48), (26, 16, 48)]
    assert sum(len(s["cells"]) for s in by_corelet) == 3


def test_zoomed_cells_carry_their_core_numbers_and_the_region_is_named():
    html = render_report(small_model(), fmt="html")
    labels = re.findall(r'<text class="label"[^>]*>(\d+)</text>', html)
    # per chip, the utilisation picture then the corelet picture: chip 0 holds cores 0 and 1
    assert labels == ["0", "1", "0", "1", "2", "2"]
    assert "Chip 0: 2 cores, rows 0&ndash;2 and columns 0&ndash;5 shown" in html
    assert "Chip 1: 1 core, rows 0&ndash;2 and columns 1&ndash;6 shown" in html
    assert html.count('<svg class="overview"') == 2  # the whole chip beside each zoomed picture


def test_grid_region_zooms_small_regions_and_keeps_the_whole_chip_for_spread_cores():
    from corelet.reports.report import grid_region

    rows, cols = np.array([10, 12]), np.array([60, 63])
    # box rows 10-12, columns 60-63; widened to 6 columns it would pass column 63, so it moves left
    assert grid_region(rows, cols, (64, 64)) == (10, 58, 3, 6, True)
    assert grid_region(np.array([0, 30]), np.array([5, 5]), (64, 64)) == (0, 0, 64, 64, False)
    # a chip smaller than the least region is drawn whole, not zoomed
    assert grid_region(np.array([0]), np.array([0]), (2, 4)) == (0, 0, 2, 4, False)


def test_summary_names_chips_plainly_and_the_source_by_its_file_name():
    model = small_model()
    model.provenance["source"] = "../../../examples/deep/net.corelet"
    html = render_report(model, fmt="html")
    assert "<dt>chips</dt><dd>2 chips used (chips 0, 1) of the 64 the profile allows</dd>" in html
    assert '<dd title="../../../examples/deep/net.corelet">net.corelet</dd>' in html
    assert "<title>Placement report: net.corelet</title>" in html


def test_corelet_picture_colours_cores_by_their_main_corelet():
    page = outline(render_report(small_model(), fmt="html"))
    fills = [c["fill"] for s in page.svgs if "corelets" in s["class"] for c in s["cells"]]
    assert len(set(fills)) == 3  # layer1, layer2 and layer1.sub dominate one core each
    html = render_report(small_model(), fmt="html")
    for name in ("layer1", "layer2", "layer1.sub"):
        assert re.search(rf"</span>{re.escape(name)} \(1\)", html)


def test_html_is_self_contained():
    html = render_report(small_model(), fmt="html", stats=None)
    for external in ("http://", "https://", "src=", "<link", "@import", "url(", "<script"):
        assert external not in html
    assert "<style>" in html


def test_html_states_power_and_source():
    html = render_report(small_model(), fmt="html")
    assert "26 pJ per synaptic event" in html and "Merolla et al." in html
    assert "47.6 uW" in html  # 3 used cores x 65 mW / 4096


def test_html_without_compiler_records_counts_from_the_arrays():
    html = render_report(small_model(compile_record=None), fmt="html")
    assert "no latency added" in html
    assert "<dt>copies</dt><dd>1 " in html and "<dt>relays</dt><dd>1</dd>" in html


def test_html_lists_latency_records():
    html = render_report(small_model(), fmt="html")
    assert ('<td class="name">in[2]</td><td class="name">0</td><td class="name">1</td>'
            '<td class="name">1</td><td class="name">2</td><td class="name">layer1.h[4], layer1.h[0]</td>') in html
    assert "3 connection(s) delayed, in 2 group(s), by at most 2 tick(s)" in html


def test_unknown_format_is_an_error():
    with pytest.raises(ReportError, match="'pdf'"):
        render_report(small_model(), fmt="pdf")


def test_full_model_renders_with_every_core_drawn():
    # no wall-clock assertion (it would fail on a loaded machine); benchmarks/ measures speed
    model = full_model(4096)
    html = render_report(model, fmt="html")
    text = render_report(model, fmt="text")
    utilisation = html.split('class="grid utilisation"', 1)[1].split('class="grid corelets"')[0]
    assert utilisation.count('<rect class="core"') == 4096
    assert "... 4032 more cores (the HTML report lists them all)" in text  # text lists 64
    assert html.count("<tr><td>") >= 4096


def test_measured_activity_picture_and_column():
    from .test_report_hops_power import STATS

    html = render_report(small_model(), fmt="html", stats=STATS)
    page = outline(html)
    activity = [c for s in page.svgs if "activity" in s["class"] for c in s["cells"]]
    # the busiest core (0) takes the dark end of the scale, the idle core (2) the pale end
    assert [c["fill"] for c in activity][0::2] == ["#440154", "#fde725"]
    assert "<th>events / tick</th>" in html and "<td>1.5</td>" in html
    assert "activity" not in "".join(s["class"] for s in outline(render_report(small_model())).svgs)
