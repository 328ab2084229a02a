"""A picture of a run: the spikes of one sample as a self-contained SVG raster.

One panel per connector or probe, stacked in the order signals flow: inputs (when the caller passes
them), probed populations, outputs. x is the tick, y the pin; each spike is a short vertical mark,
and a whole panel is one ``<path>`` per shade, so even long runs stay small. The picture says which
sample it shows, marks ticks along the axis, and can mark ``--reset-every`` segments and input
windows. When the ticks outnumber the pixels, ticks are aggregated into bins of equal length, each
(bin, pin) cell shaded by the spikes in it, and the picture says so; a connector of more pins than
a panel has pixels shows several pins a row, the same way.
"""

from __future__ import annotations

import math
from html import escape
from typing import Mapping

import numpy as np

from corelet.runtime.errors import SimulationError
from corelet.runtime.result import SimResult

WIDTH = 900  # drawing width in px
LABEL = 150  # left margin for panel names
RIGHT = 14
ROW = 14  # px per pin at most; shrunk for wide connectors
PIN_LABELS = 16  # label each pin of connectors at most this wide
MAX_PANEL = 240  # px, the most a panel may take
GAP = 30
MAX_GUIDES = 200  # more reset or window lines than this would hide the spikes: say so instead
SHADES = (0.25, 0.5, 0.75, 1.0)  # upper bounds of a binned cell's spike fraction, one path each
COLOURS = {"input": "#2b6cb0", "probe": "#2f855a", "output": "#111111"}
RESET_COLOUR, WINDOW_COLOUR = "#d62728", "#ff7f0e"


def raster_svg(result: SimResult, *, sample: int = 0, title: str | None = None,
               inputs: Mapping[str, np.ndarray] | None = None, reset_every: int | None = None,
               window: int | None = None, windows: int | None = None) -> str:
    """SVG text of the spikes of ``sample``: the ``inputs`` given (name -> bool (B, T, width) or
    (T, width), as passed to ``simulate``), every probe, and every output connector.

    ``reset_every`` marks the starts of the run's segments (``simulate(reset_at=...)`` every so
    many ticks), ``window`` the starts of input windows (``burst_code``'s window; the first
    ``windows`` of them, and the end of the last, or all through the run), both as vertical
    guides across the panels.
    """
    batch = max(int(result.batch), 1)
    if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)) or not 0 <= sample < batch:
        raise SimulationError(f"sample {sample!r} is not in this run: it has {batch} sample(s), "
                              f"0..{batch - 1}")
    ticks = max(int(result.ticks), 1)
    panels = [("input", name, _sample_of(arr, int(sample), ticks))
              for name, arr in (inputs or {}).items()]
    panels += [("probe", name, arr[sample]) for name, arr in result.probes.items()]
    panels += [("output", name, arr[sample]) for name, arr in result.outputs.items()]
    plot_w = WIDTH - LABEL - RIGHT
    bin_ticks = max(1, math.ceil(ticks / plot_w))  # at most one column per pixel
    x_scale = plot_w / ticks

    notes = [f"sample {sample} of {batch}" + (" (choose another with --sample K)" if batch > 1 else "")]
    if bin_ticks > 1:
        notes.append(f"{ticks} ticks binned by {bin_ticks}: a cell's shade is its share of the bin's "
                     "ticks with a spike")
    guides, guide_notes = _guides(ticks, reset_every, window, windows)
    notes += guide_notes
    header_h = 20 * (1 if title else 0) + 15 * len(notes) + 14
    top = header_h + 10
    parts, y = [], top
    for kind, name, spikes in panels:
        panel, height = _panel(kind, name, spikes, y, x_scale, bin_ticks)
        parts.append(panel)
        y += height + GAP
    bottom = y - GAP + 4
    height = math.ceil(bottom + 36)
    header = []
    line_y = 18
    if title:
        header.append(f'<text x="{LABEL}" y="{line_y}" font-size="14" font-weight="bold">'
                      f'{escape(title)}</text>')
        line_y += 20
    for note in notes:
        header.append(f'<text x="{LABEL}" y="{line_y}" font-size="11" fill="#444">{escape(note)}</text>')
        line_y += 15
    if not panels:
        header.append(f'<text x="{LABEL}" y="{top + 14}" font-size="12">nothing recorded: the run '
                      'has no outputs and no probes</text>')
        bottom, height = top + 24, top + 60
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif">'
            f'<rect width="100%" height="100%" fill="white"/>{"".join(header)}'
            f'{_axis(ticks, x_scale, top - 4, bottom)}{"".join(parts)}'
            f'{_draw_guides(guides, x_scale, top - 4, bottom)}</svg>\n')


def _sample_of(arr, sample: int, ticks: int) -> np.ndarray:
    """One sample of an input array, (ticks, width) bool, padded with silence to the run's ticks."""
    arr = np.asarray(arr)
    if arr.ndim == 2:
        arr = arr[None]
    one = arr[sample if arr.shape[0] > 1 else 0, :ticks].astype(bool)
    if one.shape[0] < ticks:
        one = np.concatenate([one, np.zeros((ticks - one.shape[0], one.shape[1]), bool)])
    return one


def _guides(ticks: int, reset_every: int | None, window: int | None, windows: int | None):
    """(tick, kind) vertical guides for segment starts and window bounds, and what the header
    says about them."""
    guides, notes = [], []
    for kind, every, what, count in (("reset", reset_every, "segment starts (--reset-every ", None),
                                     ("window", window, "input windows (every ", windows)):
        if not every:
            continue
        last = ticks if count is None else min(ticks, every * count + 1)
        starts = list(range(every, last, every))
        colour = "red" if kind == "reset" else "orange"
        if len(starts) > MAX_GUIDES:
            notes.append(f"{len(starts)} {kind} marks (every {every} ticks) are too many to draw")
            continue
        if starts:
            notes.append(f"{colour} dashed lines: {what}{every} ticks)")
            guides += [(t, kind) for t in starts]
    return guides, notes


def _axis(ticks: int, x_scale: float, top: float, bottom: float) -> str:
    """Tick labels along the bottom and faint vertical lines at them through the panels."""
    step = _step(ticks)
    parts = []
    for t in range(0, ticks + 1, step):
        x = LABEL + t * x_scale
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#eee"/>'
                     f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}" stroke="#777"/>'
                     f'<text x="{x:.1f}" y="{bottom + 16}" font-size="10" text-anchor="middle">{t}</text>')
    parts.append(f'<text x="{LABEL + (WIDTH - LABEL - RIGHT) / 2:.0f}" y="{bottom + 31}" '
                 f'font-size="11" text-anchor="middle">tick</text>')
    return "".join(parts)


def _step(ticks: int) -> int:
    """A round tick step (1, 2 or 5 times a power of ten) giving about ten labels."""
    raw = max(ticks / 10, 1)
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def _draw_guides(guides, x_scale: float, top: float, bottom: float) -> str:
    parts = []
    for t, kind in guides:
        x = LABEL + t * x_scale
        colour = RESET_COLOUR if kind == "reset" else WINDOW_COLOUR
        dash = "6,3" if kind == "reset" else "2,3"
        parts.append(f'<line class="{kind}" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" '
                     f'stroke="{colour}" stroke-dasharray="{dash}"/>')
    return "".join(parts)


def _panel(kind: str, name: str, spikes: np.ndarray, top: float, x_scale: float,
           bin_ticks: int) -> tuple[str, float]:
    """One connector or probe: a frame, its name and spike count, and its marks (or binned cells).
    A panel wider than :data:`MAX_PANEL` pins groups them, as many per row as make it fit."""
    spikes = np.asarray(spikes, bool)
    ticks, width = spikes.shape
    pin_bin = max(1, math.ceil(width / MAX_PANEL))
    rows = math.ceil(width / pin_bin)
    row = min(ROW, MAX_PANEL / max(rows, 1))
    height = max(row * rows, 8)
    colour = COLOURS[kind]
    if bin_ticks == 1 and pin_bin == 1:
        marks = _marks(spikes, top, row, x_scale, colour)
    else:
        marks = _binned(spikes, top, row, x_scale, bin_ticks, pin_bin, colour)
    pins = "".join(f'<text x="{LABEL - 6}" y="{top + (p + 0.5) * row + 3:.1f}" font-size="9" '
                   f'fill="#999" text-anchor="end">{p}</text>'
                   for p in range(width)) if 1 < width <= PIN_LABELS and row >= 9 else ""
    total = int(spikes.sum())
    grouped = (f'<text x="{LABEL - 18}" y="{top + height / 2 + 30}" font-size="10" fill="#666" '
               f'text-anchor="end">{pin_bin} pins a row</text>') if pin_bin > 1 else ""
    return (f'<g class="panel {kind}">' + pins
            + f'<text x="{LABEL - 18}" y="{top + height / 2 + 4}" font-size="12" text-anchor="end" '
            f'fill="{colour}">{kind} {escape(name)}</text>'
            f'<text x="{LABEL - 18}" y="{top + height / 2 + 18}" font-size="10" fill="#666" '
            f'text-anchor="end">{width} pin{"s" if width != 1 else ""}, {total} spike'
            f'{"s" if total != 1 else ""}</text>{grouped}'
            f'<rect x="{LABEL}" y="{top}" width="{WIDTH - LABEL - RIGHT}" height="{height}" '
            f'fill="none" stroke="#bbb"/>{marks}</g>', height)


def _marks(spikes: np.ndarray, top: float, row: float, x_scale: float, colour: str) -> str:
    """One vertical mark per spike, all in one path."""
    t, pin = np.nonzero(spikes)
    if not len(t):
        return ""
    x = LABEL + (t + 0.5) * x_scale
    y = top + pin * row
    mark = max(row - 2, 1) if row > 4 else max(row, 1)  # leave a gap between labelled rows
    path = " ".join(f"M{a:.1f} {b + (row - mark) / 2:.1f}v{mark:.1f}"
                    for a, b in zip(x.tolist(), y.tolist()))
    return (f'<path class="spikes" d="{path}" stroke="{colour}" '
            f'stroke-width="{min(max(x_scale * 0.8, 0.8), 3):.2f}"/>')


def _binned(spikes: np.ndarray, top: float, row: float, x_scale: float, bin_ticks: int,
            pin_bin: int, colour: str) -> str:
    """Spikes summed over bins of ``bin_ticks`` ticks and ``pin_bin`` pins; each non-empty cell a
    rectangle, one path per shade of :data:`SHADES` (the share of the cell's (tick, pin) places
    that hold a spike)."""
    ticks, width = spikes.shape
    bins, rows = math.ceil(ticks / bin_ticks), math.ceil(width / pin_bin)
    padded = np.zeros((bins * bin_ticks, rows * pin_bin), np.int64)
    padded[:ticks, :width] = spikes
    counts = padded.reshape(bins, bin_ticks, rows, pin_bin).sum(axis=(1, 3))
    lengths = np.minimum(bin_ticks, ticks - np.arange(bins) * bin_ticks)  # the last bin may be short
    pins = np.minimum(pin_bin, width - np.arange(rows) * pin_bin)
    share = counts / (lengths[:, None] * pins[None, :])
    level = np.searchsorted(np.asarray(SHADES), share, side="left")
    cell_w = bin_ticks * x_scale
    parts = []
    for k, upper in enumerate(SHADES):
        pin, first, length = _runs(((counts > 0) & (level == k)).T)
        if not len(pin):
            continue
        x = LABEL + first * cell_w
        y = top + pin * row
        w = length * cell_w
        path = "".join(f"M{a:.1f} {c:.1f}h{d:.2f}v{row:.2f}h{-d:.2f}z"
                       for a, c, d in zip(x.tolist(), y.tolist(), w.tolist()))
        parts.append(f'<path class="bins" d="{path}" fill="{colour}" fill-opacity="{upper:.2f}"/>')
    return "".join(parts)


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, first column and length of each run of True along the rows of a 2-d bool ``mask``:
    neighbouring cells of one shade make one rectangle, which keeps long dense runs small."""
    rows, cols = mask.shape
    edges = np.diff(np.pad(mask, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    start_row, start_col = np.nonzero(edges == 1)
    _, stop_col = np.nonzero(edges == -1)  # row-major order: stops pair with starts
    return start_row, start_col, stop_col - start_col
