"""Distributed benchmark: the speed-up of splitting a batch over a local Dask cluster.

The busy network of ``benchmarks/runtime.py`` (its ``build_model``: random chip-sized cores,
crossbar density 0.1, input spikes at ``--rate``) runs a batch of samples once in this process
(``runtime.simulate``) and once split over ``--workers`` local worker processes
(``corelet.distributed.simulate_distributed``), alternating, ``--repeats`` times; the cluster is
started once, before timing, and its workers import the runtime (``cluster_start_s``). Each split run is checked to give the
single-process arrays bit for bit. As a control, the same halves also run in two plain processes
(``concurrent.futures``, the fabric sent once; ``processes_s``): what the machine gives two
processes at all, whatever the engine. Prints one JSON line with the medians (``single_s``,
``split_s``, ``processes_s``), the ratios (``speedup``, ``processes_speedup``) and every time.

    python benchmarks/workers.py --cores 256 --ticks 100 --batch 16 --workers 2 --repeats 3
"""

from __future__ import annotations

import argparse
import importlib
import json
import multiprocessing
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from corelet.blas import limit_blas_threads

limit_blas_threads(1, override=True)
# one thread per process everywhere (this process's single run and the control processes, as
# the Dask workers): the ratios measure processes, not the compiled kernels' threads
os.environ.setdefault("CORELET_THREADS", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np  # noqa: E402

from runtime import INPUT_AXONS, build_model  # noqa: E402  (benchmarks/runtime.py)

from corelet.distributed import chunk_bounds, dask_client, simulate_distributed  # noqa: E402
from corelet.runtime import fabric_from_model, simulate  # noqa: E402


_KEPT: dict = {}


def _keep(fabric, ticks) -> None:
    _KEPT.update(fabric=fabric, ticks=ticks)


def _warm(_) -> None:
    """A task that does nothing: mapping it starts every worker process before timing."""


def _run(raster) -> int:
    return int(simulate(_KEPT["fabric"], _KEPT["ticks"], {"in": raster}).neuron_spikes.sum())


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cores", type=int, default=256)
    ap.add_argument("--ticks", type=int, default=100)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--density", type=float, default=0.1)
    ap.add_argument("--rate", type=float, default=0.5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk", type=int, help="samples per task (default: corelet.distributed's)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    fabric = fabric_from_model(build_model(args.cores, "busy", args.density, 1, rng))
    inputs = {"in": rng.random((args.batch, args.ticks, args.cores * INPUT_AXONS), np.float32)
              < args.rate}
    single_s, split_s, processes_s = [], [], []
    start = time.perf_counter()
    pool = ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_keep, initargs=(fabric, args.ticks))
    list(pool.map(_warm, range(args.workers)))
    bounds = chunk_bounds(args.batch, args.workers, args.chunk)
    with pool, dask_client(workers=args.workers) as client:
        client.run(importlib.import_module, "corelet.runtime")  # workers import it once
        started = time.perf_counter() - start
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            single = simulate(fabric, args.ticks, inputs, seed=0)
            t1 = time.perf_counter()
            split = simulate_distributed(client, fabric, args.ticks, inputs, seed=0,
                                         chunk=args.chunk)
            t2 = time.perf_counter()
            list(pool.map(_run, [inputs["in"][a:b] for a, b in bounds]))
            t3 = time.perf_counter()
            single_s.append(t1 - t0)
            split_s.append(t2 - t1)
            processes_s.append(t3 - t2)
            for name in single.outputs:
                assert np.array_equal(single.outputs[name], split.outputs[name]), name
            assert np.array_equal(single.neuron_spikes, split.neuron_spikes)
    print(json.dumps({
        "network": "benchmarks/runtime.py build_model, busy", "cores": args.cores,
        "neurons": fabric.n_neurons, "synapses": len(fabric.syn_axon), "ticks": args.ticks,
        "batch": args.batch, "workers": args.workers, "cpus": os.cpu_count(),
        "repeats": args.repeats, "cluster_start_s": round(started, 2),
        "single_s": round(statistics.median(single_s), 3),
        "split_s": round(statistics.median(split_s), 3),
        "processes_s": round(statistics.median(processes_s), 3),
        "speedup": round(statistics.median(single_s) / statistics.median(split_s), 2),
        "processes_speedup": round(statistics.median(single_s) / statistics.median(processes_s), 2),
        "single_all_s": [round(s, 3) for s in single_s], "split_all_s": [round(s, 3) for s in split_s],
        "processes_all_s": [round(s, 3) for s in processes_s],
        "identical": True}))


if __name__ == "__main__":
    main()
