"""Runtime benchmark: a random chip-sized workload through the real ``runtime.simulate``.

The default workload (so figures compare across machines and tools): cores of 256 x 256, crossbar
density 0.1, axon types uniform over 0..3, per-neuron weights drawn from {1, -1, 2, -2}, threshold
20, leak -1, linear reset, floor at -20 (saturate); the first 32 axons of each core are driven by
input spikes with probability ``--rate`` per tick, every other axon is the target of one random
neuron anywhere on the chip (delay 1, or uniform over 1..``--max-delay``).

Prints one JSON line: cores, neurons, ticks, batch, seconds (the ``simulate`` call, its setup
included), setup_seconds (building the workload), neuron_ticks_per_s, synaptic_events_per_s,
peak_rss_mb, steady_neuron_ticks_per_s (the tick loop alone, timed from the first progress
report), and the counts behind them. ``--profile`` prints the top of a cProfile of the run to
stderr; ``--blas-threads 1`` keeps BLAS to one thread (see docs/runtime.md).

    python benchmarks/runtime.py --cores 1024 --ticks 200 --batch 1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

from corelet.blas import limit_blas_threads

# BLAS reads its thread count when numpy loads, so --blas-threads is applied before the import
# (default 1, as the corelet command line uses)
_threads = sys.argv[sys.argv.index("--blas-threads") + 1] if "--blas-threads" in sys.argv[:-1] else "1"
limit_blas_threads(int(_threads), override=True)

import numpy as np  # noqa: E402

from corelet.chip import NeuronParams  # noqa: E402
from corelet.chip.params import NEG_SATURATE, RESET_LINEAR  # noqa: E402
from corelet.runtime import Fabric, simulate  # noqa: E402

AXONS = NEURONS = 256
INPUT_AXONS = 32
CHUNK = 128  # cores per chunk when drawing crossbars, to bound temporary memory


def build_fabric(cores: int, density: float, max_delay: int, rng: np.random.Generator) -> Fabric:
    n = cores * NEURONS
    params = NeuronParams.from_fields(
        n, weights=rng.choice(np.array([1, -1, 2, -2], np.int16), (n, 4)), threshold=20,
        leak=-1, reset_mode=RESET_LINEAR, neg_threshold=20, neg_mode=NEG_SATURATE)
    syn_axon, syn_neuron = _crossbars(cores, density, rng)
    # axons 32..255 of every core are each the target of one random neuron
    routed = np.arange(cores * AXONS).reshape(cores, AXONS)[:, INPUT_AXONS:].ravel()
    sources = rng.permutation(n)[:len(routed)]
    order = np.argsort(sources)
    inputs = np.arange(cores * AXONS).reshape(cores, AXONS)[:, :INPUT_AXONS].ravel()
    neuron_ids = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64)
    source_ids = np.zeros(cores * AXONS, np.uint64)
    source_ids[routed] = neuron_ids[sources]
    return Fabric(
        params=params, neuron_ids=neuron_ids, neuron_role=np.zeros(n, np.int8), paths=("bench",),
        name_path=np.zeros(n, np.int32), name_index=np.arange(n, dtype=np.int32),
        axon_type=rng.integers(0, 4, cores * AXONS).astype(np.int8), axon_source_id=source_ids,
        syn_axon=syn_axon, syn_neuron=syn_neuron,
        route_neuron=sources[order].astype(np.int64), route_axon=routed[order].astype(np.int64),
        route_delay=rng.integers(1, max_delay + 1, len(routed)).astype(np.int32),
        input_route_pin=np.arange(len(inputs), dtype=np.int64), input_route_axon=inputs,
        input_route_delay=np.ones(len(inputs), np.int32),
        inputs=(("in", len(inputs)),), outputs=(("out", np.arange(min(n, 64))),))


def _crossbars(cores: int, density: float, rng: np.random.Generator):
    axons, neurons = [], []
    for first in range(0, cores, CHUNK):
        count = min(CHUNK, cores - first)
        core, axon, neuron = np.nonzero(rng.random((count, AXONS, NEURONS), np.float32) < density)
        axons.append((core + first) * AXONS + axon)
        neurons.append((core + first) * NEURONS + neuron)
    return np.concatenate(axons).astype(np.int64), np.concatenate(neurons).astype(np.int64)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cores", type=int, default=1024)
    ap.add_argument("--ticks", type=int, default=100)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--density", type=float, default=0.1)
    ap.add_argument("--rate", type=float, default=0.5, help="input spike probability per tick")
    ap.add_argument("--max-delay", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--blas-threads", type=int, default=1,
                    help="BLAS threads for the block-dense products (default 1, as the command "
                         "line: many small products are slower with more threads)")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    fabric = build_fabric(args.cores, args.density, args.max_delay, rng)
    raster = rng.random((args.batch, args.ticks, args.cores * INPUT_AXONS), np.float32) < args.rate
    setup = time.perf_counter() - start
    first_report = []  # (ticks done, time) at the first progress report, after simulate's setup

    def progress(done, total):
        if not first_report:
            first_report.append((done, time.perf_counter()))

    run = lambda: simulate(fabric, args.ticks, {"in": raster}, seed=args.seed,  # noqa: E731
                           progress=progress)
    start = time.perf_counter()
    result = _profiled(run) if args.profile else run()
    end = time.perf_counter()
    report = _report(args, fabric, result, end - start, setup)
    if first_report and first_report[0][0] < args.ticks:
        done, then = first_report[0]
        tick_seconds = (end - then) / (args.ticks - done)
        report["steady_neuron_ticks_per_s"] = round(fabric.n_neurons * args.batch / tick_seconds)
    print(json.dumps(report))


def _profiled(run):
    import cProfile
    import pstats

    prof = cProfile.Profile()
    result = prof.runcall(run)
    pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(14)
    return result


def _report(args, fabric: Fabric, result, seconds: float, setup: float) -> dict:
    fanout = np.bincount(fabric.syn_axon, minlength=fabric.n_axons)
    events = int(result.axon_activity @ fanout)
    neuron_ticks = fabric.n_neurons * args.ticks * args.batch
    spikes = int(result.neuron_spikes.sum())
    return {
        "cores": args.cores, "neurons": fabric.n_neurons, "ticks": args.ticks,
        "batch": args.batch, "density": args.density, "rate": args.rate,
        "max_delay": args.max_delay, "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "seconds": round(seconds, 3),
        "setup_seconds": round(setup, 3),
        "neuron_ticks_per_s": round(neuron_ticks / seconds),
        "synaptic_events_per_s": round(events / seconds),
        "fired_fraction": round(spikes / neuron_ticks, 4),
        "synaptic_events": events,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    main()
