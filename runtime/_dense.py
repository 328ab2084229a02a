"""Block-dense integration for batches: one small matrix product per block of neurons.

A chip model's synapses are block diagonal: an axon only reaches neurons of its own core. When a
fabric splits that way (every axon's deterministic synapses fall inside one contiguous block of at
most ``BLOCK`` neurons), integration for a batch is, per block, ``active (batch, M) @ W (M, BLOCK)``
with ``W`` the block's weights (0 where there is no synapse): a batched float32 matrix product,
which BLAS runs far faster per synaptic event than an event list once the batch is large. float32 is
exact here: every sum is an integer of magnitude below ``M * 255 < 2**24`` (checked).
"""

from __future__ import annotations

import numpy as np

from corelet.chip.arrays import group_min, rank_in_runs, run_ids, run_lengths, run_starts

BLOCK = 256
MAX_EXACT_ROWS = 2**24 // 256 - 1  # rows per block for which float32 sums stay exact
MAX_BYTES = 1 << 30  # the weight tensor may take at most this much memory
MAX_COMPONENTS = 1 << 18


class DenseBlocks:
    """Weights as (blocks, M, BLOCK) float32; ``integrate`` maps active axons to currents."""

    def __init__(self, weights, slot_axon, neuron_slot):
        self.weights = weights  # (blocks, M, BLOCK) float32
        self.slot_axon = slot_axon  # (blocks, M) axon feeding each row; -1: padding (zero row)
        self.gather_axon = np.maximum(slot_axon, 0).ravel()  # padding reads axon 0, times zeros
        self.neuron_slot = neuron_slot  # (N,) column block * BLOCK + offset of each neuron
        self.identity = len(neuron_slot) == len(weights) * BLOCK and bool(
            (neuron_slot == np.arange(len(neuron_slot))).all())

    @classmethod
    def build(cls, n_neurons: int, axon: np.ndarray, neuron: np.ndarray,
              weight: np.ndarray) -> "DenseBlocks | None":
        """Blocks for synapses (axon, neuron, weight), or None if they are not block diagonal."""
        if not len(axon):
            return None
        if _grouped(axon):  # the usual case: no sort needed
            first = run_starts(axon)
            axons = axon[first]
            lo, hi = np.minimum.reduceat(neuron, first), np.maximum.reduceat(neuron, first)
            # position of each synapse's axon in ``axons``, without a search
            syn_axon_pos = run_ids(run_lengths(first, len(axon)))
        else:
            axons, lo = group_min(axon, neuron)
            hi = -group_min(axon, -neuron)[1]
            syn_axon_pos = np.searchsorted(axons, axon)
        starts = _block_starts(lo, hi, n_neurons)
        if starts is None:
            return None
        block_of_axon = np.searchsorted(starts, lo, side="right") - 1
        order = np.argsort(block_of_axon, kind="stable")
        counts = np.bincount(block_of_axon, minlength=len(starts))
        rows = int(counts.max())
        if rows > MAX_EXACT_ROWS or len(starts) * rows * BLOCK * 4 > MAX_BYTES:
            return None
        slot = np.empty(len(axons), np.int64)
        slot[order] = rank_in_runs(counts)
        slot_axon = np.full((len(starts), rows), -1, np.int64)
        slot_axon[block_of_axon, slot] = axons
        weights = np.zeros((len(starts), rows, BLOCK), np.float32)
        syn_block = block_of_axon[syn_axon_pos]
        weights[syn_block, slot[syn_axon_pos], neuron - starts[syn_block]] = weight
        if len(starts) * BLOCK >= n_neurons and (starts == np.arange(len(starts)) * BLOCK).all():
            block_of_neuron = np.arange(n_neurons) // BLOCK  # whole blocks (cores)
        else:
            block_of_neuron = np.searchsorted(starts, np.arange(n_neurons), side="right") - 1
        neuron_slot = block_of_neuron * BLOCK + np.arange(n_neurons) - starts[block_of_neuron]
        return cls(weights, slot_axon, neuron_slot)

    def integrate(self, active: np.ndarray) -> np.ndarray:
        """Currents (batch, N) int32 from active axons (batch, A) bool."""
        rows = np.take(active, self.gather_axon, axis=1)
        return self.product(rows.reshape(len(active), *self.slot_axon.shape))

    def product(self, rows: np.ndarray) -> np.ndarray:
        """Currents (X, N) int32 from each block's active rows, (X, blocks, M) bool."""
        count, blocks = rows.shape[0], rows.shape[1]
        out = self.block_product(rows)
        current = np.empty((count, blocks, BLOCK), np.int32)
        np.copyto(current, out.transpose(1, 0, 2), casting="unsafe")
        return self.to_neurons(current.reshape(count, blocks * BLOCK))

    def block_product(self, rows: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Per-block currents (blocks, X, BLOCK) float32 (exact integers) from (X, blocks, M)."""
        rows = np.ascontiguousarray(rows.transpose(1, 0, 2), dtype=np.float32)
        return np.matmul(rows, self.weights, out=out)

    def add_block_columns(self, V: np.ndarray, part: np.ndarray) -> None:
        """V (X, N) += ``part`` (blocks, X, BLOCK), a slice of ``block_product``, in place.

        When the blocks tile the neurons, V seen as (X, blocks, BLOCK) takes the strided slice
        as it is: no transposed copy of the product is ever made.
        """
        if self.identity and V.flags.c_contiguous:
            view = V.reshape(V.shape[0], part.shape[0], BLOCK)
            np.add(view, part.transpose(1, 0, 2), out=view, casting="unsafe")  # exact integers
        else:
            columns = part.transpose(1, 0, 2).reshape(V.shape[0], -1)
            np.add(V, self.to_neurons(columns), out=V, casting="unsafe")

    def to_neurons(self, columns: np.ndarray) -> np.ndarray:
        """(..., blocks * BLOCK) block columns -> (..., N) neurons."""
        if self.identity:  # blocks tile the neurons exactly (whole cores): nothing to gather
            return columns
        return np.take(columns, self.neuron_slot, axis=-1)


def _grouped(keys: np.ndarray) -> bool:
    return bool((keys[1:] >= keys[:-1]).all())


def _block_starts(lo: np.ndarray, hi: np.ndarray, n_neurons: int) -> np.ndarray | None:
    """Cut 0..N-1 into ranges of at most BLOCK neurons, never through an axon's [lo, hi]."""
    order = np.argsort(lo, kind="stable")
    lo, hi = lo[order], hi[order]
    reach = np.maximum.accumulate(hi)
    new = np.concatenate(([True], lo[1:] > reach[:-1]))
    comp_lo, comp_hi = lo[new], np.maximum.reduceat(hi, np.flatnonzero(new))
    if (comp_hi - comp_lo + 1 > BLOCK).any() or len(comp_lo) > MAX_COMPONENTS:
        return None
    if (comp_lo // BLOCK == comp_hi // BLOCK).all():
        # no component crosses a multiple of BLOCK (whole cores): the loop below would cut at
        # every multiple, so cut there at once
        return np.arange(0, n_neurons, BLOCK, dtype=np.int64)
    starts, s = [], 0
    while s < n_neurons:  # one iteration per block (about one per core)
        end = min(s + BLOCK, n_neurons)
        c = np.searchsorted(comp_lo, end, side="left") - 1  # last component starting before end
        if c >= 0 and comp_lo[c] >= s and comp_hi[c] >= end:
            end = int(comp_lo[c])  # do not cut through it: it opens the next block
        starts.append(s)
        s = end
    return np.array(starts, np.int64)
