"""A run in a notebook: a ``SimResult`` shows its one-line summary and its raster as HTML.

Registered with the shared layer's display hook (``corelet.chip.display``) when the runtime is
imported, which it always is where a ``SimResult`` exists.
"""

from __future__ import annotations

from html import escape

from corelet.chip import display
from corelet.runtime.raster import raster_svg
from corelet.runtime.result import SimResult


def run_html(result: SimResult, sample: int = 0) -> str:
    """The summary line and the raster of ``sample`` (saying which, when there are several)."""
    which = (f"<div>raster of sample {sample} of {result.batch}</div>" if result.batch > 1 else "")
    return (f'<div class="corelet-run"><pre>{escape(repr(result))}</pre>{which}'
            f"{raster_svg(result, sample=sample)}</div>")


display.register_html("run", run_html)
