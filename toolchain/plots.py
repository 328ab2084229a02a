"""``corelet.plots``: pictures of runs, measured on the runtime and decoded with the one set of
decoders (``corelet.training.decode``), drawn by ``corelet.reports.plots`` as SVG.

* ``rates_plot(run, window)``: the output rates of one sample over time, per window of ticks;
  ``run`` is a ``SimResult``, a ``corelet run`` output file, or its arrays.
* ``measure_transfer(model, input, output, levels, ticks)``: the output rate of each pin of
  ``output`` when every pin of ``input`` fires at each rate of ``levels``, or, with
  ``mode="burst"``, receives each count of ``levels`` as a burst in every period (a
  store-and-release activation's input); one sample per level, so one batched run.
  ``transfer_plot`` draws it beside an ideal curve.

``corelet plot rates|transfer`` is the command-line form.
"""

from __future__ import annotations

import os
from typing import Mapping, Sequence

import numpy as np

from corelet.reports.plots import MAX_LINES, SVG, rates_svg, transfer_svg
from corelet.training import decode


def rate_series(outputs: Mapping[str, np.ndarray], window: int, *, sample: int = 0,
                start: int = 0) -> dict[str, np.ndarray]:
    """Rates per window of each pin of each connector of one sample, labelled ``name[pin]``; a
    connector's pins are averaged into one series (``name (mean of w pins)``) when drawing every
    pin would pass ``MAX_LINES`` lines."""
    per_pin = sum(np.shape(r)[-1] for r in outputs.values()) <= MAX_LINES
    series = {}
    for name, raster in outputs.items():
        raster = np.asarray(raster)
        if not 0 <= sample < raster.shape[0]:
            raise ValueError(f"sample {sample}: the run has {raster.shape[0]} samples")
        rates = decode.rates(raster[sample:sample + 1], window, start)[0]  # (windows, width)
        width = rates.shape[1]
        if per_pin or width == 1:
            series.update({f"{name}[{p}]" if width > 1 else name: rates[:, p] for p in range(width)})
        else:
            series[f"{name} (mean of {width} pins)"] = rates.mean(axis=1)
    return series


def rates_plot(run, window: int, *, sample: int = 0, start: int = 0,
               connectors: Sequence[str] = ()) -> SVG:
    """The rates over time of the output connectors (or the named ones, outputs or probes)."""
    outputs, probes = _spikes(run)
    chosen = {name: outputs.get(name, probes.get(name)) for name in connectors} or outputs
    missing = [name for name, raster in chosen.items() if raster is None]
    if missing:
        raise ValueError(f"no output connector or probe {missing[0]!r} (the run has: "
                         f"{', '.join([*outputs, *probes]) or 'none'})")
    series = rate_series(chosen, window, sample=sample, start=start)
    batch = next(iter(chosen.values())).shape[0] if chosen else 1
    which = f", sample {sample} of {batch}" if batch > 1 else ""
    return rates_svg(series, window=window, start=start, title=f"Rates over time{which}")


def measure_transfer(model, input: str, output: str, levels, ticks: int, *, mode: str = "even",
                     seed: int = 0, warmup: int = 0, negative: str | None = None,
                     period: int | None = None, at: int = 0,
                     measure: tuple[int, int] | None = None) -> np.ndarray:
    """Output rates ``(len(levels), width)``, one sample per level, counted from tick ``warmup``.

    ``mode`` "even" or "bernoulli": every pin of ``input`` fires at ``levels[k]`` spikes per tick
    (``runtime.rate_code``). ``mode`` "burst": level v is a count, ``|v|`` spikes in consecutive
    ticks from tick ``at`` of every ``period`` ticks (``runtime.burst_code``), on ``input`` when
    v > 0 and on ``negative`` (the -1 channel of a two-channel value) when v < 0: what a
    store-and-release activation (``HardSigmoid``) stores in each cycle. ``measure = (first,
    length)`` counts only the ticks t with ``first <= t % period < first + length`` (e.g. the
    release phases). Other inputs stay silent.
    """
    from corelet import api, runtime
    if isinstance(model, (str, os.PathLike)):
        model = runtime.ChipModel.load(model)
    model = getattr(model, "model", model)  # a Compilation
    widths = {c.name: c.width for c in model.inputs}
    for name in (input, negative):
        if name is not None and name not in widths:
            raise ValueError(f"the model has no input connector {name!r} (it has: "
                             f"{', '.join(widths) or 'none'})")
    if output not in {c.name for c in model.outputs}:
        raise ValueError(f"the model has no output connector {output!r} (it has: "
                         f"{', '.join(c.name for c in model.outputs) or 'none'})")
    levels = np.asarray(levels, dtype=float)
    if mode == "burst":
        inputs = _burst_inputs(levels, widths, input, negative, ticks, period, at)
    else:
        rates = np.repeat(levels[:, None], widths[input], axis=1)
        inputs = {input: runtime.rate_code(rates, ticks, batch=len(levels), seed=seed, mode=mode)}
    spikes = api.run(model, ticks, inputs, seed=seed).outputs[output][:, warmup:]
    if measure is None:
        return decode.rates(spikes)
    if period is None:
        raise ValueError("measuring part of each period needs the period")
    first, length = measure
    counted = ((np.arange(warmup, ticks) - first) % period) < length
    if not counted.any():
        raise ValueError(f"no tick from {warmup} to {ticks - 1} is measured")
    return decode.rates(spikes[:, counted])


def _burst_inputs(levels, widths, input, negative, ticks, period, at) -> dict:
    from corelet import runtime
    if period is None or period < 1 or not 0 <= at < period:
        raise ValueError(f"burst levels need a period of 1 tick or more and 0 <= at < period, got "
                         f"period {period}, at {at}")
    counts = np.rint(levels).astype(np.int64)
    if not np.array_equal(counts, levels):
        raise ValueError("burst levels are spike counts: whole numbers")
    if (counts < 0).any() and negative is None:
        raise ValueError("negative burst levels need a negative input connector")
    if np.abs(counts).max(initial=0) > period:
        raise ValueError(f"a burst of {np.abs(counts).max()} spikes does not fit a period of "
                         f"{period} ticks")
    steps = (ticks - at) // period + 1
    inputs = {}
    for name, channel in ((input, np.maximum(counts, 0)), (negative, np.maximum(-counts, 0))):
        if name is None:
            continue
        per_step = np.broadcast_to(channel[:, None, None], (len(levels), steps, widths[name]))
        raster = np.zeros((len(levels), ticks, widths[name]), bool)
        raster[:, at:] = runtime.burst_code(per_step, ticks - at, period, batch=len(levels))
        inputs[name] = raster
    return inputs


def transfer_plot(model, input: str, output: str, levels, ticks: int, *,
                  ideal: Mapping[str, np.ndarray] | None = None, title: str | None = None,
                  xlabel: str | None = None, **options) -> SVG:
    """``measure_transfer`` drawn (``options`` go to it): the measured rate of each output pin
    (their mean when there are more than ``MAX_LINES``) over the levels, the ``ideal`` curves
    dashed."""
    measured = measure_transfer(model, input, output, levels, ticks, **options)
    width = measured.shape[1]
    if width <= MAX_LINES - len(ideal or {}):
        series = {f"{output}[{p}]" if width > 1 else output: measured[:, p] for p in range(width)}
    else:
        series = {f"{output} (mean of {width} pins)": measured.mean(axis=1)}
    burst = options.get("mode") == "burst"
    default_x = (f"{input}: spikes per period" + (f" (- {options['negative']})"
                                                  if options.get("negative") else "")
                 if burst else f"{input}: spikes per tick")
    return transfer_svg(levels, series, ideal=ideal,
                        title=title or f"Transfer {input} -> {output}: measured over {ticks} ticks",
                        xlabel=xlabel or default_x, ylabel=f"{output}: spikes per tick")


def _spikes(run) -> tuple[dict, dict]:
    if hasattr(run, "outputs") and hasattr(run, "probes"):  # a SimResult
        return dict(run.outputs), dict(run.probes)
    if isinstance(run, (str, os.PathLike)):
        from corelet.chip.files import load_arrays
        run = load_arrays(run)
    grouped = decode.read_run(run)
    return grouped["outputs"], grouped["probes"]
