"""The compiled kernel of ``runtime.lower`` (numba): a chip's crossbar bits as synapses.

Imported only when lowering uses the compiled kernels (``runtime._compiled``), so importing
``corelet`` never imports numba. Module-level functions, so that numba's disk cache finds them
again in the next process (a parallel one defined inside another is compiled anew each time).
"""

from __future__ import annotations

import numba
import numpy as np

jit = numba.njit(cache=True, nogil=True, boundscheck=False)


@numba.njit(cache=True, nogil=True, boundscheck=False, parallel=True)
def crossbar_synapses(crossbar, used_packed, axon_of, neuron_of, bit_count, bit_places):
    """``runtime.lower._synapses``: fabric axon and neuron of every set bit of ``crossbar``
    (cores, axons, bytes; numpy's big-endian ``packbits``) onto a used neuron, in (core, axon,
    neuron) order, in the dtypes of ``axon_of`` and ``neuron_of``. One pass counts each core's
    bits, one fills each core's share of the arrays: cores are shared out over the threads set
    by ``numba.set_num_threads``, and nothing is unpacked. ``bit_count[v]`` and
    ``bit_places[v]`` are the set bits of a byte v and their places, first to last."""
    n_cores = crossbar.shape[0]
    start = np.zeros(n_cores + 1, np.int64)
    for c in numba.prange(n_cores):
        start[c + 1] = core_bits(crossbar, used_packed, bit_count, c)
    start = np.cumsum(start)
    axons = np.empty(start[n_cores], axon_of.dtype)
    neurons = np.empty(start[n_cores], neuron_of.dtype)
    for c in numba.prange(n_cores):
        fill_core(crossbar, used_packed, axon_of, neuron_of, bit_count, bit_places, c, start[c],
                  start[c + 1], axons, neurons)
    return axons, neurons


@jit
def crossbar_synapses_serial(crossbar, used_packed, axon_of, neuron_of, bit_count, bit_places):
    """``crossbar_synapses`` on this thread only (no numba threads started)."""
    n_cores = crossbar.shape[0]
    start = np.zeros(n_cores + 1, np.int64)
    for c in range(n_cores):
        start[c + 1] = start[c] + core_bits(crossbar, used_packed, bit_count, c)
    axons = np.empty(start[n_cores], axon_of.dtype)
    neurons = np.empty(start[n_cores], neuron_of.dtype)
    for c in range(n_cores):
        fill_core(crossbar, used_packed, axon_of, neuron_of, bit_count, bit_places, c, start[c],
                  start[c + 1], axons, neurons)
    return axons, neurons


@jit
def core_bits(crossbar, used_packed, bit_count, c):
    """The set bits of core c's crossbar onto used neurons."""
    count = 0
    for a in range(crossbar.shape[1]):
        for b in range(crossbar.shape[2]):
            count += bit_count[crossbar[c, a, b] & used_packed[c, b]]
    return count


@jit
def fill_core(crossbar, used_packed, axon_of, neuron_of, bit_count, bit_places, c, k, end,
              axons, neurons):
    """Core c's synapses into ``axons`` and ``neurons`` from ``k`` to ``end``."""
    n_axons, n_bytes = crossbar.shape[1], crossbar.shape[2]
    n_slots = n_bytes * 8
    # a core whose slots are all used, in order, needs no look-up: a bit's neuron is the
    # core's first plus its place (the 8 of a byte in one add); the usual case
    base = neuron_of[c * n_slots]
    in_order = base >= 0
    for j in range(n_slots):
        in_order &= neuron_of[c * n_slots + j] == base + j
    for a in range(n_axons):
        row_start = k
        for b in range(n_bytes):
            v = crossbar[c, a, b] & used_packed[c, b]
            first = base + b * 8 if in_order else (c * n_bytes + b) * 8
            if k + 8 <= end:
                # all 8 candidates written, then on by the bit count: no branch to mispredict
                # on each byte (half the fill's time)
                if in_order:
                    for q in range(8):
                        neurons[k + q] = first + bit_places[v, q]
                else:
                    for q in range(8):
                        neurons[k + q] = neuron_of[first + bit_places[v, q]]
            else:  # the core's last few: only its own entries (the next are another thread's)
                for q in range(bit_count[v]):
                    place = first + bit_places[v, q]
                    neurons[k + q] = place if in_order else neuron_of[place]
            k += bit_count[v]
        axon = axon_of[c * n_axons + a]
        for i in range(row_start, k):  # a row's axon, once its neurons are written
            axons[i] = axon
