"""A run in a notebook: a ``SimResult`` shows its one-line summary and its raster as HTML.

Registered with the shared layer's display hook (``corelet.chip.display``) when the runtime is
imported, which it always is where a ``SimResult`` exists. A notebook cell stays small: the raster
drawn there shows at most ``MAX_PINS`` pins of each connector and the first ``MAX_TICKS`` ticks,
and says what it left out (``raster_svg`` draws everything).
"""

from __future__ import annotations

from html import escape

import attrs

from corelet.chip import display
from corelet.runtime.raster import raster_svg
from corelet.runtime.result import SimResult

MAX_PINS = 32
MAX_TICKS = 1000


def run_html(result: SimResult, sample: int = 0) -> str:
    """The summary line and the raster of ``sample`` (saying which, when there are several)."""
    notes = [f"raster of sample {sample} of {result.batch}"] if result.batch > 1 else []
    shown = result
    wide = [name for name, arr in result.outputs.items() if arr.shape[-1] > MAX_PINS]
    if wide or result.ticks > MAX_TICKS:
        ticks = min(result.ticks, MAX_TICKS)
        outputs = {name: arr[sample:sample + 1, :ticks, :MAX_PINS]
                   for name, arr in result.outputs.items()}
        shown = attrs.evolve(result, ticks=ticks, batch=1, outputs=outputs)
        sample = 0
        if ticks < result.ticks:
            notes.append(f"ticks 0..{ticks - 1} of {result.ticks}")
        notes += [f"{name}: pins 0..{MAX_PINS - 1} of {result.outputs[name].shape[-1]}"
                  for name in wide]
        notes.append("raster_svg(result) draws everything")
    caption = f"<div>{escape('; '.join(notes))}</div>" if notes else ""
    return (f'<div class="corelet-run"><pre>{escape(repr(result))}</pre>{caption}'
            f"{raster_svg(shown, sample=sample)}</div>")


display.register_html("run", run_html)
