"""Small, dependency-free SVG charts: line and point plots, timing diagrams and heat maps.

Pictures of measured behaviour (a corelet's transfer function, a raster of spikes) are written by
scripts from runtime runs, never drawn by hand; these writers keep them deterministic (the same data
give the same bytes), self-contained and readable in any browser.
"""

from __future__ import annotations

import math
from html import escape
from typing import Sequence

import numpy as np

FONT = 'font-family="sans-serif" font-size="11"'
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f")
MARGIN = {"left": 56, "right": 16, "top": 28, "bottom": 42}


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values (steps of 1, 2 or 5 times a power of ten) covering
    ``low .. high``."""
    if high - low <= 1e-9 * max(1.0, abs(low)):  # flat (or nearly flat) data: a unit range
        high = low + 1
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [k * step for k in range(first, last + 1)]


def _label(value: float) -> str:
    return f"{value:g}"


class Chart:
    """An x-y chart: add ``line`` and ``points`` series, then ``svg()``.

    >>> chart = Chart("rate", "input", "spikes per tick")
    >>> chart.line([0, 1], [0, 1], "ideal").points([0.5], [0.49], "measured").svg()[:4]
    '<svg'
    """

    def __init__(self, title: str, xlabel: str, ylabel: str, width: int = 480, height: int = 300):
        self.title, self.xlabel, self.ylabel = title, xlabel, ylabel
        self.width, self.height = width, height
        self.series: list[tuple[str, np.ndarray, np.ndarray, str, str]] = []

    def line(self, xs, ys, label: str, *, dashed: bool = False, colour: str | None = None) -> "Chart":
        return self._add("dashed" if dashed else "line", xs, ys, label, colour)

    def points(self, xs, ys, label: str, *, colour: str | None = None) -> "Chart":
        return self._add("points", xs, ys, label, colour)

    def _add(self, kind, xs, ys, label, colour) -> "Chart":
        xs, ys = np.asarray(xs, dtype=float).ravel(), np.asarray(ys, dtype=float).ravel()
        if xs.shape != ys.shape:
            raise ValueError(f"series {label!r}: {xs.size} x values but {ys.size} y values")
        colour = colour or PALETTE[len(self.series) % len(PALETTE)]
        self.series.append((kind, xs, ys, label, colour))
        return self

    def svg(self) -> str:
        xs = np.concatenate([s[1] for s in self.series]) if self.series else np.zeros(1)
        ys = np.concatenate([s[2] for s in self.series]) if self.series else np.zeros(1)
        xt, yt = nice_ticks(xs.min(), xs.max()), nice_ticks(ys.min(), ys.max())
        x0, x1 = min(xt[0], xs.min()), max(xt[-1], xs.max())
        y0, y1 = min(yt[0], ys.min()), max(yt[-1], ys.max())
        left, top = MARGIN["left"], MARGIN["top"]
        plot_w = self.width - left - MARGIN["right"]
        plot_h = self.height - top - MARGIN["bottom"]

        def px(x):
            return left + (x - x0) / ((x1 - x0) or 1) * plot_w

        def py(y):
            return top + plot_h - (y - y0) / ((y1 - y0) or 1) * plot_h

        parts = [_open(self.width, self.height), _title(self.title, self.width)]
        parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" '
                     f'fill="none" stroke="#999"/>')
        for x in xt:
            parts.append(f'<line x1="{px(x):.1f}" y1="{top + plot_h}" x2="{px(x):.1f}" '
                         f'y2="{top + plot_h + 4}" stroke="#999"/>'
                         f'<text x="{px(x):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                         f'{FONT}>{_label(x)}</text>')
        for y in yt:
            parts.append(f'<line x1="{left - 4}" y1="{py(y):.1f}" x2="{left}" y2="{py(y):.1f}" '
                         f'stroke="#999"/><text x="{left - 6}" y="{py(y) + 4:.1f}" '
                         f'text-anchor="end" {FONT}>{_label(y)}</text>')
        parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{self.height - 8}" '
                     f'text-anchor="middle" {FONT}>{escape(self.xlabel)}</text>')
        parts.append(f'<text x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" {FONT} '
                     f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">{escape(self.ylabel)}</text>')
        for kind, sx, sy, label, colour in self.series:
            parts.append(_series(kind, [px(x) for x in sx], [py(y) for y in sy], colour))
        parts.extend(_legend([(s[3], s[4], s[0]) for s in self.series], left + 8, top + 6))
        parts.append("</svg>\n")
        return "\n".join(parts)


def timing_svg(title: str, rows: Sequence[tuple[str, np.ndarray]], *, tick_px: int = 8,
               row_px: int = 16, marks: Sequence[tuple[int, str]] = ()) -> str:
    """A timing diagram: one row per (label, bool array over ticks), a bar per spike; ``marks``
    are (tick, label) vertical guides, e.g. the phases of a clock."""
    ticks = max((len(r) for _, r in rows), default=0)
    label_w = 8 + 7 * max((len(label) for label, _ in rows), default=0)
    width = max(label_w + ticks * tick_px + MARGIN["right"], 8 * len(title) + 40)
    top = MARGIN["top"] + (12 if marks else 0)
    height = top + row_px * len(rows) + 30
    parts = [_open(width, height), _title(title, width)]
    for tick, label in marks:
        x = label_w + tick * tick_px
        parts.append(f'<line x1="{x}" y1="{top - 4}" x2="{x}" y2="{top + row_px * len(rows)}" '
                     f'stroke="#bbb" stroke-dasharray="3,3"/>'
                     f'<text x="{x + 2}" y="{top - 6}" {FONT}>{escape(label)}</text>')
    for i, (label, spikes) in enumerate(rows):
        y = top + i * row_px
        parts.append(f'<text x="{label_w - 6}" y="{y + row_px - 4}" text-anchor="end" {FONT}>'
                     f'{escape(label)}</text>')
        parts.append(f'<line x1="{label_w}" y1="{y + row_px - 2}" x2="{label_w + ticks * tick_px}" '
                     f'y2="{y + row_px - 2}" stroke="#ddd"/>')
        for t in np.flatnonzero(np.asarray(spikes)).tolist():
            parts.append(f'<rect x="{label_w + t * tick_px + 1}" y="{y + 2}" '
                         f'width="{max(tick_px - 2, 1)}" height="{row_px - 4}" fill="{PALETTE[0]}"/>')
    axis_y = top + row_px * len(rows) + 14
    for t in nice_ticks(0, max(ticks - 1, 1), 8):
        if t == int(t) and t < ticks:
            x = label_w + int(t) * tick_px + tick_px / 2
            parts.append(f'<text x="{x:.1f}" y="{axis_y}" text-anchor="middle" {FONT}>{int(t)}</text>')
    parts.append(f'<text x="{label_w + ticks * tick_px / 2:.1f}" y="{axis_y + 14}" '
                 f'text-anchor="middle" {FONT}>tick</text>')
    parts.append("</svg>\n")
    return "\n".join(parts)


def heatmaps_svg(title: str, maps: Sequence[tuple[str, np.ndarray]], *, cell_px: int = 10) -> str:
    """Two-dimensional arrays side by side, each cell shaded from white (its minimum) to dark
    (its maximum), each captioned."""
    gap = 16
    widths = [m.shape[1] * cell_px for _, m in maps]
    height = MARGIN["top"] + max((m.shape[0] for _, m in maps), default=0) * cell_px + 24
    width = sum(widths) + gap * (len(maps) + 1)
    parts = [_open(width, height), _title(title, width)]
    x = gap
    for (caption, m), w in zip(maps, widths):
        m = np.asarray(m, dtype=float)
        lo, hi = (m.min(), m.max()) if m.size else (0.0, 1.0)
        scale = (m - lo) / ((hi - lo) or 1)
        for (r, c), v in np.ndenumerate(scale):
            shade = int(round(255 - 200 * v))
            parts.append(f'<rect x="{x + c * cell_px}" y="{MARGIN["top"] + r * cell_px}" '
                         f'width="{cell_px}" height="{cell_px}" fill="rgb({shade},{shade},{shade})"/>')
        parts.append(f'<rect x="{x}" y="{MARGIN["top"]}" width="{w}" height="{m.shape[0] * cell_px}" '
                     f'fill="none" stroke="#999"/>'
                     f'<text x="{x + w / 2:.1f}" y="{height - 8}" text-anchor="middle" {FONT}>'
                     f'{escape(caption)}</text>')
        x += w + gap
    parts.append("</svg>\n")
    return "\n".join(parts)


def _open(width: int, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><rect width="100%" height="100%" fill="white"/>')


def _title(title: str, width: int) -> str:
    return (f'<text x="{width / 2:.1f}" y="17" text-anchor="middle" font-family="sans-serif" '
            f'font-size="13" font-weight="bold">{escape(title)}</text>')


def _series(kind: str, xs: list[float], ys: list[float], colour: str) -> str:
    if kind == "points":
        return "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>'
                       for x, y in zip(xs, ys))
    dash = ' stroke-dasharray="5,4"' if kind == "dashed" else ""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
    return f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"{dash}/>'


def _legend(entries: list[tuple[str, str, str]], x: int, y: int) -> list[str]:
    parts = []
    for i, (label, colour, kind) in enumerate(entries):
        row = y + 14 * i
        dash = ' stroke-dasharray="4,3"' if kind == "dashed" else ""
        mark = (f'<circle cx="{x + 8}" cy="{row + 5}" r="3" fill="{colour}"/>' if kind == "points"
                else f'<line x1="{x}" y1="{row + 5}" x2="{x + 16}" y2="{row + 5}" stroke="{colour}" '
                     f'stroke-width="2"{dash}/>')
        parts.append(f'{mark}<text x="{x + 22}" y="{row + 9}" {FONT}>{escape(label)}</text>')
    return parts
