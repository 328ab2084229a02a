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

    Returns the free neuron slots per placed core afterwards.
    """
    limit = profile.neurons_per_core
    slots = _slots(index, demands, relayed, limit)
    core_load = np.bincount(filling.core_of, weights=slots, minlength=filling.n_cores).astype(np.int64)
    for core in np.flatnonzero(core_load > limit):
        for tier in (1, 2):  # first latency-free conversions (delay >= 2), then the rest
            excess = int(core_load[core]) - limit
            if excess <= 0:
                break
            _convert(index, demands, relayed, filling.neurons_of(core), excess, tier)
            core_load[core] = int(_slots(index, demands, relayed, limit)[filling.neurons_of(core)].sum())
        if core_load[core] > limit:
            names = index.net.neuron_name(int(filling.neurons_of(core)[0]))
            raise PlacementError(f"core {core} (from {names}) needs {core_load[core]} neuron slots "
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


def _convert(index, demands, relayed, neurons, excess, tier) -> None:
    """Relay the copy demands of the neurons that save most slots, until ``excess`` is covered."""
    n = index.n_neurons
    mine = np.zeros(n + 1, bool)
    mine[neurons] = True
    src = np.where(demands.from_pin, n, demands.src)
    eligible = mine[src] & ~relayed & ((demands.delay >= 2) if tier == 1 else ~demands.must_be_on_time())
    count = np.bincount(src[eligible], minlength=n + 1)[:n]
    had_hub = np.bincount(src[relayed & mine[src]], minlength=n + 1)[:n] > 0
    saving = count - np.where(had_hub, 0, 1)
    order = np.argsort(-saving, kind="stable")
    order = order[saving[order] > 0]
    take = order[:int(np.searchsorted(np.cumsum(saving[order]), excess)) + 1]
    chosen = np.zeros(n + 1, bool)
    chosen[take] = True
    relayed |= eligible & chosen[src]


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
        index, d, hubs = self.index, self.demands, self.hubs
        n = index.n_neurons
        hub_core, hub_axon, n_cores = self._place_hubs()
        row_hub = np.asarray(hubs.row_hub, np.int64)
        row_kind = np.asarray(hubs.row_kind, np.int64)
        row_target = np.asarray(hubs.row_target, np.int64)
        row_delay = np.asarray(hubs.row_delay, np.int64)
        feeder_kind = np.asarray(hubs.feeder_kind, object)
        feeder = np.asarray(hubs.feeder, np.int64) if hubs.feeder else np.zeros(0, np.int64)
        hub_source = np.asarray(hubs.source, np.int64)
        hub_d_in = np.asarray(hubs.d_in, np.int64)
        from_source = feeder_kind == "source"

        # drives of neuron sources: outputs, copy demands, hub feeders (in this order)
        copy_demand = ~d.from_pin & ~self.relayed
        outputs = np.flatnonzero(index.is_output)
        fed = np.flatnonzero(from_source & (hub_source < n))
        drive_src = np.concatenate([outputs, d.src[copy_demand], hub_source[fed]])
        drive_core = np.concatenate([np.full(len(outputs), OUTPUT), d.core[copy_demand], hub_core[fed]])
        drive_axon = np.concatenate([np.zeros(len(outputs), np.int64), d.axon[copy_demand],
                                     hub_axon[fed]])
        drive_delay = np.concatenate([np.ones(len(outputs), np.int64), d.delay[copy_demand],
                                      hub_d_in[fed]])
        neurons = self._neuron_instances(drive_src, drive_core, drive_axon, drive_delay)

        # relay instances: one per hub row
        to_hub = row_kind == _TO_HUB
        tgt_core = np.where(to_hub, hub_core[np.where(to_hub, row_target, 0)],
                            d.core[np.where(to_hub, 0, row_target)] if len(d) else 0)
        tgt_axon = np.where(to_hub, hub_axon[np.where(to_hub, row_target, 0)],
                            d.axon[np.where(to_hub, 0, row_target)] if len(d) else 0)
        relay = (hub_core[row_hub], hub_source[row_hub], tgt_core, tgt_axon, row_delay, hub_axon[row_hub])

        # input routes: pin demands not relayed, and hubs fed by the host
        pin_demand = d.from_pin & ~self.relayed
        pin_fed = np.flatnonzero(from_source & (hub_source >= n))
        routes = (np.concatenate([d.src[pin_demand], hub_source[pin_fed]]) - n,
                  np.concatenate([d.core[pin_demand], hub_core[pin_fed]]),
                  np.concatenate([d.axon[pin_demand], hub_axon[pin_fed]]),
                  np.concatenate([d.delay[pin_demand], hub_d_in[pin_fed]]))
        return self._legal(n_cores, neurons, relay, hub_core, hub_axon, hub_source, routes)

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

    def _legal(self, n_cores, neurons, relay, hub_core, hub_axon, hub_source, routes) -> Legal:
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
        from_pin_hub = hub_source >= self.index.n_neurons
        return Legal(
            n_cores=n_cores, core=core, slot=slot,
            source=np.concatenate([originals[2], copies[2], relay[1]]),
            role=np.concatenate([originals[3], copies[3], np.full(m_relay, RELAY)]).astype(np.int8),
            target_core=np.concatenate([originals[4], copies[4], relay[2]]),
            target_axon=np.concatenate([originals[5], copies[5], relay[3]]),
            delay=np.concatenate([originals[6], copies[6], relay[4]]),
            read_axon=np.concatenate([np.full(len(originals[0]) + len(copies[0]), -1), relay[5]]),
            axon_core=np.concatenate([d.core, hub_core]),
            axon_index=np.concatenate([d.axon, hub_axon]),
            axon_source=np.concatenate([d.src, hub_source]),
            axon_type=np.concatenate([d.type, np.zeros(len(hub_core), np.int64)]),
            route_pin=routes[0], route_core=routes[1], route_axon=routes[2], route_delay=routes[3],
            demand_core=d.core, demand_axon=d.axon, demand_key=d.key,
            demand_latency=self.hubs.latency, demand_relayed=self.relayed,
            hubs=len(hub_core), splitters=int(from_pin_hub.sum()))


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
