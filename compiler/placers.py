"""Placers: strategies that choose an order of the neurons for ``fill`` to cut into cores.

``PLACERS`` maps a name to a callable ``placer(index, profile) -> Candidates``: the fillings it
proposes, best guess first. Placers do not legalise; the compile pipeline (``compile.py``) legalises
the candidates and keeps the best.

* ``"alg1"`` - Algorithm 1 of seed 002 (modules extending along axons): the neurons in network
  order, each a module bringing its axons and its copies, added to the current core until the next
  would overflow it. As published except that the overflow test comes before the module is added,
  and shared axons (clocks, common inputs) count once.
* ``"alg2"`` - Algorithm 2 of seed 002 (the IC module, extending along axons and neurons): every
  population starts fresh cores (``ExtendCores``) and its neurons are swept in the order of their
  inputs, so each core collects one slice of the input axons with the neurons that read it.
* ``"packer"`` (default) - corelet-aware: populations in data-flow order with the populations of one
  corelet instance kept together, neurons with common inputs made adjacent so they share axons, and
  copy counts settled by iteration (see ``docs/compiler.md``). On networks of up to
  ``PORTFOLIO_LIMIT`` neurons it also proposes an affinity order and the Algorithm 1 and 2
  placements; the pipeline tries them when its own order does not pack to the lower bound and keeps
  whichever needs the fewest cores after legalisation, so it never does worse than either there.

The copy count of a neuron (its number of distinct targets) depends on where its targets land. The
first fill uses a lower bound (distinct (type, delay) of its connections, plus one for an output);
each later fill charges every neuron the count that the previous placement gave it (never less than
before, so the iteration settles). What still overflows a core is left to splitter relays.
All placers honour the core-sharing groups (``Network.groups``) by keeping each group contiguous and
never cutting inside it. networkx is used on the population graph only.
"""

from __future__ import annotations

from typing import Callable

import attrs
import networkx as nx
import numpy as np

from corelet.chip import ChipProfile
from corelet.chip.arrays import ranges, run_ids, run_starts
from corelet.compiler._index import NetIndex
from corelet.compiler.errors import PlacementError
from corelet.compiler.fill import Filling, Unfit, fill

SETTLE_ROUNDS = 4
PORTFOLIO_LIMIT = 1 << 16  # neurons; above this the packer does not try the other orders


# -- the three placers ---------------------------------------------------------------------------
@attrs.frozen(eq=False)
class Candidates:
    """What a placer proposes: fillings to legalise, its best guess first.

    The compile pipeline, not the placer, chooses among them: it legalises ``first``, keeps it when
    it needs no more than ``lower_bound`` cores and delays nothing, and otherwise makes, legalises
    and scores each of ``alternatives`` in turn (thunks, so they cost nothing unless tried), keeping
    the best by (cores after legalisation, demands delayed); the first of equals wins.
    """

    first: Filling
    alternatives: tuple[Callable[[], Filling], ...] = ()
    lower_bound: int = 0

    def __len__(self) -> int:
        return 1 + len(self.alternatives)


def alg1(index: NetIndex, profile: ChipProfile) -> Candidates:
    """Seed 002's Algorithm 1 with the overflow test before adding (see the module docstring)."""
    return Candidates(alg1_filling(index, profile))


def alg2(index: NetIndex, profile: ChipProfile) -> Candidates:
    """Seed 002's Algorithm 2: fresh cores per population, neurons swept in input order."""
    return Candidates(alg2_filling(index, profile))


def packer(index: NetIndex, profile: ChipProfile) -> Candidates:
    """The corelet-aware packer (see the module docstring): its own order first; on networks of up
    to ``PORTFOLIO_LIMIT`` neurons its portfolio as alternatives (the affinity order where there are
    few enough units, Algorithm 1, Algorithm 2, the network order settled)."""
    first = _settled(index, profile, packer_order(index))
    if index.n_neurons > PORTFOLIO_LIMIT:
        return Candidates(first)
    alternatives = [lambda: alg1_filling(index, profile), lambda: alg2_filling(index, profile),
                    lambda: _settled(index, profile, np.arange(index.n_neurons))]
    if _affinity_units(index) is not None:
        alternatives.insert(0, lambda: _settled(index, profile, affinity_order(index, profile)))
    return Candidates(first, tuple(alternatives), lower_bound(index, profile))


def alg1_filling(index: NetIndex, profile: ChipProfile) -> Filling:
    order = np.arange(index.n_neurons)
    return _fill_grouped(index, profile, order, estimated_cost(index, profile))


def alg2_filling(index: NetIndex, profile: ChipProfile) -> Filling:
    order = _by_first_input(index, np.arange(index.n_neurons), index.pop_of)
    return _fill_grouped(index, profile, order, estimated_cost(index, profile),
                         separate=index.pop_of)


# name -> placer(index, profile) -> Candidates
PLACERS: dict[str, Callable[[NetIndex, ChipProfile], Candidates]] = {
    "packer": packer, "alg1": alg1, "alg2": alg2}
DEFAULT_PLACER = "packer"  # the placer used when none is named


def get_placer(name: str):
    try:
        return PLACERS[name]
    except KeyError:
        raise PlacementError(f"unknown placer {name!r} (known: {', '.join(PLACERS)})") from None


# -- costs ---------------------------------------------------------------------------------------
def estimated_cost(index: NetIndex, profile: ChipProfile) -> np.ndarray:
    """Neuron slots per neuron before placement: a lower bound on its targets, at least 1."""
    cost = index.out_kinds + index.is_output
    return np.clip(cost, 1, profile.neurons_per_core)


def minimal_cost(index: NetIndex, profile: ChipProfile) -> np.ndarray:
    """Slots a neuron cannot do without: itself, and one more when it is an output with targets
    (its other targets can all be served by one relay hub)."""
    return np.clip(1 + (index.is_output & (index.out_kinds > 0)), 1, profile.neurons_per_core)


def exact_cost(index: NetIndex, profile: ChipProfile, filling: Filling) -> np.ndarray:
    """Neuron slots per neuron for the placement ``filling``: one per distinct target axon."""
    n = index.n_neurons
    sources = index.key_source(filling.axon_keys)
    targets = np.bincount(sources[sources < n], minlength=n)
    return np.clip(targets + index.is_output, 1, profile.neurons_per_core)


def core_slots(filling: Filling, cost: np.ndarray) -> np.ndarray:
    """Neuron slots each core needs under ``cost``."""
    return np.add.reduceat(cost[filling.order], filling.starts[:-1]) if filling.n_cores else \
        np.zeros(0, np.int64)


def lower_bound(index: NetIndex, profile: ChipProfile) -> int:
    """No placement can use fewer cores than its neurons' slots need (each at least its lower
    bound on targets)."""
    total = int(estimated_cost(index, profile).sum())
    return -(-total // profile.neurons_per_core)


def _settled(index: NetIndex, profile: ChipProfile, order: np.ndarray) -> Filling:
    """Fill ``order`` repeatedly, charging each neuron the copies the last placement gave it."""
    cost = estimated_cost(index, profile)
    filling = _fill_grouped(index, profile, order, cost)
    for _ in range(SETTLE_ROUNDS):
        exact = exact_cost(index, profile, filling)
        if (core_slots(filling, exact) <= profile.neurons_per_core).all():
            break
        cost = np.maximum(cost, exact)
        filling = _fill_grouped(index, profile, order, cost)
    return filling


# -- orders --------------------------------------------------------------------------------------
def packer_order(index: NetIndex) -> np.ndarray:
    """Populations in data-flow order, instances kept together; common inputs made adjacent."""
    net = index.net
    pops = _population_order(index)
    if not pops:
        return np.zeros(0, np.int64)
    order = np.concatenate([np.arange(net.populations[p].start,
                                      net.populations[p].start + net.populations[p].size)
                            for p in pops])
    rank = np.empty(len(net.populations), np.int64)
    rank[pops] = np.arange(len(pops))
    return _by_first_input(index, order, rank[index.pop_of[order]])


def _population_order(index: NetIndex) -> list[int]:
    """Topological order of the population graph's strongly connected components, ties broken by
    corelet instance (so an instance's populations stay together), then declaration order."""
    net = index.net
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(net.populations)))
    graph.add_edges_from(_population_edges(index))
    instance_rank: dict[str, int] = {}
    for pop in net.populations:
        instance_rank.setdefault(pop.instance, len(instance_rank))
    dag = nx.condensation(graph)
    members = nx.get_node_attributes(dag, "members")

    def key(node):
        first = min(members[node])
        return (instance_rank[net.populations[first].instance], first)

    return [p for node in nx.lexicographical_topological_sort(dag, key=key)
            for p in sorted(members[node])]


def _population_edges(index: NetIndex) -> list[tuple[int, int]]:
    """(source population, target population) pairs that share a connection."""
    net, c = index.net, index.net.connections
    n_pops = len(net.populations)
    bounds = np.searchsorted(c.src, [p.start for p in net.populations] + [net.n_neurons])
    edges = []
    for p in range(n_pops):
        dst_pops = index.pop_of[c.dst[bounds[p]:bounds[p + 1]]]
        if n_pops <= 4096:
            targets = np.flatnonzero(np.bincount(dst_pops, minlength=n_pops))
        else:
            targets = np.unique(dst_pops)
        edges.extend((p, int(q)) for q in targets if q != p)
    return edges


def _by_first_input(index: NetIndex, order: np.ndarray, block: np.ndarray) -> np.ndarray:
    """``order`` stably re-sorted by (block, smallest input key), so neurons sharing inputs meet.

    ``block`` gives each position a rank that must be kept (the population's place in the order).
    """
    return order[np.lexsort((smallest_input(index)[order], block))]


def smallest_input(index: NetIndex) -> np.ndarray:
    """Each neuron's smallest input axon key (int64 max when it has no input)."""
    first = np.full(index.n_neurons, np.iinfo(np.int64).max)
    has = index.in_degree > 0
    if has.any():  # CSR segments of neurons with inputs tile key_by_dst exactly
        first[has] = np.minimum.reduceat(index.key_by_dst, index.in_ptr[:-1][has])
    return first


AFFINITY_LIMIT = 4096  # units; the affinity order costs a Python step per unit


def _affinity_units(index: NetIndex) -> list[np.ndarray] | None:
    """The units the affinity order moves: core-sharing groups and single neurons."""
    label = group_labels(index)
    loose = np.flatnonzero(label < 0)
    grouped = np.flatnonzero(label >= 0)
    n_units = len(loose) + len(np.unique(label[grouped]))
    if n_units > AFFINITY_LIMIT:
        return None
    by_group = grouped[np.argsort(label[grouped], kind="stable")]
    bounds = run_starts(label[by_group])[1:]
    units = [u for u in np.split(by_group, bounds) if len(u)] + [np.array([n]) for n in loose]
    units.sort(key=lambda u: int(u.min()))
    return units


def affinity_order(index: NetIndex, profile: ChipProfile) -> np.ndarray:
    """Grow each core greedily with the unit that shares most axons with it (small networks).

    Units are core-sharing groups and single neurons; a unit's cost is its axon keys and its
    estimated slots. Finds, e.g., the 2 x 2 blocks of locations that let neighbouring convolution
    groups share one core's axons, which no single sort key does.
    """
    units = _affinity_units(index)
    cost = estimated_cost(index, profile)
    unit_keys = [np.unique(index.in_keys(u)[0]) for u in units]
    unit_slots = np.array([int(cost[u].sum()) for u in units])
    unit_size = np.array([len(k) for k in unit_keys])
    flat = np.concatenate(unit_keys) if unit_keys else np.zeros(0, np.int64)
    owner = run_ids(unit_size)
    by_key = np.argsort(flat, kind="stable")
    sorted_keys = flat[by_key]
    placed = np.zeros(len(units), bool)
    order, on_core, axons, slots = [], np.zeros(0, np.int64), 0, 0
    for _ in range(len(units)):
        overlap = _overlap(sorted_keys, owner[by_key], on_core, len(units))
        fits = ~placed & (axons + unit_size - overlap <= profile.axons_per_core) & \
            (slots + unit_slots <= profile.neurons_per_core)
        if not fits.any() or not len(order):
            pick = int(np.flatnonzero(~placed)[0])
            on_core, axons, slots = np.zeros(0, np.int64), 0, 0
        else:
            score = np.where(fits, overlap * (1 << 20) - (unit_size - overlap), -(1 << 62))
            pick = int(np.argmax(score))
        placed[pick] = True
        order.append(units[pick])
        on_core = np.union1d(on_core, unit_keys[pick])
        axons, slots = len(on_core), slots + int(unit_slots[pick])
    return np.concatenate(order) if order else np.zeros(0, np.int64)


def _overlap(sorted_keys, sorted_owner, keys, n_units) -> np.ndarray:
    """Per unit, how many of ``keys`` it uses."""
    lo = np.searchsorted(sorted_keys, keys, side="left")
    hi = np.searchsorted(sorted_keys, keys, side="right")
    return np.bincount(sorted_owner[ranges(lo, hi - lo)], minlength=n_units)


# -- core-sharing groups -------------------------------------------------------------------------
def _fill_grouped(index: NetIndex, profile: ChipProfile, order: np.ndarray, cost: np.ndarray,
                  separate: np.ndarray | None = None) -> Filling:
    """``fill`` with every core-sharing group made contiguous and never cut; neurons with different
    ``separate`` labels (when given) never share a core."""
    order, group_at = _gather_groups(index, order)
    n = len(order)
    cut_ok = np.ones(n + 1, bool)
    inside = np.zeros(n + 1, bool)
    inside[1:n] = (group_at[1:] >= 0) & (group_at[1:] == group_at[:-1])
    cut_ok[inside] = False
    must_cut = None
    if separate is not None:
        label = separate[order]
        must_cut = np.zeros(n + 1, bool)
        must_cut[1:n] = (label[1:] != label[:-1]) & cut_ok[1:n]
    try:
        return fill(index, profile, order, cost, cut_ok, must_cut, minimal_cost(index, profile))
    except Unfit as err:
        raise _group_error(index, profile, int(group_at[err.position]), err) from None


def _gather_groups(index: NetIndex, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reorder so each group's members are contiguous where its first member was; group labels."""
    label = group_labels(index)
    if (label < 0).all():
        return order, np.full(len(order), -1, np.int64)
    position = np.empty(index.n_neurons, np.int64)
    position[order] = np.arange(len(order))
    lab = label[order]
    anchor = position[order].copy()
    grouped = lab >= 0
    group_first = np.full(int(lab.max()) + 1, np.iinfo(np.int64).max)
    np.minimum.at(group_first, lab[grouped], anchor[grouped])
    anchor[grouped] = group_first[lab[grouped]]
    new = np.lexsort((position[order], anchor))
    return order[new], lab[new]


def group_labels(index: NetIndex) -> np.ndarray:
    """Each neuron's group (overlapping groups merged; -1 when in none)."""
    groups = index.net.groups
    label = np.full(index.n_neurons, -1, np.int64)
    if not groups:
        return label
    graph = nx.Graph()
    graph.add_nodes_from(range(len(groups)))
    for g, group in enumerate(groups):
        taken = label[group.neurons]
        graph.add_edges_from((g, int(o)) for o in np.unique(taken[taken >= 0]))
        label[group.neurons] = g
    for component in nx.connected_components(graph):
        rep = min(component)
        for g in component:
            label[groups[g].neurons] = rep
    return label


def _group_error(index: NetIndex, profile: ChipProfile, label: int, err: Unfit) -> PlacementError:
    from corelet.chip import Location

    net = index.net
    if label < 0:  # a single neuron that cannot fit an empty core (caught earlier in practice)
        return PlacementError(f"a neuron needs {err.axons} axons and {err.slots} neuron slots; a core "
                              f"has {profile.axons_per_core} and {profile.neurons_per_core}")
    group = net.groups[label]
    first = int(group.neurons[0]) if len(group.neurons) else 0
    pop = net.populations[int(index.pop_of[first])] if net.n_neurons else None
    corelet = f" in corelet {pop.corelet or pop.instance or net.name!r}" if pop else ""
    what = []
    if err.axons > profile.axons_per_core:
        what.append(f"{err.axons} axons (limit {profile.axons_per_core})")
    if err.slots > profile.neurons_per_core:
        what.append(f"{err.slots} neuron slots (limit {profile.neurons_per_core})")
    where = Location(span=group.span, instance=pop.instance if pop else None,
                     corelet=pop.corelet if pop else "", label=f"core-sharing group {group.name!r}")
    return PlacementError(
        f"core-sharing group {group.name!r}{corelet} does not fit one core: it needs "
        f"{' and '.join(what) or f'{err.axons} axons and {err.slots} neuron slots'}",
        kind="group", locations=[where],
        hint="make the group smaller (fewer neurons, fewer distinct inputs or targets), or drop the "
        "hint and let the placer split it")
