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


def decode(encoded, dtype=np.int64) -> np.ndarray:
    if isinstance(encoded, dict):
        triples = np.asarray(encoded["runs"], dtype=np.int64)
        if triples.size % 3:
            raise ValueError("'runs' must hold first, step, count triples")
        first, step, count = triples.reshape(-1, 3).T
        if (count < 0).any():
            raise ValueError("negative run length")
        run, within = run_ids(count), rank_in_runs(count)
        return (first[run] + step[run] * within).astype(dtype)
    return np.asarray(encoded, dtype=np.int64).astype(dtype).ravel()
