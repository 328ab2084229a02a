"""The tasks of seed 002's S-LSTM, generated: parity of bit streams (the running parity at every
step, as the seed: "determine at each input of a sequence of binary inputs whether the number of
1's observed so far in the sequence is even or odd") and the embedded Reber grammar (read the
symbols one at a time and predict the set of possible next symbols).

Sequence files (``--sequences FILE.npz``, and what ``parity`` returns) have three arrays:
``x`` (N, T, n_in) float inputs, ``y`` (N, T) labels 0/1 and ``mask`` (N, T), 1 on the steps of
each sequence and 0 on the padding after its end (sequences of different lengths share T). For the
Reber grammar n_in = 7 (one-hot symbols in the order of ``SYMBOLS``) and ``y`` is (N, T, 7): the
possible next symbols of each step, multi-hot.
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


SYMBOLS = "BTPSXVE"
# the Reber grammar's graph: node -> [(symbol, next node)]; node 5 is the end (then E)
REBER = {0: [("T", 1), ("P", 2)], 1: [("S", 1), ("X", 3)], 2: [("T", 2), ("V", 4)],
         3: [("X", 2), ("S", 5)], 4: [("P", 3), ("V", 5)]}


def _reber_walk(rng) -> tuple[str, list[str]]:
    """One Reber string B ... E and, for each of its symbols, the possible next symbols."""
    text, nexts, node = "B", [], 0
    while node != 5:
        options = REBER[node]
        nexts.append("".join(sym for sym, _ in options))
        sym, node = options[rng.integers(len(options))]
        text += sym
    nexts.append("E")
    return text + "E", nexts


def embedded_reber(n: int, max_len: int = 36, seed: int = 0):
    """``n`` embedded Reber strings of at most max_len symbols: B, T or P, a Reber string, the same
    T or P, E. Step t's input is symbol t, its target the set of possible symbols t + 1 (so a
    string of L symbols has L - 1 steps). Returns x (n, max_len - 1, 7), y (n, max_len - 1, 7),
    mask (n, max_len - 1)."""
    rng = np.random.default_rng(seed)
    T = max_len - 1
    x = np.zeros((n, T, len(SYMBOLS)))
    y = np.zeros((n, T, len(SYMBOLS)))
    mask = np.zeros((n, T))
    k = 0
    while k < n:
        inner, inner_next = _reber_walk(rng)
        branch = "TP"[rng.integers(2)]
        text = "B" + branch + inner + branch + "E"
        if len(text) > max_len:
            continue
        # after B: T or P; after the branch: the inner B; the inner string; after its E the
        # same branch (the long dependency); after that, E
        nexts = ["TP", "B"] + inner_next + [branch, "E"]
        for t in range(len(text) - 1):
            x[k, t, SYMBOLS.index(text[t])] = 1
            for sym in nexts[t]:
                y[k, t, SYMBOLS.index(sym)] = 1
            mask[k, t] = 1
        k += 1
    return x, y, mask


def check_sequences(x, y, mask, n_in: int, where: str) -> None:
    """Raise SystemExit with a plain message when the arrays do not have the documented layout."""
    if x.ndim != 3 or x.shape[2] != n_in:
        raise SystemExit(f"{where}: x must be (sequences, steps, {n_in}), got {x.shape}")
    if y.shape[:2] != x.shape[:2] or y.ndim not in (2, 3) or mask.shape != x.shape[:2]:
        raise SystemExit(f"{where}: y must be (sequences, steps[, outputs]) and mask (sequences, "
                         f"steps), steps = {x.shape[:2]}, got {y.shape} and {mask.shape}")
    if not np.isin(mask, (0, 1)).all() or not np.isin(y, (0, 1)).all():
        raise SystemExit(f"{where}: y and mask must hold only 0 and 1")
