"""Trinary weights, binary neurons and batch-norm folding for Eedn networks (seed 003, Esser et al.).

* Weights: a high-precision hidden value ``w_h`` clipped to -1 .. 1 takes the gradient updates; the
  trinary weight used in the forward and backward pass is ``w_h`` rounded with hysteresis ``h``
  (:func:`round_with_hysteresis`, :class:`HysteresisTrinary`): -1 at or below -0.5 - h, +1 at or
  above 0.5 + h, 0 between -0.5 + h and 0.5 - h, and the previous value inside the two bands of
  width 2 h around +-0.5, so a synapse flips only when the hidden value has clearly moved.
* Neurons: the binary neuron ``y = [r >= 0]`` (:func:`binary`) with the approximate derivative
  ``dy/dr = max(0, 1 - |r|)`` (:func:`binary_grad`).
* Deployment: a batch-normalised response ``r = (s - mu) / (sigma + eps) + b`` thresholded at 0
  becomes a chip neuron with threshold 1, reset to 0, floor 0 and the integer leak of
  :func:`fold_batch_norm`, which fires on exactly the same integer sums ``s``.

Pure numpy; no stage of the toolchain is imported.
"""

from __future__ import annotations

import numpy as np

HYSTERESIS = 0.1       # seed 003: "h is a hysteresis parameter set to 0.1 here"
BN_EPS = 1e-4          # seed 003, eq. 1: epsilon = 10^-4
LEAK_RANGE = (-255, 255)   # the chip's leak (seed 003: L in {-255 .. 255})


def clip_hidden(hidden: np.ndarray) -> np.ndarray:
    """Hidden weights bounded to -1 .. 1 by clipping (seed 003)."""
    return np.clip(hidden, -1.0, 1.0)


def round_with_hysteresis(hidden: np.ndarray, previous: np.ndarray | None = None,
                          h: float = HYSTERESIS) -> np.ndarray:
    """Trinary weights (int8, -1 / 0 / +1) from hidden weights, keeping ``previous`` in the bands.

    w = -1 if w_h <= -0.5 - h; 0 if -0.5 + h <= w_h <= 0.5 - h; +1 if w_h >= 0.5 + h; else the
    previous value. (The paper prints the middle condition with an "or"; it is the interval
    between the two bands, an "and", or every value would be 0.) Without ``previous`` the bands
    round to nearest (the previous value of a fresh weight is taken to be its plain rounding).
    A ``previous`` value the band does not allow (e.g. -1 for w_h = 0.45) is not kept: inside
    the band around +0.5 the weight is 0 or +1, around -0.5 it is -1 or 0.
    """
    hidden = np.asarray(hidden, dtype=np.float64)
    if not 0.0 <= h < 0.5:
        raise ValueError(f"the hysteresis h must be 0 <= h < 0.5, got {h}")
    nearest = np.clip(np.rint(hidden), -1, 1).astype(np.int8)
    if previous is None:
        previous = nearest
    previous = np.broadcast_to(np.asarray(previous, dtype=np.int8), hidden.shape)
    # inside a band, keep the previous value if the band allows it, else round to nearest
    band_hi = (hidden > 0.5 - h) & (hidden < 0.5 + h)
    band_lo = (hidden > -0.5 - h) & (hidden < -0.5 + h)
    keep = (band_hi & (previous >= 0)) | (band_lo & (previous <= 0))
    out = np.where(hidden >= 0.5 + h, 1, np.where(hidden <= -0.5 - h, -1, 0)).astype(np.int8)
    out = np.where(band_hi | band_lo, nearest, out)
    return np.where(keep, previous, out).astype(np.int8)


class HysteresisTrinary:
    """A trinary weight tensor trained through its clipped hidden values.

    ``value`` is the trinary weight (int8) of the forward and backward pass; ``step(delta)`` adds
    ``delta`` to the hidden values, clips them to -1 .. 1 and re-rounds with hysteresis from the
    current ``value``.
    """

    def __init__(self, hidden: np.ndarray, h: float = HYSTERESIS):
        self.h = float(h)
        self.hidden = clip_hidden(np.array(hidden, dtype=np.float64))
        self.value = round_with_hysteresis(self.hidden, None, self.h)

    def step(self, delta: np.ndarray) -> None:
        self.hidden = clip_hidden(self.hidden + delta)
        self.value = round_with_hysteresis(self.hidden, self.value, self.h)


def binary(r: np.ndarray) -> np.ndarray:
    """The binary neuron of seed 003 (eq. 3): 1 where r >= 0, else 0 (float64)."""
    return (np.asarray(r) >= 0).astype(np.float64)


def binary_grad(r: np.ndarray) -> np.ndarray:
    """The binary neuron's approximate derivative, max(0, 1 - |r|): 1 at 0, 0 beyond |r| = 1."""
    return np.maximum(0.0, 1.0 - np.abs(np.asarray(r, dtype=np.float64)))


def fold_batch_norm(mu: np.ndarray, sigma: np.ndarray, b: np.ndarray, eps: float = BN_EPS,
                    leak_range: tuple[int, int] = LEAK_RANGE, fan_in: int | None = None) -> np.ndarray:
    """The integer leak (int64) of a chip neuron (threshold 1, reset to 0, floor 0) that fires on
    an integer weighted sum s exactly when ``(s - mu) / (sigma + eps) + b >= 0``.

    With sigma + eps > 0 the condition is s >= mu - b (sigma + eps), i.e. s >= ceil(mu - b (sigma +
    eps)), and the chip fires when s + L >= 1, so L = 1 - ceil(mu - b (sigma + eps)) =
    floor(b (sigma + eps) - mu) + 1. Seed 003 writes ceil(b (sigma + eps) - mu), the same number
    except where b (sigma + eps) - mu is a whole number, where it misses the equality case r = 0.
    The leak is clipped to ``leak_range``; with ``fan_in`` (the most inputs a neuron sums, each
    -1 .. +1) the function checks that clipping cannot change an output (a leak beyond fan_in + 1
    or below -fan_in already fixes it).
    """
    scale = np.asarray(sigma, dtype=np.float64) + eps
    if np.any(scale <= 0):
        raise ValueError("batch-norm folding needs sigma + eps > 0")
    leak = np.floor(np.asarray(b, dtype=np.float64) * scale - np.asarray(mu, dtype=np.float64)) + 1
    lo, hi = leak_range
    if fan_in is not None and (fan_in + 1 > hi or -fan_in < lo):
        raise ValueError(f"a fan-in of {fan_in} needs leaks up to +-{fan_in + 1}; "
                         f"the leak range is {lo} .. {hi}")
    return np.clip(leak, lo, hi).astype(np.int64)
