"""The canonical form of connections: making it (sort and deduplicate) and checking it.

A ``Network``'s connections are unique on (src, dst, axon_type, delay) and sorted by that key
(``corelet.chip.network``). This module holds the machinery behind that contract, on plain arrays,
so that the contract module stays a contract:

* :func:`merge` (and :func:`canonical`) build the canonical form of any blocks of connections.
  When the values are non-negative and the four bit widths fit in 63 bits, each row becomes one
  int64 key ``src | dst | type | delay`` packed by bit shifts: one sort of one array, several times
  faster than a four-key lexsort at 1e7..1e8 connections, and sorted over the CPU cores. Otherwise
  a lexsort does it.
* :func:`survey` finds, in one pass, the range of each column and the first row that is not
  strictly after the row before it (so out of order, or a duplicate): the ``Network``'s check. It
  works in slices small enough for the CPU cache, so checking 1e8 connections costs about one read
  of them and little memory.

The results are ``(src, dst, axon_type, delay)`` tuples of int64, int64, int8 and int32 arrays;
``Connections.canonical``, ``merge`` and ``concat`` wrap them.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import attrs
import numpy as np

FIELDS = ("src", "dst", "axon_type", "delay")
DTYPES = (np.int64, np.int64, np.int8, np.int32)
CHECK_STEP = 1 << 17  # rows per slice of the check: its few buffers stay in the CPU cache
Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def canonical(src, dst, axon_type, delay) -> Arrays:
    """Sorted and deduplicated ``(src, dst, axon_type, delay)``; dtypes int64, int64, int8, int32."""
    return merge([(src, dst, axon_type, delay)])


def merge(blocks: list) -> Arrays:
    """The canonical union of blocks of ``(src, dst, axon_type, delay)`` arrays.

    The list is consumed: each block is released as soon as it is packed, so a hundred million
    connections need little more than their packed keys in memory.
    """
    return merge_surveyed(blocks)[0]


def merge_surveyed(blocks: list) -> tuple[Arrays, Survey | None]:
    """:func:`merge`, and the :class:`Survey` of its result when it comes for free (the packed
    path: the result's column ranges are those of the blocks, and it is in order), else None.

    Columns may be any integer arrays, including read-only broadcast views (stride 0) of one value.
    """
    blocks[:] = [b for b in (tuple(_flat(a) for a in block) for block in blocks) if len(b[0])]
    if not blocks:
        return tuple(np.zeros(0, t) for t in DTYPES), None
    bounds = [[_bounds(a) for a in b] for b in blocks]
    lows = tuple(min(bd[i][0] for bd in bounds) for i in range(4))
    highs = tuple(max(bd[i][1] for bd in bounds) for i in range(4))
    bits = key_bits(highs[0], highs[1], highs[3])
    if min(lows) < 0 or highs[2] > 3 or bits is None:
        arrays = _lexsorted(*(np.concatenate([b[i] for b in blocks]) for i in range(4)))
        blocks.clear()
        return arrays, None
    return _packed(blocks, bits), Survey(lows, highs, None)


def _flat(a) -> np.ndarray:
    a = np.asarray(a)
    return a if a.ndim == 1 else a.ravel()


def _bounds(a: np.ndarray) -> tuple[int, int]:
    """(min, max) of a non-empty integer array; one element read for a broadcast constant."""
    if a.strides == (0,):
        return int(a[0]), int(a[0])
    return int(a.min()), int(a.max())


def concat(parts) -> Arrays:
    """The canonical union of objects with ``src``, ``dst``, ``axon_type`` and ``delay`` arrays."""
    parts = list(parts)
    if not parts:
        return canonical([], [], [], [])
    return canonical(*(np.concatenate([getattr(p, f) for p in parts]) for f in FIELDS))


def key_bits(src_max: int, dst_max: int, delay_max: int) -> list[int] | None:
    """Bit widths of (src, dst, type, delay) in a packed key for values 0..max (types 0..3), or
    None when they need more than 63 bits."""
    bits = [_bits(src_max + 1), _bits(dst_max + 1), 2, _bits(delay_max + 1)]
    return bits if sum(bits) <= 63 else None


@attrs.frozen
class Survey:
    """What one pass over connections found: each column's smallest and largest value (in the
    order src, dst, axon_type, delay; zeros when there are no rows), and the first row not
    strictly after the row before it (None when every row is)."""

    lows: tuple[int, int, int, int]
    highs: tuple[int, int, int, int]
    disorder: int | None


def survey(src, dst, axon_type, delay, limits: tuple[int, int, int] | None = None,
           step: int = CHECK_STEP) -> Survey:
    """One pass over the rows, in slices of ``step`` (so the temporaries stay in the CPU cache):
    the ranges of the four columns, and the first row that is out of order or a duplicate.

    ``limits``: the largest src, dst and delay allowed (types 0..3). When their packed key fits in
    63 bits, each slice whose values lie within them becomes int64 keys, one comparison per row;
    otherwise consecutive rows are compared column by column.
    """
    n = len(src)
    columns = (src, dst, axon_type, delay)
    if n == 0:
        return Survey((0, 0, 0, 0), (0, 0, 0, 0), None)
    bits = key_bits(*limits) if limits is not None else None
    highest = (*limits[:2], 3, limits[2]) if bits is not None else None
    lows, highs = [None] * 4, [None] * 4
    disorder = None
    size = min(step, n)
    key = np.empty(size + 1, np.int64)  # key[0]: the last key of the slice before, if packed
    part = np.empty(size, np.int64)
    bad = np.empty(size, bool)
    packed_before = False
    for lo in range(0, n, size):
        hi = min(lo + size, n)
        m = hi - lo
        chunk = [col[lo:hi] for col in columns]
        fits = highest is not None
        for i, values in enumerate(chunk):
            low, high = int(values.min()), int(values.max())
            lows[i] = low if lows[i] is None else min(lows[i], low)
            highs[i] = high if highs[i] is None else max(highs[i], high)
            fits = fits and low >= 0 and high <= highest[i]
        if disorder is not None:  # the ranges are still wanted
            continue
        if not fits:
            disorder = _first_disorder_lex(columns, max(lo, 1), hi)
            packed_before = False
            continue
        _pack(chunk, bits, key[1:m + 1], part[:m])
        if lo and not packed_before:  # the first row against the slice before, column by column
            disorder = _first_disorder_lex(columns, lo, lo + 1)
        if disorder is None:
            first = 0 if packed_before else 1  # key[0] holds the previous row's key, or nothing
            b = np.less_equal(key[1 + first:m + 1], key[first:m], out=bad[:m - first])
            if b.any():
                disorder = lo + first + int(np.argmax(b))
        key[0] = key[m]
        packed_before = True
    return Survey(tuple(lows), tuple(highs), disorder)


def _pack(chunk, bits: list[int], key: np.ndarray, part: np.ndarray) -> None:
    """``key`` = the int64 keys ``src | dst | type | delay`` of a slice (values within ``bits``)."""
    src, dst, axon_type, delay = chunk
    _, dst_bits, type_bits, delay_bits = bits
    shift_dst = type_bits + delay_bits
    np.left_shift(src, dst_bits + shift_dst, out=key, dtype=np.int64)
    key |= np.left_shift(dst, shift_dst, out=part, dtype=np.int64)
    key |= np.left_shift(axon_type, delay_bits, out=part, dtype=np.int64)
    np.bitwise_or(key, delay, out=key, dtype=np.int64)


def _first_disorder_lex(columns, lo: int, hi: int) -> int | None:
    """The first row i in lo..hi-1 (lo >= 1) not strictly after row i - 1, column by column."""
    if hi <= lo:
        return None
    # row i > row i-1 lexicographically: decided at the first column that differs
    after = np.zeros(hi - lo, bool)
    tied = np.ones(hi - lo, bool)
    for col in columns:
        now, before = col[lo:hi], col[lo - 1:hi - 1]
        after |= tied & (now > before)
        tied &= now == before
    return None if after.all() else lo + int(np.argmin(after))


def _bits(count: int) -> int:
    """Bits needed for the values 0 .. count-1."""
    return max(1, int(count - 1).bit_length())


def _lexsorted(src, dst, axon_type, delay) -> Arrays:
    """The canonical form by a four-key lexsort: the general path (negative or huge values)."""
    src, dst = src.astype(np.int64), dst.astype(np.int64)
    axon_type, delay = axon_type.astype(np.int8), delay.astype(np.int32)
    order = np.lexsort((delay, axon_type, dst, src))
    src, dst, axon_type, delay = src[order], dst[order], axon_type[order], delay[order]
    keep = np.ones(len(src), dtype=bool)
    keep[1:] = ((src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
                | (axon_type[1:] != axon_type[:-1]) | (delay[1:] != delay[:-1]))
    return src[keep], dst[keep], axon_type[keep], delay[keep]


PACK_STEP = 1 << 16  # rows per slice while packing and unpacking: the slices stay in the cache


def _packed(blocks: list, bits: list[int], min_parallel: int = 1 << 24,
            min_sliced: int = 1 << 20) -> Arrays:
    """The canonical form through one int64 key ``src | dst | type | delay`` packed by bit shifts:
    one sort of one array, several times faster than the lexsort at 1e7..1e8 connections.

    For large inputs the keys are sorted over the CPU cores: the source range is cut at sampled
    quantiles and each key is packed straight into the region of the key buffer that holds its
    part (the parts' sizes are counted first), so the parts are sorted in place, side by side, and
    together they are the sorted whole. All passes work in slices that stay in the CPU cache, with
    reused buffers: no temporary the size of the whole."""
    _, dst_bits, type_bits, delay_bits = bits
    shift_dst, shift_type = type_bits + delay_bits, delay_bits
    shift_src = dst_bits + shift_dst
    total = sum(len(b[0]) for b in blocks)
    if total < min_sliced:  # small: whole-array operations have the least overhead
        return _packed_small(blocks, bits)
    workers = min(os.cpu_count() or 1, 8)
    cuts = []  # source values where the parts begin (after the first)
    if workers >= 2 and total >= min_parallel:
        stride = max(1, total // 100_000)
        sample = np.sort(np.concatenate([b[0][::stride] for b in blocks]))
        cuts = np.unique(sample[(np.arange(1, workers) * len(sample)) // workers]).tolist()
        cuts = [c for c in cuts if c > sample[0]]
    # rows per part, and where each part begins in the key buffer
    counts = [0] * (len(cuts) + 1)
    for block in blocks:  # (no loop variable may outlive this: the blocks are freed below)
        below = [int(np.count_nonzero(block[0] < c)) for c in cuts]
        edges = [0, *below, len(block[0])]
        for j in range(len(counts)):
            counts[j] += edges[j + 1] - edges[j]
    block = None
    at = np.cumsum([0, *counts[:-1]]).tolist()
    key = np.empty(total, dtype=np.int64)
    # For large inputs the other columns' buffers are claimed as the blocks are freed, a block's
    # worth at a time, so that they reuse the blocks' memory while the process still holds it:
    # memory handed back to the system can cost several times more to fault in again than a fill
    # (about a second per gigabyte on some virtual machines).
    claim = total >= 1 << 20
    if claim:
        dst_out = np.empty(total, np.int64)
        type_out = np.empty(total, np.int8)
        delay_out = np.empty(total, np.int32)
        claimed = 0
    step = min(PACK_STEP, total)
    tmp = np.empty(step, dtype=np.int64)
    part = np.empty(step, dtype=np.int64)
    sel = np.empty(step, dtype=bool)
    sel2 = np.empty(step, dtype=bool)
    while blocks:  # free each block as soon as it is packed
        src, dst, axon_type, delay = blocks.pop(0)
        n = len(src)
        for lo in range(0, n, PACK_STEP):
            hi = min(lo + PACK_STEP, n)
            m = hi - lo
            k = tmp[:m] if cuts else key[at[0]:at[0] + m]
            p = part[:m]
            np.left_shift(src[lo:hi], shift_src, out=k, dtype=np.int64)
            _or_column(k, p, dst, lo, hi, shift_dst)
            _or_column(k, p, axon_type, lo, hi, shift_type)
            _or_column(k, p, delay, lo, hi, 0)
            if not cuts:
                at[0] += m
                continue
            s = src[lo:hi]
            for j in range(len(cuts) + 1):  # the rows of part j: cuts[j-1] <= src < cuts[j]
                here = np.less(s, cuts[j], out=sel[:m]) if j < len(cuts) else None
                if j:
                    after = np.greater_equal(s, cuts[j - 1], out=sel2[:m])
                    here = after if here is None else np.logical_and(here, after, out=here)
                got = int(np.count_nonzero(here))
                if got == m:
                    key[at[j]:at[j] + m] = k
                elif got:
                    np.compress(here, k, out=key[at[j]:at[j] + got])
                at[j] += got
        del src, dst, axon_type, delay
        if n >= 1 << 20:  # a large block: its pages are worth handing on
            _trim()
        if claim:
            for column in (dst_out, type_out, delay_out):
                column[claimed:claimed + n] = 0
            claimed += n
    del tmp, part, sel, sel2
    starts = np.cumsum([0, *counts]).tolist()
    parts = [key[starts[j]:starts[j + 1]] for j in range(len(counts)) if counts[j]]
    if len(parts) > 1:
        with ThreadPoolExecutor(min(workers, len(parts))) as pool:
            list(pool.map(np.ndarray.sort, parts))
    elif parts:
        parts[0].sort()
    del parts
    key = _deduplicated(key)
    m = len(key)
    if claim and m == total:
        dst, axon_type, delay = dst_out, type_out, delay_out
    else:
        dst, axon_type, delay = np.empty(m, np.int64), np.empty(m, np.int8), np.empty(m, np.int32)
    if claim:
        del dst_out, type_out, delay_out
    dst_mask, type_mask, delay_mask = ((1 << b) - 1 for b in (dst_bits, type_bits, delay_bits))
    tmp = np.empty(min(PACK_STEP, m), dtype=np.int64)
    for lo in range(0, m, PACK_STEP):  # in slices, so the temporaries stay in the cache
        hi = min(lo + PACK_STEP, m)
        k, t = key[lo:hi], tmp[:hi - lo]
        np.bitwise_and(k, delay_mask, out=delay[lo:hi], casting="unsafe")
        np.right_shift(k, shift_type, out=t)
        np.bitwise_and(t, type_mask, out=axon_type[lo:hi], casting="unsafe")
        d = np.right_shift(k, shift_dst, out=dst[lo:hi])
        d &= dst_mask
        np.right_shift(k, shift_src, out=k)  # the key's buffer becomes the sources
    return key, dst, axon_type, delay


def _packed_small(blocks: list, bits: list[int]) -> Arrays:
    """:func:`_packed` for small inputs, by whole-array operations (and one serial sort)."""
    _, dst_bits, type_bits, delay_bits = bits
    shift_dst, shift_type = type_bits + delay_bits, delay_bits
    shift_src = dst_bits + shift_dst
    key = np.concatenate([(src.astype(np.int64) << shift_src) | (dst.astype(np.int64) << shift_dst)
                          | (axon_type.astype(np.int64) << shift_type) | delay.astype(np.int64)
                          for src, dst, axon_type, delay in blocks])
    blocks.clear()
    key.sort()
    key = _deduplicated(key)
    delay = (key & ((1 << delay_bits) - 1)).astype(np.int32)
    axon_type = ((key >> shift_type) & ((1 << type_bits) - 1)).astype(np.int8)
    dst = (key >> shift_dst) & ((1 << dst_bits) - 1)
    key >>= shift_src
    return key, dst, axon_type, delay


def _trim() -> None:
    """Hand the C heap's free pages back to the system (glibc only; else nothing): the blocks'
    smaller arrays live in the heap, and their pages, once freed, would otherwise stay with the
    process, unused, while the output columns take new ones (about 100 MB more peak at 1e8)."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes
            _malloc_trim = ctypes.CDLL(None).malloc_trim
        except (OSError, AttributeError, TypeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None


def _or_column(key: np.ndarray, part: np.ndarray, column: np.ndarray, lo: int, hi: int,
               shift: int) -> None:
    """key |= column[lo:hi] << shift; one scalar for a broadcast constant."""
    if column.strides == (0,):
        value = int(column[0]) << shift
        if value:
            key |= value
        return
    key |= np.left_shift(column[lo:hi], shift, out=part, dtype=np.int64)


def _deduplicated(key: np.ndarray) -> np.ndarray:
    """The sorted keys without repeats: the same buffer when there are none (looked for in
    slices, with no temporary the size of the whole), else a new array."""
    n = len(key)
    if n < 2:
        return key
    if n > PACK_STEP:
        differ = np.empty(PACK_STEP, dtype=bool)
        for lo in range(1, n, PACK_STEP):
            hi = min(lo + PACK_STEP, n)
            if not np.not_equal(key[lo:hi], key[lo - 1:hi - 1], out=differ[:hi - lo]).all():
                break
        else:
            return key
    keep = np.empty(n, dtype=bool)
    keep[0] = True
    np.not_equal(key[1:], key[:-1], out=keep[1:])
    return key if keep.all() else key[keep]


def sort_in_place(key: np.ndarray, min_parallel: int = 1 << 24) -> None:
    """``key.sort()``, spread over the CPU cores for large arrays (numpy releases the GIL).

    The keys are split into value ranges at sampled quantiles; each range is sorted in its own
    thread and the sorted ranges, in order, are the sorted whole."""
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(key) < min_parallel:
        key.sort()
        return
    sample = np.sort(key[:: max(1, len(key) // 100_000)])
    cuts = np.unique(sample[(np.arange(1, workers) * len(sample)) // workers])
    parts = []
    low = None
    for cut in [*cuts.tolist(), None]:
        mask = np.ones(len(key), dtype=bool) if low is None else key >= low
        if cut is not None:
            mask &= key < cut
        parts.append(key[mask])
        del mask
        low = cut
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(np.ndarray.sort, parts))
    np.concatenate(parts, out=key)
