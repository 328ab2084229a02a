"""``corelet.plots``: pictures of runs, measured on the runtime and decoded with the one set of
decoders (``corelet.training.decode``), drawn by ``corelet.reports.plots`` as SVG.

* ``rates_plot(run, window)``: the output rates of one sample over time, per window of ticks;
  ``run`` is a ``SimResult``, a ``corelet run`` output file, or its arrays.
* ``measure_transfer(model, input, output, levels, ticks)``: the output rate of each pin of
  ``output`` when every pin of ``input`` fires at each rate of ``levels`` (one sample per level,
  so one batched run), and ``transfer_plot`` its picture beside an ideal curve.

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
                     seed: int = 0, warmup: int = 0) -> np.ndarray:
    """Output rates ``(len(levels), width)``: sample k drives every pin of ``input`` at
    ``levels[k]`` spikes per tick (``mode`` "even" or "bernoulli", ``runtime.rate_code``) and
    counts ``output``'s spikes from tick ``warmup`` on. Other inputs stay silent."""
    from corelet import api, runtime
    if isinstance(model, (str, os.PathLike)):
        model = runtime.ChipModel.load(model)
    model = getattr(model, "model", model)  # a Compilation
    widths = {c.name: c.width for c in model.inputs}
    if input not in widths:
        raise ValueError(f"the model has no input connector {input!r} (it has: "
                         f"{', '.join(widths) or 'none'})")
    if output not in {c.name for c in model.outputs}:
        raise ValueError(f"the model has no output connector {output!r} (it has: "
                         f"{', '.join(c.name for c in model.outputs) or 'none'})")
    levels = np.asarray(levels, dtype=float)
    rates = np.repeat(levels[:, None], widths[input], axis=1)
    raster = runtime.rate_code(rates, ticks, batch=len(levels), seed=seed, mode=mode)
    result = api.run(model, ticks, {input: raster}, seed=seed)
    return decode.rates(result.outputs[output], start=warmup)


def transfer_plot(model, input: str, output: str, levels, ticks: int, *,
                  ideal: Mapping[str, np.ndarray] | None = None, mode: str = "even", seed: int = 0,
                  warmup: int = 0, title: str | None = None) -> SVG:
    """``measure_transfer`` drawn: the measured rate of each output pin (their mean when there
    are more than ``MAX_LINES``) over the input rate, with the ``ideal`` curves dashed."""
    measured = measure_transfer(model, input, output, levels, ticks, mode=mode, seed=seed,
                                warmup=warmup)
    width = measured.shape[1]
    if width <= MAX_LINES - len(ideal or {}):
        series = {f"{output}[{p}]" if width > 1 else output: measured[:, p] for p in range(width)}
    else:
        series = {f"{output} (mean of {width} pins)": measured.mean(axis=1)}
    return transfer_svg(levels, series, ideal=ideal,
                        title=title or f"Transfer {input} -> {output}: measured over {ticks} ticks",
                        xlabel=f"{input}: spikes per tick", ylabel=f"{output}: spikes per tick")


def _spikes(run) -> tuple[dict, dict]:
    if hasattr(run, "outputs") and hasattr(run, "probes"):  # a SimResult
        return dict(run.outputs), dict(run.probes)
    if isinstance(run, (str, os.PathLike)):
        from corelet.chip.files import load_arrays
        run = load_arrays(run)
    grouped = decode.read_run(run)
    return grouped["outputs"], grouped["probes"]
