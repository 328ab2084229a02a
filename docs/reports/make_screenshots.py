"""Make the screenshots of docs/reports.md: the report and the raster of the browser tests' model
(tests/browser/chain.corelet, four cores of three corelets), as headless Chromium shows them.

    python docs/reports/make_screenshots.py      # needs the Debian package chromium
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

import corelet
from corelet import runtime
from corelet.reports import render_report

HERE = Path(__file__).parent
CHAIN = HERE.parents[1] / "tests" / "browser" / "chain.corelet"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def screenshot(page: Path, out: Path, size: tuple[int, int], scratch: Path) -> None:
    chromium = shutil.which("chromium") or "chromium"
    subprocess.run([chromium, *FLAGS, f"--user-data-dir={scratch / 'profile'}",
                    f"--window-size={size[0]},{size[1]}", f"--screenshot={out}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)


def main() -> None:
    model = corelet.compile(corelet.load(CHAIN)).model
    rng = np.random.default_rng(0)
    x = rng.random((4, 300, 200)) < 0.02
    result = corelet.run(model, ticks=300, inputs={"x": x}, probes=["a.relay[*]"],
                         reset_at=range(100, 300, 100))
    stats = runtime.run_stats(model, runtime.fabric_from_model(model), result)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        (scratch / "report.html").write_text(render_report(model, fmt="html", stats=stats))
        screenshot(scratch / "report.html", HERE / "report.png", (1400, 1150), scratch)
        svg = runtime.raster_svg(result, sample=2, inputs={"x": x}, reset_every=100,
                                 title="chain.corelet: 300 ticks")
        (scratch / "raster.svg").write_text(svg)
        height = int(svg.split('height="', 1)[1].split('"', 1)[0])
        screenshot(scratch / "raster.svg", HERE / "raster.png", (900, height), scratch)


if __name__ == "__main__":
    main()
