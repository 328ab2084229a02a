"""Runtime benchmark: a chip-legal random workload, saved as a chip model file, loaded, lowered and
run through the real ``runtime.simulate``.

Workloads (cores of 256 x 256, so figures compare across machines and tools): crossbar density
``--density`` (0.1), axon types uniform over 0..3, threshold 20, leak -1, linear reset, floor at -20
(saturate). The first 32 axons of each core are driven by input spikes with probability ``--rate``
per tick; every other axon is the target of exactly one neuron anywhere on the chip (delay 1, or
uniform over 1..``--max-delay``). Every neuron has one target, as on a chip: 224 per core route to
an axon, 64 of the rest are output pins, the others have no target.

* ``quiet`` (about 2% of neurons fire per tick): per-neuron weights uniform over {1, -1, 2, -2},
  initial potential 0.
* ``busy`` (about 12%): weights {1, -1, 2, -2} with probabilities .35, .15, .35, .15, initial
  potentials uniform in 0..19.

* ``eedn``: seed 003's compiled 1-chip Eedn network (``examples/eedn/workload.py``: Table 1's
  structure, random trinary weights, one random binary 32 x 32 x 12 image a tick with pixel density
  0.3), a realistic workload beside the synthetic ones. Its compile takes minutes, so the saved
  model and input are kept in ``--cache-dir`` (default ``/tmp/corelet-bench-eedn``) and reused;
  ``--cores``, ``--density``, ``--rate`` and ``--max-delay`` do not apply. Sample b of a batch
  reads the saved raster shifted by b ticks.

The model is built and saved in a child process (``setup_seconds``), then this process loads it
(``load_seconds``, validation included), lowers it (``lower_seconds``, ``fabric_from_model``) and
runs it. ``--baseline`` then times, on the same fabric, a plain integration-only gather: per tick,
the active axons of each core padded to the largest count, their rows gathered from a precomputed
int8 (cores, axons, 256) matrix of crossbar times axon-type weight and summed per core into int32;
no neuron update, no routing. Its activity is drawn per axon with the activity each axon had in the
run, so it integrates as many synaptic events.

Prints one JSON line: cores, neurons, ticks, batch, workload, blas_threads, tick_threads (threads
the compiled kernels may use: ``CORELET_THREADS``, by default every usable core), seconds (the
``simulate`` call, its setup included), setup_seconds, load_seconds, lower_seconds,
neuron_ticks_per_s, synaptic_events_per_s, fired_fraction, peak_rss_mb (load, lower and run; taken before the
baseline), steady_neuron_ticks_per_s (the tick loop alone, timed from the first progress report)
and, with ``--baseline``, baseline_neuron_ticks_per_s and ratio_to_baseline (steady rate over the
baseline's). All rates count neuron-ticks over the whole batch. ``--profile`` prints the top of a
cProfile of the run to stderr; ``--blas-threads 1`` keeps BLAS to one thread (docs/runtime.md).

    python benchmarks/runtime.py --workload busy --cores 1024 --ticks 100 --batch 1 --baseline
    python benchmarks/runtime.py --workload eedn --ticks 64 --batch 8
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corelet.blas import limit_blas_threads

# BLAS reads its thread count when numpy loads, so --blas-threads is applied before the import
# (default 1, as the corelet command line uses)
_threads = sys.argv[sys.argv.index("--blas-threads") + 1] if "--blas-threads" in sys.argv[:-1] else "1"
limit_blas_threads(int(_threads), override=True)

import numpy as np  # noqa: E402

from corelet.chip import NeuronParams  # noqa: E402
from corelet.chip.model import OUTPUT, ChipInput, ChipModel, ChipOutput, Cores  # noqa: E402
from corelet.chip.params import NEG_SATURATE, RESET_LINEAR  # noqa: E402
from corelet.chip.profile import ChipProfile  # noqa: E402
from corelet.runtime import Fabric, fabric_from_model, model_index_maps, simulate  # noqa: E402

AXONS = NEURONS = 256
INPUT_AXONS = 32
OUTPUT_PINS = 64
CHUNK = 128  # cores per chunk when drawing crossbars, to bound temporary memory
WORKLOADS = {  # weights {1, -1, 2, -2} with these probabilities; initial potentials 0..initial-1
    "quiet": {"weight_p": (0.25, 0.25, 0.25, 0.25), "initial": 1},
    "busy": {"weight_p": (0.35, 0.15, 0.35, 0.15), "initial": 20},
}
SOURCE, INPUT = "bench.n", "bench.in"
EEDN_CACHE = "corelet-bench-eedn"  # the eedn workload's saved model, under the temporary folder  # the neurons' and the input pins' population paths


def build_model(cores: int, workload: str, density: float, max_delay: int,
                rng: np.random.Generator) -> ChipModel:
    """A chip-legal random model of ``cores`` cores (see the module docstring)."""
    spec = WORKLOADS[workload]
    profile = ChipProfile()
    n = cores * NEURONS
    c = Cores.empty(cores, profile)
    per_chip = profile.grid[0] * profile.grid[1]
    index = np.arange(cores)
    c.coords[:] = np.stack([index // per_chip, index % per_chip // profile.grid[1],
                            index % profile.grid[1]], axis=1)
    params = NeuronParams.from_fields(
        n, weights=rng.choice(np.array([1, -1, 2, -2], np.int16), (n, 4), p=spec["weight_p"]),
        threshold=20, leak=-1, reset_mode=RESET_LINEAR, neg_threshold=20, neg_mode=NEG_SATURATE,
        initial=rng.integers(0, spec["initial"], n))
    for name, arr in params.arrays():
        getattr(c.params, name)[...] = arr
    c.neuron_path[:] = 0
    c.neuron_index[:] = np.arange(n).reshape(cores, NEURONS)
    c.axon_type[:] = rng.integers(0, 4, (cores, AXONS))
    c.crossbar[:] = _crossbars(cores, density, rng)
    # axons 32..255 of every core are each the target of one random neuron; 64 of the others
    # are output pins
    routed = np.arange(cores * AXONS).reshape(cores, AXONS)[:, INPUT_AXONS:].ravel()
    order = rng.permutation(n)
    sources, rest = order[:len(routed)], np.sort(order[len(routed):])
    c.target_core.ravel()[sources] = routed // AXONS
    c.target_axon.ravel()[sources] = routed % AXONS
    c.delay.ravel()[sources] = rng.integers(1, max_delay + 1, len(routed))
    c.axon_path.ravel()[routed] = 0
    c.axon_index.ravel()[routed] = sources
    outputs = rest[:OUTPUT_PINS]
    c.target_core.ravel()[outputs] = OUTPUT
    inputs = np.arange(cores * AXONS).reshape(cores, AXONS)[:, :INPUT_AXONS].ravel()
    c.axon_path.ravel()[inputs] = 1
    c.axon_index.ravel()[inputs] = np.arange(len(inputs))
    pins = np.arange(len(inputs))
    return ChipModel(
        profile=profile, cores=c, paths=(SOURCE, INPUT),
        inputs=(ChipInput("in", len(inputs), pins, inputs // AXONS, inputs % AXONS,
                          np.ones(len(inputs), np.int64)),),
        outputs=(ChipOutput("out", outputs // NEURONS, outputs % NEURONS),),
        provenance={"benchmark": "benchmarks/runtime.py", "workload": workload})


def _crossbars(cores: int, density: float, rng: np.random.Generator) -> np.ndarray:
    packed = []
    for first in range(0, cores, CHUNK):
        count = min(CHUNK, cores - first)
        bits = rng.random((count, AXONS, NEURONS), np.float32) < density
        packed.append(np.packbits(bits, axis=2))
    return np.concatenate(packed)


def write_model(args) -> None:
    """Child process: build the workload's model and save it to ``args.write_model``."""
    rng = np.random.default_rng(args.seed)
    build_model(args.cores, args.workload, args.density, args.max_delay, rng).save(args.write_model)


def _options(args) -> list[str]:
    return ["--cores", str(args.cores), "--workload", args.workload, "--density",
            str(args.density), "--max-delay", str(args.max_delay), "--seed", str(args.seed)]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", choices=sorted([*WORKLOADS, "eedn"]), default="quiet")
    ap.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / EEDN_CACHE,
                    help="where the eedn workload's compiled model is kept between runs "
                         f"(default: {EEDN_CACHE} in the temporary folder)")
    ap.add_argument("--cores", type=int, default=1024)
    ap.add_argument("--ticks", type=int, default=100)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--density", type=float, default=0.1)
    ap.add_argument("--rate", type=float, default=0.5, help="input spike probability per tick")
    ap.add_argument("--max-delay", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--baseline", action="store_true",
                    help="also time the plain integration-only gather on the same fabric")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--blas-threads", type=int, default=1,
                    help="BLAS threads for the block-dense products (default 1, as the command "
                         "line: many small products are slower with more threads)")
    ap.add_argument("--write-model", help=argparse.SUPPRESS)  # the child process's job
    args = ap.parse_args(argv)
    if args.write_model:
        write_model(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        if args.workload == "eedn":
            path, inputs = _eedn_files(args.cache_dir, args.ticks)
        else:
            path = Path(tmp) / "model.json"
            subprocess.run([sys.executable, __file__, *_options(args), "--write-model",
                            str(path)], check=True)
        setup = time.perf_counter() - start
        load_start = time.perf_counter()
        model = ChipModel.load(path)
        loaded = time.perf_counter()
        fabric = fabric_from_model(model)
        lowered = time.perf_counter()
    if args.workload == "eedn":
        raster = _shifted_batch(inputs, args.batch, args.ticks)
        args.cores = model.cores.n_cores
    else:
        rng = np.random.default_rng(args.seed + 1)
        width = fabric.inputs[0][1]
        raster = {"in": rng.random((args.batch, args.ticks, width), np.float32) < args.rate}
    first_report = []  # (ticks done, time) at the first progress report, after simulate's setup

    def progress(done, total):
        if not first_report:
            first_report.append((done, time.perf_counter()))

    run = lambda: simulate(fabric, args.ticks, raster, seed=args.seed,  # noqa: E731
                           progress=progress)
    start = time.perf_counter()
    result = _profiled(run) if args.profile else run()
    end = time.perf_counter()
    report = _report(args, fabric, result, end - start, setup)
    report["load_seconds"] = round(loaded - load_start, 3)
    report["lower_seconds"] = round(lowered - loaded, 3)
    steady = None
    if first_report and first_report[0][0] < args.ticks:
        done, then = first_report[0]
        tick_seconds = (end - then) / (args.ticks - done)
        steady = fabric.n_neurons * args.batch / tick_seconds
        report["steady_neuron_ticks_per_s"] = round(steady)
    if args.baseline:
        rate = _baseline_rate(model, fabric, result, args)
        report["baseline_neuron_ticks_per_s"] = round(rate)
        if steady is not None:
            report["ratio_to_baseline"] = round(steady / rate, 2)
    print(json.dumps(report))


def _eedn_files(cache: Path, ticks: int) -> tuple[Path, Path]:
    """The eedn workload's model and input in ``cache``, built there first if missing (minutes:
    the compile of a full chip) by ``examples/eedn/workload.py``, with at least ``ticks`` rows."""
    model, inputs = cache / "eedn_1chip.json", cache / "eedn_1chip_input.npz"
    if model.exists() and inputs.exists():
        with np.load(inputs) as saved:
            if len(saved["x"]) >= ticks:
                return model, inputs
    print(f"building the eedn workload in {cache} (a few minutes, once)", file=sys.stderr)
    root = Path(__file__).resolve().parent.parent  # examples/ is a folder of the repository
    subprocess.run([sys.executable, "-m", "examples.eedn.workload", "--out", str(cache),
                    "--ticks", str(max(ticks, 64))], check=True, cwd=root,
                   stdout=subprocess.DEVNULL)
    return model, inputs


def _shifted_batch(inputs: Path, batch: int, ticks: int) -> dict[str, np.ndarray]:
    """Each saved raster (ticks_in, width) as (batch, ticks, width), sample b shifted by b ticks."""
    with np.load(inputs) as saved:
        rasters = {name: saved[name].astype(bool) for name in saved.files}
    return {name: np.stack([np.roll(x, -b, axis=0)[:ticks] for b in range(batch)])
            for name, x in rasters.items()}


def _baseline_rate(model: ChipModel, fabric: Fabric, result, args) -> float:
    """Neuron-ticks per second of the plain integration-only gather (see the module docstring)."""
    cores = model.cores
    n_cores = cores.n_cores
    # int8 (cores, axons + 1, 256): crossbar times the axon type's weight, one zero row for padding
    weights = cores.params.weights.reshape(n_cores, 1, NEURONS, 4)
    types = cores.axon_type.astype(np.int64)[:, :, None, None]
    matrix = np.zeros((n_cores, AXONS + 1, NEURONS), np.int8)
    matrix[:, :AXONS] = np.where(cores.synapses(),
                                 np.take_along_axis(weights, types, axis=3)[..., 0], 0)
    # per-axon activity as in the run, drawn ahead (not timed)
    maps = model_index_maps(model)
    p = np.zeros((n_cores, AXONS))
    p[maps.axon_core, maps.axon_local] = result.axon_activity / (args.ticks * args.batch)
    rng = np.random.default_rng(args.seed + 2)
    core_of = np.arange(n_cores)[:, None]
    out = np.empty((n_cores, NEURONS), np.int32)
    seconds = 0.0  # drawing the activity is not the baseline's work: only the rest is timed
    for _ in range(args.ticks):
        for _ in range(args.batch):
            active = rng.random((n_cores, AXONS), np.float32) < p
            start = time.perf_counter()
            counts = active.sum(axis=1)
            width = max(int(counts.max()), 1)
            # each core's active axons first, padded with the zero row
            rows = np.argsort(~active, axis=1, kind="stable")[:, :width]
            rows[np.arange(width)[None, :] >= counts[:, None]] = AXONS
            np.sum(matrix[core_of, rows], axis=1, dtype=np.int32, out=out)
            seconds += time.perf_counter() - start
    return fabric.n_neurons * args.ticks * args.batch / max(seconds, 1e-9)


def _profiled(run):
    import cProfile
    import pstats

    prof = cProfile.Profile()
    result = prof.runcall(run)
    pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(14)
    return result


def _tick_threads() -> int:
    """Threads the compiled kernels may use (from 32 blocks on: the batch tick, and for one
    sample the integration and the phases)."""
    from corelet.runtime import _compiled
    from corelet.runtime._tick import threads

    return threads() if _compiled.active() == "numba" else 1


def _report(args, fabric: Fabric, result, seconds: float, setup: float) -> dict:
    fanout = np.bincount(fabric.syn_axon, minlength=fabric.n_axons)
    events = int(result.axon_activity @ fanout)
    neuron_ticks = fabric.n_neurons * args.ticks * args.batch
    spikes = int(result.neuron_spikes.sum())
    return {
        "cores": args.cores, "neurons": fabric.n_neurons, "ticks": args.ticks,
        "batch": args.batch, "workload": args.workload,
        **({} if args.workload == "eedn" else {"density": args.density, "rate": args.rate,
                                               "max_delay": args.max_delay}),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "tick_threads": _tick_threads(),
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
