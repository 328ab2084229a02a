"""Plots of measured behaviour as self-contained SVG, with no plotting dependency: transfer curves
(an input rate in, an output rate out, beside the ideal curve) and rates over time.

Built on ``charts.Chart``. The data come decoded (``corelet.training.decode``, composed by
``corelet.plots`` and ``corelet plot``): these functions only draw. Every function returns an
``SVG``, a ``str`` that a notebook shows as a picture.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from corelet.chip import atomic_write
from corelet.reports.charts import Chart

MAX_LINES = 8  # series a chart may hold before it stops being readable


class SVG(str):
    """SVG text that shows itself as a picture in a notebook."""

    def _repr_svg_(self) -> str:
        return str(self)

    def __repr__(self) -> str:  # the picture in a notebook; at a prompt, not pages of markup
        return f"<SVG picture, {len(self)} characters; .save(path) writes it>"

    def save(self, path) -> None:
        """Write the picture atomically."""
        atomic_write(path, str(self))


def transfer_svg(x, measured: Mapping[str, np.ndarray], *, ideal: Mapping[str, np.ndarray] | None = None,
                 title: str = "Transfer curve: measured", xlabel: str = "input (spikes per tick)",
                 ylabel: str = "output (spikes per tick)") -> SVG:
    """Measured outputs as points over the inputs ``x``, each ideal curve as a dashed line."""
    x = np.asarray(x, dtype=float)
    series = {**(ideal or {}), **measured}
    _check(series, len(x))
    chart = Chart(title, xlabel, ylabel)
    for label, y in (ideal or {}).items():
        chart.line(x, y, label, dashed=True)
    for label, y in measured.items():
        chart.points(x, y, label)
    return SVG(chart.svg())


def rates_svg(rates: Mapping[str, np.ndarray], *, window: int, start: int = 0,
              title: str = "Rates over time", ylabel: str = "spikes per tick") -> SVG:
    """One line per series of rates per window (``rates[label][k]`` over ticks ``start + k *
    window ..``), drawn at the windows' middle ticks."""
    if window < 1:
        raise ValueError(f"the window must be 1 tick or more, got {window}")
    n = {len(np.ravel(r)) for r in rates.values()}
    if len(n) > 1:
        raise ValueError(f"the series have different numbers of windows: {sorted(n)}")
    windows = n.pop() if n else 0
    ticks = start + (np.arange(windows) + 0.5) * window
    _check(rates, windows)
    chart = Chart(title, f"tick (windows of {window})", ylabel, width=640)
    for label, r in rates.items():
        chart.line(ticks, r, label)
    return SVG(chart.svg())


def _check(series: Mapping[str, np.ndarray], n: int) -> None:
    if len(series) > MAX_LINES:
        raise ValueError(f"{len(series)} series are too many for one chart (at most {MAX_LINES}); "
                         "choose pins or average them")
    for label, y in series.items():
        if len(np.ravel(y)) != n:
            raise ValueError(f"series {label!r} has {len(np.ravel(y))} values for {n} points")
