"""Notebook display benchmark: what a model, a compile result and a run cost to show.

    python -m benchmarks.notebook [--cores 1024] [--ticks 1000] [--repeat 3]

Compiles the layered network of ``benchmarks/compile.py`` (about N cores), runs it, and times the
one-line reprs and the notebook HTML (report summary and core grid; the run's raster), medians of
``--repeat`` rounds. Prints one JSON line: cores, seconds per display and the HTML sizes in bytes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

import corelet
from benchmarks.compile import layered_network


def median_seconds(fn, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=1024)
    parser.add_argument("--ticks", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    compiled = corelet.compile(layered_network(args.cores, 0.05))
    width = compiled.model.inputs[0].width
    raster = np.random.default_rng(0).random((args.ticks, width)) < 0.05
    result = corelet.run(compiled, args.ticks, {"x": raster})
    out = {"benchmark": "notebook", "cores": int(compiled.model.n_cores), "ticks": args.ticks,
           "output_width": int(compiled.model.outputs[0].width)}
    for name, fn in (("model_repr", lambda: repr(compiled.model)),
                     ("model_html", compiled.model._repr_html_),
                     ("compilation_html", compiled._repr_html_),
                     ("run_repr", lambda: repr(result)),
                     ("run_html", result._repr_html_)):
        seconds, text = median_seconds(fn, args.repeat)
        out[f"{name}_s"] = round(seconds, 4)
        out[f"{name}_bytes"] = len(text)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
