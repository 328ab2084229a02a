"""Spike encoders: rasters from rates and burst counts, per input connector and per sample.

* ``rate_code(rates, ticks, mode="bernoulli")``: each pin fires in each tick with probability
  ``rate`` (spikes per tick, 0..1), independently (a Bernoulli process, the discrete-time Poisson
  process). Sample b uses the random stream seeded by ``(seed + b, salt)``, so a sample gets the
  same raster alone or in a batch, and two connectors (different ``salt``) get independent ones.
* ``rate_code(..., mode="even")``: deterministic, evenly spaced: the pin fires in tick t when
  ``floor((t + 1) * rate) > floor(t * rate)``; over T ticks that is exactly ``floor(T * rate)``
  spikes, one every ``1 / rate`` ticks.
* ``burst_code(counts, ticks, window)``: ``counts[k, i]`` spikes on pin i in the first ticks of
  window k (ticks ``k * window .. (k + 1) * window - 1``); a 1-d ``counts`` is one window, a 2-d
  ``(steps, width)`` one a sequence of windows (one per step of a sequence input), and a 3-d
  ``(batch, steps, width)`` one sequence per sample. The window defaults to ``ticks // steps``.

Rates broadcast from a scalar, one value per pin ``(width,)``, or one row per sample
``(batch, width)``. Every function returns bool ``(batch, ticks, width)``.

``parse_encoder_spec`` reads the command line forms (see ``docs/runtime.md``)::

    --rate x=0.2                 Bernoulli, every pin of x at 0.2 spikes per tick
    --rate x=rates.npy:even      evenly spaced, rates per pin (or per sample and pin) from a file
    --rate x=data.npz:r0         the array 'r0' of an .npz file (a .json list works like .npy)
    --burst x=3:window=8         3 spikes on every pin of x, in ticks 0..2 of one 8-tick window
    --burst x=counts.npy:window=16   a sequence: row k of counts fills ticks 16k .. 16k+15
"""

from __future__ import annotations

import numpy as np

from corelet.chip import Location, path_hash
from corelet.chip.files import ARRAY_SUFFIXES, ArrayFileError, load_array
from corelet.runtime.errors import SimulationError
from corelet.runtime.fabric import Fabric

RATE_MODES = ("bernoulli", "even")


def rate_code(rates, ticks: int, *, width: int | None = None, batch: int = 1, seed: int = 0,
              mode: str = "bernoulli", salt: int = 0) -> np.ndarray:
    """A rate-coded raster, bool (batch, ticks, width); see the module docstring."""
    try:
        rates = np.asarray(rates, dtype=np.float64)
    except (TypeError, ValueError):
        raise SimulationError(f"rates must be numbers, got {np.asarray(rates).dtype} values") from None
    rates = _per_sample(rates, width, batch, "rate")
    if rates.size and (np.isnan(rates).any() or rates.min() < 0 or rates.max() > 1):
        raise SimulationError(f"rates must lie in 0..1 spikes per tick, got "
                              f"{rates.min()}..{rates.max()}")
    if mode == "even":
        t = np.arange(ticks + 1, dtype=np.float64)[None, :, None]
        return np.diff(np.floor(t * rates[:, None, :]), axis=1) > 0
    if mode != "bernoulli":
        raise SimulationError(f"unknown rate mode {mode!r}; expected one of {', '.join(RATE_MODES)}")
    out = np.empty((rates.shape[0], ticks, rates.shape[1]), bool)
    for b in range(rates.shape[0]):
        rng = np.random.default_rng([(seed + b) % 2**64, salt % 2**64])
        out[b] = rng.random((ticks, rates.shape[1])) < rates[b]
    return out


def burst_code(counts, ticks: int, window: int | None = None, *, width: int | None = None,
               batch: int = 1) -> np.ndarray:
    """A burst-coded raster, bool (batch, ticks, width); see the module docstring."""
    counts = np.asarray(counts)
    if not (np.issubdtype(counts.dtype, np.integer) or counts.dtype == bool):
        raise SimulationError(f"burst counts must be whole numbers, got dtype {counts.dtype}")
    counts = counts.astype(np.int64)
    if counts.ndim == 0:
        counts = np.full((1, 1, width or 1), int(counts))
    elif counts.ndim < 3:
        counts = counts.reshape((1,) * (3 - counts.ndim) + counts.shape)
    if counts.ndim != 3 or counts.shape[0] not in (1, batch) or (width and counts.shape[2] != width):
        raise SimulationError(f"burst counts of shape {counts.shape} do not fit ({width},), "
                              f"(steps, {width}) or ({batch}, steps, {width})")
    steps = counts.shape[1]
    window = window or max(1, ticks // max(steps, 1))
    if counts.size and (counts.min() < 0 or counts.max() > window):
        raise SimulationError(f"burst counts must lie in 0..{window} (the window), got "
                              f"{counts.min()}..{counts.max()}")
    # tick t belongs to window t // window and fires while its place in the window < the count
    t = np.arange(ticks)
    step, place = t // window, t % window
    inside = step < steps
    raster = np.zeros((counts.shape[0], ticks, counts.shape[2]), bool)
    raster[:, inside, :] = place[inside][None, :, None] < counts[:, step[inside], :]
    return np.broadcast_to(raster, (batch, ticks, counts.shape[2])).copy()


def _per_sample(values: np.ndarray, width: int | None, batch: int, what: str) -> np.ndarray:
    """Broadcast a scalar, (width,) or (batch, width) to (batch, width)."""
    if values.ndim == 1 and width is None:
        width = len(values)
    if values.ndim == 2 and width is None:
        width = values.shape[1]
    width = width or 1
    if values.ndim > 2 or (values.ndim == 2 and values.shape[0] not in (1, batch)):
        raise SimulationError(f"{what}s of shape {values.shape} do not fit ({width},) or "
                              f"({batch}, {width})")
    try:
        return np.broadcast_to(values, (batch, width)).astype(np.float64)
    except ValueError:
        raise SimulationError(f"{what}s of shape {values.shape} do not fit ({width},) or "
                              f"({batch}, {width})") from None


# -- command line ----------------------------------------------------------------------------
def parse_encoder_spec(kind: str, spec: str, fabric: Fabric, ticks: int, batch: int,
                       seed: int) -> tuple[str, np.ndarray]:
    """``--rate``/``--burst NAME=VALUE[:OPTION...]`` -> (name, raster (batch, ticks, width)).

    ``batch=None`` gives one raster (batch 1), which a run shares among all its samples.
    """
    batch = 1 if batch is None else batch
    name, value, options = _split_spec(kind, spec)
    widths = dict(fabric.inputs)
    if name not in widths:
        known = ", ".join(f"{n} (width {w})" for n, w in fabric.inputs) or "none"
        raise SimulationError(f"--{kind} {spec}: no input connector {name!r}; inputs are {known}",
                              locations=[Location(connector=name)])
    width = widths[name]
    try:
        if kind == "rate":
            mode = "even" if options.pop("even", None) is not None else options.pop("mode", "bernoulli")
            _no_more(kind, spec, options)
            return name, rate_code(value, ticks, width=width, batch=batch, seed=seed, mode=mode,
                                   salt=path_hash(name))
        if kind == "burst":
            window = _int_option(kind, spec, options.pop("window", None))
            _no_more(kind, spec, options)
            return name, burst_code(value, ticks, window, width=width, batch=batch)
    except SimulationError as err:
        raise err.at(connector=name) from None
    raise SimulationError(f"unknown encoder {kind!r}; expected 'rate' or 'burst'")


def burst_window(spec: str, ticks: int) -> tuple[int, int]:
    """The window, in ticks, of a ``--burst NAME=VALUE[:window=W]`` spec (W, or ``ticks // steps``
    as :func:`burst_code` takes it) and how many windows it fills (its steps): the raster marks
    where each window ends."""
    _, value, options = _split_spec("burst", spec)
    window = _int_option("burst", spec, options.get("window"))
    steps = value.shape[-2] if value.ndim >= 2 else 1
    return window or max(1, ticks // max(steps, 1)), steps


_FLAGS = {"rate": ("even",)}  # the options an encoder takes without a value


def _split_spec(kind: str, spec: str):
    name, eq, rest = spec.partition("=")
    if not eq or not name or not rest:
        raise SimulationError(f"--{kind} {spec!r}: expected NAME=VALUE[:OPTION...]")
    parts = rest.split(":")
    value_text, options = parts[0], {}
    for part in parts[1:]:
        key, eq, val = part.partition("=")
        # FILE.npz:NAME names the array, but a bare flag of the encoder stays a flag (an array
        # called "even" is FILE.npz:key=even)
        if (not eq and value_text.endswith((".npz", ".json")) and not options
                and key not in _FLAGS.get(kind, ())):
            options["key"] = key
        else:
            options[key] = val if eq else ""
    return name, _value(kind, spec, value_text, options.pop("key", None)), options


def _value(kind: str, spec: str, text: str, key: str | None) -> np.ndarray:
    if text.endswith(ARRAY_SUFFIXES):
        try:
            value = load_array(text, key)
        except ArrayFileError as err:
            raise SimulationError(f"--{kind} {spec}: {err}", locations=[Location(file=text)]) from None
        if value.dtype.kind not in "biuf":
            raise SimulationError(f"--{kind} {spec}: {text} holds {value.dtype} values; "
                                  f"{kind} values must be numbers", locations=[Location(file=text)])
        return value
    try:
        return np.asarray(float(text) if kind == "rate" else int(text))
    except ValueError:
        raise SimulationError(f"--{kind} {spec}: {text!r} is neither a number nor an "
                              f"{'/'.join(ARRAY_SUFFIXES)} file") from None


def _int_option(kind, spec, text) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or int(text) < 1:
        raise SimulationError(f"--{kind} {spec}: window must be a whole number >= 1, got {text!r}")
    return int(text)


def _no_more(kind, spec, options) -> None:
    if options:
        raise SimulationError(f"--{kind} {spec}: unknown option(s) {', '.join(options)}")
