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

from typing import Iterable

import attrs
import numpy as np

from corelet.chip import canonical as _canonical
from corelet.chip import display
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
    """Connections as a struct of arrays, canonical: unique and sorted on (src, dst, type, delay).

    The constructor takes the arrays as they are; a ``Network`` checks that they are canonical.
    ``canonical``, ``merge`` and ``concat`` make them so (``corelet.chip.canonical``)."""

    src: np.ndarray
    dst: np.ndarray
    axon_type: np.ndarray
    delay: np.ndarray
    # the survey of these arrays, made once: the canonical machinery knows it for free, and a
    # network rebuilt around the same connections (``attrs.evolve`` to add provenance, say) does
    # not pass over 1e8 rows again
    _survey: "_canonical.Survey | None" = attrs.field(default=None, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.src)

    @classmethod
    def _made(cls, arrays, known: "_canonical.Survey | None") -> "Connections":
        """Connections from the canonical machinery, with the survey it knows for free (column
        ranges, in order): a ``Network`` need not pass over them again."""
        made = cls(*arrays)
        object.__setattr__(made, "_survey", known)
        return made

    def delay_max(self) -> int:
        """The largest delay (0 when there are no connections)."""
        if self._survey is not None:
            return self._survey.highs[3]
        return int(self.delay.max()) if len(self.delay) else 0

    def survey(self, limits: tuple[int, int, int]) -> "_canonical.Survey":
        """``chip.canonical.survey`` of these arrays (ranges and first disorder), made once.
        ``limits`` (largest source, target and delay allowed) only let it compare packed keys;
        the result does not depend on them."""
        if self._survey is None:
            object.__setattr__(self, "_survey", _canonical.survey(
                self.src, self.dst, self.axon_type, self.delay, limits))
        return self._survey

    @classmethod
    def canonical(cls, src, dst, axon_type, delay) -> "Connections":
        """Sort and deduplicate; dtypes int64, int64, int8, int32 (``chip.canonical.canonical``)."""
        return cls._made(*_canonical.merge_surveyed([(src, dst, axon_type, delay)]))

    @classmethod
    def merge(cls, blocks: list) -> "Connections":
        """The canonical union of blocks of ``(src, dst, axon_type, delay)`` arrays; the list is
        consumed (``chip.canonical.merge``)."""
        return cls._made(*_canonical.merge_surveyed(blocks))

    @classmethod
    def concat(cls, parts: Iterable["Connections"]) -> "Connections":
        """The canonical union of several ``Connections``."""
        return cls(*_canonical.concat(parts))


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

    def __repr__(self) -> str:
        return (f"<Network {self.name}: {display.plural(self.n_neurons, 'neuron')} in "
                f"{display.plural(len(self.populations), 'population')}, "
                f"{display.plural(len(self.connections.src), 'connection')}; "
                f"{display.connectors('inputs', ((c.name, c.width) for c in self.inputs))}; "
                f"{display.connectors('outputs', ((c.name, len(c.neurons)) for c in self.outputs))}>")

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
        if not len(c.src) == len(c.dst) == len(c.axon_type) == len(c.delay):
            raise ValueError("connection arrays differ in length")
        if len(c):
            # one pass, in slices that stay in the CPU cache: the ranges, then the canonical order
            delay_max = c.delay_max()
            found = c.survey((self.n_sources - 1, n - 1, delay_max))
            (src_lo, dst_lo, type_lo, delay_lo), (src_hi, dst_hi, type_hi, _) = found.lows, found.highs
            if src_lo < 0 or src_hi >= self.n_sources:
                raise ValueError("connection source out of range")
            if dst_lo < 0 or dst_hi >= n:
                raise ValueError("connection target out of range")
            if delay_lo < 1:
                raise ValueError("connection delay below 1")
            if type_lo < 0 or type_hi > 3:
                raise ValueError("connection axon type outside 0..3")
            if found.disorder is not None:
                _not_canonical(c, found.disorder)
        for out in self.outputs:
            if len(out.neurons) and (out.neurons.min() < 0 or out.neurons.max() >= n):
                raise ValueError(f"output {out.name!r} names a neuron out of range")
        for group in self.groups:
            if len(group.neurons) and (group.neurons.min() < 0 or group.neurons.max() >= n):
                raise ValueError(f"group {group.name!r} names a neuron out of range")


def _not_canonical(c: Connections, at: int) -> None:
    row, before = _row(c, at), _row(c, at - 1)
    what = "duplicates" if row == before else "sorts before"
    raise ValueError(f"connections must be unique and sorted on (src, dst, axon_type, delay) "
                     f"(Connections.canonical makes them so): connection {at} {row} {what} "
                     f"connection {at - 1} {before}")


def _row(c: Connections, i: int) -> tuple[int, int, int, int]:
    return int(c.src[i]), int(c.dst[i]), int(c.axon_type[i]), int(c.delay[i])


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
