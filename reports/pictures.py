"""SVG pictures of the report beyond the core grid: bars per corelet, the busiest cores, and the
activity of a run over time. Plain SVG text to inline in the HTML report (``reports.charts`` for
the line chart), no script and no namespace declaration (HTML needs none)."""

from __future__ import annotations

from html import escape

import numpy as np

from corelet.reports.charts import Chart

BAR_WIDTH = 170  # px of the longest bar
NAME_WIDTH = 150  # px for the names left of the bars
BAR_ROW = 18
MAX_BARS = 30
ACTIVITY_POINTS = 500  # a longer run is drawn as the mean of equal bins of ticks


def _bars(rows: list[tuple[str, float, str]], scale: float, x: float, y: float, colour: str) -> str:
    parts = []
    for k, (_, value, text) in enumerate(rows):
        top = y + k * BAR_ROW
        width = BAR_WIDTH * value / scale if scale else 0
        parts.append(f'<rect x="{x}" y="{top + 3}" width="{max(width, 0.5 if value else 0):.1f}" '
                     f'height="{BAR_ROW - 6}" fill="{colour}"><title>{escape(text)}</title></rect>'
                     f'<text x="{x + width + 4:.1f}" y="{top + BAR_ROW - 5}" font-size="11">'
                     f'{escape(text)}</text>')
    return "".join(parts)


def corelet_bars_svg(rows: list[dict], colours: dict[str, str]) -> str:
    """Cores and neurons of each corelet (``report.corelet_rows`` records), most cores first, as
    two bar columns; at most :data:`MAX_BARS` corelets, the rest counted below."""
    shown = sorted(rows, key=lambda r: (-r["cores"], -r["neurons"], r["name"]))[:MAX_BARS]
    gap = 120
    width = NAME_WIDTH + 2 * (BAR_WIDTH + gap)
    top = 34
    height = top + BAR_ROW * len(shown) + (24 if len(rows) > len(shown) else 8)
    parts = [f'<svg class="bars corelet-bars" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">',
             f'<text x="{NAME_WIDTH}" y="20" font-size="12" font-weight="bold">cores</text>',
             f'<text x="{NAME_WIDTH + BAR_WIDTH + gap}" y="20" font-size="12" font-weight="bold">'
             'neurons</text>']
    for k, r in enumerate(shown):
        y = top + k * BAR_ROW
        swatch = colours.get(r["name"], "#bbb")
        parts.append(f'<rect x="{NAME_WIDTH - 14}" y="{y + 5}" width="9" height="9" fill="{swatch}"/>'
                     f'<text x="{NAME_WIDTH - 18}" y="{y + BAR_ROW - 5}" font-size="11" '
                     f'text-anchor="end">{escape(_cut(r["name"], 30))}</text>')
    max_cores = max((r["cores"] for r in shown), default=0)
    max_neurons = max((r["neurons"] for r in shown), default=0)
    parts.append(_bars([(r["name"], r["cores"], f'{r["cores"]}') for r in shown], max_cores,
                       NAME_WIDTH, top, "#3b528b"))
    parts.append(_bars([(r["name"], r["neurons"], _neurons_text(r)) for r in shown],
                       max_neurons, NAME_WIDTH + BAR_WIDTH + gap, top, "#21918c"))
    if len(rows) > len(shown):
        parts.append(f'<text x="{NAME_WIDTH}" y="{height - 8}" font-size="11" fill="#555">'
                     f'... and {len(rows) - len(shown)} more corelets (the table lists them)</text>')
    parts.append("</svg>")
    return "".join(parts)


def _neurons_text(row: dict) -> str:
    """'6', or '6 (1 copy, 2 relays)' where legalisation added some."""
    added = [f"{n} {word if n == 1 else words}" for n, word, words in
             ((row["copies"], "copy", "copies"), (row["relays"], "relay", "relays")) if n]
    return f'{row["neurons"]}' + (f' ({", ".join(added)})' if added else "")


def busiest_bars_svg(busiest: list[dict]) -> str:
    """Synaptic events per tick of the busiest cores (``report.busiest_cores``), as bars."""
    top = 10
    width = NAME_WIDTH + BAR_WIDTH + 160
    height = top + BAR_ROW * len(busiest) + 8
    scale = max((b["events"] for b in busiest), default=0)
    parts = [f'<svg class="bars busiest" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">']
    for k, b in enumerate(busiest):
        parts.append(f'<text x="{NAME_WIDTH - 8}" y="{top + k * BAR_ROW + BAR_ROW - 5}" '
                     f'font-size="11" text-anchor="end">core {b["core"]}</text>')
    parts.append(_bars([(str(b["core"]), b["events"], f'{b["events"]:.4g} events/tick')
                        for b in busiest], scale, NAME_WIDTH, top, "#d62728"))
    parts.append("</svg>")
    return "".join(parts)


def activity_svg(spikes_per_tick: np.ndarray) -> str:
    """Spikes per tick over the run (per sample); binned to :data:`ACTIVITY_POINTS` means when
    the run is longer, which the axis label says."""
    series = np.asarray(spikes_per_tick, float)
    ticks = len(series)
    bin_ticks = max(1, -(-ticks // ACTIVITY_POINTS))
    if bin_ticks > 1:
        bins = -(-ticks // bin_ticks)
        padded = np.zeros(bins * bin_ticks)
        padded[:ticks] = series
        lengths = np.minimum(bin_ticks, ticks - np.arange(bins) * bin_ticks)
        values = padded.reshape(bins, bin_ticks).sum(axis=1) / lengths
        xs = np.arange(bins) * bin_ticks + (lengths - 1) / 2
        ylabel = f"spikes per tick (mean of {bin_ticks}-tick bins)"
    else:
        values, xs, ylabel = series, np.arange(ticks), "spikes per tick"
    chart = Chart("Activity over time (all neurons, per sample)", "tick", ylabel, width=640,
                  height=260)
    chart.line(xs, values, "spikes")
    # inline in HTML: no namespace needed (the report names no external address at all)
    return (chart.svg().replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)
            .replace("<svg ", '<svg class="activity-time" ', 1))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else "..." + text[-(limit - 3):]
