"""The optional compiled kernels (numba, the ``.[fast]`` extra) and the choice between them and numpy.

The numpy code in ``runtime._kernel`` and ``runtime._neurons`` is the reference; each function here
computes exactly the same integers (sums of integer weights, in any order, are the same) and is
used only when numba is installed. ``CORELET_KERNEL=numpy`` in the environment, or ``use("numpy")``,
keeps a run on the numpy path; the tests run the equivalence suites on both.

numba is imported, and the kernels compiled (cached on disk), the first time a run needs them, so
importing ``corelet`` stays fast and a run without numba never pays for it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import threading

import numpy as np

from corelet.runtime.errors import SimulationError

KERNELS = ("numpy", "numba")
# the compiled tick's tables (runtime._tick, runtime._tick_kernel)
FLAG_MODE, FLAG_REVERSAL, FLAG_SATURATE = 3, 4, 8  # neuron flags: reset mode in bits 0-1
ROUTE_SHIFT = 20  # a neuron's route as one int64: target axon << 20 | delay
ROUTE_DELAY = (1 << ROUTE_SHIFT) - 1
# (constants here that _tick_kernel and _lower_kernel use are compiled into numba's cached code
# of those modules, which watches only their own files: after changing one, delete
# runtime/__pycache__)
GROUP = 64  # active axons whose table entries and rows block_sums fetches together
BLOCK_FIELD = 0x3FFFFFFF  # an axon record's block + 1 (0: none), under its type and fanout
WORD = 64  # samples per word of spike bits in the compiled tick (runtime._tick_kernel)
# the set bits of each byte value (big-endian, as numpy's packbits) and their places
BYTE_BIT_COUNT = np.array([bin(v).count("1") for v in range(256)], np.int64)
BYTE_BIT_PLACES = np.zeros((256, 8), np.int32)  # int32: eight of them are one SIMD add
for _v in range(256):
    _places = [bit for bit in range(8) if _v & (128 >> bit)]
    BYTE_BIT_PLACES[_v, :len(_places)] = _places
_choice = os.environ.get("CORELET_KERNEL", "auto")
THREADS_VARIABLE = "CORELET_THREADS"  # threads of the compiled kernels (default: the usable cores)
PARALLEL_MIN_BLOCKS = 32  # below this many blocks of 256 neurons a tick is too short to share out
_compiled = None  # the compiled functions, once built
_threads_started_in = None  # the process whose numba threads a parallel kernel started
_parallel_lock = threading.Lock()


def threads() -> int:
    """Threads the compiled kernels may use (the batch tick; for one sample the block sums and
    the phases; the lowering of crossbars): ``CORELET_THREADS`` if set, else every core this
    process may run on; at most numba's limit. 1 in a process forked from one whose numba
    threads had started (GNU OpenMP, numba's usual layer on Linux, cannot run there). Dask
    workers, which already share the cores between them, are given 1 (``corelet.distributed``).
    On the shared 2-core development machine two threads ran batch 32 1.1 to 2.0 times faster
    than one, and one sample's tick at 4,096 cores 1.25 times (docs/runtime.md)."""
    import numba

    wanted = os.environ.get(THREADS_VARIABLE, "").strip()
    if wanted and (not wanted.isdigit() or int(wanted) < 1):
        raise SimulationError(f"{THREADS_VARIABLE} must be a whole number >= 1, got {wanted!r}")
    if _threads_started_in not in (None, os.getpid()):
        return 1
    return min(int(wanted) if wanted else _usable_cores(), numba.config.NUMBA_NUM_THREADS)


@contextlib.contextmanager
def parallel(count: int):
    """Around a call of a parallel kernel on ``count`` threads: one Python thread at a time
    (numba's workqueue layer, where no other is installed, aborts on concurrent use), and the
    process remembered (see ``threads``)."""
    global _threads_started_in
    import numba

    with _parallel_lock:
        _threads_started_in = os.getpid()
        numba.set_num_threads(count)
        yield


def _usable_cores() -> int:
    """The cores this process may run on (its affinity mask where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def available() -> bool:
    """Whether numba is installed."""
    return importlib.util.find_spec("numba") is not None


def use(kernel: str) -> str:
    """Choose ``"numpy"``, ``"numba"`` or ``"auto"`` (numba when installed) for the runs that
    follow; returns the previous choice. ``"numba"`` without numba installed is an error."""
    global _choice
    if kernel not in (*KERNELS, "auto"):
        raise ValueError(f"unknown kernel {kernel!r}; expected one of numpy, numba, auto")
    if kernel == "numba" and not available():
        raise ValueError("kernel 'numba' needs numba installed (pip install 'corelet-toolchain[fast]')")
    previous, _choice = _choice, kernel
    return previous


def active() -> str:
    """The kernel a run started now uses."""
    if _choice == "numba" or (_choice == "auto" and available()):
        return "numba"
    return "numpy"


def kernels():
    """The compiled functions (a namespace), compiling them on first use."""
    global _compiled
    if _compiled is None:
        _compiled = _build()
    return _compiled


def _build():
    """Compile (or load from numba's cache) the small kernels of this module (the parallel ones
    live at module level in ``_tick_kernel`` and ``_lower_kernel``, where the cache finds them)."""
    import types

    import numba

    jit = numba.njit(cache=True, nogil=True, boundscheck=False)

    @jit
    def event_sums_packed(axon, sample, starts, ends, packed, out):
        """out (B, N) = per (sample, neuron) sum of the weights of active axons' synapses.

        ``packed``: target << 9 | (weight + 256); ``sample`` empty means sample 0 for all."""
        out[...] = 0
        batch1 = len(sample) == 0
        for k in range(len(axon)):
            a = axon[k]
            row = out[0] if batch1 else out[sample[k]]
            for i in range(starts[a], ends[a]):
                p = packed[i]
                row[p >> 9] += (p & 511) - 256

    @jit
    def event_sums(axon, sample, starts, ends, targets, weights, out):
        """As ``event_sums_packed``, with targets and weights in two arrays."""
        out[...] = 0
        batch1 = len(sample) == 0
        for k in range(len(axon)):
            a = axon[k]
            row = out[0] if batch1 else out[sample[k]]
            for i in range(starts[a], ends[a]):
                row[targets[i]] += weights[i]

    @jit
    def block_sums_batch(axon, sample, starts, ends, packed, axon_block, axon_type, local,
                         block_weights, out, by_axon, axon_count, scratch):
        """``block_sums`` for a batch, axon by axon: each active axon's row is read once for all
        the samples it is active in, and the sums of one block for all samples are made in
        ``scratch`` (batch, width), small enough to stay in cache, then written out whole. (Sample
        by sample, every visit to a block's slice of a large ``out`` misses the cache.)

        ``by_axon`` (len(axon),) and ``axon_count`` (A + 1,) zeros are working space."""
        out[...] = 0
        batch, width = scratch.shape
        # counting sort of the (sample, axon) events by axon; samples stay in order within one
        axon_count[:] = 0
        for k in range(len(axon)):
            axon_count[axon[k] + 1] += 1
        for a in range(1, len(axon_count)):
            axon_count[a] += axon_count[a - 1]
        for k in range(len(axon)):
            a = axon[k]
            by_axon[axon_count[a]] = sample[k]
            axon_count[a] += 1
        # axon_count[a] is now the end of axon a's samples (the start is axon_count[a - 1])
        current = -1
        previous_end = 0
        for a in range(len(axon_count) - 1):
            begin, end = previous_end, axon_count[a]
            previous_end = end
            if begin == end:
                continue
            block = axon_block[a]
            if block >= 0:
                if block != current:
                    if current >= 0:
                        out[:, current * width:(current + 1) * width] += scratch
                    scratch[...] = 0
                    current = block
                weights = block_weights[block, axon_type[a]]
                for i in range(starts[a], ends[a]):
                    j = local[i]
                    w = weights[j]
                    for m in range(begin, end):
                        scratch[by_axon[m], j] += w
            else:
                for m in range(begin, end):
                    row = out[by_axon[m]]
                    for i in range(starts[a], ends[a]):
                        p = packed[i]
                        row[p >> 9] += (p & 511) - 256
        if current >= 0:
            out[:, current * width:(current + 1) * width] += scratch

    @jit
    def tally(total, flat):
        """``total[k % len(total)] += 1`` for each k of ``flat`` (repeats counted; the division
        only for a k past the end, which one sample never has)."""
        size = len(total)
        for i in range(len(flat)):
            k = flat[i]
            if k >= size:
                k %= size
            total[k] += 1

    @jit
    def inject_bytes(ring, row, pins, axons, ticks):
        """``Routes.inject``: input route k marks axon ``axons[k]`` active in ring slot
        ``ticks[k]`` (slots, batch, A; bytes) for each sample with a spike on ``pins[k]`` in
        ``row`` (batch, pins)."""
        slots = ring.shape[0]
        for b in range(row.shape[0]):
            for k in range(len(pins)):
                if row[b, pins[k]]:
                    ring[ticks[k] % slots, b, axons[k]] = 1

    @jit
    def axon_blocks(starts, ends, packed, width):
        """``Synapses._block_tables`` without a temporary per synapse: the block of ``width``
        neurons holding every synapse of each axon (-1: none, or over two), and each synapse's
        neuron within its block (uint8)."""
        axon_block = np.full(len(starts), -1, np.int64)
        local = np.empty(len(packed), np.uint8)
        for a in range(len(starts)):
            block = -1
            for i in range(starts[a], ends[a]):
                target = packed[i] >> 9
                local[i] = target % width
                if i == starts[a]:
                    block = target // width
                elif target // width != block:
                    block = -2
            axon_block[a] = max(block, -1)
        return axon_block, local

    return types.SimpleNamespace(block_sums_batch=block_sums_batch,
                                 event_sums_packed=event_sums_packed, event_sums=event_sums,
                                 tally=tally, inject_bytes=inject_bytes,
                                 axon_blocks=axon_blocks)

