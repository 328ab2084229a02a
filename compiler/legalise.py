"""Legalisation: give every neuron exactly one target by copies and splitter relays.

After placement, every core needs one axon per *demand*: a distinct (source, axon type, delay)
among the connections into its neurons (``Filling.axon_keys``). On the chip a neuron has one target
and one delay of 1..15 ticks, so each demand must be driven by its own neuron instance:

* a **copy** of the source on the source's core (same parameters and inputs, same logical id),
  targeting the demand with the connection's delay - no latency added; or, when copies do not fit
  there, when the delay is longer than 15, or for input pins with ``input_fanout="splitter"``,
* a **splitter relay** tree: a copy of the source (or the host, for a pin) drives one *hub* axon on a
  core with room, where relay neurons (threshold 1) each forward to one demand. A hub fed with delay
  ``d1`` serves a demand of delay ``d`` with a relay delay ``d - d1``; ``d1 = min(d) - 1`` (at least 1)
  makes this latency-free whenever every delay it serves is at least 2, and a chain of hubs covers
  delays above 15 with no added latency. Only a delay-1 demand served by a relay is late, by exactly
  one tick; that latency is recorded with the demand and the connections it delays.

Output connectors take one instance too (the spike is recorded the tick the neuron fires).
Instances are laid out per core: originals first (in placement order), then copies, then relays.
"""

from __future__ import annotations

import attrs
import numpy as np

from chip import ChipProfile
from compiler._index import NetIndex
from compiler.errors import PlacementError
from compiler.fill import Filling
from runtime.model import NO_TARGET, OUTPUT

ORIGINAL, COPY, RELAY = 0, 1, 2
_TO_DEMAND, _TO_HUB = 0, 1


@attrs.frozen(eq=False)
class Legal:
    """A legal placement: physical neurons, axons and input routes (arrays, see module docstring)."""

    n_cores: int
    # physical neurons (M,)
    core: np.ndarray
    slot: np.ndarray
    source: np.ndarray  # logical source (neuron, or n_neurons + pin for relays of input pins)
    role: np.ndarray
    target_core: np.ndarray
    target_axon: np.ndarray
    delay: np.ndarray
    read_axon: np.ndarray  # the hub axon a relay reads (-1 for originals and copies)
    # axons (X,)
    axon_core: np.ndarray
    axon_index: np.ndarray
    axon_source: np.ndarray
    axon_type: np.ndarray
    # input routes (Q,)
    route_pin: np.ndarray
    route_core: np.ndarray
    route_axon: np.ndarray
    route_delay: np.ndarray
    # demands (D,): the placed axons, and the latency legalisation added to each
    demand_core: np.ndarray
    demand_axon: np.ndarray
    demand_key: np.ndarray
    demand_latency: np.ndarray
    demand_relayed: np.ndarray
    hubs: int
    splitters: int  # hubs that fan out input pins

    def counts(self) -> dict:
        return {"original": int((self.role == ORIGINAL).sum()), "copy": int((self.role == COPY).sum()),
                "relay": int((self.role == RELAY).sum())}


def legalise(index: NetIndex, profile: ChipProfile, filling: Filling, input_fanout: str) -> Legal:
    demands = _Demands.of(index, filling)
    relayed = demands.forced_relays(profile, input_fanout)
    slots_free = _settle_copies(index, profile, filling, demands, relayed)
    hubs = _HubBuilder(profile).build(demands, relayed)
    return _Assembler(index, profile, filling, demands, relayed, hubs, slots_free).assemble()


@attrs.frozen(eq=False)
class _Demands:
    core: np.ndarray  # placed core
    axon: np.ndarray  # axon index on that core
    key: np.ndarray
    src: np.ndarray
    type: np.ndarray
    delay: np.ndarray
    n_neurons: int

    @classmethod
    def of(cls, index: NetIndex, filling: Filling) -> "_Demands":
        counts = np.diff(filling.axon_ptr)
        core = np.repeat(np.arange(filling.n_cores), counts)
        axon = np.arange(len(core)) - np.repeat(filling.axon_ptr[:-1], counts)
        keys = filling.axon_keys
        return cls(core, axon, keys, index.key_source(keys), index.key_type(keys),
                   index.key_delay(keys), index.n_neurons)

    def __len__(self) -> int:
        return len(self.core)

    @property
    def from_pin(self) -> np.ndarray:
        return self.src >= self.n_neurons

    def forced_relays(self, profile: ChipProfile, input_fanout: str) -> np.ndarray:
        """Demands that must be relayed whatever room there is: long delays, split input pins."""
        relayed = self.delay > profile.delay_range[1]
        if input_fanout == "splitter":
            pins = self.from_pin
            per_pin = np.bincount(self.src[pins])
            relayed |= pins & (per_pin[np.where(pins, self.src, 0)] >= 2) & ~self.must_be_on_time()
        return relayed

    def must_be_on_time(self) -> np.ndarray:
        """Delay-1 demands that a relay may not delay: one tick late, they would arrive together
        with the delay-2 demand of the same source and type on the same core, and the two
        connections of a neuron that has both would merge into one (the retimed network could not
        say what the chip does). They keep a copy or a host route."""
        code = (self.core * (self.src.max(initial=0) + 1) + self.src) * 4 + self.type
        return (self.delay == 1) & np.isin(code, code[self.delay == 2])


# -- copies or relays: settle each core's neuron slots ----------------------------------------------
def _settle_copies(index, profile, filling, demands, relayed) -> np.ndarray:
    """Turn copies into relays (in place on ``relayed``) on cores whose slots overflow.

    Returns the free neuron slots per placed core afterwards. Work is per overflowing core, on the
    demands of the sources placed there only.
    """
    limit = profile.neurons_per_core
    slots = _slots(index, demands, relayed, limit)
    core_load = np.bincount(filling.core_of, weights=slots, minlength=filling.n_cores).astype(np.int64)
    overfull = np.flatnonzero(core_load > limit)
    if not len(overfull):
        return limit - core_load
    src_core = np.where(demands.from_pin, -1, filling.core_of[np.minimum(demands.src, index.n_neurons - 1)])
    by_core = np.argsort(src_core, kind="stable")
    bounds = np.searchsorted(src_core[by_core], np.arange(filling.n_cores + 1))
    local_of = np.zeros(index.n_neurons, np.int64)
    on_time = demands.must_be_on_time()
    for core in overfull:
        core_demands = _CoreDemands(index, demands, relayed, on_time, filling.neurons_of(core),
                                    by_core[bounds[core]:bounds[core + 1]], local_of, limit)
        for tier in (1, 2):  # first latency-free conversions (delay >= 2), then the rest
            if core_demands.load() <= limit:
                break
            core_demands.convert(core_demands.load() - limit, tier)
        core_load[core] = core_demands.load()
        if core_load[core] > limit:
            name = index.net.neuron_name(int(filling.neurons_of(core)[0]))
            raise PlacementError(f"core {core} (from {name}) needs {core_load[core]} neuron slots "
                                 f"for its neurons and their outputs; a core has {limit}")
    return limit - core_load


def _slots(index, demands, relayed, limit) -> np.ndarray:
    """Neuron slots each neuron takes on its core: copies + outputs + hub feeders, at least 1."""
    n = index.n_neurons
    neuron_demand = ~demands.from_pin
    copies = np.bincount(demands.src[neuron_demand & ~relayed], minlength=n)[:n]
    relays = np.bincount(demands.src[neuron_demand & relayed], minlength=n)[:n]
    feeders = -(-relays // limit)
    return np.maximum(1, copies + index.is_output + feeders)


class _CoreDemands:
    """The demands of the sources on one core, and the choice between copies and relays there."""

    def __init__(self, index, demands, relayed, on_time, neurons, ids, local_of, limit):
        local_of[neurons] = np.arange(len(neurons))
        self.local = local_of[demands.src[ids]]
        self.ids, self.k, self.limit = ids, len(neurons), limit
        self.relayed = relayed  # shared with the caller: conversions land there
        self.delay = demands.delay[ids]
        self.on_time = on_time[ids]
        self.outputs = index.is_output[neurons].astype(np.int64)

    def load(self) -> int:
        relayed = self.relayed[self.ids]
        copies = np.bincount(self.local[~relayed], minlength=self.k)
        relays = np.bincount(self.local[relayed], minlength=self.k)
        return int(np.maximum(1, copies + self.outputs + -(-relays // self.limit)).sum())

    def convert(self, excess: int, tier: int) -> None:
        """Relay the copy demands of the neurons that save most slots, until ``excess`` is covered."""
        relayed = self.relayed[self.ids]
        eligible = ~relayed & ((self.delay >= 2) if tier == 1 else ~self.on_time)
        count = np.bincount(self.local[eligible], minlength=self.k)
        had_hub = np.bincount(self.local[relayed], minlength=self.k) > 0
        saving = count - np.where(had_hub, 0, 1)
        order = np.argsort(-saving, kind="stable")
        order = order[saving[order] > 0]
        take = order[:int(np.searchsorted(np.cumsum(saving[order]), excess)) + 1]
        chosen = np.zeros(self.k, bool)
        chosen[take] = True
        self.relayed[self.ids[eligible & chosen[self.local]]] = True


# -- relay trees -------------------------------------------------------------------------------
@attrs.define
class _Hubs:
    """Splitter hubs: each an axon plus relay neurons on one core."""

    feeder_kind: list  # "source" (a copy of the source or a host route) or "relay" (a parent relay)
    feeder: list  # source index or relay row
    d_in: list  # delay from the feeder to the hub axon
    source: list  # logical source the hub relays
    row_hub: list  # relay rows: hub, target kind, target, delay
    row_kind: list
    row_target: list
    row_delay: list
    latency: np.ndarray  # per demand


class _HubBuilder:
    def __init__(self, profile: ChipProfile):
        self.max_delay = profile.delay_range[1]
        self.capacity = profile.neurons_per_core

    def build(self, demands: _Demands, relayed: np.ndarray) -> _Hubs:
        hubs = _Hubs([], [], [], [], [], [], [], [], np.zeros(len(demands), np.int64))
        ids = np.flatnonzero(relayed)
        if not len(ids):
            return hubs
        ids = ids[np.argsort(demands.src[ids], kind="stable")]
        bounds = np.flatnonzero(np.diff(demands.src[ids])) + 1
        for group in np.split(ids, bounds):
            source = int(demands.src[group[0]])
            for hub in self._level(hubs, source, group, demands.delay[group].astype(np.int64)):
                hubs.feeder_kind[hub], hubs.feeder[hub] = "source", source
        return hubs

    def _level(self, hubs: _Hubs, source: int, ids: np.ndarray, delay: np.ndarray) -> list[int]:
        """Hubs that deliver demands ``ids`` with ``delay`` counted from their feeder's spike."""
        d_in = int(np.clip(delay.min() - 1, 1, self.max_delay))
        rest = delay - d_in
        direct = rest <= self.max_delay
        hubs.latency[ids[direct]] = np.maximum(0, 1 - rest[direct])
        rows = [(_TO_DEMAND, int(i), int(max(1, r))) for i, r in zip(ids[direct], rest[direct])]
        if (~direct).any():
            rows += [(_TO_HUB, hub, None) for hub in self._level(hubs, source, ids[~direct],
                                                                rest[~direct])]
        made = []
        for start in range(0, len(rows), self.capacity):
            hub = len(hubs.d_in)
            hubs.feeder_kind.append(None), hubs.feeder.append(None)
            hubs.d_in.append(d_in), hubs.source.append(source)
            for kind, target, dly in rows[start:start + self.capacity]:
                if kind == _TO_HUB:
                    hubs.feeder_kind[target], hubs.feeder[target] = "relay", len(hubs.row_hub)
                    dly = hubs.d_in[target]
                hubs.row_hub.append(hub), hubs.row_kind.append(kind)
                hubs.row_target.append(target), hubs.row_delay.append(dly)
            made.append(hub)
        return made


# -- assembling the physical tables -------------------------------------------------------------
class _Assembler:
    def __init__(self, index, profile, filling, demands, relayed, hubs, slots_free):
        self.index, self.profile, self.filling = index, profile, filling
        self.demands, self.relayed, self.hubs = demands, relayed, hubs
        self.slots_free = slots_free

    def assemble(self) -> Legal:
        hub_core, hub_axon, n_cores = self._place_hubs()
        hubs = _HubArrays.of(self.hubs, hub_core, hub_axon)
        neurons = self._neuron_instances(*self._neuron_drives(hubs))
        return self._legal(n_cores, neurons, self._relays(hubs), hubs, self._routes(hubs))

    def _neuron_drives(self, hubs: "_HubArrays"):
        """(source, core, axon, delay) of every target a neuron must drive: its output pin, its
        copy demands and the hubs it feeds, in this order (the first becomes the original)."""
        d, n = self.demands, self.index.n_neurons
        copy = ~d.from_pin & ~self.relayed
        outputs = np.flatnonzero(self.index.is_output)
        fed = np.flatnonzero(hubs.fed_by_source & (hubs.source < n))
        return (np.concatenate([outputs, d.src[copy], hubs.source[fed]]),
                np.concatenate([np.full(len(outputs), OUTPUT), d.core[copy], hubs.core[fed]]),
                np.concatenate([np.zeros(len(outputs), np.int64), d.axon[copy], hubs.axon[fed]]),
                np.concatenate([np.ones(len(outputs), np.int64), d.delay[copy], hubs.d_in[fed]]))

    def _relays(self, hubs: "_HubArrays"):
        """(core, source, target core, target axon, delay, hub axon read) of every relay neuron."""
        d = self.demands
        to_hub = hubs.row_kind == _TO_HUB
        hub_target = np.where(to_hub, hubs.row_target, 0)
        demand_target = np.where(to_hub, 0, hubs.row_target)
        tgt_core = np.where(to_hub, hubs.core[hub_target], d.core[demand_target] if len(d) else 0)
        tgt_axon = np.where(to_hub, hubs.axon[hub_target], d.axon[demand_target] if len(d) else 0)
        return (hubs.core[hubs.row_hub], hubs.source[hubs.row_hub], tgt_core, tgt_axon,
                hubs.row_delay, hubs.axon[hubs.row_hub])

    def _routes(self, hubs: "_HubArrays"):
        """(pin, core, axon, delay) of the input routes: direct pin demands and host-fed hubs."""
        d, n = self.demands, self.index.n_neurons
        direct = d.from_pin & ~self.relayed
        fed = np.flatnonzero(hubs.fed_by_source & (hubs.source >= n))
        return (np.concatenate([d.src[direct], hubs.source[fed]]) - n,
                np.concatenate([d.core[direct], hubs.core[fed]]),
                np.concatenate([d.axon[direct], hubs.axon[fed]]),
                np.concatenate([d.delay[direct], hubs.d_in[fed]]))

    def _place_hubs(self) -> tuple[np.ndarray, np.ndarray, int]:
        """First fit of hubs (largest first) into spare room, then into new relay cores."""
        p, f = self.profile, self.filling
        sizes = np.bincount(np.asarray(self.hubs.row_hub, np.int64), minlength=len(self.hubs.d_in))
        used_axons = list(np.diff(f.axon_ptr))
        hub_core = np.zeros(len(sizes), np.int64)
        hub_axon = np.zeros(len(sizes), np.int64)
        fa = p.axons_per_core - np.diff(f.axon_ptr)
        fs = np.asarray(self.slots_free, np.int64).copy()
        for hub in np.argsort(-sizes, kind="stable"):
            room = np.flatnonzero((fa >= 1) & (fs >= sizes[hub]))
            if len(room):
                core = int(room[0])
            else:
                core = len(fa)
                fa = np.append(fa, p.axons_per_core)
                fs = np.append(fs, p.neurons_per_core)
                used_axons.append(0)
            hub_core[hub], hub_axon[hub] = core, used_axons[core]
            used_axons[core] += 1
            fa[core] -= 1
            fs[core] -= sizes[hub]
        return hub_core, hub_axon, len(fa)

    def _neuron_instances(self, src, core, axon, delay):
        """Originals (first drive of each neuron) and copies (the other drives)."""
        index, f = self.index, self.filling
        n = index.n_neurons
        order = np.argsort(src, kind="stable")
        src, core, axon, delay = src[order], core[order], axon[order], delay[order]
        first = np.ones(len(src), bool)
        first[1:] = src[1:] != src[:-1]
        # originals: every neuron, with its first drive (or no target)
        o_core = np.full(n, NO_TARGET, np.int64)
        o_axon = np.zeros(n, np.int64)
        o_delay = np.ones(n, np.int64)
        o_core[src[first]], o_axon[src[first]], o_delay[src[first]] = core[first], axon[first], delay[first]
        position = np.empty(n, np.int64)
        position[f.order] = np.arange(n)
        o_slot = position - f.starts[f.core_of]
        originals = (f.core_of, o_slot, np.arange(n), np.full(n, ORIGINAL), o_core, o_axon, o_delay)
        c_src = src[~first]
        copies = (f.core_of[c_src], None, c_src, np.full(len(c_src), COPY), core[~first],
                  axon[~first], delay[~first])
        return originals, copies

    def _legal(self, n_cores, neurons, relay, hubs: "_HubArrays", routes) -> Legal:
        originals, copies = neurons
        f, p, d = self.filling, self.profile, self.demands
        base = np.zeros(n_cores, np.int64)
        base[:f.n_cores] = np.diff(f.starts)
        copy_slot = base[copies[0]] + _rank_within(copies[0])
        base += np.bincount(copies[0], minlength=n_cores)
        relay_slot = base[relay[0]] + _rank_within(relay[0])
        core = np.concatenate([originals[0], copies[0], relay[0]])
        slot = np.concatenate([originals[1], copy_slot, relay_slot])
        if len(slot) and slot.max() >= p.neurons_per_core:
            bad = int(core[np.argmax(slot)])
            raise PlacementError(f"core {bad} needs more than {p.neurons_per_core} neurons after "
                                 "legalisation (copies and relays)")
        m_relay = len(relay[0])
        return Legal(
            n_cores=n_cores, core=core, slot=slot,
            source=np.concatenate([originals[2], copies[2], relay[1]]),
            role=np.concatenate([originals[3], copies[3], np.full(m_relay, RELAY)]).astype(np.int8),
            target_core=np.concatenate([originals[4], copies[4], relay[2]]),
            target_axon=np.concatenate([originals[5], copies[5], relay[3]]),
            delay=np.concatenate([originals[6], copies[6], relay[4]]),
            read_axon=np.concatenate([np.full(len(originals[0]) + len(copies[0]), -1), relay[5]]),
            axon_core=np.concatenate([d.core, hubs.core]),
            axon_index=np.concatenate([d.axon, hubs.axon]),
            axon_source=np.concatenate([d.src, hubs.source]),
            axon_type=np.concatenate([d.type, np.zeros(len(hubs.core), np.int64)]),
            route_pin=routes[0], route_core=routes[1], route_axon=routes[2], route_delay=routes[3],
            demand_core=d.core, demand_axon=d.axon, demand_key=d.key,
            demand_latency=self.hubs.latency, demand_relayed=self.relayed,
            hubs=len(hubs.core), splitters=int((hubs.source >= self.index.n_neurons).sum()))


@attrs.frozen(eq=False)
class _HubArrays:
    """The hubs as arrays, with the core and axon each was placed on."""

    core: np.ndarray
    axon: np.ndarray
    source: np.ndarray
    d_in: np.ndarray
    fed_by_source: np.ndarray  # fed by a copy of the source or a host route (not by a relay)
    row_hub: np.ndarray
    row_kind: np.ndarray
    row_target: np.ndarray
    row_delay: np.ndarray

    @classmethod
    def of(cls, hubs: _Hubs, core: np.ndarray, axon: np.ndarray) -> "_HubArrays":
        ints = lambda values: np.asarray(values, np.int64).reshape(-1)  # noqa: E731
        return cls(core, axon, ints(hubs.source), ints(hubs.d_in),
                   np.asarray([k == "source" for k in hubs.feeder_kind], bool).reshape(-1),
                   ints(hubs.row_hub), ints(hubs.row_kind), ints(hubs.row_target),
                   ints(hubs.row_delay))


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """For each element, how many earlier elements share its value."""
    if not len(groups):
        return np.zeros(0, np.int64)
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_groups[1:] != sorted_groups[:-1])))
    lengths = np.diff(np.append(starts, len(groups)))
    rank = np.empty(len(groups), np.int64)
    rank[order] = np.arange(len(groups)) - np.repeat(starts, lengths)
    return rank
