"""Placement reports: what a ``ChipModel`` uses, where, and what it costs, from the model alone.

Everything is computed from the model's arrays (and ``model.provenance["compile"]`` where the compiler
recorded its legalisation), so ``corelet report MODEL.json`` regenerates the same report from the file.
Counts are vectorised over cores and neurons; the templates in ``compiler/templates`` only lay them out.

Conventions (also in ``docs/reports.md``):

* A core is *used* when it holds a used neuron or a used axon (``axon_path >= 0``).
* A neuron belongs to the corelet instance that declared its population: the population path up to
  its last '.'; top-level populations belong to the top corelet.
* A connection is a used neuron with a core target. Its hop distance is the Manhattan distance between
  the two cores, with the chips laid side by side along the columns (chip k's column c is global column
  ``k * 64 + c``), so a hop from one chip to the next counts the columns between them like any other.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import jinja2
import numpy as np

from corelet.chip import ToolchainError
from corelet.chip.arrays import popcount, run_starts
from corelet.chip.profile import hop_distances
from corelet.reports.pictures import activity_svg, busiest_bars_svg, corelet_bars_svg
from corelet.reports.power import (SOURCE, assumed_power, constants_source, core_activity,
                                   crossing_estimate, measured_power, tick_spikes)
from corelet.chip.model import OUTPUT, ROLES, ChipModel

TOP_LABEL = "(top)"
TEXT_CORE_ROWS = 64  # the text report lists this many cores; the HTML report lists them all
TEXT_CORELET_ROWS = 100
HTML_CORELET_ROWS = 2000  # beyond this a table stops being read; the count of the rest is given
RECORD_ROWS = {"text": 40, "html": 1000}
_PAIR_CHUNK = 512  # (core, corelet) pairs per vectorised step; bounds the temporary to 4 MB
_CORE_CHUNK = 64  # cores unpacked at once when corelets are many; bounds the temporary to 4 MB
_MASKS_PER_CORE = 2  # above this many (core, corelet) pairs per core, reduce over columns instead
_TEMPLATES = Path(__file__).parent / "templates"


class ReportError(ToolchainError):
    """A report or inspection request that names something the model does not have."""


# -- per-core usage -----------------------------------------------------------------------------
@attrs.frozen(eq=False)
class CoreUsage:
    """What each core uses: int arrays shaped (C,), and synapses per axon row (C, A)."""

    used: np.ndarray
    neurons: np.ndarray
    copies: np.ndarray
    relays: np.ndarray
    axons: np.ndarray
    synapses: np.ndarray
    row_synapses: np.ndarray

    @property
    def n_used(self) -> int:
        return int(self.used.sum())


def core_usage(model: ChipModel) -> CoreUsage:
    """Count used neurons (by role), axons and synapses on every core."""
    cores = model.cores
    used_neuron = cores.neuron_path >= 0
    role = np.where(used_neuron, cores.neuron_role, -1)
    axons = (cores.axon_path >= 0).sum(axis=1)
    row_synapses = popcount(cores.crossbar).sum(axis=2, dtype=np.int64)
    neurons = used_neuron.sum(axis=1)
    return CoreUsage(used=(neurons > 0) | (axons > 0), neurons=neurons,
                     copies=(role == ROLES.index("copy")).sum(axis=1),
                     relays=(role == ROLES.index("relay")).sum(axis=1),
                     axons=axons, synapses=row_synapses.sum(axis=1), row_synapses=row_synapses)


# -- per-corelet usage --------------------------------------------------------------------------
@attrs.frozen(eq=False)
class CoreletUsage:
    """Usage per corelet instance ``names[g]``: int arrays shaped (G,).

    ``neuron_corelet`` (C, N) gives each neuron's corelet index (-1 unused). Axons and synapses of a
    corelet are those that reach its neurons: an axon shared by two corelets on a core counts for
    both. ``cores`` counts the cores that hold at least one of its neurons.
    """

    names: tuple[str, ...]
    neuron_corelet: np.ndarray
    dominant: np.ndarray  # (C,) the corelet with most neurons on each core, -1 for none
    per_core: np.ndarray  # (C,) how many corelets have neurons on each core
    neurons: np.ndarray
    copies: np.ndarray
    relays: np.ndarray
    cores: np.ndarray
    axons: np.ndarray
    synapses: np.ndarray


def instance_of(path: str) -> str:
    """The corelet instance that owns population ``path`` ('' for the top corelet)."""
    return path.rpartition(".")[0]


def corelet_usage(model: ChipModel) -> CoreletUsage:
    """Group neurons, axons and synapses by the corelet instance of each neuron's population."""
    cores = model.cores
    names, path_group = np.unique([instance_of(p) for p in model.paths] or [""], return_inverse=True)
    path_group = path_group.ravel()
    used = cores.neuron_path >= 0
    group = np.where(used, path_group[np.maximum(cores.neuron_path, 0)], -1)
    n_groups = len(names)
    role = cores.neuron_role[used]

    def per_group(mask: np.ndarray) -> np.ndarray:
        return np.bincount(group[used][mask], minlength=n_groups)

    pair_core, pair_group, pair_neurons, axons, synapses = _pair_counts(model, group, n_groups)
    dominant = np.full(model.n_cores, -1, np.int64)
    order = np.lexsort((-pair_neurons, pair_core))  # by core, fullest corelet first
    first = order[run_starts(pair_core[order])]
    dominant[pair_core[first]] = pair_group[first]
    return CoreletUsage(
        names=tuple(str(n) for n in names), neuron_corelet=group, dominant=dominant,
        per_core=np.bincount(pair_core, minlength=model.n_cores),
        neurons=per_group(np.ones(len(role), bool)),
        copies=per_group(role == ROLES.index("copy")), relays=per_group(role == ROLES.index("relay")),
        cores=np.bincount(pair_group, minlength=n_groups),
        axons=np.bincount(pair_group, axons, minlength=n_groups).astype(np.int64),
        synapses=np.bincount(pair_group, synapses, minlength=n_groups).astype(np.int64))


def _pair_counts(model: ChipModel, group: np.ndarray, n_groups: int):
    """For each (core, corelet) pair holding neurons: its core, corelet, neurons, and the axons and
    synapses that reach those neurons."""
    core_idx, neuron_idx = np.nonzero(group >= 0)
    keys = core_idx.astype(np.int64) * n_groups + group[core_idx, neuron_idx]
    pairs, pair_of_neuron = np.unique(keys, return_inverse=True)
    pair_of_neuron = pair_of_neuron.ravel()
    pair_core = pairs // n_groups
    # Few corelets per core (the usual case): AND each pair's column mask into its crossbar, cost
    # per pair. Many: unpack the crossbars once and reduce over each pair's columns, cost per core.
    few = len(pairs) <= _MASKS_PER_CORE * max(model.n_cores, 1)
    reach = _reach_by_masks if few else _reach_by_columns
    axons, synapses = reach(model.cores.crossbar, pair_core, pair_of_neuron, core_idx, neuron_idx)
    pair_neurons = np.bincount(pair_of_neuron, minlength=len(pairs))
    return pair_core, pairs % n_groups, pair_neurons, axons, synapses


def _reach_by_masks(crossbar, pair_core, pair_of_neuron, core_idx, neuron_idx):
    columns = np.zeros((len(pair_core), crossbar.shape[2] * 8), bool)
    columns[pair_of_neuron, neuron_idx] = True
    masks = np.packbits(columns, axis=1)  # same bit order as the crossbar rows
    axons = np.zeros(len(pair_core), np.int64)
    synapses = np.zeros(len(pair_core), np.int64)
    for lo in range(0, len(pair_core), _PAIR_CHUNK):
        hi = lo + _PAIR_CHUNK
        reached = crossbar[pair_core[lo:hi]] & masks[lo:hi, None, :]
        axons[lo:hi] = reached.any(axis=2).sum(axis=1)
        synapses[lo:hi] = popcount(reached).sum(axis=(1, 2), dtype=np.int64)
    return axons, synapses


def _reach_by_columns(crossbar, pair_core, pair_of_neuron, core_idx, neuron_idx):
    order = np.argsort(pair_of_neuron, kind="stable")  # pairs are sorted by core, so cores stay together
    pair_sorted, core_sorted, neuron_sorted = pair_of_neuron[order], core_idx[order], neuron_idx[order]
    axons = np.zeros(len(pair_core), np.int64)
    synapses = np.zeros(len(pair_core), np.int64)
    bounds = np.searchsorted(core_sorted, np.arange(0, len(crossbar) + _CORE_CHUNK, _CORE_CHUNK))
    for k, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
        if lo == hi:
            continue
        first_core = k * _CORE_CHUNK
        bits = np.unpackbits(crossbar[first_core:first_core + _CORE_CHUNK], axis=2).astype(bool)
        cols = bits[core_sorted[lo:hi] - first_core, :, neuron_sorted[lo:hi]]  # (neurons, axons)
        pair = pair_sorted[lo:hi]
        starts = run_starts(pair)
        packed = np.packbits(cols, axis=1)  # a neuron's input axons as bits: OR-reduces fast
        axons[pair[starts]] = popcount(np.bitwise_or.reduceat(packed, starts, axis=0)).sum(axis=1)
        synapses[pair[starts]] = np.add.reduceat(popcount(packed).sum(axis=1, dtype=np.int64), starts)
    return axons, synapses


# -- hop distances ------------------------------------------------------------------------------
@attrs.frozen
class HopStats:
    """Hop distances of core-to-core connections (see the module docstring for the convention)."""

    connections: int
    total: int
    max: int
    same_core: int
    cross_chip: int

    @property
    def mean(self) -> float:
        return self.total / self.connections if self.connections else 0.0


def hop_stats(model: ChipModel) -> HopStats:
    """Hop distances of the model's connections (``compiler.layout.hop_distances``)."""
    cores = model.cores
    src_core, src_neuron = np.nonzero((cores.neuron_path >= 0) & (cores.target_core >= 0))
    dst_core = cores.target_core[src_core, src_neuron]
    hops = hop_distances(cores.coords, model.profile, src_core, dst_core)
    cross = cores.coords[src_core, 0] != cores.coords[dst_core, 0]
    return HopStats(connections=len(hops), total=int(hops.sum()), max=int(hops.max(initial=0)),
                    same_core=int((hops == 0).sum()), cross_chip=int(cross.sum()))


# -- legalisation records -----------------------------------------------------------------------
@attrs.frozen
class Legalisation:
    """What legalisation inserted: counted from the arrays, and the compiler's own records.

    ``latency_records`` are the dicts of ``provenance["compile"]["added_latency"]`` (the JSON form of
    ``corelet.chip.provenance.LatencyRecord``: one per group of delayed connections with ``source``,
    ``axon_type``, ``delay``, ``latency`` (ticks added), ``connections`` and some ``targets``);
    ``latencies`` and ``delayed`` their ``latency`` and ``connections`` fields; ``splitters`` the
    record's count, ``None`` for a model without a compile record; ``notes`` the other scalar
    entries of ``provenance["compile"]`` (placer, input fan-out ...).
    """

    copies: int
    relays: int
    splitters: int | None
    latency_records: tuple[dict, ...]
    latencies: tuple[int, ...]
    delayed: tuple[int, ...]
    notes: tuple[tuple[str, str], ...]

    @property
    def max_latency(self) -> int:
        return max(self.latencies, default=0)

    @property
    def delayed_connections(self) -> int:
        return sum(self.delayed)

    @property
    def record_columns(self) -> list[str]:
        seen: dict[str, None] = {}
        for record in self.latency_records:
            seen.update(dict.fromkeys(record))
        return list(seen)

    def latency_text(self) -> str:
        if not self.latency_records:
            return "no latency added (the compiler recorded no delayed connection)"
        return (f"{self.delayed_connections} connection(s) delayed, in {len(self.latency_records)} "
                f"group(s), by at most {self.max_latency} tick(s)")


# Entries of the compile record that the report shows elsewhere, or counts itself from the arrays
# (synapses from the crossbars); the network's connection count is not the placement's.
_SHOWN_ELSEWHERE = ("added_latency", "copies", "relays", "splitters", "cores", "chips", "neurons",
                    "axons", "synapses", "connections", "hops", "populations")


def compile_record(model: ChipModel) -> dict:
    """``model.provenance["compile"]``, or ``{}`` when the model does not carry one. Read as the
    compiler wrote it (JSON), not as ``corelet.chip.provenance.CompileRecord``: the report also reads
    older or edited files, and says what in them is malformed rather than dropping the record."""
    record = model.provenance.get("compile", {}) if isinstance(model.provenance, dict) else {}
    return record if isinstance(record, dict) else {}


def legalisation(model: ChipModel, usage: CoreUsage) -> Legalisation:
    """Copies and relays counted from the arrays; splitters and latency records as the compiler
    wrote them (a model without a compile record has neither)."""
    record = compile_record(model)
    raw = record.get("added_latency", [])
    if not isinstance(raw, list):
        raise ReportError(f"the model's provenance[\"compile\"]['added_latency'] is {_brief(raw)!r}; "
                          "the compiler writes a list of records there (was the model edited?)")
    records = tuple(raw)
    for k, entry in enumerate(records):
        for key in ("latency", "connections"):
            _record_count(entry.get(key) if isinstance(entry, dict) else None,
                          f"added_latency[{k}].{key}")
    notes = tuple((str(k), _brief(v)) for k, v in record.items()
                  if k not in _SHOWN_ELSEWHERE and isinstance(v, (str, int, float, bool)))
    splitters = _record_count(record.get("splitters"), "splitters") if record else None
    return Legalisation(copies=int(usage.copies.sum()), relays=int(usage.relays.sum()),
                        splitters=splitters, latency_records=records,
                        latencies=tuple(r["latency"] for r in records),
                        delayed=tuple(r["connections"] for r in records), notes=notes)


def _record_count(value, field: str) -> int:
    """A count from the compile record; anything else means the model file was not written by
    this compiler (or was edited), which the report says rather than guess."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ReportError(f"the model's provenance[\"compile\"][{field!r}] is {value!r}; the "
                          "compiler writes a non-negative integer there (was the model edited?)")
    return value


def relay_rows(model: ChipModel, limit: int) -> list[dict]:
    """The first ``limit`` relay neurons in core order: name, place, target and delay."""
    cores = model.cores
    core_idx, slot = np.nonzero((cores.neuron_path >= 0) & (cores.neuron_role == ROLES.index("relay")))
    rows = []
    for c, n in zip(core_idx[:limit].tolist(), slot[:limit].tolist()):
        target = int(cores.target_core[c, n])
        where = (f"core {target} axon {int(cores.target_axon[c, n])}" if target >= 0
                 else "output" if target == OUTPUT else "none")
        rows.append({"name": model.neuron_name(c, n), "core": c, "neuron": n, "target": where,
                     "delay": int(cores.delay[c, n]) if target >= 0 else None})
    return rows


def _brief(value, limit: int = 100) -> str:
    """A short text for a record's value: lists joined by commas, long texts cut with '...'."""
    if isinstance(value, list):
        more = f", ... ({len(value)} in all)" if len(value) > 8 else ""
        text = ", ".join(str(v) for v in value[:8]) + more
    else:
        text = str(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


# -- the report ---------------------------------------------------------------------------------
def render_report(model: ChipModel, *, fmt: str = "html", stats: dict | None = None) -> str:
    """The placement report of ``model`` as HTML (self-contained) or text.

    Parameters
    ----------
    model : the placed chip model; its ``provenance["compile"]`` adds the compiler's records.
    fmt : ``"html"`` or ``"text"``.
    stats : optional run statistics (``corelet run --stats``) for a power figure from measured
        activity beside the one at the assumed firing rate.
    """
    if fmt not in ("html", "text"):
        raise ReportError(f"report format {fmt!r} is not known; choose 'html' or 'text'")
    context = report_context(model, stats)
    return environment().get_template(f"report.{fmt}.j2").render(**context)


def report_context(model: ChipModel, stats: dict | None = None) -> dict:
    """Everything the templates show, as plain numbers, strings and lists."""
    usage = core_usage(model)
    corelets = corelet_usage(model)
    labels = corelet_labels(corelets)
    activity = None if stats is None else core_activity(model, stats)[1]
    corelet_table = corelet_rows(model, corelets, labels, corelet_classes(model, corelets),
                                 HTML_CORELET_ROWS)
    busiest = busiest_cores(model, activity)
    series = None if stats is None else tick_spikes(stats)
    multi_chip = len({int(c) for c in model.cores.coords[usage.used, 0]}) > 1
    crossings = [crossing_estimate(model)] if multi_chip else []
    if multi_chip and stats is not None and "chip_crossings" in stats:
        crossings.append(crossing_estimate(model, stats))
    provenance = model.provenance if isinstance(model.provenance, dict) else {}
    return {
        "profile": model.profile,
        "provenance": provenance,
        "source_name": source_name(provenance.get("source")),
        "totals": totals(model, usage),
        "cores": core_rows(model, usage, corelets, labels, activity),
        "corelets": corelet_table,
        "corelet_bars": corelet_bars_svg(corelet_table, {labels[g]: corelet_colour(g)
                                                         for g in range(len(labels))})
        if corelet_table else "",
        "n_corelets": int((corelets.cores > 0).sum()),
        "hops": hop_stats(model),
        "legal": legalisation(model, usage),
        "relays": relay_rows(model, RECORD_ROWS["html"]),
        "inputs": [{"name": c.name, "width": int(c.width), "routes": len(c.core)} for c in model.inputs],
        "outputs": [{"name": c.name, "width": int(c.width)} for c in model.outputs],
        "assumed": assumed_power(model, usage.row_synapses, usage.n_used),
        "measured": None if stats is None else measured_power(model, stats, usage.n_used),
        "power_source": constants_source(model.profile),
        "chips": grid_pictures(model, usage, corelets, labels, activity),
        "busiest": busiest,
        "busiest_bars": busiest_bars_svg(busiest) if busiest else "",
        "activity_time": activity_svg(series) if series is not None and len(series) else "",
        "stats_without_series": stats is not None and series is None,
        "crossings": crossings,
        "max_chips": model.profile.max_chips,
        "legend": corelet_legend(corelets, labels),
        "limits": {"text_cores": TEXT_CORE_ROWS, "text_corelets": TEXT_CORELET_ROWS,
                   "records": RECORD_ROWS},
    }


def source_name(source) -> str:
    """The source file as a reader names it: its file name, without the directories the compiler
    was run from (``../../../examples/x.corelet`` reads ``x.corelet``; the full path is a tooltip)."""
    if not isinstance(source, str) or not source:
        return ""
    return Path(source).name or source


def corelet_labels(corelets: CoreletUsage) -> list[str]:
    """Display names of the corelet instances: the instance path, "(top)" for the top one."""
    return [name or TOP_LABEL for name in corelets.names]


def corelet_classes(model: ChipModel, corelets: CoreletUsage) -> list[str]:
    """The corelet (class) name of each instance where the model records it, else ''.

    The top corelet's name is ``provenance["corelet"]``; the others come from the populations the
    compiler lists in ``provenance["compile"]["populations"]`` (path and corelet of each).
    """
    known: dict[str, str] = {}
    populations = compile_record(model).get("populations")
    for record in populations if isinstance(populations, list) else []:
        if isinstance(record, dict) and isinstance(record.get("path"), str):
            known.setdefault(instance_of(record["path"]), str(record.get("corelet") or ""))
    top = model.provenance.get("corelet") if isinstance(model.provenance, dict) else None
    if isinstance(top, str) and top:
        known[""] = top
    return [known.get(name, "") for name in corelets.names]


def totals(model: ChipModel, usage: CoreUsage) -> dict:
    """Whole-model counts; capacities are those of the used cores."""
    p = model.profile
    used = usage.used
    n_used = usage.n_used
    return {
        "n_cores": model.n_cores, "cores_used": n_used,
        "chips": sorted({int(c) for c in model.cores.coords[used, 0]}),
        "neurons": int(usage.neurons.sum()), "neuron_capacity": n_used * p.neurons_per_core,
        "axons": int(usage.axons.sum()), "axon_capacity": n_used * p.axons_per_core,
        "synapses": int(usage.synapses.sum()),
        "synapse_capacity": n_used * p.axons_per_core * p.neurons_per_core,
        "copies": int(usage.copies.sum()), "relays": int(usage.relays.sum()),
    }


def core_rows(model: ChipModel, usage: CoreUsage, corelets: CoreletUsage, names: list[str],
              events: np.ndarray | None = None) -> list[dict]:
    """One row per used core, in core order; with measured ``events`` per tick (C,), their rate."""
    ids = np.flatnonzero(usage.used)
    coords = model.cores.coords[ids].tolist()
    measured = (events[ids] if events is not None else np.full(len(ids), np.nan)).tolist()
    columns = zip(ids.tolist(), coords, usage.neurons[ids].tolist(), usage.axons[ids].tolist(),
                  usage.synapses[ids].tolist(), usage.copies[ids].tolist(),
                  usage.relays[ids].tolist(), corelets.dominant[ids].tolist(),
                  corelets.per_core[ids].tolist(), measured)
    return [{"core": c, "chip": xyz[0], "row": xyz[1], "col": xyz[2], "neurons": n, "axons": a,
             "synapses": s, "copies": cp, "relays": rl,
             "corelet": names[d] if d >= 0 else "", "n_corelets": k, "events": e}
            for c, xyz, n, a, s, cp, rl, d, k, e in columns]


def busiest_cores(model: ChipModel, events: np.ndarray | None, limit: int = 10) -> list[dict]:
    """The cores with most measured synaptic events per tick, busiest first (none without stats)."""
    if events is None:
        return []
    p = model.profile
    order = [int(c) for c in np.argsort(-events, kind="stable")[:limit] if events[c] > 0]
    return [{"core": c, "events": float(events[c]),
             "active_w": float(events[c]) * p.tick_hz * p.synaptic_event_energy_j} for c in order]


def corelet_rows(model: ChipModel, corelets: CoreletUsage, names: list[str], classes: list[str],
                 limit: int) -> list[dict]:
    """The first ``limit`` corelet instances with neurons, in path order, with the utilisation of
    the cores they hold."""
    p = model.profile
    rows = []
    for g in np.flatnonzero(corelets.cores > 0)[:limit].tolist():
        cores = int(corelets.cores[g])
        rows.append({"name": names[g], "class": classes[g], "cores": cores,
                     "neurons": int(corelets.neurons[g]),
                     "copies": int(corelets.copies[g]), "relays": int(corelets.relays[g]),
                     "axons": int(corelets.axons[g]), "synapses": int(corelets.synapses[g]),
                     "neuron_capacity": cores * p.neurons_per_core,
                     "axon_capacity": cores * p.axons_per_core,
                     "synapse_capacity": cores * p.axons_per_core * p.neurons_per_core})
    return rows


# -- grid pictures ------------------------------------------------------------------------------
CELL_PX = 8  # px per core in a whole-chip picture (64 x 64 cores: 512 px)
ZOOM_SPAN = 24  # a chip whose used cores fit in this many rows and columns is drawn zoomed
ZOOM_PX = 480  # px the zoomed region's longer side takes, at most
MAX_CELL_PX = 48
MIN_ZOOM_SPAN = (3, 6)  # a zoomed picture shows at least this many rows and columns (context)
LABEL_PX = 24  # cells at least this large carry their core number
AXIS = {"left": 26, "top": 16}  # room for row numbers (left) and column numbers (top)
OVERVIEW_PX = 2  # px per core of the whole-chip thumbnail beside a zoomed picture


# Reversed viridis (perceptually even, readable in grey): pale yellow for empty, dark violet for full.
_SCALE = np.array([[0xfd, 0xe7, 0x25], [0x5e, 0xc9, 0x62], [0x21, 0x91, 0x8c], [0x3b, 0x52, 0x8b],
                   [0x44, 0x01, 0x54]], float)


def utilisation_colour(fraction: float) -> str:
    """The colour of a utilisation in [0, 1], interpolated along :data:`_SCALE`."""
    position = min(max(fraction, 0.0), 1.0) * (len(_SCALE) - 1)
    low = min(int(position), len(_SCALE) - 2)
    rgb = _SCALE[low] + (position - low) * (_SCALE[low + 1] - _SCALE[low])
    return "#" + "".join(f"{round(v):02x}" for v in rgb)


def corelet_colour(index: int) -> str:
    """Well-spread hues by the golden angle; corelets far apart in the list still differ."""
    return f"hsl({index * 137.508 % 360:.0f},62%,52%)"


def grid_region(rows: np.ndarray, cols: np.ndarray, grid: tuple[int, int]) -> tuple[int, int, int, int, bool]:
    """The (first row, first column, rows, columns, zoomed) drawn of a chip whose used cores sit at
    ``rows, cols``: their bounding box, widened to :data:`MIN_ZOOM_SPAN` within the chip, when it
    spans at most :data:`ZOOM_SPAN` rows and columns; the whole chip otherwise."""
    n_rows, n_cols = grid
    r0, r1, c0, c1 = int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max())
    if max(r1 - r0, c1 - c0) + 1 > ZOOM_SPAN:
        return 0, 0, n_rows, n_cols, False
    height = min(max(r1 - r0 + 1, MIN_ZOOM_SPAN[0]), n_rows)
    width = min(max(c1 - c0 + 1, MIN_ZOOM_SPAN[1]), n_cols)
    r0, c0 = min(r0, n_rows - height), min(c0, n_cols - width)  # widen down and right, within the chip
    return r0, c0, height, width, (height, width) != (n_rows, n_cols)


def grid_pictures(model: ChipModel, usage: CoreUsage, corelets: CoreletUsage, names: list[str],
                  events: np.ndarray | None = None) -> list[dict]:
    """Per chip in use: the region drawn, its size in pixels, axis labels, and one cell per used
    core with its fills, its core number (when the cell is large enough) and a tooltip.

    A chip with few cores in a small region is drawn zoomed to that region (cells up to
    :data:`MAX_CELL_PX`, numbered), with a thumbnail of the whole chip; a chip with its cores spread
    wide is drawn whole at :data:`CELL_PX` per core. A cell's utilisation is the fuller of its
    neurons and its axons, the resource that binds. With measured ``events`` per tick (C,), a third
    fill shows them on a log scale up to the busiest core.
    """
    p = model.profile
    ids = np.flatnonzero(usage.used)
    fill = np.maximum(usage.neurons[ids] / p.neurons_per_core, usage.axons[ids] / p.axons_per_core)
    busy = np.zeros(len(ids)) if events is None else np.log1p(events[ids])
    busy = (busy / busy.max() if len(busy) and busy.max() > 0 else busy).tolist()
    coords = model.cores.coords[ids]
    pictures = []
    for chip in sorted({int(c) for c in coords[:, 0].tolist()}):
        mine = coords[:, 0] == chip
        r0, c0, n_rows, n_cols, zoomed = grid_region(coords[mine, 1], coords[mine, 2], p.grid)
        cell = max(CELL_PX, min(MAX_CELL_PX, ZOOM_PX // max(n_rows, n_cols))) if zoomed else CELL_PX
        left, top = AXIS["left"], AXIS["top"]
        cells = []
        for k in np.flatnonzero(mine).tolist():
            c, (_, row, col) = int(ids[k]), coords[k].tolist()
            f, d = float(fill[k]), int(corelets.dominant[c])
            n, a = int(usage.neurons[c]), int(usage.axons[c])
            corelet = names[d] if d >= 0 else "no neurons"
            measured = f"; {events[c]:.4g} events/tick" if events is not None else ""
            cells.append({
                "core": c, "x": left + (col - c0) * cell, "y": top + (row - r0) * cell,
                "util": utilisation_colour(f),
                "corelet": corelet_colour(d) if d >= 0 else "#bbb",
                "activity": utilisation_colour(busy[k]),
                "label": str(c) if cell >= LABEL_PX else "",
                "ox": col * OVERVIEW_PX, "oy": row * OVERVIEW_PX,
                "title": f"core {c} (chip {chip}, row {row}, column {col}): {n} neurons, {a} axons, "
                         f"{f:.0%} full; {corelet}{measured}"})
        every = 1 if cell >= 16 else (4 if cell >= 6 else 8)
        every = every if zoomed else 8
        pictures.append({
            "chip": chip, "cell": cell, "zoomed": zoomed, "first_row": r0, "first_col": c0,
            "rows": n_rows, "cols": n_cols, "left": left, "top": top,
            "width": left + n_cols * cell + 1, "height": top + n_rows * cell + 1,
            "font": max(8, min(12, cell // 3)),
            "row_labels": [{"y": top + (r - r0) * cell + cell / 2 + 4, "text": r}
                           for r in range(r0, r0 + n_rows) if (r - r0) % every == 0],
            "col_labels": [{"x": left + (c - c0) * cell + cell / 2, "text": c}
                           for c in range(c0, c0 + n_cols) if (c - c0) % every == 0],
            "overview": {"width": p.grid[1] * OVERVIEW_PX, "height": p.grid[0] * OVERVIEW_PX,
                         "x": c0 * OVERVIEW_PX, "y": r0 * OVERVIEW_PX, "w": n_cols * OVERVIEW_PX,
                         "h": n_rows * OVERVIEW_PX, "cell": OVERVIEW_PX},
            "cells": cells})
    return pictures


def corelet_legend(corelets: CoreletUsage, names: list[str], limit: int = 24) -> dict:
    """The corelets that dominate a core, most cores first, with their colours."""
    dominated = np.bincount(corelets.dominant[corelets.dominant >= 0], minlength=len(corelets.names))
    order = [int(g) for g in np.argsort(-dominated, kind="stable") if dominated[g]]
    entries = [{"name": names[g], "colour": corelet_colour(g),
                "cores": int(dominated[g])} for g in order[:limit]]
    return {"entries": entries, "more": max(len(order) - limit, 0),
            "scale": [{"pct": q, "colour": utilisation_colour(q / 100)} for q in (0, 25, 50, 75, 100)]}


# -- formatting ---------------------------------------------------------------------------------
def watts(value: float) -> str:
    """A power in the unit that keeps three significant digits readable."""
    if value == 0:
        return "0 W"
    for unit, scale in (("W", 1.0), ("mW", 1e-3), ("uW", 1e-6)):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-9:.3g} nW"


def percent(part: float, whole: float) -> str:
    """'12.5%'; a share too small for one decimal reads '<0.1%', so it is not mistaken for none."""
    if not whole:
        return "-"
    share = 100.0 * part / whole
    return "<0.1%" if 0 < share < 0.05 else f"{share:.1f}%"


def text_table(headers: list[str], records: list[dict], indent: str = "  ") -> str:
    """Left-aligned columns as wide as their widest cell; a record's missing field is blank."""
    cells = [[str(h) for h in headers]] + [[_brief(r.get(h, ""), 60) for h in headers] for r in records]
    widths = [max(len(row[k]) for row in cells) for k in range(len(headers))]
    return "\n".join(indent + "  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip()
                     for row in cells)


def plural(count: int, word: str, words: str | None = None) -> str:
    """'1 core', '3 cores'; ``words`` for irregular plurals ('copies')."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def environment() -> jinja2.Environment:
    """The templates (reports/templates) with the filters and helpers they use."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
                             autoescape=jinja2.select_autoescape(["html.j2"]),
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["watts"] = watts
    env.globals["percent"] = percent
    env.globals["text_table"] = text_table
    env.globals["plural"] = plural
    env.filters["brief"] = _brief
    return env


# -- one-screen summary -------------------------------------------------------------------------
def summary(model: ChipModel) -> str:
    """A one-screen text summary: cores, chips, utilisation, legalisation, hops and power."""
    usage = core_usage(model)
    t = totals(model, usage)
    legal = legalisation(model, usage)
    hops = hop_stats(model)
    est = assumed_power(model, usage.row_synapses, usage.n_used)
    record = compile_record(model)
    how = ", ".join(f"{label} {record[k]}"
                    for k, label in (("placer", "placer"), ("input_fanout", "input fan-out"))
                    if isinstance(record.get(k), str))
    chips = len(t["chips"])
    partial = model.provenance.get("partial") if isinstance(model.provenance, dict) else None
    lines = [f"PARTIAL   placement failed; only what did fit: {partial}"] if partial else []
    lines += [
        f"cores     {t['cores_used']} used on {plural(chips, 'chip')}"
        + (f" ({t['n_cores']} in the model)" if t["n_cores"] != t["cores_used"] else "")
        + (f"; {how}" if how else ""),
        _usage_line("neurons", t["neurons"], t["neuron_capacity"]),
        _usage_line("axons", t["axons"], t["axon_capacity"]),
        _usage_line("synapses", t["synapses"], t["synapse_capacity"]),
        f"inserted  {plural(legal.copies, 'copy', 'copies')}, {plural(legal.relays, 'relay')}"
        + (f" ({plural(legal.splitters, 'splitter')})" if legal.splitters is not None else ""),
        f"latency   {legal.latency_text()}",
        f"hops      mean {hops.mean:.2f} over {plural(hops.connections, 'connection')} "
        f"(total {hops.total}, max {hops.max}, {hops.cross_chip} across chips)",
        f"power     {watts(est.total_w)} = {watts(est.active_w)} active + {watts(est.leakage_w)} "
        f"leakage ({plural(est.cores_used, 'core')} x {watts(est.core_power_w)})",
        f"          estimated at {est.rate_hz:g} Hz per neuron, {est.tick_hz:g} ticks/s; "
        f"{est.event_energy_j * 1e12:.3g} pJ per synaptic event ({_short_source(model)})",
    ]
    return "\n".join(lines)


def _short_source(model: ChipModel) -> str:
    source = constants_source(model.profile)
    return "Merolla et al., Science 2014" if source == SOURCE else source


def _usage_line(label: str, used: int, capacity: int) -> str:
    return f"{label:<9} {used} of {capacity} on the used cores ({percent(used, capacity)})"
