"""The report and the raster as a person sees them: rendered by headless Chromium, screenshot taken.

Each picture costs one Chromium start (a few seconds): the page is loaded once with a screenshot
and a dump of the DOM after load. The checks: the cells or spike marks the page says it draws are
painted (their pixels in the screenshot carry their fill, not the background), and the browser
reported no console message and no error (the pages have no script of their own, so any console
line is the browser's complaint, e.g. about an attribute it could not read).

Chromium is the Debian package `chromium` (`apt-get install chromium`; `.ci/run` installs it).
Where it is absent the tests are skipped, and say so.
"""

from __future__ import annotations

import colorsys
import html as html_text
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import corelet
from corelet.reports import render_report
from corelet.runtime import raster_svg
from tests.browser.png import read_png

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]
CHAIN = Path(__file__).with_name("chain.corelet")
# Injected into a copy of the report: record uncaught errors, and after load write the box of each
# grid cell and the errors into attributes of <body>, which --dump-dom prints.
RECORD_ERRORS = ("<script>window.__errors = []; addEventListener('error', "
                 "e => __errors.push(String(e.message || e.type)), true);</script>")
REPORT_BOXES = ("<script>addEventListener('load', () => { document.body.setAttribute('data-boxes', "
                "JSON.stringify([...document.querySelectorAll('svg.grid rect.core')].map(r => { "
                "const b = r.getBoundingClientRect(); return [b.x, b.y, b.width, b.height, "
                "r.getAttribute('fill')]; }))); document.body.setAttribute('data-errors', "
                "JSON.stringify(__errors)); });</script>")


@pytest.fixture(scope="module")
def chromium():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian package `chromium`; .ci/run installs it): "
                    "the report and raster were not checked in a browser")
    return CHROMIUM


def browse(chromium: str, page: Path, size: tuple[int, int], folder: Path) -> tuple[np.ndarray, str, list[str]]:
    """Load ``page`` once: its screenshot as pixels, the DOM after load, and the console lines."""
    shot = folder / f"{page.stem}.png"
    proc = subprocess.run([chromium, *FLAGS, f"--user-data-dir={folder / 'profile'}",
                           f"--window-size={size[0]},{size[1]}", f"--screenshot={shot}",
                           "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return read_png(shot.read_bytes()), proc.stdout, console


def rgb(fill: str) -> tuple[int, int, int]:
    """A CSS colour of the forms the pictures use (#rrggbb, hsl(h,s%,l%)) as 8-bit RGB."""
    if fill.startswith("#"):
        return tuple(int(fill[k:k + 2], 16) for k in (1, 3, 5))
    h, s, l = (float(v) for v in re.fullmatch(r"hsl\(([\d.]+),([\d.]+)%,([\d.]+)%\)", fill).groups())
    return tuple(round(255 * v) for v in colorsys.hls_to_rgb(h / 360, l / 100, s / 100))


@pytest.fixture(scope="module")
def compiled():
    return corelet.compile(corelet.load(CHAIN)).model


def test_report_grid_is_painted_without_console_errors(chromium, compiled, tmp_path):
    html = render_report(compiled, fmt="html")
    page = tmp_path / "report.html"
    page.write_text(html.replace("<head>", "<head>" + RECORD_ERRORS, 1)
                    .replace("</body>", REPORT_BOXES + "</body>", 1))
    pixels, dom, console = browse(chromium, page, (1400, 1300), tmp_path)
    assert console == []
    body = re.search(r"<body([^>]*)>", dom).group(1)
    assert json.loads(_attribute(body, "data-errors")) == []
    boxes = json.loads(_attribute(body, "data-boxes"))
    used = int((compiled.cores.neuron_path >= 0).any(axis=1).sum())
    assert used >= 3 and len(boxes) == 2 * used  # a utilisation and a corelet picture, one chip
    for x, y, w, h, fill in boxes:
        assert w >= 20 and h >= 20  # zoomed: a few cores are drawn large, not 6-pixel cells
        assert y + h <= pixels.shape[0], "a grid cell lies below the screenshot"
        # the cell's middle (inside its 1 px white border) is painted with the cell's fill
        middle = pixels[int(y + 3):int(y + h - 3), int(x + 3):int(x + w - 3), :3].reshape(-1, 3)
        share = (np.abs(middle.astype(int) - rgb(fill)).max(axis=1) <= 2).mean()
        assert share > 0.5, f"cell at ({x}, {y}) is not painted {fill}"
    assert (pixels[:, :, :3] < 250).any(axis=2).mean() > 0.02  # the page is not blank


def _attribute(tag: str, name: str) -> str:
    return html_text.unescape(re.search(rf'{name}="([^"]*)"', tag).group(1))


def test_raster_marks_are_painted_without_console_errors(chromium, compiled, tmp_path):
    rng = np.random.default_rng(1)
    x = rng.random((2, 60, 200)) < 0.03
    result = corelet.run(compiled, ticks=60, inputs={"x": x}, probes=["a.relay[*]"],
                         reset_at=range(30, 60, 30))
    svg = raster_svg(result, sample=1, inputs={"x": x}, reset_every=30, window=20, title="chain")
    ET.fromstring(svg)  # well-formed XML: a browser shows a parse error page otherwise
    page = tmp_path / "raster.svg"
    page.write_text(svg)
    width, height = (int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', svg).groups())
    pixels, _, console = browse(chromium, page, (width, height), tmp_path)
    assert console == []
    marks = [(float(a), float(b), float(c)) for a, b, c in
             re.findall(r"M([\d.]+) ([\d.]+)v([\d.]+)", " ".join(re.findall(r'class="spikes" d="([^"]*)"', svg)))]
    # one mark per spike of sample 1: its inputs, the probed relays (which repeat x) and the outputs
    spikes = x[1].sum() + result.probes["a.relay[*]"][1].sum() + result.outputs["y"][1].sum()
    assert len(marks) == spikes > 0
    painted = [(pixels[int(b + c / 2), int(a), :3] < 200).any() for a, b, c in marks]
    assert np.mean(painted) > 0.95  # every mark is drawn (a few may fall between pixel columns)
