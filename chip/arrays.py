"""Array helpers shared by every stage: bit counting and grouping.

``np.bitwise_count`` exists from numpy 2.0; the project supports numpy 1.26, where a byte table
does the same. Every popcount goes through :func:`popcount`.

Grouping, vectorised. A *run* is a maximal block of consecutive equal elements (of one key array,
or of several taken together as rows); in a sorted array the runs are the groups. Runs laid end to
end are described by their ``starts`` (indices of their first elements) or by their ``counts``
(lengths); these helpers convert between the two and expand them, without a Python loop:

* :func:`run_starts` — where each run begins;
* :func:`run_lengths` — the length of each run, from the starts;
* :func:`run_ids` — which run each element is in (``repeat(arange(len(counts)), counts)``);
* :func:`rank_in_runs` — each element's position within its run;
* :func:`ranges` — the concatenation of ``arange(s, s + c)``;
* :func:`group_min` — the distinct keys and the smallest value of each;
* :func:`unique_rows` — the distinct rows of a 2-D array, in order of first appearance.
"""

from __future__ import annotations

import numpy as np

from corelet.chip.ids import mix64

_BYTE_BITS = np.array([bin(i).count("1") for i in range(256)], np.uint8)


def popcount(values: np.ndarray) -> np.ndarray:
    """Set bits of each element of an unsigned or non-negative integer array (uint8, same shape)."""
    values = np.asarray(values)
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(values)
    as_bytes = np.ascontiguousarray(values).view(np.uint8).reshape(values.shape + (values.itemsize,))
    return _BYTE_BITS[as_bytes].sum(axis=-1, dtype=np.uint8)


def run_starts(*keys: np.ndarray) -> np.ndarray:
    """Indices (int64) where a run of equal rows of ``keys`` (1-D arrays of one length) begins.

    0 (for a non-empty input) and every i where some key differs from the element before:
    ``np.flatnonzero(np.r_[True, k[1:] != k[:-1]])`` for one key ``k``.
    """
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, np.int64)
    change = np.empty(n, bool)
    change[0] = True
    np.not_equal(keys[0][1:], keys[0][:-1], out=change[1:])
    for key in keys[1:]:
        change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change)


def run_lengths(starts: np.ndarray, total: int) -> np.ndarray:
    """Lengths (int64) of the runs beginning at ``starts`` (increasing) in an array of ``total``."""
    starts = np.asarray(starts, np.int64)
    lengths = np.empty(len(starts), np.int64)
    if len(starts):  # written out: np.diff(..., append=) costs 4x more on the many small
        np.subtract(starts[1:], starts[:-1], out=lengths[:-1])  # columns of a chip model
        lengths[-1] = total - starts[-1]
    return lengths


def run_ids(counts: np.ndarray) -> np.ndarray:
    """For runs of lengths ``counts`` laid end to end, the run of each element (int64):
    ``repeat(arange(len(counts)), counts)``."""
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def rank_in_runs(counts: np.ndarray) -> np.ndarray:
    """For runs of lengths ``counts`` laid end to end, each element's position in its run (int64):
    the concatenation of ``arange(c)`` for each count ``c``."""
    counts = np.asarray(counts, np.int64)
    ends = np.cumsum(counts)
    return np.arange(ends[-1] if len(ends) else 0, dtype=np.int64) - np.repeat(ends - counts, counts)


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(s, s + c)`` for each pair (int64); counts may be 0.

    A cumulative sum of ones with a jump at the start of each range: one pass over the output.
    """
    starts, counts = np.asarray(starts, np.int64), np.asarray(counts, np.int64)
    nonempty = counts > 0
    if not nonempty.all():
        starts, counts = starts[nonempty], counts[nonempty]
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    steps = np.ones(total, np.int64)
    steps[0] = starts[0]
    # at the first element of range k, jump from the last element of range k - 1 to starts[k]
    steps[np.cumsum(counts[:-1])] = starts[1:] - (starts[:-1] + counts[:-1]) + 1
    return np.cumsum(steps, out=steps)


def group_min(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``keys`` in increasing order, and the smallest of ``values`` for each."""
    if not len(keys):
        return keys[:0], values[:0]
    if not (keys[1:] >= keys[:-1]).all():  # when already sorted, no sort is needed
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], values[order]
    starts = run_starts(keys)
    return keys[starts], np.minimum.reduceat(values, starts)


def unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a 2-D integer array in order of first appearance, and each row's index
    into them (``unique[index] == rows``).

    Rows are hashed to one uint64 each (a 1-D unique is ~20x faster than ``unique(axis=0)`` on a
    million rows); the rows are then checked against their representatives, so a hash collision
    can only cost time (the exact 2-D unique), never a wrong answer.
    """
    h = np.zeros(len(rows), np.uint64)
    for column in rows.T:
        h = mix64(h ^ column.astype(np.uint64))
    _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
    if not np.array_equal(rows[first[inverse]], rows):
        _, first, inverse = np.unique(rows, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # number them by first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rows[first[order]], rank[inverse.ravel()]
