"""Helpers for recurrent networks whose state goes round through a delay window of the chip.

* ``count_state(a, window)``: the state a linear-reset ReLU neuron (threshold 1 in the units of a)
  gives over a window of ``window`` ticks when the window brings it charge ``a``: its spike count
  ``min(window, floor(window * max(a, 0)))`` (at most one spike a tick) divided by ``window``, so
  that the state is one of ``window + 1`` levels in [0, 1] (seed 001's "4-bit hidden state" for a
  16-tick window).
* ``count_state_grad(a, window)``: its straight-through derivative: 1 where the count is neither
  clipped at 0 nor at the window (0 < a < 1), 0 elsewhere.
* ``even_code(values, window)``: a deterministic rate code: a value v in [0, 1] becomes
  ``round(window * v)`` spikes spread evenly over the window (tick ``floor(j * window / n)`` for
  spike j of n), for each of a sequence of windows.
"""

from __future__ import annotations

import numpy as np


def count_state(a, window: int) -> np.ndarray:
    """min(window, floor(window * max(a, 0))) / window."""
    a = np.asarray(a, dtype=np.float64)
    return np.clip(np.floor(window * a), 0, window) / window


def count_state_grad(a, window: int) -> np.ndarray:
    """The straight-through derivative of ``count_state``: 1 for 0 < a < 1, else 0."""
    a = np.asarray(a, dtype=np.float64)
    return ((a > 0) & (a < 1)).astype(np.float64)


def even_code(values, window: int) -> np.ndarray:
    """Spike raster (..., steps * window, width) of values (..., steps, width) in [0, 1]: window k
    holds round(window * v) spikes of step k's value at ticks floor(j * window / n), j = 0 .. n - 1."""
    v = np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0)
    n = np.floor(window * v + 0.5).astype(np.int64)                 # spikes per window
    tick = np.arange(window)
    # spike j of n sits at floor(j * window / n): tick s carries one iff ceil(s n / window) differs
    # from ceil((s + 1) n / window), i.e. the count of spikes before s + 1 grows at s
    before = -((-tick[:, None] * n[..., None, :]) // window)        # ceil(s * n / window)
    after = -((-(tick[:, None] + 1) * n[..., None, :]) // window)
    spikes = after > before                                         # (..., steps, window, width)
    shape = v.shape[:-2] + (v.shape[-2] * window, v.shape[-1])
    return spikes.reshape(shape)
