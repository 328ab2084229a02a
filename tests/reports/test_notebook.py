"""Notebook display: short text reprs everywhere, and HTML (report summary and core grid for a model
or a compile result, the raster for a run) that parses and draws what the model holds."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest

import corelet
from corelet.chip import display
from corelet.reports import summary
from corelet.reports.notebook import grid_svg, model_html

from tests.reports.report_models import small_model

VOID = {"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "wbr", "source"}


class Elements(HTMLParser):
    """Every element with its attributes and text; fails on a closing tag that closes nothing open."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.found: list[tuple[str, dict, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs), []))
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.found.append((tag, dict(attrs), []))

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data):
        if self.found:
            self.found[-1][2].append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    assert parser.open == [], f"unclosed elements: {parser.open}"
    return parser


SKELETON = "examples/skeleton.corelet"
WIDE = """
neuron relay { weights = [1, 0, 0, 0]; threshold = 1; reset = value; reset_value = 0 }
corelet Wide() { input x[300]; output y[300]; neurons h[300] = relay; x[i] -> h[i] for i in 0..300; y = h }
"""


def test_model_html_has_the_summary_and_one_labelled_cell_per_used_core():
    model = small_model()  # cores 0, 1, 2 used (chip 0 rows 0..2 cols 0..3; chip 1 row 0 col 1); 3 empty
    page = parse(model_html(model))
    assert [a["class"] for tag, a, _ in page.found if tag == "div" and "corelet-grid" in a.get("class", "")]
    svgs = [attrs for tag, attrs, _ in page.found if tag == "svg"]
    assert len(svgs) == 2 and all(a["class"] == "grid utilisation" for a in svgs)  # one per chip
    cells = [attrs for tag, attrs, _ in page.found if tag == "rect" and attrs.get("class") == "core"]
    titles = [t for tag, _, texts in page.found if tag == "title" for t in texts if t.strip()]
    assert sorted(int(t.split()[1]) for t in titles) == [0, 1, 2]  # core 3 is empty: no cell
    assert len(cells) == 3
    labels = [t for tag, attrs, texts in page.found if tag == "text" and attrs.get("class") == "label"
              for t in texts if t.strip()]
    assert sorted(labels) == ["0", "1", "2"]
    texts = " ".join(t for _, _, texts in page.found for t in texts)
    # the report's zoom: the used cores' bounding box, widened to at least 3 rows x 6 columns
    assert "chip 0: rows 0..2, columns 0..5 of 64x64" in texts
    assert "chip 1: rows 0..2, columns 1..6 of 64x64" in texts
    pre = next(texts for tag, _, texts in page.found if tag == "pre")
    assert "".join(pre) == summary(model)  # the report's summary, whole (html.parser unescapes)
    # cells sit where the coordinates say: core 1 is 2 rows and 3 columns from core 0, one pitch each
    x = {int(t.split()[1]): (float(a["x"]), float(a["y"])) for a, t in zip(cells, titles)}
    pitch = (x[1][0] - x[0][0]) / 3
    assert pitch > 10 and x[1][1] - x[0][1] == pytest.approx(2 * pitch)


def test_a_compiled_model_and_its_compilation_show_html_through_the_hook():
    compiled = corelet.compile(corelet.language.elaborate_source(WIDE, "wide.corelet"))
    n_used = int((compiled.model.cores.neuron_path >= 0).any(axis=1).sum())
    assert n_used == 2  # 300 neurons: two cores
    for html in (compiled.model._repr_html_(), compiled._repr_html_()):
        page = parse(html)
        assert sum(tag == "rect" and a.get("class") == "core" for tag, a, _ in page.found) == n_used
    assert "Compilation</b> of Wide" in compiled._repr_html_()


def test_reprs_are_one_short_line_of_counts():
    compiled = corelet.compile(corelet.language.elaborate_source(WIDE, "wide.corelet"))
    result = corelet.run(compiled, 200, {"x": np.ones((200, 300), bool)})
    texts = {"network": repr(compiled.network), "model": repr(compiled.model),
             "compilation": repr(compiled), "run": repr(result)}
    for kind, text in texts.items():
        assert "\n" not in text and len(text) < 300, (kind, text)
    assert texts["network"] == ("<Network Wide: 300 neurons in 1 population, 300 connections; "
                                "inputs x[300]; outputs y[300]>")
    assert texts["model"].startswith("<ChipModel: 2 cores on 1 chip, 300 neurons; inputs x[300]; "
                                     "outputs y[300]; seed 0")
    # an input row is integrated in its own tick (delay 1): every neuron fires every tick
    assert texts["run"] == "<SimResult: 200 ticks x 1 sample, seed 0; outputs y[300] 60000 spikes>"


def test_run_html_is_the_raster_and_says_which_sample_it_draws():
    net = corelet.load(SKELETON)
    x = np.load("examples/skeleton_input.npz")["x"]
    result = corelet.run(corelet.compile(net), 10, {"x": np.stack([x, np.zeros_like(x)])})
    page = parse(result._repr_html_())
    assert [tag for tag, _, _ in page.found].count("svg") == 1
    texts = " ".join(t for _, _, texts in page.found for t in texts)
    assert "raster of sample 0 of 2" in texts
    # the skeleton's documented spikes in sample 0: 5 (y[0] at 1, 6; y[1] at 4; y[2] at 3, 8)
    path = next(a["d"] for tag, a, _ in page.found if tag == "path")
    assert len(re.findall(r"M", path)) == 5


def test_without_a_registered_renderer_there_is_no_html_and_the_text_repr_stands():
    assert display.html("no such kind", object()) is None


def test_the_grid_of_a_model_with_no_used_core_says_so():
    model = small_model()
    empty = model.cores.neuron_path.copy()
    empty[:] = -1
    import attrs
    cores = attrs.evolve(model.cores, neuron_path=empty, axon_path=np.full_like(model.cores.axon_path, -1))
    assert "no cores in use" in grid_svg(attrs.evolve(model, cores=cores))


def test_a_large_run_shows_a_bounded_raster_and_says_what_it_left_out():
    from corelet.runtime.notebook import MAX_PINS, MAX_TICKS
    compiled = corelet.compile(corelet.language.elaborate_source(WIDE, "wide.corelet"))
    ticks = MAX_TICKS + 100
    result = corelet.run(compiled, ticks, {"x": np.ones((ticks, 300), bool)})
    html = result._repr_html_()
    page = parse(html)
    texts = " ".join(t for _, _, texts in page.found for t in texts)
    assert f"ticks 0..{MAX_TICKS - 1} of {ticks}" in texts and f"y: pins 0..{MAX_PINS - 1} of 300" in texts
    path = next(a["d"] for tag, a, _ in page.found if tag == "path")
    # every neuron fires every tick: the raster (which merges neighbouring marks of one shade into
    # one rectangle) paints MAX_PINS rows, each across the same full width of MAX_TICKS ticks
    rects = [(float(y), float(w)) for y, w in re.findall(r"M[\d.]+ ([\d.]+)h([\d.]+)", path)]
    assert len({y for y, _ in rects}) == MAX_PINS
    widths = {y: 0.0 for y, _ in rects}
    for y, w in rects:
        widths[y] += w
    assert len(set(widths.values())) == 1 and min(widths.values()) > 0
    assert len(html) < 1_000_000  # even when every neuron fires every tick
