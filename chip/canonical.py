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
STEP = 1 << 22  # rows per slice wherever a whole-array temporary would be too large
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
    blocks[:] = [b for b in (tuple(np.asarray(a).ravel() for a in block) for block in blocks)
                 if len(b[0])]
    if not blocks:
        return tuple(np.zeros(0, t) for t in DTYPES)
    lows = [min(int(a.min()) for a in b) for b in blocks]
    highs = [[int(a.max()) for a in b] for b in blocks]
    src_max, dst_max, type_max, delay_max = (max(h[i] for h in highs) for i in range(4))
    bits = key_bits(src_max, dst_max, delay_max)
    if min(lows) < 0 or type_max > 3 or bits is None:
        return _lexsorted(*(np.concatenate([b[i] for b in blocks]) for i in range(4)))
    return _packed(blocks, bits)


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


def _packed(blocks: list, bits: list[int]) -> Arrays:
    """The canonical form through one int64 key ``src | dst | type | delay`` packed by bit shifts:
    one sort of one array, several times faster than the lexsort at 1e7..1e8 connections."""
    _, dst_bits, type_bits, delay_bits = bits
    shift_dst, shift_type = type_bits + delay_bits, delay_bits
    shift_src = dst_bits + shift_dst
    total = sum(len(b[0]) for b in blocks)
    key = np.empty(total, dtype=np.int64)
    at = 0
    while blocks:  # free each block as soon as it is packed
        src, dst, axon_type, delay = blocks.pop(0)
        k = key[at:at + len(src)]
        np.left_shift(src.astype(np.int64, copy=False), shift_src, out=k)
        k |= dst.astype(np.int64) << shift_dst
        k |= axon_type.astype(np.int64) << shift_type
        k |= delay.astype(np.int64)
        at += len(src)
        del src, dst, axon_type, delay, k
    sort_in_place(key)
    keep = np.empty(total, dtype=bool)
    keep[0] = True
    np.not_equal(key[1:], key[:-1], out=keep[1:])
    if not keep.all():
        key = key[keep]
    del keep
    m = len(key)
    dst = np.empty(m, np.int64)
    axon_type = np.empty(m, np.int8)
    delay = np.empty(m, np.int32)
    for lo in range(0, m, STEP):  # in slices, so the temporaries stay small
        k = key[lo:lo + STEP]
        delay[lo:lo + STEP] = k & ((1 << delay_bits) - 1)
        axon_type[lo:lo + STEP] = (k >> shift_type) & ((1 << type_bits) - 1)
        dst[lo:lo + STEP] = (k >> shift_dst) & ((1 << dst_bits) - 1)
        np.right_shift(k, shift_src, out=k)  # the key's buffer becomes the sources
    return key, dst, axon_type, delay


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
