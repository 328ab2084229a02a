"""Input rasters: reading them from array files (``.npz``, ``.npy``, ``.json``) and checking them against a fabric's connectors.

An input raster for a connector of width W is a 0/1 array shaped ``(ticks_in, W)`` (the same for
every sample) or ``(batch, ticks_in, W)`` (one per sample), with ``ticks_in <= ticks``; row t is
integrated in tick t (plus the route's delay - 1). Rows after ``ticks_in`` are silent, and so is a
connector that is not given at all.
"""

from __future__ import annotations

import os
from typing import Mapping

import numpy as np

from corelet.chip import Location
from corelet.chip.limits import active_limits
from corelet.chip.files import ArrayFileError, load_arrays
from corelet.runtime.errors import SimulationError
from corelet.runtime.fabric import Fabric


def read_input_file(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The arrays of an input file, by name (``chip.files.load_arrays``).

    An ``.npz`` (or a JSON object) holds one array per input connector, under its name; an ``.npy``
    (or a JSON list) holds one unnamed array, under ``""``, for ``--input NAME=FILE``.
    """
    try:
        return load_arrays(path)
    except ArrayFileError as err:
        raise SimulationError(f"input file {err}", locations=[Location(file=os.fspath(path))]) from None


def expected_shapes(fabric: Fabric) -> str:
    """``x: (ticks, 16) or (batch, ticks, 16); y: ...`` for error messages."""
    if not fabric.inputs:
        return "this model has no input connectors"
    return "; ".join(f"'{name}': (ticks, {w}) or (batch, ticks, {w})" for name, w in fabric.inputs)


def check_inputs(fabric: Fabric, inputs: dict | None, ticks: int,
                 batch: int | None) -> dict[str, np.ndarray]:
    """Inputs checked and normalised to bool ``(batch, ticks_in, width)``, by connector name.

    ``batch=None`` takes the batch from the 3-d inputs (1 if there are none). Raises
    ``SimulationError`` naming the expected connectors and shapes when something does not match.
    """
    inputs = dict(inputs or {})
    widths = dict(fabric.inputs)
    unknown = sorted(set(inputs) - set(widths))
    if unknown == [""]:
        raise SimulationError("an input file with one unnamed array (.npy) needs its connector "
                              f"named, as NAME=FILE; expected {expected_shapes(fabric)}")
    if unknown:
        raise SimulationError(f"unknown input connector(s) {', '.join(map(repr, unknown))}; "
                              f"expected {expected_shapes(fabric)}",
                              locations=[Location(connector=name) for name in unknown])
    arrays = {name: np.asarray(value) for name, value in inputs.items()}
    batch = batch_of(arrays, batch, fabric)
    return {name: _normalise(name, arr, widths[name], ticks, batch, fabric)
            for name, arr in arrays.items()}


def batch_of(arrays: Mapping, batch: int | None, fabric: Fabric) -> int:
    """The run's batch: ``batch`` (checked), else the first axis of the 3-d inputs (which must
    agree), else 1. The arrays may be memory-mapped: only their shapes are read."""
    sizes = {np.shape(arr)[0] for arr in arrays.values() if np.ndim(arr) == 3}
    if batch is None:
        if len(sizes) > 1:
            raise SimulationError(f"input batch sizes differ: {sorted(sizes)}; "
                                  f"expected {expected_shapes(fabric)} with one batch size")
        return sizes.pop() if sizes else 1
    if batch < 1:
        raise SimulationError(f"batch must be at least 1, got {batch}")
    active_limits().check("samples", int(batch), "samples of this run (the batch)",
                          Location(field="batch"), SimulationError)
    return batch


def _normalise(name, arr, width, ticks, batch, fabric) -> np.ndarray:
    where, given = f"input '{name}'", tuple(arr.shape)
    place = [Location(connector=name)]
    if arr.ndim == 2:
        arr = arr[None]
    shape_ok = arr.ndim == 3 and arr.shape[2] == width and arr.shape[0] in (1, batch)
    if not shape_ok:
        raise SimulationError(f"{where} has shape {given}; expected "
                              f"(ticks, {width}) or ({batch}, ticks, {width}) "
                              f"[all inputs: {expected_shapes(fabric)}]", locations=place)
    if arr.shape[1] > ticks:
        raise SimulationError(f"{where} has {arr.shape[1]} ticks but the run has {ticks}",
                              locations=place)
    if arr.dtype != bool:
        if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
            raise SimulationError(f"{where} has dtype {arr.dtype}; expected 0/1 or bool",
                                  locations=place)
        if arr.size and not np.isin(arr, (0, 1)).all():
            bad = arr[~np.isin(arr, (0, 1))].ravel()[0]
            raise SimulationError(f"{where} holds the value {bad}; a raster holds only 0 and 1",
                                  locations=place)
    return np.broadcast_to(arr.astype(bool), (batch, arr.shape[1], width))
