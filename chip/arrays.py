"""Bit counting shared by the compiler stages and the reports.

``np.bitwise_count`` exists from numpy 2.0; the project supports numpy 1.26, where a byte table
does the same. Every popcount in ``compiler`` goes through :func:`popcount`.
"""

from __future__ import annotations

import numpy as np

_BYTE_BITS = np.array([bin(i).count("1") for i in range(256)], np.uint8)


def popcount(values: np.ndarray) -> np.ndarray:
    """Set bits of each element of an unsigned or non-negative integer array (uint8, same shape)."""
    values = np.asarray(values)
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(values)
    as_bytes = np.ascontiguousarray(values).view(np.uint8).reshape(values.shape + (values.itemsize,))
    return _BYTE_BITS[as_bytes].sum(axis=-1, dtype=np.uint8)
