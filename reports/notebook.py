"""A chip model or a compile result in a notebook: the report's summary and a picture of the cores.

Registered with the shared layer's display hook (``corelet.chip.display``) when ``corelet.reports``
is imported (the one-call API imports it), so ``ChipModel._repr_html_`` shows this without the
shared layer importing the reports. The grid is drawn around the cores in use, per chip: with few
cores each cell is large and carries its core number; with many, cells shrink to fit ``GRID_PX``.
"""

from __future__ import annotations

from html import escape

import numpy as np

from corelet.chip import ChipModel, display
from corelet.reports.report import core_usage, summary, utilisation_colour

GRID_PX = 480  # the most a chip's picture may take, either way
LABELLED_PX = 22  # cells at least this large carry their core number
MAX_CELL_PX = 40


def model_html(model: ChipModel) -> str:
    """The one-line description, the report's summary and the grid of used cores."""
    return (f'<div class="corelet-model"><div><b>ChipModel</b>: {escape(model.describe())}</div>'
            f"<pre>{escape(summary(model))}</pre>{grid_svg(model)}</div>")


def compilation_html(compilation) -> str:
    """A compile result: its model's view, headed by what was compiled and how long it took."""
    seconds = ", ".join(f"{name} {value:.3g} s" for name, value in compilation.seconds.items())
    return (f"<div><b>Compilation</b> of {escape(compilation.network.name)} ({escape(seconds)})</div>"
            + model_html(compilation.model))


def grid_svg(model: ChipModel) -> str:
    """One SVG of the used cores: a panel per chip, cropped to the rows and columns in use,
    each cell coloured by its utilisation (the fuller of neurons and axons)."""
    usage = core_usage(model)
    p = model.profile
    ids = np.flatnonzero(usage.used)
    if not len(ids):
        return "<div>no cores in use</div>"
    coords = model.cores.coords[ids]
    fill = np.maximum(usage.neurons[ids] / p.neurons_per_core, usage.axons[ids] / p.axons_per_core)
    panels, x = [], 0
    height = 0
    for chip in np.unique(coords[:, 0]).tolist():
        on_chip = coords[:, 0] == chip
        rows, cols = coords[on_chip, 1], coords[on_chip, 2]
        r0, c0 = int(rows.min()), int(cols.min())
        span = max(int(rows.max()) - r0, int(cols.max()) - c0) + 1
        cell = min(MAX_CELL_PX, GRID_PX / span)
        panel_h = (int(rows.max()) - r0 + 1) * cell
        cells = []
        for core, row, col, f in zip(ids[on_chip].tolist(), rows.tolist(), cols.tolist(),
                                     fill[on_chip].tolist()):
            cx, cy = x + (col - c0) * cell, 34 + (row - r0) * cell
            cells.append(f'<rect class="core" x="{cx:.1f}" y="{cy:.1f}" width="{cell * 0.92:.1f}" '
                         f'height="{cell * 0.92:.1f}" fill="{utilisation_colour(f)}">'
                         f'<title>core {core} ({chip},{row},{col}): {f:.0%}</title></rect>')
            if cell >= LABELLED_PX:
                ink = "white" if f > 0.5 else "black"
                cells.append(f'<text x="{cx + cell * 0.46:.1f}" y="{cy + cell * 0.46 + 4:.1f}" '
                             f'font-size="10" text-anchor="middle" fill="{ink}">{core}</text>')
        width = (int(cols.max()) - c0 + 1) * cell
        panels.append(f'<text x="{x}" y="14" font-size="12">chip {chip}: rows {r0}..{int(rows.max())}, '
                      f'columns {c0}..{int(cols.max())} of {p.grid[0]}x{p.grid[1]}</text>'
                      f'<text x="{x}" y="28" font-size="10" fill="#666">'
                      f'{display.plural(int(on_chip.sum()), "core")}; colour: utilisation</text>'
                      + "".join(cells))
        x += max(width, 260) + 20
        height = max(height, panel_h)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="corelet-grid" width="{x:.0f}" '
            f'height="{height + 40:.0f}" font-family="sans-serif">{"".join(panels)}</svg>')


display.register_html("model", model_html)
display.register_html("compilation", compilation_html)
