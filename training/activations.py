"""Hard activations and their derivatives, for training networks whose neurons are linear on the chip.

* ``relu``: max(0, x), what a linear-reset neuron with a floor at 0 computes as a rate (seed 000).
* ``hard_sigmoid(x, slope)``: max(0, min(1, slope * x + 0.5)), seed 002's equation (2), the rate of a
  stochastic-threshold neuron (library ``HardSigmoid``).
* ``hard_tanh(x, slope)``: max(-1, min(1, slope * x)), seed 002's equation (4) (library ``HardTanh``).

Each ``*_grad`` is the derivative with respect to x, taken as 0 at the kinks (the subgradient that
backpropagation uses): 1 (times the slope) strictly inside the linear range, 0 outside.
"""

from __future__ import annotations

import numpy as np


def relu(x) -> np.ndarray:
    """max(0, x), elementwise."""
    return np.maximum(np.asarray(x, dtype=np.float64), 0.0)


def relu_grad(x) -> np.ndarray:
    """d relu / dx: 1 where x > 0, else 0."""
    return (np.asarray(x) > 0).astype(np.float64)


def hard_sigmoid(x, slope: float = 1.0) -> np.ndarray:
    """max(0, min(1, slope * x + 0.5)); seed 002 trains with slope 1 (linear for |x| < 0.5)."""
    return np.clip(slope * np.asarray(x, dtype=np.float64) + 0.5, 0.0, 1.0)


def hard_sigmoid_grad(x, slope: float = 1.0) -> np.ndarray:
    """slope where 0 < slope * x + 0.5 < 1, else 0."""
    z = slope * np.asarray(x, dtype=np.float64) + 0.5
    return np.where((z > 0) & (z < 1), float(slope), 0.0)


def hard_tanh(x, slope: float = 1.0) -> np.ndarray:
    """max(-1, min(1, slope * x)); seed 002 uses slope 2, twice the sigmoid's, for the same range."""
    return np.clip(slope * np.asarray(x, dtype=np.float64), -1.0, 1.0)


def hard_tanh_grad(x, slope: float = 1.0) -> np.ndarray:
    """slope where -1 < slope * x < 1, else 0."""
    z = slope * np.asarray(x, dtype=np.float64)
    return np.where((z > -1) & (z < 1), float(slope), 0.0)
