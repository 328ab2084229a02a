"""``compile_network``: a logical ``Network`` in, a legal placed ``ChipModel`` out.

The stages, each a function of its own module::

    index      (_index.py)    connections grouped by target, axon keys, fan-in check
    place      (placers.py)   an order of the neurons, cut into cores by fill.py
    legalise   (legalise.py)  copies, splitter relays, input routes; added latency
    emit       (emit.py)      core layout (layout.py) and the ChipModel arrays

The input network is never changed. Besides the model, the result carries the *retimed* network (the
input with each connection's delay increased by the latency legalisation added; the input itself when
none was added) and the placement map from logical neurons to (core, neuron), copies and relays
included. ``estimate`` runs the first three stages only.
"""

from __future__ import annotations

import time
from typing import Callable

import attrs
import numpy as np

from corelet.chip import TRUENORTH, ChipProfile
from corelet.chip.profile import hop_distances
from corelet.chip.version import __version__
from corelet.compiler._index import NetIndex, build_index
from corelet.compiler.emit import emit
from corelet.compiler.errors import PlacementError
from corelet.compiler.fill import Filling
from corelet.compiler.layout import hop_record
from corelet.compiler.legalise import COPY, ORIGINAL, RELAY, Legal, legalise
from corelet.compiler.placers import get_placer
from corelet.chip.network import Connections, Network
from corelet.chip.model import ChipModel

INPUT_FANOUTS = ("host", "splitter")
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
    seconds: dict  # wall time per stage (not part of the model: the model has no timestamps)

    @property
    def record(self) -> dict:
        """What legalisation did: ``model.provenance["compile"]``."""
        return self.model.provenance["compile"]


def compile_network(net: Network, *, placer: str = "packer", input_fanout: str = "host",
                    profile: ChipProfile = TRUENORTH, seed: int = 0, provenance: dict | None = None,
                    progress: Callable[[str, int, int], None] | None = None) -> Compilation:
    """Legalise, place and emit ``net``.

    Parameters
    ----------
    placer : a name in ``PLACERS`` ("packer", "alg1", "alg2").
    input_fanout : "host" (the host sends an input pin to every axon it feeds) or "splitter"
        (one route per pin; on-chip splitter relays fan it out, adding one tick where the
        connection delay is 1).
    provenance : merged into ``model.provenance`` (e.g. ``{"source": ..., "sha256": ...}``).
    progress : called as ``progress(stage, done, total)`` before each stage (index, place,
        legalise, emit) and once at the end (``"done", 4, 4``).

    Raises ``PlacementError`` (with ``err.partial``, a ``Compilation`` of what did fit, or ``None``).
    """
    run = _Run(net, placer, input_fanout, profile, progress)
    try:
        filling, legal = run.place_and_legalise()
        return run.emit(filling, legal, seed, provenance)
    except PlacementError as err:
        if err.partial is None:
            err.partial = _partial(net, err, placer=placer, input_fanout=input_fanout,
                                   profile=profile, seed=seed, provenance=provenance)
        raise


def estimate(net: Network, *, placer: str = "packer", input_fanout: str = "host",
             profile: ChipProfile = TRUENORTH) -> dict:
    """Cores, chips and utilisation of ``net`` without emitting a model (placement only).

    ``synapses`` counts what the model's crossbars would hold (copies repeat their original's
    column, relays add one each); ``connections`` the network's logical connections."""
    run = _Run(net, placer, input_fanout, profile, None)
    filling, legal = run.place_and_legalise()
    counts = legal.counts()
    chips = -(-legal.n_cores // profile.cores_per_chip)
    return {"cores": legal.n_cores, "chips": chips, "fits": chips <= profile.max_chips,
            "neurons": counts, "axons": int(len(legal.axon_core)),
            "synapses": crossbar_synapses(run.index, legal), "connections": int(len(net.connections)),
            "utilisation": {
                "neurons": round(len(legal.core) / max(1, legal.n_cores * profile.neurons_per_core), 4),
                "axons": round(len(legal.axon_core) / max(1, legal.n_cores * profile.axons_per_core), 4)},
            "added_latency": int((legal.demand_latency > 0).sum()),
            "seconds": {k: round(v, 3) for k, v in run.seconds.items()}}


# -- the stages ------------------------------------------------------------------------------------
class _Run:
    STAGES = ("index", "place", "legalise", "emit")

    def __init__(self, net, placer, input_fanout, profile, progress):
        self.net, self.placer_name, self.input_fanout = net, placer, input_fanout
        self.profile, self.progress = profile, progress
        self.placer = get_placer(placer)
        if input_fanout not in INPUT_FANOUTS:
            raise PlacementError(f"unknown input fan-out {input_fanout!r} "
                                 f"(known: {', '.join(INPUT_FANOUTS)})")
        self.seconds: dict[str, float] = {}

    def _stage(self, name: str) -> None:
        self._started = time.perf_counter()
        self._current = name
        if self.progress is not None:
            self.progress(name, self.STAGES.index(name), len(self.STAGES))

    def _done(self) -> None:
        self.seconds[self._current] = time.perf_counter() - self._started

    def place_and_legalise(self) -> tuple[Filling, Legal]:
        self._stage("index")
        self.index = build_index(self.net, self.profile)
        check_fan_in(self.index, self.profile)
        self._done()
        self._stage("place")
        filling = self.placer(self.index, self.profile, score=self._cores_after_legalising)
        self._done()
        self._stage("legalise")
        legal = legalise(self.index, self.profile, filling, self.input_fanout)
        self._done()
        return filling, legal

    def _cores_after_legalising(self, filling: Filling) -> tuple[int, int]:
        """The packer's score of a candidate placement: (cores, demands delayed); one that cannot
        be legalised loses."""
        try:
            legal = legalise(self.index, self.profile, filling, self.input_fanout)
        except PlacementError:
            return (np.iinfo(np.int64).max, 0)
        return (legal.n_cores, int((legal.demand_latency > 0).sum()))

    def emit(self, filling: Filling, legal: Legal, seed: int, provenance: dict | None) -> Compilation:
        self._stage("emit")
        latency = connection_latency(self.index, filling, legal)
        retimed = retime(self.net, latency)
        record = self._record(legal, latency)
        prov = {**self.net.provenance, **(provenance or {}), "compiler": __version__, "compile": record}
        emitted = emit(self.index, self.profile, filling, legal, seed, prov)
        placed = emitted.legal
        to_core = placed.target_core >= 0
        record["hops"] = hop_record(hop_distances(emitted.model.cores.coords, self.profile,
                                                  placed.core[to_core], placed.target_core[to_core]))
        record["populations"] = population_usage(self.index, placed)
        self._done()
        if self.progress is not None:
            self.progress("done", len(self.STAGES), len(self.STAGES))
        return Compilation(emitted.model, retimed, _placement(self.index, placed), latency, self.net,
                           dict(self.seconds))

    def _record(self, legal: Legal, latency: np.ndarray) -> dict:
        counts = legal.counts()
        return {"placer": self.placer_name, "input_fanout": self.input_fanout,
                "cores": legal.n_cores, "chips": -(-legal.n_cores // self.profile.cores_per_chip),
                "neurons": counts, "copies": counts["copy"], "relays": counts["relay"],
                "hubs": legal.hubs, "splitters": legal.splitters,
                "axons": int(len(legal.axon_core)), "synapses": crossbar_synapses(self.index, legal),
                "connections": int(len(self.net.connections)),
                "added_latency": latency_records(self.net, latency)}


def check_fan_in(index: NetIndex, profile: ChipProfile) -> None:
    """A neuron needing more axons than a core has cannot be legalised without changing it."""
    limit = profile.axons_per_core
    over = np.flatnonzero(index.in_degree > limit)
    if not len(over):
        return
    net = index.net
    lines = []
    for n in over[:5]:
        pop = net.populations[int(index.pop_of[n])]
        where = f"{pop.span}: " if pop.span is not None else ""
        corelet = pop.corelet or pop.instance or net.name
        lines.append(f"{where}neuron {net.neuron_name(int(n))} of corelet {corelet!r} needs "
                     f"{int(index.in_degree[n])} distinct input axons; a core has {limit}")
    more = f"\n  ... and {len(over) - 5} more neurons" if len(over) > 5 else ""
    raise PlacementError(
        "\n".join(lines) + more + "\n  hint: a neuron fires at most once per tick, so its fan-in "
        "cannot be split by the compiler; split it inside the corelet into partial sums over at most "
        f"{limit} inputs each (AXONS_PER_CORE), as the IC module of the spike-based LSTM does",
        kind="fan_in", neurons=over)


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


def latency_records(net: Network, latency: np.ndarray) -> list[dict]:
    """One record per (source, delay, axon type, added latency) group of delayed connections."""
    c = net.connections
    late = np.flatnonzero(latency > 0)
    if not len(late):
        return []
    key = np.stack([c.src[late], c.axon_type[late], c.delay[late], latency[late]], 1)
    groups, inverse = np.unique(key, axis=0, return_inverse=True)
    records = []
    for g, (src, axon_type, delay, ticks) in enumerate(groups.tolist()):
        dsts = c.dst[late[inverse.ravel() == g]]
        records.append({"source": net.source_name(src), "axon_type": axon_type, "delay": delay,
                        "latency": ticks, "connections": int(len(dsts)),
                        "targets": [net.neuron_name(int(d)) for d in dsts[:MAX_LATENCY_TARGETS]]})
    return records


def population_usage(index: NetIndex, legal: Legal) -> list[dict]:
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
        out.append({"path": population.path, "corelet": population.corelet,
                    "neurons": int(population.size), "copies": int(role_counts[p, COPY]),
                    "relays": int(role_counts[p, RELAY]),
                    "cores": pairs[bounds[p]:bounds[p + 1], 1].tolist()})
    return out


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
