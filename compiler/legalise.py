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

from corelet.chip import ChipProfile
from corelet.chip.arrays import rank_in_runs, run_ids, run_lengths, run_starts
from corelet.compiler._index import NetIndex
from corelet.compiler.errors import PlacementError
from corelet.compiler.fill import Filling
from corelet.chip.model import NO_TARGET, OUTPUT

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
        core = run_ids(counts)
        axon = rank_in_runs(counts)  # axon_ptr[0] == 0: the rank within the core's run
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
            first = int(filling.neurons_of(core)[0])
            name = index.net.neuron_name(first)
            raise PlacementError(f"core {core} (from {name}) needs {core_load[core]} neuron slots "
                                 f"for its neurons and their outputs; a core has {limit}",
                                 locations=[PlacementError.neuron_location(index.net, first, core=core)])
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
@attrs.frozen(eq=False)
class _Hubs:
    """Splitter hubs (H,) and their relay rows (R,), each an axon plus relay neurons on one core.

    Numbering (it decides where hubs land, so it is kept stable): sources in ascending order; for
    each, the levels of its hub chain deepest first; within a level, its hubs in turn, each filled
    with up to ``capacity`` rows: the demands it serves directly (in demand order), then one row
    per hub of the next level down.
    """

    source: np.ndarray  # logical source the hub relays
    d_in: np.ndarray  # delay from the feeder to the hub axon
    fed_by_source: np.ndarray  # fed by a copy of the source or a host route (not by a parent relay)
    row_hub: np.ndarray  # relay rows: hub, target kind, target (demand or hub), delay
    row_kind: np.ndarray
    row_target: np.ndarray
    row_delay: np.ndarray
    latency: np.ndarray  # per demand


@attrs.frozen(eq=False)
class _Level:
    """One level of every relayed source's hub chain: the sources (groups) reaching it, the delay
    feeding its hubs, and the demands it serves directly with their relay delays."""

    group: np.ndarray  # (P,) sorted group ids present at this level
    d_in: np.ndarray  # (P,)
    direct: np.ndarray  # (P,) how many demands each serves directly
    direct_ids: np.ndarray  # demand ids, grouped by group, in demand order
    direct_delay: np.ndarray


class _HubBuilder:
    def __init__(self, profile: ChipProfile):
        self.max_delay = profile.delay_range[1]
        self.capacity = profile.neurons_per_core

    def build(self, demands: _Demands, relayed: np.ndarray) -> _Hubs:
        """Hub chains for all relayed demands, level by level across all sources at once.

        A level's hubs are fed with ``d_in = min(delay) - 1`` (clipped to 1..max delay); demands
        whose remaining delay fits one relay hop are served there, the others pass to the next
        level with ``d_in`` subtracted (a chain of hubs, 15 ticks per hop)."""
        latency = np.zeros(len(demands), np.int64)
        ids = np.flatnonzero(relayed)
        ids = ids[np.argsort(demands.src[ids], kind="stable")]
        src = demands.src[ids]
        starts = run_starts(src)
        group_source = src[starts]
        group = run_ids(run_lengths(starts, len(src)))
        delay = demands.delay[ids].astype(np.int64)
        levels: list[_Level] = []
        while len(ids):
            level, ids, group, delay = self._level(ids, group, delay, latency)
            levels.append(level)
        if not levels:
            empty = np.zeros(0, np.int64)
            return _Hubs(empty, empty, np.zeros(0, bool), empty, empty, empty, empty, latency)
        return self._number(levels, group_source, latency)

    def _level(self, ids, group, delay, latency):
        starts = run_starts(group)
        d_in = np.clip(np.minimum.reduceat(delay, starts) - 1, 1, self.max_delay)
        rest = delay - np.repeat(d_in, run_lengths(starts, len(group)))
        direct = rest <= self.max_delay
        latency[ids[direct]] = np.maximum(0, 1 - rest[direct])
        present = group[starts]
        n_direct = np.bincount(np.searchsorted(present, group[direct]), minlength=len(present))
        level = _Level(present, d_in, n_direct, ids[direct], np.maximum(1, rest[direct]))
        return level, ids[~direct], group[~direct], rest[~direct]

    def _number(self, levels: list[_Level], group_source: np.ndarray, latency: np.ndarray) -> _Hubs:
        """Number the hubs and rows of every (level, source group) pair: by group, deepest level
        first (the order the hubs are listed in, see ``_Hubs``)."""
        n_hubs, n_rows, child = self._pair_sizes(levels)
        pair_level = np.concatenate([np.full(len(lv.group), k) for k, lv in enumerate(levels)])
        pair_group = np.concatenate([lv.group for lv in levels])
        pair_hubs, pair_rows = np.concatenate(n_hubs), np.concatenate(n_rows)
        order = np.lexsort((-pair_level, pair_group))
        rank = np.empty(len(order), np.int64)
        rank[order] = np.arange(len(order))
        hub_first = _exclusive_cumsum(pair_hubs[order])[rank]
        row_first = _exclusive_cumsum(pair_rows[order])[rank]
        hub_pair = np.repeat(order, pair_hubs[order])
        row_hub = np.repeat(hub_first[order], pair_rows[order]) + \
            rank_in_runs(pair_rows[order]) // self.capacity
        kind, target, delay = _rows(levels, child, pair_hubs, hub_first, row_first, int(pair_rows.sum()))
        return _Hubs(source=group_source[pair_group[hub_pair]],
                     d_in=np.concatenate([lv.d_in for lv in levels])[hub_pair],
                     fed_by_source=pair_level[hub_pair] == 0, row_hub=row_hub, row_kind=kind,
                     row_target=target, row_delay=delay, latency=latency)

    def _pair_sizes(self, levels: list[_Level]):
        """Per level: hubs and rows of each of its pairs, and the index of the pair's child (the
        same group one level down, -1 for none). A level's rows are its direct demands plus one
        per hub of its child, so this runs from the deepest level up."""
        n_hubs, n_rows, child = [None] * len(levels), [None] * len(levels), [None] * len(levels)
        for lv in range(len(levels) - 1, -1, -1):
            group = levels[lv].group
            child_hubs = np.zeros(len(group), np.int64)
            child[lv] = np.full(len(group), -1, np.int64)
            if lv + 1 < len(levels):
                at = np.searchsorted(group, levels[lv + 1].group)
                child_hubs[at] = n_hubs[lv + 1]
                child[lv][at] = np.arange(len(at))
            n_rows[lv] = levels[lv].direct + child_hubs
            n_hubs[lv] = -(-n_rows[lv] // self.capacity)
        return n_hubs, n_rows, child


def _rows(levels: list[_Level], child, pair_hubs, hub_first, row_first, total: int):
    """Kind, target and delay of every relay row: each pair's direct demands (with their relay
    delays), then one row per hub of its child pair (with that hub's feed delay)."""
    kind = np.full(total, _TO_DEMAND, np.int64)
    target = np.full(total, -1, np.int64)
    delay = np.zeros(total, np.int64)
    first_pair = np.cumsum([0] + [len(lv.group) for lv in levels])
    for lv, level in enumerate(levels):
        pairs = first_pair[lv] + np.arange(len(level.group))
        rows = np.repeat(row_first[pairs], level.direct) + rank_in_runs(level.direct)
        target[rows], delay[rows] = level.direct_ids, level.direct_delay
        has = np.flatnonzero(child[lv] >= 0)
        if not len(has):
            continue
        kids = first_pair[lv + 1] + child[lv][has]
        count = pair_hubs[kids]
        rows = np.repeat(row_first[pairs[has]] + level.direct[has], count) + rank_in_runs(count)
        kind[rows] = _TO_HUB
        target[rows] = np.repeat(hub_first[kids], count) + rank_in_runs(count)
        delay[rows] = np.repeat(levels[lv + 1].d_in[child[lv][has]], count)
    return kind, target, delay


def _exclusive_cumsum(counts: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))[:-1]


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
        """First fit of hubs (largest first) into spare room, then into new relay cores.

        A hub needs one free axon and as many free slots as it has relays. Hubs of one size are
        placed together: first fit puts them, in turn, on the first core that still takes one, so
        each core takes ``min(free axons, free slots // size)`` of them in core order, and the
        rest fill new relay cores. One vectorised step per distinct size (at most a core's
        neurons), none per hub or core.
        """
        p, f = self.profile, self.filling
        sizes = np.bincount(self.hubs.row_hub, minlength=len(self.hubs.d_in))
        used_axons = np.diff(f.axon_ptr).astype(np.int64)
        free_slots = np.asarray(self.slots_free, np.int64).copy()
        hub_core = np.zeros(len(sizes), np.int64)
        hub_axon = np.zeros(len(sizes), np.int64)
        order = np.argsort(-sizes, kind="stable")
        runs = run_starts(sizes[order])
        for lo, hi in zip(runs, np.r_[runs[1:], len(order)].astype(np.int64)):
            hubs, size = order[lo:hi], int(sizes[order[lo]])
            takes = np.where(free_slots >= size,
                             np.minimum(p.axons_per_core - used_axons, free_slots // size), 0)
            open_cores = np.flatnonzero(takes > 0)
            room = np.cumsum(takes[open_cores])
            k = np.arange(len(hubs))
            fitted = min(len(hubs), int(room[-1]) if len(room) else 0)
            per_new = min(p.axons_per_core, p.neurons_per_core // size)
            cores = np.concatenate([open_cores[np.searchsorted(room, k[:fitted], side="right")],
                                    len(used_axons) + (k[fitted:] - fitted) // per_new])
            n_new = int(cores[-1]) + 1 - len(used_axons) if len(cores) else 0
            if n_new > 0:
                used_axons = np.concatenate([used_axons, np.zeros(n_new, np.int64)])
                free_slots = np.concatenate([free_slots, np.full(n_new, p.neurons_per_core, np.int64)])
            # cores is non-decreasing: a hub's rank among this run's hubs on its core is its axon offset
            hub_core[hubs] = cores
            hub_axon[hubs] = used_axons[cores] + k - np.searchsorted(cores, cores)
            placed = np.bincount(cores, minlength=len(used_axons))
            used_axons += placed
            free_slots -= placed * size
        return hub_core, hub_axon, len(used_axons)

    def _neuron_instances(self, src, core, axon, delay):
        """Originals (first drive of each neuron) and copies (the other drives)."""
        index, f = self.index, self.filling
        n = index.n_neurons
        order = np.argsort(src, kind="stable")
        src, core, axon, delay = src[order], core[order], axon[order], delay[order]
        first = np.zeros(len(src), bool)
        first[run_starts(src)] = True
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
            at = int(np.argmax(slot))
            bad = int(core[at])
            source = int(np.concatenate([originals[2], copies[2], relay[1]])[at])
            net = self.index.net
            where = (PlacementError.neuron_location(net, source, core=bad) if source < net.n_neurons
                     else PlacementError.pin_location(net, source - net.n_neurons, core=bad))
            raise PlacementError(f"core {bad} needs more than {p.neurons_per_core} neurons after "
                                 "legalisation (copies and relays)", locations=[where])
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
        return cls(core, axon, hubs.source, hubs.d_in, hubs.fed_by_source, hubs.row_hub,
                   hubs.row_kind, hubs.row_target, hubs.row_delay)


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """For each element, how many earlier elements share its value."""
    order = np.argsort(groups, kind="stable")
    rank = np.empty(len(groups), np.int64)
    rank[order] = rank_in_runs(run_lengths(run_starts(groups[order]), len(groups)))
    return rank
