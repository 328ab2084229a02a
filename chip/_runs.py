"""Run-length coding of integer columns for the JSON chip model.

A column is written either as a plain list of integers or, when shorter, as
``{"runs": [first, step, count, first, step, count, ...]}``: arithmetic runs, so a constant column
and a range such as 0, 1, 2, ... 255 each take one run.
"""

from __future__ import annotations

import numpy as np

from corelet.chip.arrays import rank_in_runs, run_ids, run_lengths, run_starts


def encode(values: np.ndarray) -> list[int] | dict:
    values = np.asarray(values, dtype=np.int64).ravel()
    if len(values) < 4:
        return values.tolist()
    diffs = np.diff(values)
    # a run starts at 0 and wherever the step changes; each run keeps its first step
    starts = run_starts(diffs)
    counts = run_lengths(starts, len(values))
    steps = np.where(starts < len(diffs), diffs[np.minimum(starts, len(diffs) - 1)], 0)
    if 3 * len(starts) >= len(values):
        return values.tolist()
    triples = np.stack([values[starts], steps, counts], axis=1)
    return {"runs": triples.ravel().tolist()}


def decode(encoded, dtype=np.int64, max_length: int | None = None) -> np.ndarray:
    """The column ``encoded`` holds; ``ValueError`` when it is malformed or would expand past
    ``max_length`` entries (checked before anything is expanded: a few bytes of runs can claim
    billions of entries)."""
    if isinstance(encoded, dict):
        triples = integers(encoded["runs"])
        if triples.ndim != 1 or triples.size % 3:
            raise ValueError("'runs' must hold first, step, count triples")
        first, step, count = triples.reshape(-1, 3).T
        if (count < 0).any():
            raise ValueError("negative run length")
        total = sum(int(c) for c in count) if len(count) < 64 else int(count.astype(object).sum())
        if max_length is not None and total > max_length:
            raise ValueError(f"the runs expand to {total} entries, more than the {max_length} "
                             f"it can hold")
        reach = np.abs(first.astype(float)) + np.abs(step.astype(float)) * np.maximum(count - 1, 0)
        if (reach >= 2.0**63).any():
            raise ValueError("a run leaves the 64-bit integer range")
        run, within = run_ids(count), rank_in_runs(count)
        return (first[run] + step[run] * within).astype(dtype)
    return integers(encoded).astype(dtype).ravel()


def integers(values) -> np.ndarray:
    """``values`` (a list from JSON, possibly nested) as int64. ``ValueError`` when one is not an
    integer (numpy's own conversion would turn 1.5 into 1, and "12" into 12, without a word),
    ``OverflowError`` when one is outside the 64-bit range."""
    array = np.asarray(values)
    if array.dtype.kind in "ib" or array.size == 0:
        return array.astype(np.int64, copy=False)
    if array.dtype.kind == "u":  # from JSON: non-negative, some past int64
        if array.max() > np.iinfo(np.int64).max:
            raise OverflowError("an integer outside the 64-bit range")
        return array.astype(np.int64)
    np.asarray(values, dtype=np.int64)  # the usual error for text, null or a too large integer
    raise ValueError("a value that is not an integer")
