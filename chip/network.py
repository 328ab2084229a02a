"""The logical ``Network``: the contract between the language and the compiler.

A ``Network`` is what a corelet means, before any core exists. Invariants (checked on construction):

* Neurons are rows ``0 .. n_neurons-1`` of one ``NeuronParams`` table. They are grouped into
  ``populations``, contiguous and in order; neuron ``pop.start + i`` is named ``f"{pop.path}[{i}]"``
  (a hierarchical name such as ``lstm.gate_f.h[3]``) and has the logical id
  ``chip.logical_ids(pop.path, i)``.
* Sources are numbered in one space: neurons first (``0 .. n_neurons-1``), then the pins of the input
  connectors in declaration order (``n_neurons .. n_sources-1``).
* A connection says: a spike of source ``src`` reaches neuron ``dst`` through an axon of type
  ``axon_type`` after ``delay`` ticks. A neuron spike fired in tick t is integrated in tick t + delay;
  an input spike in raster row t is integrated in tick t + delay - 1 (so row t lands in tick t with
  the default delay 1). Any delay >= 1 is allowed; the compiler legalises the long ones.
* Connections are unique on (src, dst, axon_type, delay) and sorted by that key: the same synapse
  asked for twice is one synapse, and spikes that meet on one target in one tick merge.
* Output connectors name neurons; input connectors are pin ranges. Names are unique.
* ``groups`` are placement hints: each group of neurons must share one core.

Nothing here knows about cores. The compiler never mutates a ``Network``; it returns a new one.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable

import attrs
import numpy as np

from corelet.chip.ids import element_name, logical_ids
from corelet.chip.params import NeuronParams
from corelet.chip.source import Span


@attrs.frozen
class Population:
    """A named block of neurons ``start .. start+size-1``, declared in corelet ``corelet``."""

    path: str
    start: int
    size: int
    corelet: str = ""
    span: Span | None = None

    @property
    def instance(self) -> str:
        """The hierarchical path of the corelet instance that owns it ('' for the top)."""
        return self.path.rpartition(".")[0]


@attrs.frozen
class InputConnector:
    """An input connector: pins ``offset .. offset+width-1`` of the input pin space."""

    name: str
    width: int
    offset: int = 0
    span: Span | None = None


@attrs.frozen(eq=False)
class OutputConnector:
    """An output connector: pin i is neuron ``neurons[i]``."""

    name: str
    neurons: np.ndarray
    span: Span | None = None

    @property
    def width(self) -> int:
        return len(self.neurons)


@attrs.frozen(eq=False)
class CoreGroup:
    """A placement hint: these neurons must share one core."""

    name: str
    neurons: np.ndarray
    span: Span | None = None


@attrs.frozen(eq=False)
class Connections:
    """Connections as a struct of arrays, canonical: unique and sorted on (src, dst, type, delay)."""

    src: np.ndarray
    dst: np.ndarray
    axon_type: np.ndarray
    delay: np.ndarray

    def __len__(self) -> int:
        return len(self.src)

    @classmethod
    def canonical(cls, src, dst, axon_type, delay) -> "Connections":
        """Sort and deduplicate; dtypes int64, int64, int8, int32."""
        return cls.merge([(src, dst, axon_type, delay)])

    @classmethod
    def merge(cls, blocks: list) -> "Connections":
        """The canonical union of blocks of ``(src, dst, axon_type, delay)`` arrays.

        The list is consumed: each block is released as soon as it is packed, so a hundred million
        connections need little more than their packed keys in memory.
        """
        blocks[:] = [b for b in (tuple(np.asarray(a).ravel() for a in block) for block in blocks)
                     if len(b[0])]
        if not blocks:
            empty = np.zeros(0, np.int64)
            return cls(empty, empty.copy(), np.zeros(0, np.int8), np.zeros(0, np.int32))
        lows = [min(int(a.min()) for a in b) for b in blocks]
        highs = [[int(a.max()) for a in b] for b in blocks]
        src_max, dst_max, type_max, delay_max = (max(h[i] for h in highs) for i in range(4))
        bits = [_bits(src_max + 1), _bits(dst_max + 1), 2, _bits(delay_max + 1)]
        if min(lows) < 0 or type_max > 3 or sum(bits) > 63:
            return _lexsorted(*(np.concatenate([b[i] for b in blocks]) for i in range(4)))
        return _packed(blocks, bits)

    @classmethod
    def concat(cls, parts: Iterable["Connections"]) -> "Connections":
        parts = list(parts)
        if not parts:
            return cls.canonical([], [], [], [])
        return cls.canonical(*(np.concatenate([getattr(p, f) for p in parts])
                               for f in ("src", "dst", "axon_type", "delay")))


@attrs.frozen(eq=False)
class Network:
    """A flat logical spiking network; see the module docstring for its invariants."""

    name: str
    params: NeuronParams
    populations: tuple[Population, ...]
    connections: Connections
    inputs: tuple[InputConnector, ...] = ()
    outputs: tuple[OutputConnector, ...] = ()
    groups: tuple[CoreGroup, ...] = ()
    provenance: dict = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        self._check()

    # -- sizes -----------------------------------------------------------------------------
    @property
    def n_neurons(self) -> int:
        return len(self.params)

    @property
    def n_inputs(self) -> int:
        return sum(c.width for c in self.inputs)

    @property
    def n_sources(self) -> int:
        return self.n_neurons + self.n_inputs

    # -- names and ids ---------------------------------------------------------------------
    def population_of(self, neurons: np.ndarray) -> np.ndarray:
        """Index into ``populations`` of each neuron."""
        starts = np.array([p.start for p in self.populations], dtype=np.int64)
        return np.searchsorted(starts, np.asarray(neurons), side="right") - 1

    def neuron_name(self, neuron: int) -> str:
        pop = self.populations[int(self.population_of(np.array([neuron]))[0])]
        return element_name(pop.path, neuron - pop.start)

    def source_name(self, source: int) -> str:
        if source < self.n_neurons:
            return self.neuron_name(source)
        pin = source - self.n_neurons
        for conn in self.inputs:
            if conn.offset <= pin < conn.offset + conn.width:
                return element_name(conn.name, pin - conn.offset)
        raise IndexError(f"source {source} out of range")

    def neuron_ids(self) -> np.ndarray:
        """Logical id of every neuron, uint64 (n_neurons,)."""
        ids = np.empty(self.n_neurons, dtype=np.uint64)
        for pop in self.populations:
            ids[pop.start:pop.start + pop.size] = logical_ids(pop.path, np.arange(pop.size))
        return ids

    def source_ids(self) -> np.ndarray:
        """Logical id of every source (neurons, then input pins), uint64 (n_sources,)."""
        pins = [logical_ids(c.name, np.arange(c.width)) for c in self.inputs]
        return np.concatenate([self.neuron_ids(), *pins]) if pins else self.neuron_ids()

    def input(self, name: str) -> InputConnector:
        return _by_name(self.inputs, name, "input connector")

    def output(self, name: str) -> OutputConnector:
        return _by_name(self.outputs, name, "output connector")

    def with_delays(self, delay: np.ndarray) -> "Network":
        """The same network with new connection delays (one per connection, same order)."""
        c = self.connections
        conns = Connections.canonical(c.src, c.dst, c.axon_type, delay)
        return attrs.evolve(self, connections=conns)

    # -- invariants ------------------------------------------------------------------------
    def _check(self) -> None:
        n = self.n_neurons
        expected = 0
        for pop in self.populations:
            if pop.start != expected or pop.size < 0:
                raise ValueError(f"population {pop.path!r} starts at {pop.start}, expected {expected}")
            expected += pop.size
        if expected != n:
            raise ValueError(f"populations cover {expected} neurons, params have {n}")
        offset = 0
        for conn in self.inputs:
            if conn.offset != offset:
                raise ValueError(f"input {conn.name!r} at pin {conn.offset}, expected {offset}")
            offset += conn.width
        names = [p.path for p in self.populations] + [c.name for c in self.inputs]
        _unique(names, "population or input")
        _unique([c.name for c in self.outputs], "output connector")
        c = self.connections
        if len(c):
            if c.src.min() < 0 or c.src.max() >= self.n_sources:
                raise ValueError("connection source out of range")
            if c.dst.min() < 0 or c.dst.max() >= n:
                raise ValueError("connection target out of range")
            if c.delay.min() < 1:
                raise ValueError("connection delay below 1")
            if c.axon_type.min() < 0 or c.axon_type.max() > 3:
                raise ValueError("connection axon type outside 0..3")
        for out in self.outputs:
            if len(out.neurons) and (out.neurons.min() < 0 or out.neurons.max() >= n):
                raise ValueError(f"output {out.name!r} names a neuron out of range")
        for group in self.groups:
            if len(group.neurons) and (group.neurons.min() < 0 or group.neurons.max() >= n):
                raise ValueError(f"group {group.name!r} names a neuron out of range")


def _bits(count: int) -> int:
    """Bits needed for the values 0 .. count-1."""
    return max(1, int(count - 1).bit_length())


def _lexsorted(src, dst, axon_type, delay) -> Connections:
    """The canonical form by a four-key lexsort: the general path (negative or huge values)."""
    src, dst = src.astype(np.int64), dst.astype(np.int64)
    axon_type, delay = axon_type.astype(np.int8), delay.astype(np.int32)
    order = np.lexsort((delay, axon_type, dst, src))
    src, dst, axon_type, delay = src[order], dst[order], axon_type[order], delay[order]
    keep = np.ones(len(src), dtype=bool)
    keep[1:] = ((src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
                | (axon_type[1:] != axon_type[:-1]) | (delay[1:] != delay[:-1]))
    return Connections(src[keep], dst[keep], axon_type[keep], delay[keep])


def _packed(blocks: list, bits: list[int]) -> Connections:
    """The canonical form through one int64 key ``src | dst | type | delay`` packed by bit shifts:
    one sort of one array, several times faster than the lexsort at 1e7..1e8 connections."""
    _, dst_bits, type_bits, delay_bits = bits
    shift_dst, shift_type = type_bits + delay_bits, delay_bits
    shift_src = dst_bits + shift_dst
    total = sum(len(b[0]) for b in blocks)
    key = np.empty(total, dtype=np.int64)
    at = 0
    while blocks:  # free each block as soon as it is packed
        src, dst, axon_type, delay = blocks.pop(0)
        k = key[at:at + len(src)]
        np.left_shift(src.astype(np.int64, copy=False), shift_src, out=k)
        k |= dst.astype(np.int64) << shift_dst
        k |= axon_type.astype(np.int64) << shift_type
        k |= delay.astype(np.int64)
        at += len(src)
        del src, dst, axon_type, delay, k
    _sort_in_place(key)
    keep = np.empty(total, dtype=bool)
    keep[0] = True
    np.not_equal(key[1:], key[:-1], out=keep[1:])
    if not keep.all():
        key = key[keep]
    del keep
    m = len(key)
    dst = np.empty(m, np.int64)
    axon_type = np.empty(m, np.int8)
    delay = np.empty(m, np.int32)
    step = 1 << 22
    for lo in range(0, m, step):  # in slices, so the temporaries stay small
        k = key[lo:lo + step]
        delay[lo:lo + step] = k & ((1 << delay_bits) - 1)
        axon_type[lo:lo + step] = (k >> shift_type) & ((1 << type_bits) - 1)
        dst[lo:lo + step] = (k >> shift_dst) & ((1 << dst_bits) - 1)
        np.right_shift(k, shift_src, out=k)  # the key's buffer becomes the sources
    return Connections(key, dst, axon_type, delay)


def _sort_in_place(key: np.ndarray, min_parallel: int = 1 << 24) -> None:
    """``key.sort()``, spread over the CPU cores for large arrays (numpy releases the GIL).

    The keys are split into value ranges at sampled quantiles; each range is sorted in its own
    thread and the sorted ranges, in order, are the sorted whole."""
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(key) < min_parallel:
        key.sort()
        return
    sample = np.sort(key[:: max(1, len(key) // 100_000)])
    cuts = np.unique(sample[(np.arange(1, workers) * len(sample)) // workers])
    parts = []
    low = None
    for cut in [*cuts.tolist(), None]:
        mask = np.ones(len(key), dtype=bool) if low is None else key >= low
        if cut is not None:
            mask &= key < cut
        parts.append(key[mask])
        del mask
        low = cut
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(np.ndarray.sort, parts))
    np.concatenate(parts, out=key)


def _unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"duplicate {what} name {name!r}")
        seen.add(name)


def _by_name(items, name: str, what: str):
    for item in items:
        if item.name == name:
            return item
    known = ", ".join(i.name for i in items) or "none"
    raise KeyError(f"no {what} named {name!r} (known: {known})")
