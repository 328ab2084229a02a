"""Weight and value quantisers for the chip's few-bit integer synapses, with the straight-through
estimator (STE) for training through them.

* ``uniform(x, bits)``: seed 002's k-bit uniform quantiser of a value in [0, 1],
  ``Q_k(x) = floor((2^k - 1) x + 1/2) / (2^k - 1)`` (x clipped to [0, 1] first).
* ``signed_range(bits, symmetric)``: the integers of a ``bits``-bit two's-complement weight,
  -2^(bits-1) .. 2^(bits-1) - 1 (4 bits: -8 .. 7, the axon weights 1, 2, 4, -8 of library ``Dense``),
  or the symmetric -(2^(bits-1) - 1) .. 2^(bits-1) - 1 (-7 .. 7) when a weight's negation must also
  fit (seed 000's doubled inputs copy each weight with its sign flipped).
* ``fit_scale`` / ``to_integers`` / ``to_chip``: weight scaling into that integer range. The scale
  is the smallest that keeps every weight inside the range after ``w / scale``; ``to_chip`` returns
  the integers and the scale, so ``integers * scale`` approximates ``w``.
* ``fake_quantise(w, bits, scale)``: the STE pair: the quantised weights ``to_integers(...) * scale``
  for the forward pass and the mask of weights inside the range, through which the backward pass
  hands the gradient on unchanged (``ste_grad``); outside the range the clip has no gradient.
* ``balanced(w, bits)``: seed 002's balanced quantisation (its equation 9): ``scale = 2.5 mean|w|``,
  ``w' = clip(w / scale, -0.5, 0.5) + 0.5`` in [0, 1], quantised with ``uniform`` and mapped back by
  the inverse of the same standardisation, ``(Q_k(w') - 0.5) * scale``, so the levels are used
  evenly by bell-shaped weights rather than kept for their outliers.
* ``round_decimals(w, n)`` / ``decimal_integers(w, n)``: seed 002's rounding to the n-th decimal
  (equation 10) and the chip integers it gives by scaling with ``10^n`` (exactly, no new rounding).

Rounding is half away from zero everywhere (``floor(|x| + 1/2)`` with the sign put back), so that
``to_integers(-w) == -to_integers(w)`` in the symmetric range, which the doubled inputs rely on.
"""

from __future__ import annotations

import numpy as np


def round_half_away(x) -> np.ndarray:
    """Round to the nearest integer, halves away from zero (numpy's ``rint`` rounds them to even)."""
    x = np.asarray(x, dtype=np.float64)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def uniform(x, bits: int) -> np.ndarray:
    """Seed 002's k-bit uniform quantiser on [0, 1]: floor((2^k - 1) x + 1/2) / (2^k - 1)."""
    _check_bits(bits, 1)
    levels = 2 ** bits - 1
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    return np.floor(levels * x + 0.5) / levels


def signed_range(bits: int, symmetric: bool = False) -> tuple[int, int]:
    """The smallest and largest integer of a ``bits``-bit two's-complement weight."""
    _check_bits(bits, 2)
    hi = 2 ** (bits - 1) - 1
    return (-hi if symmetric else -hi - 1), hi


def fit_scale(w, bits: int, symmetric: bool = False) -> float:
    """The smallest scale with ``lo <= w / scale <= hi`` for every weight (1.0 for all-zero w)."""
    lo, hi = signed_range(bits, symmetric)
    w = np.asarray(w, dtype=np.float64)
    if not w.size:
        return 1.0
    scale = max(float(w.max()) / hi, float(w.min()) / lo, 0.0)
    return scale if scale > 0 else 1.0


def to_integers(w, bits: int, scale: float, symmetric: bool = False) -> np.ndarray:
    """``w / scale`` rounded (halves away from zero) and clipped to the range, as int64."""
    lo, hi = signed_range(bits, symmetric)
    if not scale > 0:
        raise ValueError(f"the scale must be positive, got {scale}")
    q = round_half_away(np.asarray(w, dtype=np.float64) / scale)
    return np.clip(q, lo, hi).astype(np.int64)


def to_chip(w, bits: int, symmetric: bool = False, scale: float | None = None):
    """Weights as chip integers: ``(integers, scale)`` with ``integers * scale ~ w``.

    Without ``scale`` the range is filled (``fit_scale``): the largest weight becomes ``hi`` or the
    most negative ``lo``.
    """
    scale = fit_scale(w, bits, symmetric) if scale is None else float(scale)
    return to_integers(w, bits, scale, symmetric), scale


def fake_quantise(w, bits: int, scale: float, symmetric: bool = False):
    """The STE forward pass: ``(quantised weights as floats, mask)``.

    The mask is True where ``w / scale`` lies inside the representable range (half a step beyond
    the end levels included), i.e. where rounding is the identity to first order; pass the
    gradient of the quantised weights through it with ``ste_grad``.
    """
    lo, hi = signed_range(bits, symmetric)
    w = np.asarray(w, dtype=np.float64)
    z = w / scale
    return to_integers(w, bits, scale, symmetric) * float(scale), (z >= lo - 0.5) & (z <= hi + 0.5)


def ste_grad(grad_quantised, mask) -> np.ndarray:
    """The straight-through estimator: d loss / d w = d loss / d w_q inside the range, 0 outside."""
    return np.where(mask, np.asarray(grad_quantised, dtype=np.float64), 0.0)


def balanced(w, bits: int, scale: float | None = None) -> np.ndarray:
    """Seed 002's k-bit balanced quantisation (equation 9); ``scale`` defaults to 2.5 mean|w|."""
    _check_bits(bits, 1)
    w = np.asarray(w, dtype=np.float64)
    if scale is None:
        scale = 2.5 * float(np.abs(w).mean()) if w.size else 1.0
    if not scale > 0:
        return np.zeros_like(w)
    standard = np.clip(w / scale, -0.5, 0.5) + 0.5
    return (uniform(standard, bits) - 0.5) * scale


def round_decimals(w, n: int) -> np.ndarray:
    """Seed 002's ``round_nD``: w rounded to the n-th decimal place (equation 10)."""
    return decimal_integers(w, n) / 10.0 ** n


def decimal_integers(w, n: int) -> np.ndarray:
    """The chip integers of weights rounded to n decimals: ``round(w * 10^n)`` (scaling factor
    ``sf = 10^n``), so ``decimal_integers(w, n) / 10^n == round_decimals(w, n)``."""
    if n < 0:
        raise ValueError(f"the number of decimals must be 0 or more, got {n}")
    return round_half_away(np.asarray(w, dtype=np.float64) * 10.0 ** n).astype(np.int64)


def _check_bits(bits: int, least: int) -> None:
    if int(bits) != bits or bits < least:
        raise ValueError(f"bits must be a whole number >= {least}, got {bits}")
