"""The compiled whole tick (numba): the kernels of ``runtime._tick``.

State is laid out sample-minor. The membranes are (neurons, batch), so a neuron's parameters are
read once for the whole batch and its phases run as SIMD over the samples. Spikes are bits, one
per sample, in words of 64 (``WORD``): the delay ring is (slots, axons, words) and a tick's spikes
(neurons, words). Routing a neuron's spikes is then one OR of a word into its target's (at 1,024
cores and batch 64 a ring slot is 2 MB, where a byte per sample would make 16 MB of random
writes), and an active axon's synapse row is read once and added into every sample it is active
in: sample by sample when they are few, else over all lanes at once, the weight masked by the
activity (SIMD).

Imported only when a run uses the compiled kernels (``runtime._compiled``), so importing
``corelet`` never imports numba. Module-level functions, so that numba's disk cache finds them
again in the next process (a function defined inside another is compiled anew each time).
"""

from __future__ import annotations

import numba
import numpy as np

from corelet.chip import TRUENORTH
from corelet.chip.params import RESET_LINEAR, RESET_VALUE  # RESET_NONE: V unchanged
from corelet.runtime._compiled import (BLOCK_FIELD, FLAG_MODE, FLAG_REVERSAL, FLAG_SATURATE,
                                       GROUP, ROUTE_DELAY, ROUTE_SHIFT, WORD)

V_MIN, V_MAX = TRUENORTH.membrane_range
# an axon active in at most batch // LANE_SHARE samples is added sample by sample; in more, over
# all the lanes at once (measured on the busy and quiet benchmarks, docs/runtime.md). Batches of
# fewer than LANE_SHARE samples always go sample by sample
LANE_SHARE = 8
ONE, ZERO = np.uint64(1), np.uint64(0)
# the masks of a SWAR popcount
M1, M2 = np.uint64(0x5555555555555555), np.uint64(0x3333333333333333)
M4, H01 = np.uint64(0x0F0F0F0F0F0F0F0F), np.uint64(0x0101010101010101)
jit = numba.njit(cache=True, nogil=True, boundscheck=False)


@jit
def popcount(x):
    """Set bits of a uint64 (SWAR: no instruction numba exposes)."""
    x = x - ((x >> ONE) & M1)
    x = (x & M2) + ((x >> np.uint64(2)) & M2)
    x = (x + (x >> np.uint64(4))) & M4
    return np.int64((x * H01) >> np.uint64(56))


@jit
def bit(ring, s, a, b):
    """Sample b's bit of axon a in ring slot s, as 0 or 1. (The kernels index arrays whole
    rather than take views of rows in their loops: a view costs two reference-count updates,
    and views per axon and per neuron made the tick 1.4 times slower with the batch forced to
    one sample, where they are not shared by many lanes.)"""
    return np.int32((ring[s, a, b >> 6] >> np.uint64(b & 63)) & ONE)


@jit
def kind_parameters(params, k):
    """Row k of the neuron kinds' table (``runtime._tick.neuron_kinds``): threshold, negative
    threshold, reset value, leak, reset mode, whether the leak reverses, whether the negative
    threshold saturates."""
    flags = params[k, 4]
    return (params[k, 0], params[k, 1], params[k, 2], params[k, 3], flags & FLAG_MODE,
            (flags & FLAG_REVERSAL) != 0, (flags & FLAG_SATURATE) != 0)


@jit
def spread_sums(s, ring, V, spread_axons, starts, ends, packed, axon_count):
    """The axons outside the block tables (synapses over several blocks, or none): in ring slot
    ``s``, clear the active ones, count them in ``axon_count`` and add their packed synapses
    (``target << 9 | weight + 256``) straight into the membranes V (N, batch)."""
    for k in range(len(spread_axons)):
        a = spread_axons[k]
        for b in range(V.shape[1]):
            if bit(ring, s, a, b):
                axon_count[a] += 1
                for i in range(starts[a], ends[a]):
                    p = packed[i]
                    V[p >> 9, b] += (p & 511) - 256
        for w in range(ring.shape[2]):
            ring[s, a, w] = ZERO


@jit
def integrate_block(c, s, ring, V, block_ptr, block_axons, starts, ends, local, axon_type,
                    block_weights, axon_count, lanes):
    """V (N, batch) += the synapses of block c's axons active in ring slot ``s``, which are
    cleared. Sums of integers are exact in any order, and the membranes' type holds a tick's
    whole input (``simulator._membrane_dtype``), so the adds go straight into V. ``lanes``
    (batch,) int32 is working space."""
    batch, words = V.shape[1], ring.shape[2]
    # unsigned indices along a synapse row: numba checks a signed one for wraparound
    base, block = np.uint64(c * block_weights.shape[2]), np.uint64(c)
    for k in range(block_ptr[c], block_ptr[c + 1]):
        a = block_axons[k]
        on = 0
        for w in range(words):
            on += popcount(ring[s, a, w])
        if on == 0:
            continue
        axon_count[a] += on
        kind, first, end = np.uint64(axon_type[a]), np.uint64(starts[a]), np.uint64(ends[a])
        if batch < LANE_SHARE or on * LANE_SHARE <= batch:  # few samples: only theirs
            for w in range(words):  # the set bits one by one, not a test of every sample
                word = ring[s, a, w]
                while word != ZERO:
                    low = word & (~word + ONE)
                    word ^= low
                    b = w * WORD + popcount(low - ONE)
                    i = first
                    while i < end:
                        j = np.uint64(local[i])
                        V[base + j, b] += block_weights[block, kind, j]
                        i += ONE
        else:  # many: every lane, the weight masked by the activity (SIMD)
            for b in range(batch):
                lanes[b] = bit(ring, s, a, b)
            i = first
            while i < end:
                j = np.uint64(local[i])
                weight, n = np.int32(block_weights[block, kind, j]), base + j
                for b in range(batch):
                    V[n, b] += weight * lanes[b]
                i += ONE
        for w in range(words):
            ring[s, a, w] = ZERO


@jit
def phases_block(c, V, spikes, kind, params, spike_count, fire):
    """The neuron phases of block c (steps 1 to 4 of docs/neuron-model.md, the input already in
    V) for every sample, written without branches so that they run as SIMD over the samples;
    the spikes go to ``spikes`` (N, words) as bits. Returns their number. ``fire`` (batch,)
    uint8 is working space."""
    batch = V.shape[1]
    base = c * 256
    fired = 0
    for n in range(base, min(base + 256, V.shape[0])):
        a, floor, r, leak, mode, reverse, saturate = kind_parameters(params, kind[n])
        # in int32 (the clamped membrane and every parameter fit it): twice the SIMD lanes
        a32, floor32, r32, leak32 = np.int32(a), np.int32(floor), np.int32(r), np.int32(leak)
        neg_floor, neg_r, neg_leak = np.int32(-floor), np.int32(-r), np.int32(-leak)
        lo, hi = np.int32(V_MIN), np.int32(V_MAX)
        for b in range(batch):
            v = np.int32(min(V_MAX, max(V_MIN, V[n, b])))  # step 1: the input is in V; a clamp
            sign = np.int32(np.int32(v > 0) - np.int32(v < 0))  # step 2: leak (sign(0) = 0)
            # a reversal leak toward 0 (leak < 0) that would cross 0 stops at 0
            reversal = (np.int32(-v) if (leak32 < 0) & (np.int32(abs(v)) < neg_leak)
                        else np.int32(sign * leak32))
            v = min(hi, max(lo, np.int32(v + (reversal if reverse else leak32))))
            spiking = v >= a32  # step 3
            after_spike = (np.int32(v - a32) if mode == RESET_LINEAR
                           else (r32 if mode == RESET_VALUE else v))
            # step 4, when there is no spike
            after_floor = neg_floor if saturate else (
                neg_r if mode == RESET_VALUE else (
                    np.int32(v + floor32) if mode == RESET_LINEAR else v))
            V[n, b] = after_spike if spiking else (after_floor if v < neg_floor else v)
            fire[b] = np.uint8(spiking)
        neuron_fired = 0
        for w in range(spikes.shape[1]):
            word = ZERO
            for bb in range(min(WORD, batch - w * WORD)):
                word |= np.uint64(fire[w * WORD + bb]) << np.uint64(bb)
            spikes[n, w] = word
            neuron_fired += popcount(word)
        spike_count[n] += neuron_fired
        fired += neuron_fired
    return fired


@jit
def block_step(c, t, ring, V, spikes, block_ptr, block_axons, starts, ends, local, axon_type,
               block_weights, kind, params, axon_count, spike_count):
    """Block c (neurons c*256 .. c*256+255), every sample: integration and the neuron phases.
    Returns the number of spikes."""
    lanes = np.empty(V.shape[1], np.int32)
    fire = np.empty(V.shape[1], np.uint8)
    integrate_block(c, t % ring.shape[0], ring, V, block_ptr, block_axons, starts, ends, local,
                    axon_type, block_weights, axon_count, lanes)
    return phases_block(c, V, spikes, kind, params, spike_count, fire)


@jit
def deliver(t, ring, spikes, route):
    """Route every neuron's spike bits of tick t into ring slot t + delay of its target axon
    (``route[n]``: axon << ROUTE_SHIFT | delay, or -1), merged with what is there. Slot t + delay
    is never slot t (delay >= 1, slots = max delay + 1)."""
    slots, words = ring.shape[0], ring.shape[2]
    for n in range(len(route)):
        target = route[n]
        if target < 0:
            continue
        spiked = ZERO
        for w in range(words):
            spiked |= spikes[n, w]
        if spiked == ZERO:  # most neurons, most ticks: no write
            continue
        s, a = (t + (target & ROUTE_DELAY)) % slots, target >> ROUTE_SHIFT
        for w in range(words):
            ring[s, a, w] |= spikes[n, w]


@jit
def tick(t, ring, V, spikes, block_ptr, block_axons, starts, ends, local, axon_type,
         block_weights, kind, params, route, axon_count, spike_count):
    """One tick, block after block (``block_step``), then the routing; returns the number of
    spikes."""
    fired = 0
    for c in range(len(block_ptr) - 1):
        fired += block_step(c, t, ring, V, spikes, block_ptr, block_axons, starts, ends, local,
                            axon_type, block_weights, kind, params, axon_count, spike_count)
    deliver(t, ring, spikes, route)
    return fired


@numba.njit(cache=True, nogil=True, boundscheck=False, parallel=True)
def tick_parallel(t, ring, V, spikes, block_ptr, block_axons, starts, ends, local, axon_type,
                  block_weights, kind, params, route, axon_count, spike_count):
    """``tick`` with the blocks shared out over ``numba.set_num_threads`` threads: all a block
    writes is its own (its axons' ring words and counts, its neurons). The routing, which writes
    other blocks' axons, follows on one thread."""
    fired = 0
    for c in numba.prange(len(block_ptr) - 1):
        fired += block_step(c, t, ring, V, spikes, block_ptr, block_axons, starts, ends, local,
                            axon_type, block_weights, kind, params, axon_count, spike_count)
    deliver(t, ring, spikes, route)
    return fired


@jit
def inject(ring, row, route_pin, route_axon, route_tick):
    """Input route k takes pin ``route_pin[k]``'s spikes in the raster row ``row`` (batch, pins)
    to axon ``route_axon[k]`` in ring slot ``route_tick[k]``, merged with what is there."""
    slots, batch, words = ring.shape[0], row.shape[0], ring.shape[2]
    pins = np.zeros((row.shape[1], words), np.uint64)  # each pin's spikes as bits
    for b in range(batch):  # along the raster's rows, which are contiguous
        w, shift = b >> 6, np.uint64(b & 63)
        for pin in range(row.shape[1]):
            pins[pin, w] |= np.uint64(row[b, pin]) << shift
    for k in range(len(route_pin)):
        s, a, pin = route_tick[k] % slots, route_axon[k], route_pin[k]
        for w in range(words):
            ring[s, a, w] |= pins[pin, w]


# -- one sample on the numpy-shaped path: integration --------------------------------------------
@jit
def block_sums_range(axon, lo, hi, records, local, packed, block_weights, row, scratch):
    """``block_sums`` for the active axons ``axon[lo:hi]``, added into ``row``; returns a
    sum of the bytes touched (so that the loads that fetch them ahead are kept)."""
    width = block_weights.shape[2]
    touched = 0
    last = len(local) - 1
    for first in range(lo, hi, GROUP):
        count = min(GROUP, hi - first)
        for k in range(count):
            scratch[k, 0] = records[axon[first + k], 0]
            scratch[k, 1] = records[axon[first + k], 1]
        for k in range(count):
            touched += local[min(scratch[k, 0], last)]
        for k in range(count):
            start, rest = scratch[k, 0], scratch[k, 1]
            block = (rest & BLOCK_FIELD) - 1
            i, end = np.uint64(start), np.uint64(start + (rest >> 32))
            if block >= 0:
                base, kind = np.uint64(block * width), np.uint64((rest >> 30) & 3)
                weights = block_weights[np.uint64(block)]
                while i < end:
                    j = np.uint64(local[i])
                    row[base + j] += weights[kind, j]
                    i += ONE
            else:
                while i < end:
                    p = packed[i]
                    row[p >> 9] += (p & 511) - 256
                    i += ONE
    return touched


@jit
def block_sums(axon, records, local, packed, block_weights, out, scratch):
    """``event_sums_packed`` for one sample, where an axon whose synapses all lie in one
    block of 256 neurons (a core) reads one byte per synapse, the neuron's place in the
    block, and takes its weight from the block's table ``block_weights[block, type]``: a
    quarter of the memory traffic, and the adds stay in one 1 KB slice of ``out``. Other
    axons read the packed events.

    On a large network each active axon is a string of cache misses (its record, its
    synapse row, its block's weights and sums), and waiting for them one axon after the
    other dominates. So the active axons go in groups of 64: their records are gathered
    and the first byte of each synapse row touched, in loops of loads independent of each
    other whose misses overlap, then the group's rows are summed while they are still in
    the cache (1,024 cores, busy: 64 -> 77 M neuron-ticks/s; in one pass over all the
    active axons instead of groups, the rows touched first left the cache before use).

    ``records[a]`` = (first synapse, fanout << 32 | type << 30 | block + 1, 0 for none);
    ``scratch`` (GROUP, 2) int64 is working space; ``out`` (1, >= N) has room
    for whole blocks past N. Returns a sum of the bytes touched (so they are loaded)."""
    out[...] = 0
    return block_sums_range(axon, 0, len(axon), records, local, packed, block_weights,
                            out[0], scratch)


@jit
def block_parts(axon, records, parts):
    """Bounds of ``parts`` runs of the sorted active ``axon`` list, about equal, never cutting
    between two axons of one block. An axon without synapses (block field 0: its synapses all
    had weight 0) writes nothing and may lie between two of one block, so a cut is made only
    before an axon whose block differs from the last block before it."""
    m = len(axon)
    bounds = np.empty(parts + 1, np.int64)
    bounds[0], bounds[parts] = 0, m
    for p in range(1, parts):
        k = max(m * p // parts, bounds[p - 1])
        # the block field of the last axon with synapses before k (an earlier part's, when
        # this one has none yet: that part's block must not go on in the next)
        last, j = 0, k - 1
        while j >= 0 and last == 0:
            last = records[axon[j], 1] & BLOCK_FIELD
            j -= 1
        while k < m and last != 0:
            field = records[axon[k], 1] & BLOCK_FIELD
            if field != 0 and field != last:
                break
            k += 1
        bounds[p] = k
    return bounds


@numba.njit(cache=True, nogil=True, boundscheck=False, parallel=True)
def block_sums_parallel(axon, records, local, packed, block_weights, out, scratch):
    """``block_sums`` on ``len(scratch)`` threads (scratch: (threads, GROUP, 2)), for
    active axons each in one block, whose blocks never decrease along the axons
    (``Synapses`` checks both once): the sorted active axons are cut into parts
    (``block_parts``) so that no two threads add into one block."""
    parts = len(scratch)
    row = out[0]
    n = len(row)
    for p in numba.prange(parts):
        row[n * p // parts:n * (p + 1) // parts] = 0
    bounds = block_parts(axon, records, parts)
    touched = 0
    for p in numba.prange(parts):
        touched += block_sums_range(axon, bounds[p], bounds[p + 1], records, local, packed,
                                    block_weights, row, scratch[p])
    return touched


# -- one sample on the numpy-shaped path: the phases and the routing after integration ----------
@jit
def phases_range(V, current, run_start, run_kind, params, spikes, lo, hi):
    """For one sample, neurons ``lo .. hi-1``: V += ``current``, the neuron phases as in
    ``phases_block``, ``spikes`` set. Neurons come in runs of one kind (``run_start``,
    ``run_kind``: a chip model has few kinds, in long runs), so a run's parameters are loop
    invariants and its phases run as SIMD over its neurons."""
    r = np.searchsorted(run_start, lo, side="right") - 1
    while r < len(run_kind) and run_start[r] < hi:
        a, floor, rv, leak, mode, reverse, saturate = kind_parameters(params, run_kind[r])
        # slices, indexed from 0: an index that numba cannot prove >= 0 gets a wraparound
        # check, which keeps the loop from running as SIMD (5 times slower)
        first, last = max(run_start[r], lo), min(run_start[r + 1], hi)
        run_V, run_spikes = V[first:last], spikes[first:last]
        run_current = current[first:last]
        for n in range(len(run_V)):
            v = min(V_MAX, max(V_MIN, np.int64(run_V[n]) + run_current[n]))
            sign = (v > 0) - (v < 0)
            reversal = -v if (leak < 0) & (abs(v) < -leak) else sign * leak
            v += reversal if reverse else leak
            v = min(V_MAX, max(V_MIN, v))
            spiking = v >= a
            after_spike = v - a if mode == RESET_LINEAR else (rv if mode == RESET_VALUE else v)
            after_floor = -floor if saturate else (
                -rv if mode == RESET_VALUE else (v + floor if mode == RESET_LINEAR else v))
            run_V[n] = after_spike if spiking else (after_floor if v < -floor else v)
            run_spikes[n] = spiking
        r += 1


@jit
def list_fired(spikes, lo, hi, fired):
    """The neurons of ``lo .. hi-1`` that fired, into ``fired[lo:]``; returns how many. Listed
    without a branch per neuron: a branch taken at random for a few per cent of them costs more
    than the phases."""
    count = 0
    for n in range(lo, hi):
        fired[lo + count] = n
        count += spikes[n]
    return count


@jit
def route_fired(t, fired, lo, count, route, ring, spike_count):
    """Count the spikes of ``fired[lo:lo+count]`` and route them into ``ring`` (slots, A)."""
    slots = ring.shape[0]
    for i in range(lo, lo + count):
        n = fired[i]
        spike_count[n] += 1
        target = route[n]
        if target >= 0:
            ring[(t + (target & ROUTE_DELAY)) % slots, target >> ROUTE_SHIFT] = 1


@jit
def phases_route_single(t, V, current, run_start, run_kind, params, spikes, route, ring,
                        spike_count, fired):
    """For one sample after integration: V (N,) += ``current`` (N,), the neuron phases
    (``phases_range``) and the routing of the spikes into ``ring`` (slots, A) bytes. Writes
    ``spikes`` (N,), counts them in ``spike_count`` and returns their number; ``fired``
    (N + 1,) is working space."""
    n = len(V)
    phases_range(V, current, run_start, run_kind, params, spikes, 0, n)
    count = list_fired(spikes, 0, n, fired)
    route_fired(t, fired, 0, count, route, ring, spike_count)
    return count


@numba.njit(cache=True, nogil=True, boundscheck=False, parallel=True)
def phases_route_parallel(t, V, current, run_start, run_kind, params, spikes, route, ring,
                          spike_count, fired, counts):
    """``phases_route_single`` with the phases and the listing shared out over
    ``len(counts)`` threads, each a range of neurons; the routing, which writes any axon,
    follows on one thread."""
    parts, n = len(counts), len(V)
    for p in numba.prange(parts):
        lo, hi = n * p // parts, n * (p + 1) // parts
        phases_range(V, current, run_start, run_kind, params, spikes, lo, hi)
        counts[p] = list_fired(spikes, lo, hi, fired)
    total = 0
    for p in range(parts):
        route_fired(t, fired, n * p // parts, counts[p], route, ring, spike_count)
        total += counts[p]
    return total
