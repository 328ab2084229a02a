"""From what the elaborator recorded to a ``Network``: aliases resolved, connections canonical.

Node ids: neurons are ``0 .. n-1`` (in population order); every connector element is a node
``BASE + k``: top-level input pins (``pin``), inputs of sub-corelet instances (``in``, aliases),
outputs at any level (``out``, aliases). Resolution, all in numpy:

1. every output element has exactly one driver; following drivers (``y = hid.y``, ``hid.y = h``)
   ends at a neuron, and every use of an output as a source becomes a use of that neuron;
2. instance inputs are removed level by level, shallowest first: an edge ``a -> x`` (delay da)
   and an edge ``x -> b`` (type t, delay db) become ``a -> b`` (type t, delay da + db), so delays
   add along a chain of connectors; edges from an input nobody drives disappear. The caller may
   set the type on ``a -> x`` instead (type -1 is "not set"): the joined edge takes the one that is
   set, and two different ones are an error naming both connections; at the end, unset is 0;
3. pins get their source numbers after the neurons, and the edges are sorted and deduplicated on
   one packed int64 key (much faster than a lexsort on four arrays).
"""

from __future__ import annotations

import math
from typing import Callable

import attrs
import numpy as np

from corelet.chip import NEURON_FIELDS, NeuronParams
from corelet.chip.arrays import ranges, run_ids
from corelet.language.diagnostics import ERROR, WARNING, Diagnostic
from corelet.chip.errors import Location
from corelet.chip.network import (Connections, CoreGroup, InputConnector, Network, OutputConnector,
                              Population)

BASE = 1 << 40
PIN, IN, OUT = 0, 1, 2
_KINDS = {"pin": PIN, "in": IN, "out": OUT}


@attrs.define(eq=False)
class Edges:
    """A block of connections from one statement (node ids; type -1 where it is not set)."""

    src: np.ndarray
    dst: np.ndarray
    axon_type: np.ndarray
    delay: np.ndarray
    span: object = None


@attrs.frozen(eq=False)
class ConnectorRecord:
    kind: int
    name: str
    shape: tuple
    depth: int
    span: object
    corelet: str
    offset: int

    @property
    def size(self) -> int:
        return math.prod(self.shape)


class Graph:
    """Everything elaboration records: populations, parameters, connectors, edges, groups."""

    def __init__(self):
        self.n_neurons = 0
        self.n_other = 0
        self.populations: list[Population] = []
        self.connectors: list[ConnectorRecord] = []
        self.connector_sizes: list[int] = []  # record.size of each, in order (offsets follow)
        self.edges: list[Edges] = []
        self.drivers: list[Edges] = []
        self.groups: list[CoreGroup] = []
        # where axon types meet at a connector (for the message when the two sides disagree):
        # every connection into an instance input (span, src, dst, type per row, -1 unset), and
        # every typed connection from an instance's own input (span, first and last slot)
        self.alias_feeds: list[tuple] = []
        self.typed_reads: list[tuple] = []
        self._capacity = 0
        self.params = {name: np.zeros((0, *shape), dtype=dtype)
                       for name, (dtype, shape, _) in NEURON_FIELDS.items()}

    def population(self, path: str, size: int, corelet: str, span) -> int:
        start = self.n_neurons
        self._grow(start + size)
        self.populations.append(Population(path, start, size, corelet, span))
        self.n_neurons += size
        return start

    def _grow(self, needed: int) -> None:
        if needed <= self._capacity:
            return
        capacity = max(needed, 2 * self._capacity, 1024)
        for name, (dtype, shape, default) in NEURON_FIELDS.items():
            grown = np.full((capacity, *shape), default, dtype=dtype)
            grown[:self._capacity] = self.params[name]
            self.params[name] = grown
        self._capacity = capacity

    def connector(self, kind: str, name: str, shape: tuple, depth: int, span, corelet: str
                  ) -> np.ndarray:
        record = ConnectorRecord(_KINDS[kind], name, shape, depth, span, corelet, self.n_other)
        size = record.size
        self.connectors.append(record)
        self.connector_sizes.append(size)
        self.n_other += size
        return np.arange(BASE + record.offset, BASE + record.offset + size,
                         dtype=np.int64).reshape(shape)

    def add(self, edges: Edges) -> None:
        if len(edges.src):
            if edges.dst.dtype != np.int32 and edges.dst.max() < BASE:
                # into neurons only: half the memory (1e8 edges matter)
                edges.dst = edges.dst.astype(np.int32)
            self.edges.append(edges)

    def drive(self, src: np.ndarray, dst: np.ndarray, span) -> None:
        self.drivers.append(Edges(src, dst, np.full(len(src), -1, np.int8),
                                  np.zeros(len(src), np.int32), span))

    def note_types(self, kind: str, src: np.ndarray, dst: np.ndarray, axon_type, typed: bool,
                   reads_input: bool, source_nodes: np.ndarray, span) -> None:
        """Remember where a connection meets a connector boundary (only small arrays are kept:
        connections into instance inputs, and the slot range an inner typed connection reads)."""
        if kind == "alias":
            self.alias_feeds.append((span, src, dst, axon_type))
        if typed and reads_input:
            nodes = np.asarray(source_nodes).ravel()
            nodes = nodes[nodes >= BASE]
            if len(nodes):
                self.typed_reads.append((span, int(nodes.min()) - BASE, int(nodes.max()) - BASE))

    def group(self, name: str, neurons: np.ndarray, span) -> None:
        self.groups.append(CoreGroup(name, np.asarray(neurons, dtype=np.int64), span))

    # -- tables over the connector nodes ------------------------------------------------------------
    def node_table(self, field: str) -> np.ndarray:
        # the records tile 0 .. n_other-1 in order: one repeat, not a slice per record
        values = np.fromiter((getattr(record, field) for record in self.connectors),
                             dtype=np.int64, count=len(self.connectors))
        return np.repeat(values, np.asarray(self.connector_sizes, dtype=np.int64))


Report = Callable[[Diagnostic], None]


def build_network(graph: Graph, top, report: Report) -> Network | None:
    """Resolve aliases and build the ``Network``; report errors and return None on failure."""
    kind, depth = graph.node_table("kind"), graph.node_table("depth")
    remap = _resolve_outputs(graph, kind, report)
    if remap is None:
        return None
    # one pass over the sources: outputs become their neurons, pins their source numbers (only
    # instance inputs stay nodes, for the alias elimination), and the used inputs are marked
    table = remap.copy()
    pins = kind == PIN
    table[pins] = _pin_numbers(graph, kind)[pins]
    used = np.zeros(graph.n_other, dtype=bool)
    graph.edges = _coalesce(graph.edges)
    for i in range(len(graph.edges)):  # (no loop variable: the merge frees every block)
        _remap_sources(graph.edges[i], table, used)
    _warn_unused_inputs(graph, used, report)
    clashes = _TypeClashes(graph, report)
    main = _eliminate_aliases(graph.edges, depth, kind, clashes)
    if clashes.failed:
        return None
    connections = _canonical(main, graph, kind)
    params = NeuronParams(**{name: np.ascontiguousarray(a[:graph.n_neurons])
                             for name, a in graph.params.items()})
    return Network(
        name=top.name, params=params, populations=tuple(graph.populations),
        connections=connections, inputs=_inputs(graph), outputs=_outputs(graph, remap),
        groups=tuple(graph.groups), provenance={"corelet": top.name})


COALESCE_ROWS = 1 << 16  # blocks smaller than this are joined with their small neighbours


def _coalesce(blocks: list[Edges]) -> list[Edges]:
    """The blocks with every run of small ones (a loop's statements, one block per iteration)
    joined into one, so that the passes below work per block on thousands of rows, not a few;
    large blocks stay as they are (no copy of 1e8 rows)."""
    if sum(1 for block in blocks if len(block.src) < COALESCE_ROWS) < 2:
        return blocks
    result: list[Edges] = []
    run: list[Edges] = []
    rows = 0

    def flush() -> None:
        nonlocal rows
        if len(run) == 1:
            result.append(run[0])
        elif run:
            result.append(Edges(*(np.concatenate([getattr(b, f) for b in run])
                                  for f in ("src", "dst", "axon_type", "delay")), run[0].span))
        run.clear()
        rows = 0

    for block in blocks:
        n = len(block.src)
        if n >= COALESCE_ROWS:
            flush()
            result.append(block)
            continue
        if rows + n > COALESCE_ROWS:
            flush()
        run.append(block)
        rows += n
    flush()
    return result


def _resolve_outputs(graph: Graph, kind: np.ndarray, report: Report) -> np.ndarray | None:
    """remap[k]: the node that connector node BASE+k stands for as a source."""
    remap = BASE + np.arange(graph.n_other, dtype=np.int64)
    driven = np.zeros(graph.n_other, dtype=bool)
    failed = False
    drivers = graph.drivers
    if len(drivers) > 1:  # many small blocks (a loop's instances): one pass if none repeats
        slots = np.concatenate([block.dst for block in drivers]) - BASE
        if not _repeats(slots).any():
            driven[slots] = True
            remap[slots] = np.concatenate([block.src for block in drivers])
            drivers = ()
    for block in drivers:
        slots = block.dst - BASE
        twice = driven[slots] | _repeats(slots)
        if twice.any():
            first = int(slots[twice][0])
            report(Diagnostic(ERROR, f"output `{_element_name(graph, first)}` is driven twice",
                              block.span, "an output element names exactly one neuron"))
            failed = True
        driven[slots] = True
        remap[slots] = block.src
    undriven = ~driven
    undriven[kind != OUT] = False
    for record in graph.connectors if undriven.any() else ():
        if record.kind == OUT:
            missing = ~driven[record.offset:record.offset + record.size]
            if missing.any():
                report(Diagnostic(ERROR, f"output connector `{record.name}` is not connected",
                                  record.span, _missing_hint(record, missing)))
                failed = True
    if failed:
        return None
    slots = np.arange(graph.n_other)
    for _ in range(64 + 2):  # each round follows one level of output-to-output aliasing
        other = remap >= BASE
        target = np.where(other, remap - BASE, 0)
        pending = other & (kind[target] == OUT) & (target != slots) if graph.n_other else other
        if not pending.any():
            looped = other & (kind[target] == OUT) if graph.n_other else other
            if looped.any():  # `y = y`: an output element that stands for itself
                first = int(np.flatnonzero(looped)[0])
                span = next((b.span for b in graph.drivers if (b.dst - BASE == first).any()),
                            None)
                report(Diagnostic(ERROR, f"output `{_element_name(graph, first)}` is driven by "
                                  f"itself", span, "an output element names a neuron (`y = h`)"))
                return None
            return remap
        remap[pending] = remap[remap[pending] - BASE]
    report(Diagnostic(ERROR, "output connectors drive each other in a cycle",
                      graph.drivers[0].span if graph.drivers else None))
    return None


def _repeats(values: np.ndarray) -> np.ndarray:
    """True for every element equal to an earlier one."""
    _, first = np.unique(values, return_index=True)
    repeated = np.ones(len(values), dtype=bool)
    repeated[first] = False
    return repeated


def _missing_hint(record: ConnectorRecord, missing: np.ndarray) -> str:
    if missing.all():
        return f"drive it, e.g. `{record.name.rpartition('.')[2]} = neurons`"
    shown = ", ".join(f"{record.name}[{i}]" for i in np.flatnonzero(missing)[:4])
    more = " ..." if missing.sum() > 4 else ""
    return f"no source for {shown}{more}"


def _element_name(graph: Graph, slot: int) -> str:
    for record in graph.connectors:
        if record.offset <= slot < record.offset + record.size:
            return f"{record.name}[{slot - record.offset}]"
    return f"node {slot}"


REMAP_STEP = 1 << 16  # sources per slice of the remapping pass (cache-sized temporaries)


def _remap_sources(edges: Edges, table: np.ndarray, used: np.ndarray) -> None:
    """``edges.src`` with every node ``BASE + k`` replaced by ``table[k]``; ``used[k]`` set for
    every node that is a source. In slices, into one new array (the old one may be shared)."""
    src = edges.src
    n = len(src)
    out = None
    slots = np.empty(min(n, REMAP_STEP), dtype=np.int64)
    for lo in range(0, n, REMAP_STEP):
        hi = min(lo + REMAP_STEP, n)
        s = src[lo:hi]
        if s.min() >= BASE:  # all nodes: one gather
            k = np.subtract(s, BASE, out=slots[:hi - lo])
            used[k] = True
            if out is None:
                out = np.empty(n, dtype=np.int64)
                out[:lo] = src[:lo]
            np.take(table, k, out=out[lo:hi])
            continue
        other = s >= BASE
        if other.any():
            k = s[other] - BASE
            used[k] = True
            if out is None:
                out = np.empty(n, dtype=np.int64)
                out[:lo] = src[:lo]
            out[lo:hi] = s
            out[lo:hi][other] = table[k]
        elif out is not None:
            out[lo:hi] = s
    if out is not None:
        edges.src = out


def _warn_unused_inputs(graph: Graph, used: np.ndarray, report: Report) -> None:
    for record in graph.connectors:
        if record.kind == OUT:
            continue
        if not used[record.offset:record.offset + record.size].any():
            report(Diagnostic(WARNING, f"input `{record.name}` is never used", record.span))


def _eliminate_aliases(blocks: list[Edges], depth: np.ndarray, kind: np.ndarray,
                       clashes: "_TypeClashes | None" = None) -> list[Edges]:
    """Edges into neurons only, each instance input replaced by what drives it; an axon type set
    on neither side of a connector becomes 0."""
    is_alias = (kind == IN)
    alias_depth = np.where(is_alias, depth, 0)
    levels = sorted(set(alias_depth[is_alias].tolist()))
    for level in levels:
        at_level = is_alias & (alias_depth == level)
        into, rest = [], []
        for block in blocks:
            if block.dst.dtype == np.int32:  # into neurons only
                rest.append(block)
                continue
            hit = (block.dst >= BASE)
            hit[hit] = at_level[block.dst[hit] - BASE]
            if hit.any():
                into.append(_take(block, hit))
                if (~hit).any():
                    rest.append(_take(block, ~hit))
            else:
                rest.append(block)
        feeds = _Feeds(into, len(kind))
        blocks = [expanded for block in rest for expanded in [feeds.expand(block, at_level,
                                                                           clashes)]
                  if len(expanded.src)]
    for block in blocks:
        block.axon_type = _default_type(block.axon_type)
    return blocks


def _default_type(axon_type: np.ndarray) -> np.ndarray:
    """Type -1 (set by neither side) as the default, 0; a broadcast value stays one value."""
    if len(axon_type) and axon_type.strides == (0,):
        return np.broadcast_to(np.int8(max(int(axon_type[0]), 0)), axon_type.shape) \
            if axon_type[0] < 0 else axon_type
    unset = axon_type < 0
    if not unset.any():
        return axon_type
    return np.where(unset, np.int8(0), axon_type).astype(np.int8, copy=False)


class _TypeClashes:
    """Reports a connection whose axon type is set on both sides of a connector, differently."""

    def __init__(self, graph: Graph, report: Report):
        self.graph, self.report, self.failed = graph, report, False

    def __call__(self, slot: int, outer: int, inner: int, fallback_outer, fallback_inner) -> None:
        self.failed = True
        graph = self.graph
        record = next(r for r in graph.connectors if r.offset <= slot < r.offset + r.size)
        element = f"{record.name}[{slot - record.offset}]" if record.size > 1 or record.shape \
            else record.name
        caller = self._feed_span(slot, outer, set()) or fallback_outer
        inside = next((span for span, lo, hi in graph.typed_reads if lo <= slot <= hi),
                      fallback_inner)
        self.report(Diagnostic(
            ERROR, f"the axon type of the connection into `{element}` is set on both sides: "
                   f"type {outer} here, type {inner} inside `{record.corelet}`",
            caller, "a connection has one axon type: set it on one side only, or make both "
                    "the same",
            related=(Location(span=inside, label=f"`{record.corelet}` sets type {inner} here",
                              corelet=record.corelet),) if inside is not None else ()))

    def _feed_span(self, slot: int, axon_type: int, seen: set):
        """The connection that set ``axon_type`` on what reaches ``slot``, following untyped
        connections back through the connectors they come from."""
        if slot in seen:
            return None
        seen.add(slot)
        for span, src, dst, types in self.graph.alias_feeds:
            rows = np.flatnonzero(dst == BASE + slot)
            for row in rows.tolist():
                t = int(types[row] if np.ndim(types) else types)
                if t == axon_type:
                    return span
                if t < 0 and src[row] >= BASE:
                    found = self._feed_span(int(src[row]) - BASE, axon_type, seen)
                    if found is not None:
                        return found
        return None


def _take(block: Edges, mask: np.ndarray) -> Edges:
    return Edges(block.src[mask], block.dst[mask], block.axon_type[mask], block.delay[mask],
                 block.span)


class _Feeds:
    """The edges into one level of aliases, grouped by alias, for a vectorised join."""

    def __init__(self, into: list[Edges], n_other: int):
        src = np.concatenate([b.src for b in into]) if into else np.zeros(0, np.int64)
        dst = np.concatenate([b.dst for b in into]) if into else np.zeros(0, np.int64)
        delay = np.concatenate([b.delay for b in into]) if into else np.zeros(0, np.int32)
        axon_type = np.concatenate([b.axon_type for b in into]) if into else np.zeros(0, np.int8)
        spans = np.repeat(np.arange(len(into)), [len(b.src) for b in into])
        order = np.argsort(dst - BASE, kind="stable")
        self.src, self.delay = src[order], delay[order]
        self.spans, self.span_of = [b.span for b in into], spans[order]
        # the types the callers set on connections into these inputs (-1: not set)
        self.axon_type = axon_type[order] if (axon_type >= 0).any() else None
        self.count = np.bincount(dst - BASE, minlength=n_other)
        self.first = np.concatenate([[0], np.cumsum(self.count)[:-1]])

    def expand(self, block: Edges, at_level: np.ndarray, clashes=None) -> Edges:
        hit = block.src >= BASE
        hit[hit] = at_level[block.src[hit] - BASE]
        if not hit.any():
            return block
        keep = _take(block, ~hit)
        fed = _take(block, hit)
        slots = fed.src - BASE
        count = self.count[slots]
        which = run_ids(count)
        partner = ranges(self.first[slots], count)
        axon_type = fed.axon_type[which]
        if self.axon_type is not None:  # a caller set types: the one that is set, or a clash
            outer = self.axon_type[partner]
            clash = (axon_type >= 0) & (outer >= 0) & (axon_type != outer)
            if clash.any() and clashes is not None:
                c = int(np.flatnonzero(clash)[0])
                clashes(int(slots[which[c]]), int(outer[c]), int(axon_type[c]),
                        self.spans[self.span_of[partner[c]]], block.span)
            axon_type = np.where(axon_type < 0, outer, axon_type).astype(np.int8, copy=False)
        joined = Edges(self.src[partner], fed.dst[which], axon_type,
                       fed.delay[which] + self.delay[partner], block.span)
        return Edges(*(np.concatenate([getattr(keep, f), getattr(joined, f)])
                       for f in ("src", "dst", "axon_type", "delay")), block.span)


def _pin_numbers(graph: Graph, kind: np.ndarray) -> np.ndarray:
    """Final source number of every connector node that is a pin (-1 for the others)."""
    numbers = np.full(graph.n_other, -1, dtype=np.int64)
    next_pin = graph.n_neurons
    for record in graph.connectors:
        if record.kind == PIN:
            numbers[record.offset:record.offset + record.size] = \
                next_pin + np.arange(record.size)
            next_pin += record.size
    return numbers


def _canonical(blocks: list[Edges], graph: Graph, kind: np.ndarray) -> Connections:
    """Merge the blocks (their pins already numbered); the blocks are consumed to save memory."""
    arrays = []
    while blocks:
        block = blocks.pop(0)
        arrays.append((block.src, block.dst, block.axon_type, block.delay))
        del block
    return Connections.merge(arrays)


def _inputs(graph: Graph) -> tuple[InputConnector, ...]:
    result, offset = [], 0
    for record in graph.connectors:
        if record.kind == PIN:
            result.append(InputConnector(record.name, record.size, offset, record.span))
            offset += record.size
    return tuple(result)


def _outputs(graph: Graph, remap: np.ndarray) -> tuple[OutputConnector, ...]:
    return tuple(
        OutputConnector(r.name, remap[r.offset:r.offset + r.size].copy(), r.span)
        for r in graph.connectors if r.kind == OUT and r.depth == 0)
