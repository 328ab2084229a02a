"""Decoding a run's output spikes: counts, rates over windows, values, class votes and bursts.

The one set of decoders of the toolchain: the examples use them, the command line's
``corelet decode`` runs them on the ``.npz`` a run writes (``read_run``), and ``corelet.decode``
is this module.

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
  ``classify(raster, pin_class=None, ...)``: both after ``spike_counts`` (no ``pin_class``: each
  pin is its own class).
* ``bursts(raster)``: every burst, a maximal run of spikes in consecutive ticks of one pin, as
  ``Bursts`` (sample, pin, start tick, length; sorted by sample, pin, start). A burst code (seed
  002's store-and-release neurons, ``library/store_release.corelet``) sends value v as v spikes in
  consecutive ticks; ``burst_lengths(raster, window, start=0)`` reads it per window: the length
  of the longest burst that starts in each window, ``(batch, windows, width)`` (0: silent).
* ``read_run(path)``: the arrays of a ``corelet run`` output file (``outputs``, ``probes``, and the
  scalars), by connector name.
"""

from __future__ import annotations

from typing import Mapping

import attrs
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


def classify(raster, pin_class=None, n_classes: int | None = None, window: int | None = None,
             start: int = 0) -> np.ndarray:
    """The winning class of each sample (or window): the votes of ``spike_counts``, ties to the
    lowest class. Without ``pin_class`` each pin is its own class (argmax over pins)."""
    counts = spike_counts(raster, window, start)
    if pin_class is None:
        return predict_class(counts)
    return predict_class(class_votes(counts, pin_class, n_classes))


@attrs.frozen(eq=False)
class Bursts:
    """Every burst of a raster: four int64 arrays of equal length, one entry per burst."""

    sample: np.ndarray
    pin: np.ndarray
    start: np.ndarray
    length: np.ndarray

    def __len__(self) -> int:
        return len(self.start)


def bursts(raster) -> Bursts:
    """Every maximal run of spikes in consecutive ticks, per sample and pin (see the module)."""
    spikes = _as_batch(raster) != 0
    batch, ticks, width = spikes.shape
    # edges of the runs along time: +1 where a run starts, -1 one past where it ends
    padded = np.zeros((batch, width, ticks + 2), dtype=np.int8)
    padded[:, :, 1:-1] = spikes.transpose(0, 2, 1)
    edges = np.diff(padded, axis=2)
    sample, pin, begin = np.nonzero(edges == 1)  # row-major: sorted by sample, pin, tick
    end = np.nonzero(edges == -1)[2]  # the same runs in the same order
    return Bursts(sample=sample.astype(np.int64), pin=pin.astype(np.int64),
                  start=begin.astype(np.int64), length=(end - begin).astype(np.int64))


def burst_lengths(raster, window: int, start: int = 0) -> np.ndarray:
    """Per window of ``window`` ticks from tick ``start`` (a last partial window dropped), the
    length of the longest burst starting in it, ``(batch, windows, width)``; a burst may run on
    past its window's end (it still counts whole, in the window it started in)."""
    if window < 1:
        raise ValueError(f"the window must be 1 tick or more, got {window}")
    raster = _as_batch(raster)
    batch, ticks, width = raster.shape
    n = max(ticks - start, 0) // window
    found = bursts(raster[:, start:, :])
    keep = found.start < n * window
    out = np.zeros((batch, n, width), dtype=np.int64)
    np.maximum.at(out, (found.sample[keep], found.start[keep] // window, found.pin[keep]),
                  found.length[keep])
    return out


def read_run(source) -> dict:
    """A ``corelet run`` output file (a path), or its arrays by entry name (a mapping), grouped:
    ``{"outputs": {name: bool (B, T, w)}, "probes": {...}, "probe_neurons": {...}, "counts": {...},
    "traces": {...}, "ticks": int, "batch": int, "seed": int}``."""
    if isinstance(source, Mapping):
        return _group_run(source)
    with np.load(source, allow_pickle=False) as data:
        return _group_run({key: data[key] for key in data.files})


def _group_run(arrays: Mapping) -> dict:
    run: dict = {"outputs": {}, "probes": {}, "probe_neurons": {}, "counts": {}, "traces": {}}
    for key, value in arrays.items():
        group, sep, name = key.partition("/")
        if sep and group in run:
            run[group][name] = np.asarray(value)
        elif not sep and np.ndim(value) == 0:
            run[key] = int(value)
    return run


def _as_batch(raster) -> np.ndarray:
    raster = np.asarray(raster)
    if raster.ndim == 2:
        raster = raster[None]
    if raster.ndim != 3:
        raise ValueError(f"a raster is (batch, ticks, width) or (ticks, width), got shape {raster.shape}")
    return raster
