"""A picture of a run: the output spikes of one sample as a self-contained SVG raster.

One panel per output connector, stacked; x is the tick, y the pin; each spike is a short vertical
tick mark. The whole raster is one ``<path>`` per panel, so even long runs stay small.
"""

from __future__ import annotations

from html import escape

import numpy as np

from corelet.runtime.result import SimResult

WIDTH = 800  # drawing width in px
LABEL = 120  # left margin for connector names
ROW = 14  # px per pin at most; shrunk for wide connectors
PIN_LABELS = 16  # label each pin of connectors at most this wide
MAX_PANEL = 240  # px, the most a panel may take
GAP = 28


def raster_svg(result: SimResult, *, sample: int = 0, title: str | None = None) -> str:
    """SVG text of the output rasters of ``sample`` (one panel per output connector)."""
    ticks = max(result.ticks, 1)
    x_scale = (WIDTH - LABEL - 10) / ticks
    parts, y = [], GAP + (20 if title else 0)
    for name, spikes in result.outputs.items():
        panel, height = _panel(name, spikes[sample], y, x_scale)
        parts.append(panel)
        y += height + GAP
    header = (f'<text x="{LABEL}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>'
              if title else "")
    axis = (f'<text x="{LABEL}" y="{y - 8}" font-size="11">tick 0</text>'
            f'<text x="{WIDTH - 10}" y="{y - 8}" font-size="11" text-anchor="end">'
            f'tick {result.ticks}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y}" '
            f'viewBox="0 0 {WIDTH} {y}" font-family="sans-serif">'
            f'<rect width="100%" height="100%" fill="white"/>{header}{"".join(parts)}{axis}</svg>\n')


def _panel(name: str, spikes: np.ndarray, top: float, x_scale: float) -> tuple[str, float]:
    """One connector: a frame, its name and spike count, and one path of tick marks."""
    ticks, width = spikes.shape
    row = min(ROW, MAX_PANEL / max(width, 1))
    height = max(row * width, 8)
    t, pin = np.nonzero(spikes)
    x = LABEL + (t + 0.5) * x_scale
    y = top + pin * row
    mark = max(row - 2, 1) if row > 4 else max(row, 1)  # leave a gap between labelled rows
    marks = " ".join(f"M{a:.1f} {b + (row - mark) / 2:.1f}v{mark:.1f}"
                     for a, b in zip(x.tolist(), y.tolist()))
    pins = "".join(f'<text x="{LABEL - 6}" y="{top + (p + 0.5) * row + 3:.1f}" font-size="9" '
                   f'fill="#999" text-anchor="end">{p}</text>'
                   for p in range(width)) if 1 < width <= PIN_LABELS and row >= 9 else ""
    return (pins + f'<text x="{LABEL - 16}" y="{top + height / 2 + 4}" font-size="12" text-anchor="end">'
            f'{escape(name)}</text>'
            f'<text x="{LABEL - 16}" y="{top + height / 2 + 18}" font-size="10" fill="#666" '
            f'text-anchor="end">{len(t)} spikes</text>'
            f'<rect x="{LABEL}" y="{top}" width="{WIDTH - LABEL - 10}" height="{height}" '
            f'fill="none" stroke="#bbb"/>'
            f'<path d="{marks}" stroke="black" stroke-width="{max(x_scale * 0.8, 0.6):.2f}"/>',
            height)
