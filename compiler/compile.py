"""``compile_network``: a logical ``Network`` in, a legal placed ``ChipModel`` out.

The compile pipeline is four passes, each taking the previous one's result (``_Pipeline``)::

    index     Network -> NetIndex        (_index.py)    connections grouped by target, axon keys,
                                                         fan-in check
    place     NetIndex -> Candidates     (placers.py)   fillings: orders of the neurons cut into
                                                         cores by fill.py, the placer's best first
    legalise  Candidates -> Legalised    (legalise.py)  copies, splitter relays, input routes for
                                                         each candidate tried; the best is kept
    emit      Legalised -> Compilation   (emit.py)      latency and retimed network, core layout
                                                         (layout.py), the CompileRecord and
                                                         Provenance, then the ChipModel, built once

The pipeline, not the placer, chooses the placement: it legalises the placer's first candidate and,
unless that reaches the placer's lower bound with nothing delayed, every alternative too, keeping
the best by (cores after legalisation, demands delayed), the earliest of equals. Everything the
model's provenance records (hops and per-population usage included) is computed before the model
is built; the model is never edited afterwards.

The input network is never changed. Besides the model, the result carries the *retimed* network (the
input with each connection's delay increased by the latency legalisation added; the input itself when
none was added) and the placement map from logical neurons to (core, neuron), copies and relays
included. ``estimate`` runs the first three passes only.
"""

from __future__ import annotations

import time
from typing import Callable

import attrs
import numpy as np

from corelet.chip import TRUENORTH, ChipProfile, display
from corelet.chip.profile import hop_distances
from corelet.chip.provenance import (CompileRecord, LatencyRecord, PopulationUsage,
                                     Provenance, RoleCounts)
from corelet.chip.version import __version__
from corelet.compiler._index import NetIndex, build_index
from corelet.compiler.emit import Layout, emit, lay_out
from corelet.compiler.errors import PlacementError
from corelet.compiler.fill import Filling
from corelet.compiler.layout import hop_record
from corelet.compiler.legalise import COPY, ORIGINAL, RELAY, Legal, legalise
from corelet.compiler.placers import DEFAULT_PLACER, Candidates, get_placer
from corelet.chip.network import Connections, Network
from corelet.chip.model import ChipModel

INPUT_FANOUTS = ("host", "splitter")
DEFAULT_INPUT_FANOUT = "host"  # the input fan-out used when none is named
MAX_LATENCY_TARGETS = 256  # target names listed per added-latency record

@attrs.frozen(eq=False)
class Placement:
    """Where every logical neuron went. Physical neurons (originals, copies, relays) as arrays:
    ``core[k]``, ``neuron[k]`` hold the ``k``-th, ``source[k]`` the logical source it carries (a
    neuron, or ``n_neurons + pin`` for a relay of an input pin) and ``role[k]`` its role (index into
    ``runtime.ROLES``). ``neuron_core[n]``, ``neuron_slot[n]`` locate the original of neuron ``n``."""

    core: np.ndarray
    neuron: np.ndarray
    source: np.ndarray
    role: np.ndarray
    neuron_core: np.ndarray
    neuron_slot: np.ndarray

    def instances(self, neuron: int) -> list[tuple[int, int, int]]:
        """(core, neuron, role) of every physical neuron carrying logical neuron ``neuron``."""
        rows = np.flatnonzero(self.source == neuron)
        return [(int(self.core[r]), int(self.neuron[r]), int(self.role[r])) for r in rows]


@attrs.frozen(eq=False)
class Compilation:
    """The result of ``compile_network``."""

    model: ChipModel
    retimed: Network
    placement: Placement
    latency: np.ndarray  # added ticks per connection of the input network (same order)
    network: Network
    seconds: dict  # wall time per pass (not part of the model: the model has no timestamps)
    provenance: Provenance  # typed; ``model.provenance`` is its JSON form

    @property
    def record(self) -> dict:
        """What the compiler did, as written in the model: ``model.provenance["compile"]`` (typed:
        ``provenance.compile``, a ``CompileRecord``)."""
        return self.model.provenance["compile"]

    def __repr__(self) -> str:
        added = int(self.latency.max()) if self.latency.size else 0
        return (f"<Compilation of {self.network.name}: {self.model.describe()}; "
                f"latency added up to {display.plural(added, 'tick')}; "
                f"{sum(self.seconds.values()):.3g} s>")

    def _repr_html_(self) -> str | None:
        """The model's summary and core grid in a notebook (registered by ``corelet.reports``)."""
        return display.html("compilation", self)


@attrs.frozen(eq=False)
class Legalised:
    """The legalise pass's result: the chosen filling and its legal placement."""

    index: NetIndex
    filling: Filling
    legal: Legal


def compile_network(net: Network, *, placer: str = DEFAULT_PLACER,
                    input_fanout: str = DEFAULT_INPUT_FANOUT,
                    profile: ChipProfile = TRUENORTH, seed: int = 0, provenance: dict | None = None,
                    progress: Callable[[str, int, int], None] | None = None) -> Compilation:
    """Legalise, place and emit ``net``.

    Parameters
    ----------
    placer : a name in ``PLACERS`` ("packer", "alg1", "alg2").
    input_fanout : "host" (the host sends an input pin to every axon it feeds) or "splitter"
        (one route per pin; on-chip splitter relays fan it out, adding one tick where the
        connection delay is 1).
    provenance : the caller's part of the model's ``Provenance`` (e.g. ``source_fields(...)`` of
        ``corelet.chip.provenance``, or ``{"source": ..., "sha256": ...}``), after the network's.
    progress : called as ``progress(stage, done, total)`` before each pass (index, place,
        legalise, emit) and once at the end (``"done", 4, 4``).

    Raises ``PlacementError`` (with ``err.partial``, a ``Compilation`` of what did fit, or ``None``).
    """
    pipeline = _Pipeline(placer, input_fanout, profile, progress)
    try:
        return pipeline.emit(pipeline.legalise(pipeline.place(pipeline.index(net))), seed,
                             provenance)
    except PlacementError as err:
        if err.partial is None:
            err.partial = _partial(net, err, placer=placer, input_fanout=input_fanout,
                                   profile=profile, seed=seed, provenance=provenance)
        raise


def estimate(net: Network, *, placer: str = DEFAULT_PLACER,
             input_fanout: str = DEFAULT_INPUT_FANOUT, profile: ChipProfile = TRUENORTH) -> dict:
    """Cores, chips and utilisation of ``net`` without emitting a model (placement only).

    ``synapses`` counts what the model's crossbars would hold (copies repeat their original's
    column, relays add one each); ``connections`` the network's logical connections."""
    pipeline = _Pipeline(placer, input_fanout, profile, None)
    legalised = pipeline.legalise(pipeline.place(pipeline.index(net)))
    legal = legalised.legal
    counts = legal.counts()
    chips = -(-legal.n_cores // profile.cores_per_chip)
    return {"cores": legal.n_cores, "chips": chips, "fits": chips <= profile.max_chips,
            "neurons": counts, "axons": int(len(legal.axon_core)),
            "synapses": crossbar_synapses(legalised.index, legal),
            "connections": int(len(net.connections)),
            "utilisation": {
                "neurons": round(len(legal.core) / max(1, legal.n_cores * profile.neurons_per_core), 4),
                "axons": round(len(legal.axon_core) / max(1, legal.n_cores * profile.axons_per_core), 4)},
            "added_latency": int((legal.demand_latency > 0).sum()),
            "seconds": {k: round(v, 3) for k, v in pipeline.seconds.items()}}


# -- the passes ------------------------------------------------------------------------------------
_FAILED = (np.iinfo(np.int64).max, 0)  # the score of a candidate that cannot be legalised


class _Pipeline:
    """index -> place -> legalise -> emit, each pass a method taking the previous one's result;
    ``seconds`` accumulates the wall time per pass."""

    PASSES = ("index", "place", "legalise", "emit")

    def __init__(self, placer: str, input_fanout: str, profile: ChipProfile, progress):
        self.placer_name, self.input_fanout = placer, input_fanout
        self.profile, self.progress = profile, progress
        self.placer = get_placer(placer)
        if input_fanout not in INPUT_FANOUTS:
            raise PlacementError(f"unknown input fan-out {input_fanout!r} "
                                 f"(known: {', '.join(INPUT_FANOUTS)})")
        self.seconds: dict[str, float] = {}

    def index(self, net: Network) -> NetIndex:
        self._start("index")
        self._timed("index", check_values, net, self.profile)
        index = self._timed("index", build_index, net, self.profile)
        self._timed("index", check_fan_in, index, self.profile)
        return index

    def place(self, index: NetIndex) -> tuple[NetIndex, Candidates]:
        self._start("place")
        return index, self._timed("place", self.placer, index, self.profile)

    def legalise(self, placed: tuple[NetIndex, Candidates]) -> Legalised:
        """Legalise the first candidate and, unless it reaches the lower bound with nothing
        delayed, the alternatives too (each made only now); keep the best by (cores, demands
        delayed), the earliest of equals. A candidate that cannot be legalised loses; when none
        can, the first one's error is raised."""
        index, candidates = placed
        self._start("legalise")
        best, best_score, error = None, _FAILED, None
        fillings = iter(candidates.alternatives)
        filling = candidates.first
        while filling is not None:
            try:
                legal = self._timed("legalise", legalise, index, self.profile, filling,
                                    self.input_fanout)
                score = (legal.n_cores, int((legal.demand_latency > 0).sum()))
            except PlacementError as err:
                legal, score, error = None, _FAILED, error or err
            if best is None or score < best_score:
                best, best_score = Legalised(index, filling, legal), score
            if best_score <= (candidates.lower_bound, 0) and filling is candidates.first:
                break
            make = next(fillings, None)
            filling = None if make is None else self._timed("place", make)
        if best.legal is None:
            raise error
        return best

    def emit(self, legalised: Legalised, seed: int, given: dict | None) -> Compilation:
        """Latency, the retimed network, the layout, the record and provenance; then the model."""
        self._start("emit")
        started = time.perf_counter()
        index, filling, legal = legalised.index, legalised.filling, legalised.legal
        net = index.net
        latency = connection_latency(index, filling, legal)
        retimed = retime(net, latency)
        layout = lay_out(legal, self.profile)
        record = self.record(index, layout, latency)
        provenance = Provenance.build(net.provenance, given, compiler=__version__, record=record)
        model = emit(index, self.profile, filling, layout, seed, provenance.to_json())
        self.seconds["emit"] = time.perf_counter() - started
        if self.progress is not None:
            self.progress("done", len(self.PASSES), len(self.PASSES))
        return Compilation(model, retimed, _placement(index, layout.legal), latency, net,
                           dict(self.seconds), provenance)

    def record(self, index: NetIndex, layout: Layout, latency: np.ndarray) -> CompileRecord:
        """The compile record, complete (core ids as laid out) before the model exists."""
        legal, net = layout.legal, index.net
        counts = legal.counts()
        return CompileRecord(
            placer=self.placer_name, input_fanout=self.input_fanout, cores=legal.n_cores,
            chips=-(-legal.n_cores // self.profile.cores_per_chip), neurons=RoleCounts(**counts),
            copies=counts["copy"], relays=counts["relay"], hubs=legal.hubs,
            splitters=legal.splitters, axons=int(len(legal.axon_core)),
            synapses=crossbar_synapses(index, legal), connections=int(len(net.connections)),
            added_latency=latency_records(net, latency),
            hops=hop_record(hop_distances(layout.coords, self.profile, *layout.routes())),
            populations=population_usage(index, legal))

    def _start(self, name: str) -> None:
        if self.progress is not None:
            self.progress(name, self.PASSES.index(name), len(self.PASSES))

    def _timed(self, name: str, fn, *args):
        started = time.perf_counter()
        result = fn(*args)
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
        return result


def check_values(net: Network, profile: ChipProfile) -> None:
    """Every neuron parameter must be one the chip can hold (its range, and for the reset value its
    sign-and-exponent encoding): a network built without the language (the builder of
    ``Network`` arrays, an import) meets the same limits as a corelet."""
    found = net.params.violations(profile, limit=6)
    if not found:
        return
    locations = []
    for v in found[:5]:
        what = f"neuron {net.neuron_name(v.row)}: field '{v.field}' = {v.value} {v.problem()}"
        locations.append(PlacementError.neuron_location(net, v.row, field=v.field, label=what))
    hint = ("the 'ideal' profile (corelet.chip.IDEAL) admits any reset value in range, for "
            "research; its models cannot be exported to the chip" if found[0].held else "")
    raise PlacementError(
        f"{locations[0].label} (chip profile {profile.name!r})", kind="values",
        locations=locations, hint=hint,
        notes=["... and more neurons"] if len(found) > 5 else [])


def check_fan_in(index: NetIndex, profile: ChipProfile) -> None:
    """A neuron needing more axons than a core has cannot be legalised without changing it."""
    limit = profile.axons_per_core
    over = np.flatnonzero(index.in_degree > limit)
    if not len(over):
        return
    net = index.net
    locations = []
    for n in over[:5]:
        pop = net.populations[int(index.pop_of[n])]
        corelet = pop.corelet or pop.instance or net.name
        what = f"neuron {net.neuron_name(int(n))} of corelet {corelet!r} needs {int(index.in_degree[n])}"
        locations.append(PlacementError.neuron_location(net, n, label=f"{what} distinct input axons"))
    raise PlacementError(
        f"{locations[0].label}; a core has {limit}", kind="fan_in", neurons=over, locations=locations,
        notes=[f"... and {len(over) - 5} more neurons"] if len(over) > 5 else [],
        hint="a neuron fires at most once per tick, so its fan-in cannot be split by the compiler; "
        f"split it inside the corelet into partial sums over at most {limit} inputs each "
        "(AXONS_PER_CORE), as the IC module of the spike-based LSTM does")


def crossbar_synapses(index: NetIndex, legal: Legal) -> int:
    """Synapses the model's crossbars hold: one per connection into an original (its inputs are
    distinct axon keys), the same column again for each copy, and one per relay (its hub axon)."""
    copies = legal.source[legal.role == COPY]
    return int(index.in_degree.sum() + index.in_degree[copies].sum() + (legal.role == RELAY).sum())


def connection_latency(index: NetIndex, filling: Filling, legal: Legal) -> np.ndarray:
    """Ticks added to each connection (input order): the latency of the demand it uses."""
    c = index.net.connections
    latency = np.zeros(len(c), np.int64)
    late = np.flatnonzero(legal.demand_latency > 0)
    if not len(late):
        return latency
    n_keys = np.int64(max(index.n_keys, 1))
    late_code = legal.demand_core[late] * n_keys + legal.demand_key[late]
    order = np.argsort(late_code)
    late_code, late_ticks = late_code[order], legal.demand_latency[late][order]
    code = filling.core_of[c.dst] * n_keys + index.keys_of(c.src, c.axon_type, c.delay)
    at = np.minimum(np.searchsorted(late_code, code), len(late_code) - 1)
    hit = late_code[at] == code
    latency[hit] = late_ticks[at[hit]]
    return latency


def retime(net: Network, latency: np.ndarray) -> Network:
    """The input network with delays increased by ``latency``; the input itself when none."""
    if not latency.any():
        return net
    c = net.connections
    retimed = net.with_delays(c.delay + latency)
    if len(retimed.connections) != len(c):
        raise PlacementError(
            "splitter relays would delay a delay-1 connection onto an existing delay-2 connection "
            "between the same neurons through the same axon type, merging the two; give one of them "
            "another delay, or use input_fanout='host'")
    return retimed


def latency_records(net: Network, latency: np.ndarray) -> tuple[LatencyRecord, ...]:
    """One record per (source, delay, axon type, added latency) group of delayed connections."""
    c = net.connections
    late = np.flatnonzero(latency > 0)
    if not len(late):
        return ()
    key = np.stack([c.src[late], c.axon_type[late], c.delay[late], latency[late]], 1)
    groups, inverse, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    # each group's connections in their original order, without a full scan per group
    by_group = c.dst[late[np.argsort(inverse.ravel(), kind="stable")]]
    bounds = np.cumsum(counts) - counts
    records = []
    for (src, axon_type, delay, ticks), lo, count in zip(groups.tolist(), bounds.tolist(),
                                                         counts.tolist()):
        dsts = by_group[lo:lo + count]
        records.append(LatencyRecord(
            net.source_name(src), axon_type, delay, ticks, int(len(dsts)),
            tuple(net.neuron_name(int(d)) for d in dsts[:MAX_LATENCY_TARGETS])))
    return tuple(records)


def population_usage(index: NetIndex, legal: Legal) -> tuple[PopulationUsage, ...]:
    """Per population: its corelet, neurons, copies, relays and the cores it occupies."""
    net = index.net
    n = net.n_neurons
    from_neuron = legal.source < n
    pop = np.full(len(legal.source), -1, np.int64)
    pop[from_neuron] = index.pop_of[legal.source[from_neuron]]
    out = []
    codes = np.unique(pop[from_neuron] * np.int64(legal.n_cores) + legal.core[from_neuron])
    pairs = np.stack([codes // legal.n_cores, codes % legal.n_cores], 1)
    role_counts = np.zeros((len(net.populations), 3), np.int64)
    if n:
        np.add.at(role_counts, (pop[from_neuron], legal.role[from_neuron]), 1)
    bounds = np.searchsorted(pairs[:, 0], np.arange(len(net.populations) + 1))
    for p, population in enumerate(net.populations):
        out.append(PopulationUsage(population.path, population.corelet, int(population.size),
                                   int(role_counts[p, COPY]), int(role_counts[p, RELAY]),
                                   tuple(pairs[bounds[p]:bounds[p + 1], 1].tolist())))
    return tuple(out)


def _placement(index: NetIndex, legal: Legal) -> Placement:
    n = index.n_neurons
    originals = legal.role == ORIGINAL
    neuron_core = np.empty(n, np.int64)
    neuron_slot = np.empty(n, np.int64)
    neuron_core[legal.source[originals]] = legal.core[originals]
    neuron_slot[legal.source[originals]] = legal.slot[originals]
    return Placement(legal.core, legal.slot, legal.source, legal.role, neuron_core, neuron_slot)


# -- what did fit, when placement fails -------------------------------------------------------------
def _partial(net: Network, err: PlacementError, **options) -> Compilation | None:
    """Compile the part of ``net`` that fits, to report on when placement fails (or ``None``)."""
    reduced = _without_problem(net, err, options["profile"])
    if reduced is None:
        return None
    net2, profile = reduced
    options = {**options, "profile": profile,
               "provenance": {**(options.get("provenance") or {}), "partial": str(err).splitlines()[0]}}
    try:
        return compile_network(net2, **options)
    except PlacementError:
        return None


def _without_problem(net: Network, err: PlacementError, profile: ChipProfile):
    if err.kind == "fan_in":  # drop the inputs of the neurons whose fan-in is too large
        c = net.connections
        keep = ~np.isin(c.dst, err.neurons)
        conns = Connections(c.src[keep], c.dst[keep], c.axon_type[keep], c.delay[keep])
        return attrs.evolve(net, connections=conns), profile
    if err.kind == "group":  # place without the core-sharing hints
        return attrs.evolve(net, groups=()), profile
    if err.kind == "chips":  # the same placement, on as many chips as it needs
        return net, attrs.evolve(profile, max_chips=profile.max_chips * 64)
    return None
