"""The per-tick parts of a tick: synaptic integration and spike routing, over a batch.

Axons and neurons keep their fabric numbers. Integration is event driven: the active axons are
expanded through a CSR table (axon -> synapses) into a flat list of synaptic events (target and
weight packed in one int32 per synapse) summed with a weighted ``np.bincount`` per sample. From
batch ``DENSE_MIN_BATCH`` on, when the synapses form blocks (``runtime._dense``), each tick takes
whichever of that and the block-dense product is cheaper for its number of events. Synapses of
axons fed only by inputs may be left to ``runtime._stream`` (integrated ahead, many ticks at once).
Stochastic synapses (usually none) live in a separate table so the deterministic path stays lean;
their draws are keyed exactly as ``runtime.random`` says.
"""

from __future__ import annotations

import numpy as np

from corelet.chip.arrays import ranges
from corelet.chip.ids import mix64
from corelet.runtime import _compiled, random
from corelet.runtime._dense import BLOCK, DenseBlocks
from corelet.runtime.fabric import Fabric

SYNAPSE_BITS = 8
DENSE_MIN_BATCH = 8  # from this batch on, block-dense matrix products may beat event lists
PACK_BITS, PACK_OFFSET = 9, 256  # a packed synapse: target << 9 | (weight + 256), |weight| < 256
_NO_SAMPLE = np.zeros(0, np.int64)  # the compiled kernels' "every event is sample 0"
EVENT_FLOPS = 200  # one synaptic event in the event path costs about 200 sgemm flops (2-core x86)


def expand(starts: np.ndarray, ends: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated element indices of rows ``rows`` of a table, and each row's length.

    Row r holds elements ``starts[r] .. ends[r] - 1`` (a CSR table has ``starts = ptr[:-1]``,
    ``ends = ptr[1:]``). Equal to ``np.concatenate([np.arange(starts[r], ends[r]) for r in rows])``
    but vectorised (``chip.arrays.ranges``).
    """
    first = starts[rows]
    lengths = ends[rows] - first
    return ranges(first, lengths), lengths


def csr(keys: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Row pointers for ``keys`` grouped into ``n_rows`` rows, and the stable sorting order."""
    ptr = np.zeros(n_rows + 1, np.int64)
    np.cumsum(np.bincount(keys, minlength=n_rows), out=ptr[1:])
    return ptr, np.argsort(keys, kind="stable")


def sorted_csr(keys: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray | None]:
    """``csr(keys)``, with order None (no sort, no copy) when ``keys`` are already sorted."""
    if len(keys) > 1 and not (keys[1:] >= keys[:-1]).all():
        return csr(keys, n_rows)
    ptr = np.zeros(n_rows + 1, np.int64)
    np.cumsum(np.bincount(keys, minlength=n_rows), out=ptr[1:])
    return ptr, None


class Synapses:
    """Integration of active axons into membrane input, per sample and neuron."""

    def __init__(self, fabric: Fabric, seeds: np.ndarray, batch: int,
                 input_only: np.ndarray | None = None, current_dtype=np.int64,
                 per_tick: bool = True):
        """``input_only``: mask of axons fed only by inputs, offered to ``runtime._stream``;
        ``current_dtype``: an integer type that holds any neuron's input in one tick;
        ``per_tick``: ``integrate`` will run every tick (False: the compiled tick of
        ``runtime._tick`` takes the tables instead, so the event path's buffers (a batch's
        currents: 268 MB at 4,096 cores and batch 64) are made only if it is called)."""
        self.n_neurons = fabric.n_neurons
        self.n_axons = fabric.n_axons
        # small dtypes: at a full chip there are ~27M synapses, and setup must stay well below 2 GB
        syn_type = fabric.axon_type[fabric.syn_axon]
        syn_weight = fabric.params.weights[fabric.syn_neuron, syn_type]
        stochastic = (fabric.params.stochastic_weights[fabric.syn_neuron, syn_type]
                      if fabric.params.stochastic_weights.any() else None)
        targets, weight = self._deterministic(fabric, syn_weight, stochastic)
        self.dense = self.input_blocks = None
        if input_only is not None and input_only.any():
            self._split_inputs(input_only, targets, weight)
        self.fanout = self.ends - self.starts
        # block-dense products: possible from DENSE_MIN_BATCH on, built the first time they pay
        # (a full chip's weight blocks take ~1 GB); their cost is about 2 x rows x BLOCK per sample
        self.dense_possible = batch >= DENSE_MIN_BATCH
        self.dense_flops = 2 * BLOCK * int((self.fanout > 0).sum()) * batch
        # the hot gather reads one packed int32 per synapse (else int32 targets + int16 weights)
        self.packed = self._pack(targets, weight)
        if self.packed is None:
            self.targets = targets.astype(np.int32 if self.n_neurons < 2**31 else np.int64)
            self.weights = weight.astype(np.int16)
        # the compiled kernels when numba is installed (runtime._compiled), else numpy
        self.compiled = _compiled.kernels() if _compiled.active() == "numba" else None
        # block_sums lives there, at module level: numba's disk cache recompiles a parallel
        # kernel defined inside _compiled._build in every process (seconds)
        self.tick_kernels = None
        if self.compiled is not None:
            from corelet.runtime import _tick_kernel

            self.tick_kernels = _tick_kernel
        self.block_tables = self._records = None
        if self.compiled is not None and self.packed is not None:
            self.block_tables = self._block_tables(fabric)
        self.batch, self.current_dtype = batch, current_dtype
        # block_sums's working space; one per thread where the sums can be shared out
        threads = self._block_sums_threads()
        self._group_scratch = np.empty((threads, _compiled.GROUP, 2) if threads > 1
                                       else (_compiled.GROUP, 2), np.int64)
        self._current_buffer = None  # the event path's buffers, made with its first call
        if self.compiled is not None and per_tick:  # compile (or load from the cache) now
            nothing = np.zeros(0, np.int64)
            self._event_sums(nothing, None if batch == 1 else nothing, batch)
        self._stochastic_setup(fabric, syn_type, syn_weight, stochastic, seeds)

    def _event_buffers(self) -> None:
        """The event path's result, reused every tick: one row per sample (with room past N
        for the last whole block), and the working space of ``block_sums_batch``."""
        pad = BLOCK if self.block_tables is not None else 0
        self._current_buffer = np.zeros((self.batch, self.n_neurons + pad), self.current_dtype)
        self.event_current = self._current_buffer[:, :self.n_neurons]
        if self.block_tables is not None and self.batch > 1:
            self._axon_count = np.zeros(self.n_axons + 1, np.int64)
            self._block_scratch = np.zeros((self.batch, BLOCK), self.current_dtype)

    def _pack(self, targets, weights) -> np.ndarray | None:
        """Target and weight of each synapse in one int32, ``target << 9 | (weight + 256)``.

        The per-tick gather then reads one array instead of two: on a large network each active
        axon's row is a cache miss, and this halves them. None when they do not fit.
        """
        if self.n_neurons >= 2**(31 - PACK_BITS) or (len(weights) and not (
                -PACK_OFFSET < int(weights.min()) and int(weights.max()) < PACK_OFFSET)):
            return None
        packed = targets.astype(np.int32)
        packed <<= PACK_BITS
        packed += weights
        packed += PACK_OFFSET  # weight + 256 in 1..511: the low 9 bits, no carry into the target
        return packed

    def _block_tables(self, fabric) -> tuple | None:
        """For the compiled kernel: the block (of BLOCK neurons, aligned: a core) that holds all
        synapses of each per-tick axon (-1 when they spread over two), the axon types, each
        synapse's neuron within its block (uint8), and the weights per (block, axon type, neuron
        in block) as int16. None when no axon lies in one block. (Found by a compiled pass over
        the packed synapses: per-synapse temporaries in numpy took 0.6 GB at a full chip.)"""
        if not len(self.packed):
            return None
        axon_block, local = self.compiled.axon_blocks(self.starts, self.ends, self.packed, BLOCK)
        if not (axon_block >= 0).any():
            return None
        blocks = -(-self.n_neurons // BLOCK)
        table = np.zeros((blocks * BLOCK, 4), np.int16)
        table[:self.n_neurons] = fabric.params.weights
        block_weights = np.ascontiguousarray(table.reshape(blocks, BLOCK, 4).transpose(0, 2, 1))
        return axon_block, fabric.axon_type.astype(np.int64), local, block_weights

    def _block_sums_threads(self) -> int:
        """Threads for one sample's ``block_sums``: as many as the runtime may use
        (``_compiled.threads``) when there are PARALLEL_MIN_BLOCKS blocks, every per-tick axon's
        synapses lie in one block and the blocks never decrease along the axons. Then the active
        axons, sorted, can be cut into parts that never add into the same block; else 1. A chip
        model whose cores use all their neurons qualifies (axons and neurons are numbered core
        by core); where cores leave neurons unused, blocks of 256 fabric neurons straddle cores,
        some axons reach two blocks, and the sums stay on one thread."""
        if self.compiled is None or self.block_tables is None or self.batch != 1:
            return 1
        axon_block = self.block_tables[0]
        if axon_block.max(initial=-1) + 1 < _compiled.PARALLEL_MIN_BLOCKS:
            return 1
        blocks = axon_block[self.fanout > 0]
        if (blocks < 0).any() or (np.diff(blocks) < 0).any():
            return 1
        return _compiled.threads()

    def _axon_records(self) -> np.ndarray:
        """Each axon's (first synapse, fanout << 32 | type << 30 | block + 1) for the compiled
        ``block_sums``: what it needs of an axon in one 16-byte record (made once)."""
        if self._records is None:
            axon_block, axon_type = self.block_tables[:2]
            self._records = np.empty((self.n_axons, 2), np.int64)
            self._records[:, 0] = self.starts
            self._records[:, 1] = (((self.ends - self.starts).astype(np.int64) << 32)
                                   | (axon_type.astype(np.int64) << 30) | (axon_block + 1))
        return self._records

    def _unpacked(self) -> tuple[np.ndarray, np.ndarray]:
        """Targets and weights of the per-tick synapses, as two arrays."""
        if self.packed is None:
            return self.targets, self.weights
        return (self.packed >> PACK_BITS,
                (self.packed & (2**PACK_BITS - 1)) - PACK_OFFSET)

    def _deterministic(self, fabric, syn_weight, stochastic):
        """Targets and weights of the deterministic synapses, rows ``starts .. ends`` per axon."""
        # a deterministic synapse of weight 0 changes nothing; drop it from the hot path
        det = syn_weight != 0 if stochastic is None else (syn_weight != 0) & ~stochastic
        everything = bool(det.all())  # then no copies are needed
        syn_axon = fabric.syn_axon if everything else fabric.syn_axon[det]
        targets = fabric.syn_neuron if everything else fabric.syn_neuron[det]
        weight = syn_weight if everything else syn_weight[det]
        ptr, order = sorted_csr(syn_axon, self.n_axons)
        if order is not None:
            targets, weight = np.take(targets, order), np.take(weight, order)
        self.starts, self.ends = ptr[:-1], ptr[1:].copy()
        return targets, weight

    def _rows(self, axons: np.ndarray, targets, weight):
        """(axon, target, weight) of every synapse of ``axons`` (sorted), grouped by axon."""
        idx, lengths = expand(self.starts, self.ends, axons)
        return np.repeat(axons, lengths), np.take(targets, idx), np.take(weight, idx)

    def _split_inputs(self, input_only, targets, weight) -> None:
        """Leave the synapses of input-only axons to ``input_blocks`` if they form blocks
        (``runtime._stream`` integrates them ahead, many ticks per matrix product)."""
        axons = np.flatnonzero(input_only)
        blocks = DenseBlocks.build(self.n_neurons, *self._rows(axons, targets, weight))
        if blocks is not None:
            self.input_blocks = blocks
            self.ends[axons] = self.starts[axons]  # out of the per-tick tables

    def _dense_blocks(self) -> DenseBlocks | None:
        """The block-dense form of the per-tick synapses, built on first use (None: no blocks)."""
        if self.dense is None and self.dense_possible:
            rows = self._rows(np.arange(self.n_axons), *self._unpacked())
            self.dense = DenseBlocks.build(self.n_neurons, *rows)
            self.dense_possible = self.dense is not None
        return self.dense

    def _stochastic_setup(self, fabric, syn_type, syn_weight, stochastic, seeds):
        sto = np.zeros(0, np.int64) if stochastic is None else np.flatnonzero(
            stochastic & (syn_weight != 0))
        self.any_stochastic = bool(sto.size)
        sto_ptr, order = csr(fabric.syn_axon[sto], self.n_axons)
        self.sto_starts, self.sto_ends = sto_ptr[:-1], sto_ptr[1:]
        sto = sto[order]
        self.sto_neuron = fabric.syn_neuron[sto]
        self.sto_weight = syn_weight[sto].astype(np.int64)
        # per synapse, the part of its draw's key that does not change: mix64(source + type)
        source = fabric.axon_source_id[fabric.syn_axon[sto]]
        with np.errstate(over="ignore"):
            self.sto_axon_hash = mix64(source + syn_type[sto].astype(np.uint64))
        # per (sample, neuron with stochastic synapses), computed once per run
        neurons, self.sto_slot = np.unique(self.sto_neuron, return_inverse=True)
        self.sto_neuron_keys = random.neuron_keys(seeds[:, None], fabric.neuron_ids[neurons][None])

    def integrate(self, active: np.ndarray, tick: int) -> tuple[np.ndarray | None, np.ndarray]:
        """Input current (batch, N) (None when nothing arrives) and the flat active axons.

        The current holds exact integers, as int32 or float64 (whichever its path makes).
        """
        batch, n = active.shape[0], self.n_neurons
        flat = np.flatnonzero(active)
        if not flat.size:
            return None, flat
        sample, axon = np.divmod(flat, self.n_axons) if batch > 1 else (None, flat)
        if self.dense_possible and self._dense_pays(axon) and self._dense_blocks() is not None:
            current = self.dense.integrate(active)
        else:
            current = self._event_sums(axon, sample, batch)
        if self.any_stochastic:
            if sample is None:
                sample = np.zeros(len(axon), np.int64)
            current += self._stochastic(axon, sample, tick, batch * n).reshape(batch, n)
        return current, flat

    def stochastic_axons(self) -> np.ndarray:
        """Mask of the axons with stochastic synapses."""
        return self.sto_ends > self.sto_starts

    def _dense_pays(self, axon: np.ndarray) -> bool:
        """Whether this tick's synaptic events cost more as an event list than as matrix products.

        An event costs about as much as EVENT_FLOPS floating-point operations of a BLAS product.
        """
        events = int(self.fanout[axon].sum())
        return events * EVENT_FLOPS > self.dense_flops

    def _event_sums(self, axon, sample, batch) -> np.ndarray:
        """Sum of the weights of the synapses that active axons reach, per (sample, neuron).

        Compiled (``runtime._compiled``): one pass over the events, adding into the result.
        numpy: one weighted ``np.bincount`` per sample over its synaptic events (float64 sums of
        integers are exact), its result (in cache) cast into a reused integer array: its cost is
        the events plus a pass over the (batch, N) result.
        """
        if self._current_buffer is None:
            self._event_buffers()
        out = self.event_current
        if self.compiled is not None:
            no_sample = _NO_SAMPLE if sample is None else sample
            if self.block_tables is not None and sample is not None:
                by_axon = np.empty(len(axon), np.int64)
                self.compiled.block_sums_batch(axon, sample, self.starts, self.ends, self.packed,
                                               *self.block_tables, self._current_buffer,
                                               by_axon, self._axon_count, self._block_scratch)
            elif self.block_tables is not None:
                args = (axon, self._axon_records(), self.block_tables[2], self.packed,
                        self.block_tables[3], self._current_buffer, self._group_scratch)
                if self._group_scratch.ndim == 3:  # one part per thread
                    with _compiled.parallel(len(self._group_scratch)):
                        self.tick_kernels.block_sums_parallel(*args)
                else:
                    self.tick_kernels.block_sums(*args)
            elif self.packed is not None:
                self.compiled.event_sums_packed(axon, no_sample, self.starts, self.ends,
                                                self.packed, out)
            else:
                self.compiled.event_sums(axon, no_sample, self.starts, self.ends, self.targets,
                                         self.weights, out)
            return out
        if sample is None:
            self._sample_sums(axon, out[0])
            return out
        bounds = np.searchsorted(sample, np.arange(batch + 1))
        for b in range(batch):
            lo, hi = bounds[b], bounds[b + 1]
            if lo == hi:
                out[b] = 0
            else:
                self._sample_sums(axon[lo:hi], out[b])
        return out

    def _sample_sums(self, axon, out) -> None:
        """out (N,) = per-neuron sum of the weights of the synapses of active ``axon``."""
        idx, _ = expand(self.starts, self.ends, axon)
        if self.packed is not None:
            packed = np.take(self.packed, idx)
            keys = packed >> PACK_BITS
            weights = (packed & (2**PACK_BITS - 1)) - PACK_OFFSET
        else:
            keys, weights = np.take(self.targets, idx), np.take(self.weights, idx)
        sums = np.bincount(keys, weights=weights, minlength=self.n_neurons)
        np.copyto(out, sums, casting="unsafe")  # exact integers that fit (current_dtype)

    def _stochastic(self, axon, sample, tick, size) -> np.ndarray:
        """V += sign(s) where an 8-bit draw rho <= |s| (the chip's |s| >= rho), for each active
        stochastic synapse."""
        idx, lengths = expand(self.sto_starts, self.sto_ends, axon)
        if not idx.size:
            return np.zeros(size, np.int64)
        owner = np.repeat(sample, lengths)
        neuron = self.sto_neuron[idx]
        keys = random.tick_keys(self.sto_neuron_keys[owner, self.sto_slot[idx]], tick,
                                random.SYNAPSE)
        # = random.synapse_keys(keys, source, type), with mix64(source + type) precomputed
        rho = random.bits(mix64(keys ^ self.sto_axon_hash[idx]), SYNAPSE_BITS)
        weight = self.sto_weight[idx]
        step = np.where(rho <= np.abs(weight), np.sign(weight), 0)
        return np.bincount(owner * self.n_neurons + neuron, weights=step,
                           minlength=size).astype(np.int64)


class Routes:
    """Delivery of spikes into the delay ring buffer ``ring`` (slots, batch, axons) bool."""

    def __init__(self, fabric: Fabric, streamed: np.ndarray | None = None):
        """``streamed``: axons (bool mask) whose input spikes are handled by ``runtime._stream``."""
        self.n_neurons = fabric.n_neurons
        ptr, order = csr(fabric.route_neuron, fabric.n_neurons)
        self.starts, self.ends = ptr[:-1], ptr[1:]
        self.axon = fabric.route_axon[order]
        self.delay = fabric.route_delay[order].astype(np.int64)
        # at most one route per neuron (as on a chip): a lookup replaces the CSR expansion
        lengths = self.ends - self.starts
        self.route_of = (np.where(lengths > 0, self.starts, -1)
                         if not len(lengths) or lengths.max() <= 1 else None)
        keep = slice(None) if streamed is None else ~streamed[fabric.input_route_axon]
        self.in_pin = fabric.input_route_pin[keep].astype(np.int64)
        self.in_axon = fabric.input_route_axon[keep].astype(np.int64)
        self.in_delay = fabric.input_route_delay[keep].astype(np.int64)
        self.compiled = _compiled.kernels() if _compiled.active() == "numba" else None

    def deliver(self, ring: np.ndarray, fired: np.ndarray, tick: int) -> None:
        """Spikes ``fired`` (flat sample * N + neuron) of tick t reach their axons at t + delay."""
        if not fired.size:
            return
        sample, neuron = np.divmod(fired, self.n_neurons)
        if self.route_of is not None:
            route = self.route_of[neuron]
            routed = route >= 0
            sample, idx = sample[routed], route[routed]
        else:
            idx, lengths = expand(self.starts, self.ends, neuron)
            sample = np.repeat(sample, lengths)
        if idx.size:
            _activate(ring, sample, self.axon[idx], tick + self.delay[idx])

    def inject(self, ring: np.ndarray, row: np.ndarray, tick: int) -> None:
        """Input raster row t (batch, pins) reaches its axons at t + delay - 1."""
        if not self.in_pin.size:
            return
        if self.compiled is not None:  # one pass, no index arrays
            self.compiled.inject_bytes(ring.view(np.uint8), row, self.in_pin, self.in_axon,
                                 tick + self.in_delay - 1)
            return
        sample, route = np.nonzero(row[:, self.in_pin])
        if sample.size:
            _activate(ring, sample, self.in_axon[route], tick + self.in_delay[route] - 1)


def _activate(ring: np.ndarray, sample, axon, tick) -> None:
    """Mark axons active; setting True twice is still True, which is how spikes merge."""
    slots, batch, n_axons = ring.shape
    ring.reshape(-1)[((tick % slots) * batch + sample) * n_axons + axon] = True
