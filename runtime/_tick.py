"""The whole tick in one compiled call (numba, ``runtime._compiled``), for batches.

When numba is active, the batch has at least MIN_BATCH samples, a fabric's synapses lie in
aligned blocks of 256 neurons (the compiled kernel's block tables: every chip model), each neuron
has at most one route and nothing needs a random draw (no stochastic synapse, leak or threshold),
one call per tick does integration, the neuron phases and the routing, block by block for every
sample, on state kept sample-minor (``runtime._tick_kernel``): a block's tables and a neuron's
parameters are read once for the whole batch, the phases run as SIMD over the samples, and
spikes are bits. The input axons are integrated there too, like the others. Blocks run on
``CORELET_THREADS`` threads (default: the cores the process may use) when there are enough of
them. Anything else runs the numpy-shaped path of ``simulator._Run`` (the reference), which
gives the same integers.
"""

from __future__ import annotations

import numpy as np

from corelet.chip.params import NEG_SATURATE
from corelet.runtime import _compiled
from corelet.runtime._compiled import (FLAG_REVERSAL, FLAG_SATURATE, PARALLEL_MIN_BLOCKS,
                                       ROUTE_DELAY, ROUTE_SHIFT, WORD, threads)

# from this batch on: a block's tables are then read once for several samples. With one sample,
# the numpy-shaped path (its compiled block sums and phases) was as fast or faster
# (docs/runtime.md)
MIN_BATCH = 4


class CompiledTick:
    """Per-run tables and state of the compiled tick, which it keeps sample-minor: membranes
    (N, batch), and spikes as bits in words of 64 samples, the ring (slots, A, words) and the
    tick's spikes (N, words) (``runtime._tick_kernel``). ``step`` advances every sample by one
    tick."""

    @staticmethod
    def covers(fabric, batch: int) -> bool:
        """Whether a run of ``fabric`` can take the compiled tick (numba active, a batch of at
        least MIN_BATCH, no random draws, at most one route per neuron); the block tables are
        checked once they are built."""
        return (_compiled.active() == "numba" and batch >= MIN_BATCH
                and not fabric.params.stochastic_weights.any()
                and compiled_neurons_fit(fabric))

    @classmethod
    def build(cls, synapses, routes, fabric, initial, batch) -> "CompiledTick | None":
        """The compiled tick for a run that ``covers`` allows, or None when the synapses do not
        form block tables (see module). ``initial``: the membranes' initial values (N,)."""
        if synapses.compiled is None or synapses.block_tables is None:
            return None
        return cls(synapses, routes, fabric, initial, batch)

    def __init__(self, synapses, routes, fabric, initial, batch):
        from corelet.runtime import _tick_kernel  # numba's, loaded (or compiled) with the run

        self.kernels = _tick_kernel
        self.synapses, self.routes = synapses, routes
        axon_block, self.axon_type, self.local, self.block_weights = synapses.block_tables
        n_blocks = self.block_weights.shape[0]
        # the axons of each block (CSR); the others (synapses over two blocks, or none at all)
        # are done first
        in_block = np.flatnonzero(axon_block >= 0)
        index = np.int32 if fabric.n_axons < 2**31 and len(self.local) < 2**31 else np.int64
        self.block_axons = in_block[np.argsort(axon_block[in_block], kind="stable")].astype(index)
        self.block_ptr = np.zeros(n_blocks + 1, np.int64)
        np.cumsum(np.bincount(axon_block[in_block], minlength=n_blocks), out=self.block_ptr[1:])
        self.spread_axons = np.flatnonzero(axon_block < 0)
        self.starts, self.ends = synapses.starts.astype(index), synapses.ends.astype(index)
        self.kind, self.params = neuron_kinds(fabric.params)
        self.route = route_table(fabric)
        self.axon_count = np.zeros(fabric.n_axons, np.int64)
        self.spike_count = np.zeros(fabric.n_neurons, np.int64)
        self.threads = threads() if n_blocks >= PARALLEL_MIN_BLOCKS else 1
        self.parallel = self.threads > 1
        # the state, sample-minor
        self.batch, words = batch, -(-batch // WORD)
        self.initial = initial[:, None]
        self.V = np.repeat(self.initial, batch, axis=1)
        self.ring = np.zeros((fabric.max_delay + 1, fabric.n_axons, words), np.uint64)
        self.spike_bits = np.zeros((fabric.n_neurons, words), np.uint64)

    def reset(self) -> None:
        """Membranes back to their initial values, pending spikes dropped."""
        self.V[...] = self.initial
        self.ring[...] = 0

    def inject(self, row: np.ndarray, tick: int) -> None:
        """Input raster row t (batch, pins) reaches its axons at t + delay - 1."""
        routes = self.routes
        if routes.in_pin.size:
            self.kernels.inject(self.ring, row, routes.in_pin, routes.in_axon,
                                tick + routes.in_delay - 1)

    def step(self, t: int) -> int:
        """One tick: ring slot t is integrated and cleared, V advanced, the spikes of the tick
        set in ``spike_bits`` and routed into later slots; returns their number."""
        k = self.kernels
        if self.spread_axons.size:
            s = self.synapses
            k.spread_sums(t % len(self.ring), self.ring, self.V, self.spread_axons, s.starts,
                          s.ends, s.packed, self.axon_count)
        args = (t, self.ring, self.V, self.spike_bits, self.block_ptr, self.block_axons,
                self.starts, self.ends, self.local, self.axon_type, self.block_weights,
                self.kind, self.params, self.route, self.axon_count, self.spike_count)
        if not self.parallel:
            return k.tick(*args)
        with _compiled.parallel(self.threads):
            return k.tick_parallel(*args)

    def spikes(self, neurons: np.ndarray) -> np.ndarray:
        """The last tick's spikes of ``neurons`` as (batch, len(neurons)) bool."""
        # as little-endian bytes (a copy only on a big-endian machine): sample b is bit b
        words = self.spike_bits[neurons].astype("<u8", copy=False)
        bits = np.unpackbits(words.view(np.uint8), axis=1, bitorder="little")
        return bits[:, :self.batch].T.view(bool)

    def membranes(self, neurons: np.ndarray) -> np.ndarray:
        """The membranes of ``neurons`` as (batch, len(neurons))."""
        return self.V[neurons].T


class CompiledNeurons:
    """For one sample on the numpy-shaped path (integration as it is): the neuron phases and
    the routing of the spikes in one compiled pass
    (``_tick_kernel.phases_route_single``) instead of numpy's pass per phase and its routing.
    For deterministic neurons with at most one route each (every chip model), numba active."""

    @staticmethod
    def build(fabric, batch: int) -> "CompiledNeurons | None":
        if _compiled.active() != "numba" or batch != 1 or not compiled_neurons_fit(fabric):
            return None
        return CompiledNeurons(fabric)

    def __init__(self, fabric):
        from corelet.runtime import _tick_kernel

        self.kernels, self.kernel = _tick_kernel, _tick_kernel.phases_route_single
        # the phases shared out over threads on a large fabric (the routing stays on one)
        self.threads = threads() if fabric.n_neurons >= PARALLEL_MIN_BLOCKS * 256 else 1
        self.counts = np.zeros(self.threads, np.int64)  # spikes listed by each thread
        kind, self.params = neuron_kinds(fabric.params)
        # runs of neurons of one kind: their parameters are loop invariants in the kernel
        starts = np.flatnonzero(np.diff(kind.astype(np.int64), prepend=-1))
        self.run_start = np.append(starts, len(kind)).astype(np.int64)
        self.run_kind = kind[starts].astype(np.int64)
        self.route = route_table(fabric)
        self.spike_count = np.zeros(fabric.n_neurons, np.int64)
        self.spikes = np.zeros((1, fabric.n_neurons), bool)
        self.fired = np.zeros(fabric.n_neurons + 1, np.int64)
        self.no_current = np.zeros(fabric.n_neurons, np.int32)  # a tick with no input

    def step(self, t: int, V: np.ndarray, current: np.ndarray | None, ring: np.ndarray) -> int:
        """Phases and routing of tick t for V (1, N), ``current`` (1, N) or None (the input is
        already in V) and the ring (slots, 1, A): ``spikes`` (1, N) is set, and the number of
        spikes returned."""
        if current is None:
            current = self.no_current
        else:  # exact integers, in the integer type or the float64 of their path
            current = current[0] if current.dtype.kind == "i" else current[0].astype(np.int64)
        args = (t, V[0], current, self.run_start, self.run_kind, self.params, self.spikes[0],
                self.route, ring[:, 0, :].view(np.uint8), self.spike_count, self.fired)
        if self.threads == 1:
            return self.kernel(*args)
        with _compiled.parallel(self.threads):
            return self.kernels.phases_route_parallel(*args, self.counts)


def compiled_neurons_fit(fabric) -> bool:
    """Whether the compiled phases and routing can run ``fabric``'s neurons: no draws for the
    leak or the threshold, at most one route per neuron (every chip model), delays that fit a
    route's bits."""
    params = fabric.params
    return (not (params.stochastic_leak & (params.leak != 0)).any()
            and not params.threshold_mask.any()
            and (not len(fabric.route_neuron) or np.bincount(fabric.route_neuron).max() <= 1)
            and int(fabric.route_delay.max(initial=1)) <= ROUTE_DELAY)


def route_table(fabric) -> np.ndarray:
    """Each neuron's route as one int64, target axon << ROUTE_SHIFT | delay, or -1 for none."""
    route = np.full(fabric.n_neurons, -1, np.int64)
    route[fabric.route_neuron] = ((fabric.route_axon.astype(np.int64) << ROUTE_SHIFT)
                                  | fabric.route_delay)
    return route


def neuron_kinds(params) -> tuple[np.ndarray, np.ndarray]:
    """Each neuron's kind (an index) and the kinds' parameters (kinds, 5) int64: threshold,
    negative threshold, reset value, leak, flags (reset mode | FLAG_REVERSAL | FLAG_SATURATE)."""
    flags = (params.reset_mode.astype(np.int64)
             | np.where(params.leak_reversal, FLAG_REVERSAL, 0)
             | np.where(params.neg_mode == NEG_SATURATE, FLAG_SATURATE, 0))
    columns = np.stack([params.threshold, params.neg_threshold, params.reset_value,
                        params.leak, flags], axis=1).astype(np.int64)
    if not len(columns) or (columns == columns[0]).all():  # the common case: one kind
        return np.zeros(len(columns), np.uint16), columns[:1].copy()
    if _packable(columns):
        # two 1-d uniques (fast) of keys that pack the columns without collisions, combined,
        # rather than a unique over rows
        _, first = np.unique(columns[:, 0] << 20 | columns[:, 1], return_inverse=True)
        _, second = np.unique((columns[:, 2] << 32) + (columns[:, 3] << 8) + columns[:, 4],
                              return_inverse=True)
        _, where, kind = np.unique(first.astype(np.int64) * (int(second.max()) + 1) + second,
                                   return_index=True, return_inverse=True)
    else:  # values no chip holds (a fabric checks no ranges): the exact, slower way
        _, where, kind = np.unique(columns, axis=0, return_index=True, return_inverse=True)
        kind = kind.reshape(-1)
    dtype = np.uint16 if len(where) <= 2**16 else np.int32
    return kind.astype(dtype), columns[where]


def _packable(columns: np.ndarray) -> bool:
    """Whether ``neuron_kinds``'s packed keys are collision-free for these columns: threshold
    0 .. 2^42 - 1 and negative threshold 0 .. 2^20 - 1 (threshold << 20 | negative), reset
    value within int32, leak within 24 bits signed and flags 0..255 ((reset << 32) + (leak << 8)
    + flags). Every value a chip holds is well inside."""
    low, high = columns.min(axis=0), columns.max(axis=0)
    return bool(low[0] >= 0 and high[0] < 2**42 and low[1] >= 0 and high[1] < 2**20
                and -2**31 <= low[2] and high[2] < 2**31 and -2**23 <= low[3]
                and high[3] < 2**23 and low[4] >= 0 and high[4] < 256)
