"""Builds seed 003's 1-chip Eedn network (Table 1, 32 x 32 x 12 transduced input, random trinary
weights, seed 0; examples/eedn/table1.py reads the structure), compiles it and saves the chip model
and an input raster: a realistic runtime workload beside benchmarks/runtime.py's synthetic ones.
(benchmarks/runtime.py is being rewritten on another branch, issue 13; this script is the
workload it can load: ``ChipModel.load(DIR/eedn_1chip.json)`` and the raster ``x`` in
``DIR/eedn_1chip_input.npz``.)

    python -m examples.eedn.workload --out DIR [--ticks 64] [--density 0.3] [--run]

The input raster has one random binary image a tick (each pixel of the 12 channels on with
probability ``--density``). With ``--run`` it also runs the model on the runtime and prints one
JSON line: cores, neurons, ticks, seconds, neuron_ticks_per_s, peak_rss_mb.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np

from corelet import compiler, runtime
from corelet.chip.files import atomic_savez

from .network import build
from .table1 import NETWORKS, SIZE, parse, random_params


def build_workload(out: Path, ticks: int, density: float, seed: int = 0) -> dict:
    _, channels, text, _ = NETWORKS["1chip"]
    layers, _ = parse(text, channels)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    net = build(layers, random_params(layers, channels, rng), channels, SIZE)
    comp = compiler.compile_network(net, seed=seed)
    out.mkdir(parents=True, exist_ok=True)
    model_path, input_path = out / "eedn_1chip.json", out / "eedn_1chip_input.npz"
    comp.model.save(model_path)
    raster = (rng.random((ticks, channels * SIZE * SIZE)) < density).astype(np.uint8)
    atomic_savez(input_path, {"x": raster})
    return {"model": str(model_path), "input": str(input_path), "cores": comp.record["cores"],
            "neurons": int((comp.model.cores.neuron_path >= 0).sum()), "ticks": ticks,
            "build_s": round(time.perf_counter() - t0, 1)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="folder for the model and the input")
    ap.add_argument("--ticks", type=int, default=64)
    ap.add_argument("--density", type=float, default=0.3)
    ap.add_argument("--run", action="store_true", help="also run it and print a JSON line")
    args = ap.parse_args(argv)
    info = build_workload(args.out, args.ticks, args.density)
    if args.run:
        model = runtime.ChipModel.load(info["model"])
        with np.load(info["input"]) as d:
            raster = d["x"]
        t0 = time.perf_counter()
        runtime.simulate(runtime.fabric_from_model(model), args.ticks, {"x": raster},
                         seed=model.seed)
        seconds = time.perf_counter() - t0
        info.update(seconds=round(seconds, 2),
                    neuron_ticks_per_s=round(info["neurons"] * args.ticks / seconds),
                    peak_rss_mb=int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    print(json.dumps(info))


if __name__ == "__main__":
    main()
