"""Emission: the legal placement laid out on the chips and written into a ``ChipModel``.

Two steps, so that the compile record (hops need the coordinates) is complete before the model is
built: ``lay_out`` renumbers the cores in the layout order (``layout.core_order``), so core ``k`` sits
at the ``k``-th point of the chips' Hilbert curves; ``emit`` builds the model. Arrays are filled by
fancy indexing; the crossbars are built one core at a time (a 256 x 256 scratch per core), copy
columns duplicated from their original's column, and packed.
"""

from __future__ import annotations

import attrs
import numpy as np

from corelet.chip import ChipProfile, NeuronParams
from corelet.compiler._index import NetIndex
from corelet.compiler.fill import Filling
from corelet.compiler.layout import coordinates, core_order
from corelet.compiler.legalise import COPY, ORIGINAL, RELAY, Legal
from corelet.chip.model import NO_TARGET, OUTPUT, ChipInput, ChipModel, ChipOutput, Cores

RELAY_PARAMS = dict(weights=[1, 1, 1, 1], threshold=1, reset_mode=0, reset_value=0, leak=0,
                    neg_threshold=0, neg_mode=1, initial=0)


@attrs.frozen(eq=False)
class Layout:
    """The legal placement in layout order: core ``k`` of ``legal`` sits at ``coords[k]``."""

    legal: Legal  # with core ids renumbered to the layout order
    renumber: np.ndarray  # legalised core id -> laid-out core id
    coords: np.ndarray  # (C, 3) chip, row, column of each laid-out core

    def routes(self) -> tuple[np.ndarray, np.ndarray]:
        """(source core, target core) of every neuron that targets a core."""
        to_core = self.legal.target_core >= 0
        return self.legal.core[to_core], self.legal.target_core[to_core]


def lay_out(legal: Legal, profile: ChipProfile) -> Layout:
    """Order the cores (``layout.core_order``) and give them grid coordinates; raises
    ``PlacementError`` when they need more chips than the profile has."""
    to_core = legal.target_core >= 0
    visit = core_order(legal.n_cores, legal.core[to_core], legal.target_core[to_core])
    renumber = np.empty(legal.n_cores, np.int64)
    renumber[visit] = np.arange(legal.n_cores)
    legal = _renumbered(legal, renumber)
    return Layout(legal, renumber, coordinates(legal.n_cores, profile))


def emit(index: NetIndex, profile: ChipProfile, filling: Filling, layout: Layout, seed: int,
         provenance: dict) -> ChipModel:
    """The ``ChipModel`` of a laid-out placement, with its final ``provenance`` (JSON form)."""
    legal = layout.legal
    cores = Cores.empty(legal.n_cores, profile)
    cores.coords[...] = layout.coords
    net = index.net
    _fill_neurons(cores, index, profile, legal)
    _fill_axons(cores, index, legal)
    _fill_crossbars(cores, index, filling, legal, layout.renumber)
    paths = tuple(p.path for p in net.populations) + tuple(c.name for c in net.inputs)
    return ChipModel(profile, cores, paths, _inputs(net, legal), _outputs(net, legal), seed,
                     provenance)


def _renumbered(legal: Legal, new: np.ndarray) -> Legal:
    tc = legal.target_core
    return attrs.evolve(legal, core=new[legal.core],
                        target_core=np.where(tc >= 0, new[np.maximum(tc, 0)], tc),
                        axon_core=new[legal.axon_core], route_core=new[legal.route_core],
                        demand_core=new[legal.demand_core])


def source_names(index: NetIndex, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(path index, index) of logical sources: populations, then input connectors, in ``paths``."""
    net = index.net
    n = net.n_neurons
    sources = np.asarray(sources, np.int64)
    path = np.zeros(len(sources), np.int64)
    idx = np.zeros(len(sources), np.int64)
    is_neuron = sources < n
    if is_neuron.any():
        pop = index.pop_of[sources[is_neuron]]
        starts = np.array([p.start for p in net.populations], np.int64)
        path[is_neuron], idx[is_neuron] = pop, sources[is_neuron] - starts[pop]
    if (~is_neuron).any():
        pins = sources[~is_neuron] - n
        offsets = np.array([c.offset for c in net.inputs], np.int64)
        conn = np.searchsorted(offsets, pins, side="right") - 1
        path[~is_neuron], idx[~is_neuron] = len(net.populations) + conn, pins - offsets[conn]
    return path, idx


def _fill_neurons(cores: Cores, index: NetIndex, profile: ChipProfile, legal: Legal) -> None:
    n_per = profile.neurons_per_core
    rows = legal.core * n_per + legal.slot
    relay = legal.role == RELAY
    params = cores.params
    logical = ~relay
    src = index.net.params
    relay_params = NeuronParams.from_fields(1, **RELAY_PARAMS)
    for name, arr in params.arrays():
        arr[rows[logical]] = getattr(src, name)[legal.source[logical]]
        arr[rows[relay]] = getattr(relay_params, name)[0]
    path, idx = source_names(index, legal.source)
    c, s = legal.core, legal.slot
    cores.neuron_path[c, s] = path
    cores.neuron_index[c, s] = idx
    cores.neuron_role[c, s] = legal.role
    cores.target_core[c, s] = legal.target_core
    cores.target_axon[c, s] = np.where(legal.target_core >= 0, legal.target_axon, 0)
    cores.delay[c, s] = np.where(legal.target_core >= 0, legal.delay, 1)


def _fill_axons(cores: Cores, index: NetIndex, legal: Legal) -> None:
    path, idx = source_names(index, legal.axon_source)
    c, a = legal.axon_core, legal.axon_index
    cores.axon_type[c, a] = legal.axon_type
    cores.axon_path[c, a] = path
    cores.axon_index[c, a] = idx


def _fill_crossbars(cores: Cores, index: NetIndex, filling: Filling, legal: Legal,
                    renumber: np.ndarray) -> None:
    """Per core: synapses of the originals, copy columns, relay synapses; then packed."""
    a, n_per = cores.axon_type.shape[1], cores.neuron_path.shape[1]
    stamp = np.zeros(max(index.n_keys, 1), np.int32)
    copies = _by_core(legal.core, legal.role == COPY, legal.n_cores)
    relays = _by_core(legal.core, legal.role == RELAY, legal.n_cores)
    orig_slot = np.empty(index.n_neurons, np.int64)
    originals = legal.role == ORIGINAL
    orig_slot[legal.source[originals]] = legal.slot[originals]
    relay_axon = legal.read_axon
    for old in range(legal.n_cores):
        new = int(renumber[old])
        xb = np.zeros((a, n_per), bool)
        if old < filling.n_cores:
            keys = filling.keys_of(old)
            stamp[keys] = np.arange(len(keys))
            in_keys, pos = index.in_keys(filling.neurons_of(old))
            xb[stamp[in_keys], pos] = True
            copy_rows = copies[new]
            xb[:, legal.slot[copy_rows]] = xb[:, orig_slot[legal.source[copy_rows]]]
        relay_rows = relays[new]
        xb[relay_axon[relay_rows], legal.slot[relay_rows]] = True
        cores.crossbar[new] = np.packbits(xb, axis=1)


def _by_core(core: np.ndarray, mask: np.ndarray, n_cores: int) -> list[np.ndarray]:
    rows = np.flatnonzero(mask)
    rows = rows[np.argsort(core[rows], kind="stable")]
    return np.split(rows, np.searchsorted(core[rows], np.arange(1, n_cores)))


def _inputs(net, legal: Legal) -> tuple[ChipInput, ...]:
    order = np.lexsort((legal.route_delay, legal.route_axon, legal.route_core, legal.route_pin))
    pin, core = legal.route_pin[order], legal.route_core[order]
    axon, delay = legal.route_axon[order], legal.route_delay[order]
    out = []
    for conn in net.inputs:
        sel = (pin >= conn.offset) & (pin < conn.offset + conn.width)
        out.append(ChipInput(conn.name, conn.width, pin[sel] - conn.offset, core[sel], axon[sel],
                             delay[sel]))
    return tuple(out)


def _outputs(net, legal: Legal) -> tuple[ChipOutput, ...]:
    at_output = legal.target_core == OUTPUT
    where_core = np.full(net.n_neurons, NO_TARGET, np.int64)
    where_slot = np.zeros(net.n_neurons, np.int64)
    where_core[legal.source[at_output]] = legal.core[at_output]
    where_slot[legal.source[at_output]] = legal.slot[at_output]
    return tuple(ChipOutput(o.name, where_core[o.neurons], where_slot[o.neurons]) for o in net.outputs)
