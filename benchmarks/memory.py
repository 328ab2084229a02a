"""Memory benchmark: peak resident memory of simulating the benchmark workload, against the
estimate ``corelet run`` checks before allocating (``corelet.memory``).

Builds the random chip-sized workload of ``benchmarks/runtime.py`` (density, rates and delays as
there), runs ``runtime.simulate`` once, and prints one JSON line: the counts (cores, neurons, axons,
synapses), batch and ticks, ``base_mb`` (resident memory after imports), ``peak_mb`` (peak resident
memory of the process), ``run_mb`` (their difference: the fabric, its kernels and the run) and
``estimate_mb`` (``corelet.memory.estimate_bytes`` for the same counts). The estimate's constants are
set so that ``estimate_mb >= run_mb`` (docs/scaling.md). One full chip is ``--cores 4096``.

    python benchmarks/memory.py --cores 1024 --ticks 20 --batch 4
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path

from corelet.blas import limit_blas_threads

limit_blas_threads(1, override=True)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np  # noqa: E402

from runtime import INPUT_AXONS, build_model  # noqa: E402  (benchmarks/runtime.py)

from corelet.memory import RunSize, estimate_bytes  # noqa: E402
from corelet.runtime import fabric_from_model, simulate  # noqa: E402


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cores", type=int, default=256)
    ap.add_argument("--ticks", type=int, default=20)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--density", type=float, default=0.1)
    ap.add_argument("--rate", type=float, default=0.5)
    ap.add_argument("--max-delay", type=int, default=1)
    args = ap.parse_args(argv)
    base = _rss_mb()
    rng = np.random.default_rng(0)
    fabric = fabric_from_model(build_model(args.cores, "busy", args.density, args.max_delay, rng))
    pins = args.cores * INPUT_AXONS
    raster = rng.random((args.batch, args.ticks, pins), np.float32) < args.rate
    simulate(fabric, args.ticks, {"in": raster}, seed=0)
    peak = _rss_mb()
    size = RunSize(neurons=fabric.n_neurons, axons=fabric.n_axons, synapses=len(fabric.syn_axon),
                   max_delay=args.max_delay, recorded=sum(len(r) for _, r in fabric.outputs),
                   input_pins=pins)
    print(json.dumps({
        "cores": args.cores, "neurons": size.neurons, "axons": size.axons,
        "synapses": size.synapses, "batch": args.batch, "ticks": args.ticks,
        "base_mb": round(base, 1), "peak_mb": round(peak, 1), "run_mb": round(peak - base, 1),
        "estimate_mb": round(estimate_bytes(size, args.ticks, args.batch) / 2**20, 1)}))


if __name__ == "__main__":
    main()
