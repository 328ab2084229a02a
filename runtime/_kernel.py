"""The event-driven parts of a tick: synaptic integration and spike routing, over a batch.

Axons are renumbered internally so that axons of one type are contiguous ("internal order"); the
delay ring buffer and everything here use that order. Integration is event driven: the active axons
are expanded through a CSR table (axon -> synapses) into a flat list of target neurons, counted
with ``np.bincount`` per axon type (one sample) or once over keys ``(sample * 4 + type) * N +
neuron`` (several), and weighted by the (type, neuron) weight table: one gather per synaptic event
and no per-event weight. Large batches
use the block-dense path of ``runtime._dense`` instead. Stochastic synapses (usually none) live
in a separate table so the deterministic path stays lean; their draws are keyed exactly as
``runtime.random`` says.
"""

from __future__ import annotations

import numpy as np

from runtime import random
from runtime._dense import DenseBlocks
from runtime.fabric import Fabric

AXON_TYPES = 4
SYNAPSE_BITS = 8
DENSE_MIN_BATCH = 8  # from this batch on, block-dense matrix products beat event lists


def expand(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated element indices of CSR rows ``rows``, and each row's length.

    Equal to ``np.concatenate([np.arange(ptr[r], ptr[r + 1]) for r in rows])`` but vectorised: a
    cumulative sum of ones, with a jump at the start of each row.
    """
    starts = ptr[rows]
    lengths = ptr[rows + 1] - starts
    nonempty = lengths > 0
    starts, lens = starts[nonempty], lengths[nonempty]
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, np.int64), lengths
    steps = np.ones(total, np.int64)
    steps[0] = starts[0]
    steps[np.cumsum(lens[:-1])] = starts[1:] - (starts[:-1] + lens[:-1]) + 1
    return np.cumsum(steps), lengths


def csr(keys: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Row pointers for ``keys`` grouped into ``n_rows`` rows, and the stable order that sorts them."""
    ptr = np.zeros(n_rows + 1, np.int64)
    np.cumsum(np.bincount(keys, minlength=n_rows), out=ptr[1:])
    return ptr, np.argsort(keys, kind="stable")


def renumbered_csr(keys: np.ndarray, internal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``csr(internal[keys])``, without a sort when ``keys`` are already sorted.

    Elements are grouped by internal row; sorted ``keys`` are regrouped by expanding the original
    rows in internal order, which is linear where a sort is not.
    """
    n_rows = len(internal)
    if len(keys) < 2 or not (keys[1:] >= keys[:-1]).all():
        return csr(internal[keys], n_rows)
    ptr = np.zeros(n_rows + 1, np.int64)
    np.cumsum(np.bincount(keys, minlength=n_rows), out=ptr[1:])
    rows_in_order = np.empty(n_rows, np.int64)
    rows_in_order[internal] = np.arange(n_rows)
    order, _ = expand(ptr, rows_in_order)
    new_ptr = np.zeros(n_rows + 1, np.int64)
    np.cumsum(np.diff(ptr)[rows_in_order], out=new_ptr[1:])
    return new_ptr, order


def axon_types_internal(type_bounds: np.ndarray) -> np.ndarray:
    """The type of each axon in internal order (axons sorted by type, ``type_bounds`` apart)."""
    return np.repeat(np.arange(AXON_TYPES), np.diff(type_bounds))


class Synapses:
    """Integration of active axons (internal order) into membrane input, per sample and neuron."""

    def __init__(self, fabric: Fabric, internal: np.ndarray, type_bounds: np.ndarray,
                 seeds: np.ndarray, batch: int):
        self.n_neurons = fabric.n_neurons
        self.n_axons = fabric.n_axons
        self.type_bounds = type_bounds
        params = fabric.params
        # small dtypes: at a full chip there are ~27M synapses, and setup must stay well below 2 GB
        syn_type = fabric.axon_type[fabric.syn_axon]
        syn_weight = params.weights[fabric.syn_neuron, syn_type]
        stochastic = (params.stochastic_weights[fabric.syn_neuron, syn_type]
                      if params.stochastic_weights.any() else None)
        # a deterministic synapse of weight 0 changes nothing; drop it from the hot path
        det = syn_weight != 0 if stochastic is None else (syn_weight != 0) & ~stochastic
        everything = bool(det.all())
        syn_axon = fabric.syn_axon if everything else fabric.syn_axon[det]
        syn_neuron = fabric.syn_neuron if everything else fabric.syn_neuron[det]
        self.ptr, order = renumbered_csr(syn_axon, internal)
        targets = np.take(syn_neuron, order)
        self.weight_table = params.weights.T.astype(np.int64)  # (types, N)
        # int32 keys halve the hot gather. One sample: neuron; axons are counted type by type.
        # Several: (sample * 4 + type) * N + neuron, one bincount for all (plus the sample offset).
        if batch == 1:
            self.keys = targets.astype(np.int32 if self.n_neurons < 2**31 else np.int64)
        else:
            row_type = np.repeat(axon_types_internal(type_bounds), np.diff(self.ptr))
            keys = row_type * self.n_neurons + targets
            self.keys = keys.astype(np.int32 if AXON_TYPES * self.n_neurons < 2**31 else np.int64)
        self.dense = None
        if batch >= DENSE_MIN_BATCH:
            axon_of_target = np.repeat(np.arange(self.n_axons), np.diff(self.ptr))
            weight = np.take(syn_weight if everything else syn_weight[det], order)
            self.dense = DenseBlocks.build(self.n_neurons, axon_of_target, targets, weight)
        self._stochastic_setup(fabric, internal, syn_type, syn_weight, stochastic, seeds)

    def _stochastic_setup(self, fabric, internal, syn_type, syn_weight, stochastic, seeds):
        sto = np.zeros(0, np.int64) if stochastic is None else np.flatnonzero(
            stochastic & (syn_weight != 0))
        self.any_stochastic = bool(sto.size)
        self.sto_ptr, order = csr(internal[fabric.syn_axon[sto]], self.n_axons)
        sto = sto[order]
        self.sto_neuron = fabric.syn_neuron[sto]
        self.sto_weight = syn_weight[sto].astype(np.int64)
        self.sto_source = fabric.axon_source_id[fabric.syn_axon[sto]]
        self.sto_type = syn_type[sto].astype(np.int64)
        self.neuron_ids = fabric.neuron_ids
        self.seeds = seeds

    def integrate(self, active: np.ndarray, tick: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Input current (batch, N) int64 (None when nothing arrives) and the flat active axons.

        The block-dense path returns no flat list (None); the caller counts activity itself.
        """
        if self.dense is not None:
            current = self.dense.integrate(active)
            if self.any_stochastic:
                sample, axon = np.divmod(np.flatnonzero(active), self.n_axons)
                current += self._stochastic(axon, sample, tick, current.size).reshape(current.shape)
            return current, None
        batch, n = active.shape[0], self.n_neurons
        flat = np.flatnonzero(active)
        if not flat.size:
            return None, flat
        if batch == 1:
            sample, axon = None, flat
            current = self._counts_by_type(flat)[None, :]
        else:
            sample, axon = np.divmod(flat, self.n_axons)
            current = self._counts_keyed(axon, sample, batch)
        if self.any_stochastic:
            if sample is None:
                sample = np.zeros(len(axon), np.int64)
            current += self._stochastic(axon, sample, tick, batch * n).reshape(batch, n)
        return current, flat

    def _counts_by_type(self, axon) -> np.ndarray:
        """One sample: per type g, (active type-g axons reaching each neuron) x weight[neuron, g]."""
        bounds = np.searchsorted(axon, self.type_bounds)  # active axons are sorted, so by type
        current = np.zeros(self.n_neurons, np.int64)
        for g in range(AXON_TYPES):
            idx, _ = expand(self.ptr, axon[bounds[g]:bounds[g + 1]])
            if idx.size:
                counts = np.bincount(np.take(self.keys, idx), minlength=self.n_neurons)
                counts *= self.weight_table[g]
                current += counts
        return current

    def _counts_keyed(self, axon, sample, batch) -> np.ndarray:
        """Several samples: the same sum, with one bincount over (sample, type, neuron) keys."""
        n = self.n_neurons
        idx, lengths = expand(self.ptr, axon)
        keys = np.take(self.keys, idx) + np.repeat(sample * (AXON_TYPES * n), lengths)
        counts = np.bincount(keys, minlength=batch * AXON_TYPES * n)
        counts = counts.reshape(batch, AXON_TYPES, n)
        counts *= self.weight_table
        return counts.sum(axis=1)

    def _stochastic(self, axon, sample, tick, size) -> np.ndarray:
        """V += sign(s) where an 8-bit draw rho < |s|, for each active stochastic synapse."""
        idx, lengths = expand(self.sto_ptr, axon)
        if not idx.size:
            return np.zeros(size, np.int64)
        owner = np.repeat(sample, lengths)
        neuron = self.sto_neuron[idx]
        keys = random.neuron_keys(self.seeds[owner], self.neuron_ids[neuron])
        keys = random.tick_keys(keys, tick, random.SYNAPSE)
        keys = random.synapse_keys(keys, self.sto_source[idx], self.sto_type[idx])
        rho = random.bits(keys, SYNAPSE_BITS)
        weight = self.sto_weight[idx]
        step = np.where(rho < np.abs(weight), np.sign(weight), 0)
        return np.bincount(owner * self.n_neurons + neuron, weights=step,
                           minlength=size).astype(np.int64)


class Routes:
    """Delivery of spikes into the delay ring buffer ``ring`` (slots, batch, axons) bool."""

    def __init__(self, fabric: Fabric, internal: np.ndarray):
        self.n_neurons = fabric.n_neurons
        self.ptr, order = csr(fabric.route_neuron, fabric.n_neurons)
        self.axon = internal[fabric.route_axon][order]
        self.delay = fabric.route_delay[order].astype(np.int64)
        self.in_pin = fabric.input_route_pin.astype(np.int64)
        self.in_axon = internal[fabric.input_route_axon]
        self.in_delay = fabric.input_route_delay.astype(np.int64)

    def deliver(self, ring: np.ndarray, fired: np.ndarray, tick: int) -> None:
        """Spikes ``fired`` (flat sample * N + neuron) of tick t reach their axons at t + delay."""
        if not fired.size:
            return
        sample, neuron = np.divmod(fired, self.n_neurons)
        idx, lengths = expand(self.ptr, neuron)
        if idx.size:
            _activate(ring, np.repeat(sample, lengths), self.axon[idx], tick + self.delay[idx])

    def inject(self, ring: np.ndarray, row: np.ndarray, tick: int) -> None:
        """Input raster row t (batch, pins) reaches its axons at t + delay - 1."""
        if not self.in_pin.size:
            return
        sample, route = np.nonzero(row[:, self.in_pin])
        if sample.size:
            _activate(ring, sample, self.in_axon[route], tick + self.in_delay[route] - 1)


def _activate(ring: np.ndarray, sample, axon, tick) -> None:
    """Mark axons active; setting True twice is still True, which is how spikes merge."""
    slots, batch, n_axons = ring.shape
    ring.reshape(-1)[((tick % slots) * batch + sample) * n_axons + axon] = True
