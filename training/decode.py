"""Decoding a run's output spikes: counts, rates over windows, values and class votes.

Rasters are bool or 0/1 arrays ``(batch, ticks, width)``, as the runtime's ``SimResult.outputs``
holds them (a 2-d ``(ticks, width)`` raster is one sample).

* ``spike_counts(raster, window=None, start=0)``: spikes per pin from tick ``start`` on, in one
  window (``(batch, width)``) or in consecutive windows of ``window`` ticks
  (``(batch, windows, width)``; a last partial window is dropped).
* ``rates(raster, window=None, start=0)``: the same counts divided by the window's ticks.
* ``counts_to_values(counts, ticks, scale=1.0, offset=0.0)``: a rate-coded value back in the
  network's units, ``offset + scale * counts / ticks``.
* ``class_votes(counts, pin_class, n_classes)``: the votes of each class, the summed counts of the
  pins that vote for it (``pin_class[p]`` the class of pin p, as Eedn's output neurons vote), and
  ``predict_class(votes)``: the class with most votes, the lowest class index among ties.
"""

from __future__ import annotations

import numpy as np


def spike_counts(raster, window: int | None = None, start: int = 0) -> np.ndarray:
    """Spikes per pin: ``(batch, width)`` over ticks ``start ..``, or per window of ``window``
    ticks, ``(batch, windows, width)``."""
    raster = _as_batch(raster)[:, start:, :]
    if window is None:
        return raster.sum(axis=1, dtype=np.int64)
    if window < 1:
        raise ValueError(f"the window must be 1 tick or more, got {window}")
    n = raster.shape[1] // window
    blocks = raster[:, :n * window, :].reshape(raster.shape[0], n, window, raster.shape[2])
    return blocks.sum(axis=2, dtype=np.int64)


def rates(raster, window: int | None = None, start: int = 0) -> np.ndarray:
    """Spikes per tick per pin, over the whole raster from ``start`` or per window."""
    ticks = _as_batch(raster).shape[1] - start if window is None else window
    if ticks < 1:
        raise ValueError("no ticks to take a rate over")
    return spike_counts(raster, window, start) / float(ticks)


def counts_to_values(counts, ticks: int, scale: float = 1.0, offset: float = 0.0) -> np.ndarray:
    """``offset + scale * counts / ticks``: a rate-coded value in the units the network was
    trained in (``scale`` undoes the thresholds and weight scales of the mapping)."""
    if ticks < 1:
        raise ValueError(f"ticks must be 1 or more, got {ticks}")
    return offset + scale * np.asarray(counts, dtype=np.float64) / ticks


def class_votes(counts, pin_class, n_classes: int | None = None) -> np.ndarray:
    """Votes per class, ``(..., n_classes)``: the counts of all pins of each class, summed."""
    counts = np.asarray(counts)
    pin_class = np.asarray(pin_class, dtype=np.int64)
    if pin_class.shape != counts.shape[-1:]:
        raise ValueError(f"pin_class has {pin_class.shape} entries for {counts.shape[-1]} pins")
    if pin_class.size and pin_class.min() < 0:
        raise ValueError("classes are numbered from 0")
    n_classes = int(pin_class.max()) + 1 if n_classes is None else n_classes
    if pin_class.size and pin_class.max() >= n_classes:
        raise ValueError(f"pin class {pin_class.max()} is not below n_classes = {n_classes}")
    onehot = np.zeros((pin_class.size, n_classes), dtype=np.int64)
    onehot[np.arange(pin_class.size), pin_class] = 1
    return counts.astype(np.int64) @ onehot


def predict_class(votes) -> np.ndarray:
    """The class with most votes along the last axis; ties go to the lowest class index."""
    return np.argmax(np.asarray(votes), axis=-1)


def _as_batch(raster) -> np.ndarray:
    raster = np.asarray(raster)
    if raster.ndim == 2:
        raster = raster[None]
    if raster.ndim != 3:
        raise ValueError(f"a raster is (batch, ticks, width) or (ticks, width), got shape {raster.shape}")
    return raster
