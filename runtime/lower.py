"""Lowering to the ``Fabric`` the simulator runs: from a ``ChipModel``, and from a logical ``Network``.

**From a chip model** (``fabric_from_model``). The fabric keeps only what the chip uses: the used neurons, in (core, neuron) order; the used axons
(those with a synapse onto a used neuron or the target of a route), in (core, axon) order; one
synapse per set crossbar bit between them; one route per neuron that targets a core axon; one input
route per routed input pin. ``model_index_maps`` gives the same orderings back as arrays so that
per-core statistics (``runtime.stats``) can aggregate fabric counts by core.

**From a logical network** (``fabric_from_network``: the equivalence oracle, no placement). Neurons
are the network's, with their logical ids, role ``original`` and names from their populations. There
is one axon per distinct (source, axon type, delay) of the connections; its source id is the logical
id of the source (the key of its stochastic-synapse draws). A neuron source routes to each of its
axons with that axon's delay; an input pin does the same through an input route. Each connection is
one synapse (axon, target neuron). Running this fabric is running the network as written, which is
what the compiled chip must reproduce.
"""

from __future__ import annotations

import attrs
import numpy as np

from corelet.chip import Location
from corelet.chip.ids import logical_ids_of
from corelet.chip.arrays import run_ids, run_lengths, run_starts
from corelet.runtime import _compiled
from corelet.runtime.fabric import Fabric
from corelet.chip.model import ChipModel, ModelError
from corelet.chip.network import Network


@attrs.frozen(eq=False)
class IndexMaps:
    """Where each fabric neuron and axon lives on the chip (arrays in fabric order)."""

    neuron_core: np.ndarray  # (N,) int64
    neuron_local: np.ndarray  # (N,) int64
    axon_core: np.ndarray  # (A,) int64
    axon_local: np.ndarray  # (A,) int64


def fabric_from_model(model: ChipModel) -> Fabric:
    """The flat executable form of a (validated) chip model; see the module docstring."""
    cores = model.cores
    maps = _layout(model)
    n_per_core = model.profile.neurons_per_core
    a_per_core = model.profile.axons_per_core
    neuron_rows = maps.neuron_core * n_per_core + maps.neuron_local
    neuron_of = _lookup_table(neuron_rows, cores.n_cores * n_per_core)
    axon_of = _lookup_table(maps.axon_core * a_per_core + maps.axon_local,
                            cores.n_cores * a_per_core)
    # set bits come in (core, axon, neuron) order and both lookups keep that order, so the
    # synapses are already sorted by axon, then neuron: no sort of tens of millions of pairs
    syn_axon, syn_neuron = _synapses(cores.crossbar, cores.neuron_path >= 0, axon_of, neuron_of)
    routes = _routes(model, maps, axon_of)
    inputs = _input_routes(model, axon_of)
    return Fabric(
        params=cores.params.take(neuron_rows),
        neuron_ids=_neuron_ids(model, maps),
        neuron_role=cores.neuron_role[maps.neuron_core, maps.neuron_local].astype(np.int8),
        paths=tuple(model.paths),
        name_path=cores.neuron_path[maps.neuron_core, maps.neuron_local].astype(np.int32),
        name_index=cores.neuron_index[maps.neuron_core, maps.neuron_local].astype(np.int32),
        axon_type=cores.axon_type[maps.axon_core, maps.axon_local].astype(np.int8),
        axon_source_id=_axon_source_ids(model, maps),
        syn_axon=syn_axon,
        syn_neuron=syn_neuron,
        route_neuron=routes[0], route_axon=routes[1], route_delay=routes[2],
        input_route_pin=inputs[0], input_route_axon=inputs[1], input_route_delay=inputs[2],
        inputs=tuple((c.name, int(c.width)) for c in model.inputs),
        outputs=_outputs(model, neuron_of),
    )


def model_index_maps(model: ChipModel) -> IndexMaps:
    """The fabric order of ``fabric_from_model(model)``: core and local index of each neuron/axon."""
    return _layout(model)


# -- layout ----------------------------------------------------------------------------------
CHUNK_CORES = 256  # cores unpacked at a time (16 MB of bits): bounds setup memory on a full chip


def _layout(model: ChipModel) -> IndexMaps:
    """Index maps: the used neurons and the used axons, each in (core, local index) order."""
    cores = model.cores
    used_neuron = cores.neuron_path >= 0
    # an axon row reaches a used neuron when it shares a set bit with the packed mask of them
    used_packed = np.packbits(used_neuron, axis=1)
    every = bool(used_neuron.all())
    used_axon = np.zeros(cores.axon_type.shape, bool)
    for first in range(0, cores.n_cores, CHUNK_CORES):  # chunks of cores, to bound memory
        last = first + CHUNK_CORES
        hits = cores.crossbar[first:last]
        if not every:
            hits = hits & used_packed[first:last, None, :]
        if hits.shape[2] % 8 == 0 and hits.flags.c_contiguous:  # a row's bytes 8 at a time
            hits = hits.view(np.uint64)
        used_axon[first:last] = hits.any(axis=2)
    routed = used_neuron & (cores.target_core >= 0)
    used_axon[cores.target_core[routed], cores.target_axon[routed].astype(np.int64)] = True
    for conn in model.inputs:
        used_axon[conn.core, conn.axon] = True
    neuron_core, neuron_local = np.nonzero(used_neuron)
    axon_core, axon_local = np.nonzero(used_axon)
    return IndexMaps(neuron_core.astype(np.int64), neuron_local.astype(np.int64),
                     axon_core.astype(np.int64), axon_local.astype(np.int64))


def _synapses(crossbar: np.ndarray, used_neuron: np.ndarray, axon_of: np.ndarray,
              neuron_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fabric axon and neuron of every set crossbar bit onto a used neuron, in (core, axon,
    neuron) order: the crossbars are unpacked a chunk of cores at a time, never whole. Both in
    int32 when every index fits (a full chip's 27 M synapses: 215 MB less to write)."""
    n_cores, n_axons, n_bytes = crossbar.shape
    n_neurons = n_bytes * 8
    used_packed = np.packbits(used_neuron, axis=1)
    index = np.int32 if max(len(axon_of), len(neuron_of)) < 2**31 else np.int64
    axon_of, neuron_of = axon_of.astype(index), neuron_of.astype(index)
    if _compiled.active() == "numba":  # the same arrays, without unpacking (a full chip: ~10x)
        from corelet.runtime import _lower_kernel

        args = (crossbar, used_packed, axon_of, neuron_of, _compiled.BYTE_BIT_COUNT,
                _compiled.BYTE_BIT_PLACES)
        threads = _compiled.threads()
        if threads == 1:
            return _lower_kernel.crossbar_synapses_serial(*args)
        with _compiled.parallel(threads):
            return _lower_kernel.crossbar_synapses(*args)
    axons, neurons = [], []
    for first in range(0, n_cores, CHUNK_CORES):
        chunk = crossbar[first:first + CHUNK_CORES] & used_packed[first:first + CHUNK_CORES, None, :]
        # (core, axon, neuron) in the chunk; nonzero runs about twice as fast on a bool view
        flat = np.flatnonzero(np.unpackbits(chunk, axis=2).view(bool))
        row = flat // n_neurons  # core * A + axon, within the chunk
        axons.append(axon_of[row + first * n_axons])
        row //= n_axons
        row += first
        row *= n_neurons
        row += flat % n_neurons
        neurons.append(neuron_of[row])
    if not axons:
        return np.zeros(0, index), np.zeros(0, index)
    return np.concatenate(axons), np.concatenate(neurons)


def _lookup_table(keys: np.ndarray, size: int) -> np.ndarray:
    """Array mapping ``keys[i]`` to ``i`` and every other slot to -1."""
    table = np.full(size, -1, np.int64)
    table[keys] = np.arange(len(keys))
    return table


# -- names and ids ---------------------------------------------------------------------------
def _neuron_ids(model: ChipModel, maps: IndexMaps) -> np.ndarray:
    cores = model.cores
    path = cores.neuron_path[maps.neuron_core, maps.neuron_local]
    index = cores.neuron_index[maps.neuron_core, maps.neuron_local]
    return logical_ids_of(model.paths, path, index)


def _axon_source_ids(model: ChipModel, maps: IndexMaps) -> np.ndarray:
    """Logical id of each axon's source; 0 for an axon without one (its draws are then unkeyed)."""
    cores = model.cores
    path = cores.axon_path[maps.axon_core, maps.axon_local]
    index = cores.axon_index[maps.axon_core, maps.axon_local]
    return logical_ids_of(model.paths, path, index)



# -- routes ----------------------------------------------------------------------------------
def _routes(model: ChipModel, maps: IndexMaps, axon_of: np.ndarray):
    cores = model.cores
    target = cores.target_core[maps.neuron_core, maps.neuron_local].astype(np.int64)
    neurons = np.flatnonzero(target >= 0)
    target_axon = cores.target_axon[maps.neuron_core[neurons], maps.neuron_local[neurons]]
    axons = axon_of[target[neurons] * model.profile.axons_per_core + target_axon.astype(np.int64)]
    delays = cores.delay[maps.neuron_core[neurons], maps.neuron_local[neurons]].astype(np.int32)
    return neurons.astype(np.int64), axons, delays


def _input_routes(model: ChipModel, axon_of: np.ndarray):
    pins, axons, delays = [], [], []
    offset = 0
    for conn in model.inputs:
        pins.append(np.asarray(conn.pin, np.int64) + offset)
        axons.append(axon_of[np.asarray(conn.core, np.int64) * model.profile.axons_per_core
                             + np.asarray(conn.axon, np.int64)])
        delays.append(np.asarray(conn.delay, np.int32))
        offset += int(conn.width)
    if not pins:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32)
    return np.concatenate(pins), np.concatenate(axons), np.concatenate(delays)


def _outputs(model: ChipModel, neuron_of: np.ndarray):
    n_per_core = model.profile.neurons_per_core
    outputs = []
    for conn in model.outputs:
        rows = neuron_of[np.asarray(conn.core, np.int64) * n_per_core
                         + np.asarray(conn.neuron, np.int64)]
        if (rows < 0).any():
            pin = int(np.flatnonzero(rows < 0)[0])
            raise ModelError(f"output '{conn.name}' pin {pin}: core {conn.core[pin]} neuron "
                             f"{conn.neuron[pin]} is not a used neuron",
                             locations=[Location(connector=conn.name, pin=pin, core=conn.core[pin],
                                                 slot=conn.neuron[pin])])
        outputs.append((conn.name, rows))
    return tuple(outputs)


# -- from a logical network -------------------------------------------------------------------
def fabric_from_network(net: Network) -> Fabric:
    """The logical network as written, as a fabric: the reference a compiled chip must match."""
    c = net.connections
    n = net.n_neurons
    axon_of, axon_src, axon_type, axon_delay = _axons(c.src, c.axon_type, c.delay)
    from_neuron = axon_src < n
    pop = net.population_of(np.arange(n)) if n else np.zeros(0, np.int64)
    starts = np.array([p.start for p in net.populations], np.int64)
    return Fabric(
        params=net.params,
        neuron_ids=net.neuron_ids(),
        neuron_role=np.zeros(n, np.int8),
        paths=tuple(p.path for p in net.populations),
        name_path=pop.astype(np.int32),
        name_index=(np.arange(n) - starts[pop]).astype(np.int32) if n else np.zeros(0, np.int32),
        axon_type=axon_type.astype(np.int8),
        axon_source_id=net.source_ids()[axon_src] if len(axon_src) else np.zeros(0, np.uint64),
        syn_axon=axon_of,
        syn_neuron=c.dst.astype(np.int64),
        route_neuron=axon_src[from_neuron],
        route_axon=np.flatnonzero(from_neuron),
        route_delay=axon_delay[from_neuron].astype(np.int32),
        input_route_pin=axon_src[~from_neuron] - n,
        input_route_axon=np.flatnonzero(~from_neuron),
        input_route_delay=axon_delay[~from_neuron].astype(np.int32),
        inputs=tuple((i.name, i.width) for i in net.inputs),
        outputs=tuple((o.name, np.asarray(o.neurons, np.int64)) for o in net.outputs),
    )


def _axons(src, axon_type, delay):
    """Number the distinct (src, type, delay) triples; return each connection's axon and the triples.

    Connections are sorted by source, so the triples are found by sorting within one source only
    (a lexsort on the whole array, which is cheap when it is already grouped)."""
    if len(src) == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty
    order = np.lexsort((delay, axon_type, src))
    s, t, d = src[order], axon_type[order], delay[order]
    new = run_starts(s, t, d)
    axon_of = np.empty(len(src), np.int64)
    axon_of[order] = run_ids(run_lengths(new, len(s)))
    return axon_of, s[new].astype(np.int64), t[new].astype(np.int64), d[new].astype(np.int64)
