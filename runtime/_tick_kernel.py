"""The compiled whole tick (numba): the kernels of ``runtime._tick``.

Imported only when a run uses the compiled kernels (``runtime._compiled``), so importing
``corelet`` never imports numba. Module-level functions, so that numba's disk cache finds them
again in the next process (a function defined inside another is compiled anew each time).
"""

from __future__ import annotations

import numba
import numpy as np

from corelet.chip import TRUENORTH
from corelet.chip.params import RESET_LINEAR, RESET_VALUE  # RESET_NONE: V unchanged
from corelet.runtime._compiled import (FLAG_MODE, FLAG_REVERSAL, FLAG_SATURATE, ROUTE_DELAY,
                                       ROUTE_SHIFT)

V_MIN, V_MAX = TRUENORTH.membrane_range
jit = numba.njit(cache=True, nogil=True, boundscheck=False)


@jit
def spread_sums(slot, spread_axons, starts, ends, packed, out, axon_count):
    """The axons outside the block tables (synapses over several blocks, or none): for each
    sample, clear the active ones in ring ``slot`` (batch, A), count them in ``axon_count``
    and add their packed synapses into ``out`` (batch, >= N), which this zeroes first."""
    out[...] = 0
    for b in range(slot.shape[0]):
        row = out[b]
        active = slot[b]
        for k in range(len(spread_axons)):
            a = spread_axons[k]
            if active[a]:
                active[a] = False
                axon_count[a] += 1
                for i in range(starts[a], ends[a]):
                    p = packed[i]
                    row[p >> 9] += (p & 511) - 256


@jit
def phases(V, current, spiked, kind, params):
    """Steps 1 to 4 of docs/neuron-model.md for deterministic neurons: V (n,) += current,
    clamp, leak, clamp, the positive and the negative threshold; ``spiked`` (n,) gets the
    spikes. Neuron n's parameters are row ``kind[n]`` of ``params`` (kinds, 5): threshold,
    negative threshold, reset value, leak, flags (``FLAG_*``); a chip model has few kinds, so
    the table stays in cache and a neuron costs a small index instead of its parameters. Written
    without branches (selects), so that it runs as SIMD."""
    for n in range(len(V)):
        row = params[kind[n]]
        a, floor, r, leak, flags = row[0], row[1], row[2], row[3], row[4]
        v = np.int64(V[n]) + current[n]  # step 1: the tick's input, then one clamp
        v = min(V_MAX, max(V_MIN, v))
        sign = np.int64(v > 0) - np.int64(v < 0)  # step 2: leak (sign(0) = 0)
        # a reversal leak toward 0 (leak < 0) that would cross 0 stops at 0 (docs/neuron-model.md)
        reversal = -v if (leak < 0) & (abs(v) < -leak) else sign * leak
        v += reversal if flags & FLAG_REVERSAL else leak
        v = min(V_MAX, max(V_MIN, v))
        m = flags & FLAG_MODE
        fire = v >= a  # step 3
        after_spike = v - a if m == RESET_LINEAR else (r if m == RESET_VALUE else v)
        # step 4, when there is no spike
        after_floor = -floor if flags & FLAG_SATURATE else (
            -r if m == RESET_VALUE else (v + floor if m == RESET_LINEAR else v))
        v = after_spike if fire else (after_floor if v < -floor else v)
        spiked[n] = fire
        V[n] = v


@numba.njit(cache=True, nogil=True, boundscheck=False, parallel=True)
def tick(t, slot, ring, V, cur, stream, spikes, zero_first, block_ptr, block_axons, starts,
         ends, local, axon_type, block_weights, kind, params, route, axon_count, spike_count):
    """One tick, block by block (``prange``: on ``numba.set_num_threads`` threads). Block c
    (neurons c*256 .. c*256+255), for every sample: integrate its active axons of ring
    ``slot`` (clearing them), add the input stream's current, the neuron phases (``phases``)
    and route the spikes into ``ring``: ``route[n]`` is neuron n's target axon << ROUTE_SHIFT
    | delay, or -1 for none.

    Everything a block writes belongs to it (its axons, its neurons, its slice of ``cur``),
    so blocks can run on several threads; ring slots written (t + delay) are never the one
    read (t), and two spikes reaching one axon both write True (spikes merge). The samples
    of a block are done together, so its tables are read once per tick for the whole batch."""
    slots = ring.shape[0]
    width = block_weights.shape[2]
    for c in numba.prange(len(block_ptr) - 1):
        base = c * width
        count = min(width, V.shape[1] - base)
        for b in range(V.shape[0]):
            row = cur[b, base:base + width]
            if zero_first:
                row[:] = 0
            active = slot[b]
            for k in range(block_ptr[c], block_ptr[c + 1]):
                a = block_axons[k]
                if active[a]:
                    active[a] = False
                    axon_count[a] += 1
                    weights = block_weights[c, axon_type[a]]
                    for i in range(starts[a], ends[a]):
                        j = local[i]
                        row[j] += weights[j]
            if stream.shape[0]:
                srow = stream[c, b]
                for jj in range(count):
                    row[jj] += srow[jj]
            spiked = spikes[b, base:base + count]
            phases(V[b, base:base + count], row, spiked, kind[base:base + count], params)
            for jj in range(count):  # the few that fired: count and route
                if spiked[jj]:
                    n = base + jj
                    spike_count[n] += 1
                    target = route[n]
                    if target >= 0:
                        delay = target & ROUTE_DELAY
                        ring[(t + delay) % slots, b, target >> ROUTE_SHIFT] = True
