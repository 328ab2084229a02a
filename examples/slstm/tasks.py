"""The tasks of seed 002's S-LSTM, generated: parity of bit streams (the running parity at every
step, as the seed: "determine at each input of a sequence of binary inputs whether the number of
1's observed so far in the sequence is even or odd").

Sequence files (``--sequences FILE.npz``, and what ``parity`` returns) have three arrays:
``x`` (N, T, n_in) float inputs, ``y`` (N, T) labels 0/1 and ``mask`` (N, T), 1 on the steps of
each sequence and 0 on the padding after its end (sequences of different lengths share T).
"""

from __future__ import annotations

import numpy as np


def parity(n: int, max_len: int = 20, min_len: int = 1, seed: int = 0):
    """``n`` random bit streams of lengths min_len .. max_len: (x (n, max_len, 1), y, mask)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_len, max_len + 1, n)
    bits = rng.integers(0, 2, (n, max_len))
    mask = (np.arange(max_len)[None, :] < lengths[:, None]).astype(np.float64)
    bits = bits * mask.astype(np.int64)
    y = (np.cumsum(bits, axis=1) % 2).astype(np.float64)
    return bits[:, :, None].astype(np.float64), y, mask


def check_sequences(x, y, mask, n_in: int, where: str) -> None:
    """Raise SystemExit with a plain message when the arrays do not have the documented layout."""
    if x.ndim != 3 or x.shape[2] != n_in:
        raise SystemExit(f"{where}: x must be (sequences, steps, {n_in}), got {x.shape}")
    if y.shape != x.shape[:2] or mask.shape != x.shape[:2]:
        raise SystemExit(f"{where}: y and mask must be (sequences, steps) = {x.shape[:2]}, "
                         f"got {y.shape} and {mask.shape}")
    if not np.isin(mask, (0, 1)).all() or not np.isin(y, (0, 1)).all():
        raise SystemExit(f"{where}: y and mask must hold only 0 and 1")
