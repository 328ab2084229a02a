"""A chip model or a compile result in a notebook: the report's summary and a picture of the cores.

Registered with the shared layer's display hook (``corelet.chip.display``) when ``corelet.reports``
is imported (the one-call API imports it), so ``ChipModel._repr_html_`` shows this without the
shared layer importing the reports. The grid is the report's own (``grid_pictures`` and the
template ``grid.html.j2``): zoomed to the cores in use and numbered when few are used.
"""

from __future__ import annotations

from html import escape

from corelet.chip import ChipModel, display
from corelet.reports.report import (core_usage, corelet_labels, corelet_usage, environment,
                                    grid_pictures, summary)


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
    """The report's core grid (``grid_pictures``, template ``grid.html.j2``), one picture per chip
    in use, each cell coloured by its utilisation: zoomed and numbered when few cores are used."""
    usage = core_usage(model)
    if not usage.used.any():
        return "<div>no cores in use</div>"
    corelets = corelet_usage(model)
    grid = environment().get_template("grid.html.j2").module.grid
    grid_w, grid_h = model.profile.grid
    figures = []
    for chip in grid_pictures(model, usage, corelets, corelet_labels(corelets)):
        region = (f"chip {chip['chip']}: rows {chip['first_row']}..{chip['first_row'] + chip['rows'] - 1}, "
                  f"columns {chip['first_col']}..{chip['first_col'] + chip['cols'] - 1} of {grid_w}x{grid_h}")
        figures.append(f"<figure style=\"margin:0\"><figcaption>{escape(region)}; colour: "
                       f"utilisation</figcaption>{grid(chip, 'utilisation', 'util')}</figure>")
    # the report page styles the cell numbers; a notebook has no page style, so the view brings it
    style = ("<style>.corelet-grid svg.grid text.label {fill: #111; stroke: #fff; "
             "stroke-width: 2.5px; paint-order: stroke}</style>")
    return (f'<div class="corelet-grid" style="display:flex;flex-wrap:wrap;gap:1.5em">{style}'
            + "".join(figures) + "</div>")


display.register_html("model", model_html)
display.register_html("compilation", compilation_html)
