"""Input currents computed ahead, many ticks at a time.

An axon driven only by input pins (no neuron routes to it) is active in tick t exactly when one of
its input routes (pin p, delay d) has a spike in raster row s = t - d + 1 and no state reset fell in
ticks s + 1 .. t (a reset drops pending spikes; row s itself enters after a reset at tick s). That
does not depend on the network's state, so for a chunk of ticks the activity of all input-only axons
is known at once, and their deterministic synapses are integrated for the whole chunk with one
block-dense matrix product (ticks x samples as the batch). On a chip model driven by inputs this
moves most synaptic events out of the per-tick event list: the per-tick kernel leaves these
synapses out, and the axons' activity is counted here. (An input-only axon that also has stochastic
synapses still enters the ring buffer, for their per-tick draws.)
"""

from __future__ import annotations

import numpy as np

from corelet.chip.arrays import rank_in_runs, run_lengths, run_starts
from corelet.runtime._dense import DenseBlocks

CHUNK_BYTES = 64 << 20  # memory for one chunk of precomputed currents
MAX_CHUNK = 64  # ticks per chunk


class InputCurrents:
    """Per-tick deterministic current of the input-only axons, computed a chunk at a time."""

    def __init__(self, blocks: DenseBlocks, pin: np.ndarray, axon: np.ndarray, delay: np.ndarray,
                 raster: np.ndarray, resets: frozenset, ticks: int, n_axons: int, n_neurons: int):
        self.blocks = blocks
        self.raster = raster  # (batch, ticks_in, pins) bool
        self.ticks, self.n_axons = ticks, n_axons
        batch = raster.shape[0]
        self.chunk = int(np.clip(CHUNK_BYTES // max(1, batch * (4 * n_neurons + n_axons)), 1,
                                 MAX_CHUNK))
        is_reset = np.zeros(max(ticks, 1), bool)
        is_reset[[t for t in resets if t < ticks]] = True
        # last reset at or before each tick (-1 when none)
        self.last_reset = np.maximum.accumulate(np.where(is_reset, np.arange(len(is_reset)), -1))
        # the raster with one silent row and one silent pin appended, for ticks and columns
        # without a live route to read from
        self.padded = np.zeros((batch, raster.shape[1] + 1, raster.shape[2] + 1), bool)
        self.padded[:, :-1, :-1] = raster
        column_of_axon = np.full(n_axons, -1, np.int64)
        real = blocks.slot_axon.ravel() >= 0
        column_of_axon[blocks.slot_axon.ravel()[real]] = np.flatnonzero(real)
        self.rounds = []
        for round_pin, round_axon, round_delay in _route_rounds(pin, axon, delay):
            pins = np.full(blocks.slot_axon.size, raster.shape[2])  # the silent pin
            column = column_of_axon[round_axon]
            pins[column[column >= 0]] = round_pin[column >= 0]  # axons with synapses only
            self.rounds.append((pins, round_delay))
        self.column_activity = np.zeros(blocks.slot_axon.size, np.int64)  # over ticks and batch
        self.start, self.count, self.currents, self.buffers = 0, 0, None, None

    def axons(self) -> np.ndarray:
        """The axons whose currents come from here."""
        return self.blocks.slot_axon[self.blocks.slot_axon >= 0]

    def activity(self) -> np.ndarray:
        """Ticks each of ``axons()`` was active so far, summed over the batch."""
        real = self.blocks.slot_axon.ravel() >= 0
        return self.column_activity[real]

    def add_to(self, V: np.ndarray, tick: int) -> None:
        """V (batch, N) += the current of input-only axons in ``tick`` (ticks go in order)."""
        self.blocks.add_block_columns(V, self._at(tick, V.shape[0]))

    def _at(self, tick: int, batch: int) -> np.ndarray:
        if self.currents is None or not self.start <= tick < self.start + self.count:
            self.start, self.currents = tick, self._compute(tick)
            self.count = self.currents.shape[1] // max(batch, 1)
        k = tick - self.start
        return self.currents[:, k * batch:(k + 1) * batch]

    def _compute(self, first: int) -> np.ndarray:
        """Block currents (blocks, ticks * batch, BLOCK) int32 of the chunk starting at ``first``
        (left in the product's layout: ``add_to`` reads a tick's slice without reordering)."""
        ticks = np.arange(first, min(first + self.chunk, self.ticks))
        batch, silent_row = self.padded.shape[0], self.padded.shape[1] - 1
        blocks, rows_per_block = self.blocks.slot_axon.shape
        columns = None  # (batch, ticks, blocks * M): each block's rows, as in its weight matrix
        for pins, delay in self.rounds:  # each round: routes of one delay, distinct axons
            rows = ticks - delay + 1
            live = (rows >= 0) & (rows < silent_row) & (self.last_reset[ticks] <= rows)
            spikes = np.take(np.take(self.padded, np.where(live, rows, silent_row), axis=1),
                             pins, axis=2)
            columns = spikes if columns is None else columns | spikes
        self.column_activity += columns.sum(axis=(0, 1))
        rows = columns.transpose(1, 0, 2).reshape(len(ticks) * batch, blocks, rows_per_block)
        # int32 once per chunk (a contiguous cast): each tick's strided add is then int32 + int32.
        # The buffers are reused chunk after chunk: fresh ones would be page-faulted in each time.
        # (a shorter last chunk uses a prefix of each block's rows: still one matrix per block)
        if self.buffers is None:
            shape = (blocks, self.chunk * batch, self.blocks.weights.shape[2])
            self.buffers = np.empty(shape, np.float32), np.empty(shape, np.int32)
        count = len(ticks) * batch
        product, currents = (buffer[:, :count] for buffer in self.buffers)
        self.blocks.block_product(rows, out=product)
        np.copyto(currents, product, casting="unsafe")
        return currents


def _route_rounds(pin, axon, delay):
    """Routes grouped by delay and split so no axon appears twice in a group.

    (A fancy-indexed ``|=`` with a repeated index keeps only one of the writes, so spikes of two
    pins meeting on one axon are merged over several rounds instead.)
    """
    order = np.lexsort((axon, delay))
    pin, axon, delay = pin[order], axon[order], delay[order]
    rank = rank_in_runs(run_lengths(run_starts(axon, delay), len(axon)))
    rounds = []
    for d in np.unique(delay):
        for r in range(int(rank[delay == d].max()) + 1):
            sel = (delay == d) & (rank == r)
            rounds.append((pin[sel], axon[sel], int(d)))
    return rounds
