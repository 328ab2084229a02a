"""Data-parallel evaluation on Dask: a batch of samples split into chunks run across workers.

Sample b of a run with seed S draws with seed S + b (``corelet.runtime.simulate``), so the chunk of
samples ``start:stop`` run alone with seed S + start gives exactly the spikes those samples give in
the whole batch. The driver cuts the batch into such chunks, submits a bounded window of them to a
``dask.distributed`` client (so memory-mapped inputs are read a chunk at a time, and never all at
once), and writes each finished chunk into its place in the output arrays, which may be
memory-mapped files (``SpoolFolder``) so that no process holds every raster. A worker that dies
mid-chunk is Dask's to handle: the scheduler runs its chunks again elsewhere, and as a chunk's
result depends only on its samples, the run gives the same arrays.

Dask is the optional extra ``corelet-toolchain[distributed]``; without it ``need_dask`` says how to
install it.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

import numpy as np

from corelet.chip import ToolchainError
from corelet.runtime import Fabric, SimResult, SimulationError, check_inputs, simulate
from corelet.runtime._compiled import THREADS_VARIABLE
from corelet.runtime.inputs import batch_of

INSTALL_HINT = "pip install 'corelet-toolchain[distributed]' (or: pip install 'dask[distributed]')"
CHUNKS_PER_WORKER = 1  # a larger chunk vectorises more samples: batch 32 runs 1.75x faster per sample than 8
MAX_CHUNK = 256  # samples per chunk, so one chunk's rasters stay small
WINDOW_PER_WORKER = 2  # chunks in flight per worker: one running, one queued


class DistributedError(ToolchainError):
    """The distributed engine cannot be used (Dask missing, no scheduler at that address)."""


def need_dask(option: str = "the distributed options"):
    """Import ``dask.distributed``, or say how to install it."""
    try:
        import dask.distributed
    except ImportError:
        raise DistributedError(f"{option} need Dask, an optional extra: {INSTALL_HINT}") from None
    return dask.distributed


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator:
    """A client of a local cluster of ``workers`` processes (one thread each, started here and
    stopped on exit), or of the existing cluster at ``scheduler``."""
    distributed = need_dask("--workers and --scheduler" if workers or scheduler else "client")
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as err:
            raise DistributedError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None
        with client:
            yield client
        return
    # processes, not threads: the tick loop holds the GIL; the nanny restarts a worker that dies.
    # Dask's nanny makes glibc return freed memory at once (MALLOC_TRIM_THRESHOLD_=64 KiB), which
    # makes the runtime's large temporaries page-fault every tick: 1.5-2x slower, measured.
    import dask

    # one thread per worker for the compiled kernels too (runtime._compiled): the workers share
    # the cores
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                          f"distributed.nanny.pre-spawn-environ.{THREADS_VARIABLE}": "1"}), \
            distributed.LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def chunk_bounds(batch: int, workers: int, chunk: int | None = None) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` covering ``0..batch`` in order, ``CHUNKS_PER_WORKER`` per
    worker unless ``chunk`` (samples per chunk) is given."""
    if chunk is None:
        chunk = min(MAX_CHUNK, max(1, math.ceil(batch / (max(workers, 1) * CHUNKS_PER_WORKER))))
    if chunk < 1:
        raise SimulationError(f"chunk must be at least 1 sample, got {chunk}")
    return [(start, min(start + chunk, batch)) for start in range(0, batch, chunk)]


def chunk_inputs(inputs: Mapping[str, np.ndarray], start: int, stop: int) -> dict[str, np.ndarray]:
    """The samples ``start:stop`` of each input: per-sample (3-d) inputs are sliced (reading only
    that part of a memory-mapped file), shared ones (2-d, or a batch of 1) are passed whole."""
    out = {}
    for name, arr in inputs.items():
        if np.ndim(arr) == 3 and np.shape(arr)[0] != 1:
            out[name] = np.ascontiguousarray(arr[start:stop])
        else:
            out[name] = np.asarray(arr)
    return out


def _check_first_sample(fabric: Fabric, inputs: dict, ticks: int, batch: int) -> None:
    """The runtime's input checks, here, on every shape and on the first sample's values (each
    chunk checks its own values on its worker), without reading whole memory-mapped inputs."""
    first = {name: arr[:1] if np.ndim(arr) == 3 and np.shape(arr)[0] == batch else arr
             for name, arr in inputs.items()}
    check_inputs(fabric, first, ticks, batch)


def _run_chunk(fabric: Fabric, ticks: int, inputs: dict, seed: int, batch: int,
               reset_at: tuple, probes: tuple, trace: bool) -> SimResult:
    """One chunk on a worker: the samples of ``inputs`` with seed ``seed`` (= run seed + start).
    The compiled kernels run on one thread there, unless the worker's environment sets
    ``CORELET_THREADS``: the workers already share the machine's cores."""
    with _one_thread_unless_set():
        return simulate(fabric, ticks, inputs, seed=seed, batch=batch, reset_at=reset_at,
                        probes=probes, trace=trace)


@contextlib.contextmanager
def _one_thread_unless_set():
    """``CORELET_THREADS=1`` for the block, unless it is set; the environment as it was after."""
    if THREADS_VARIABLE in os.environ:
        yield
        return
    os.environ[THREADS_VARIABLE] = "1"
    try:
        yield
    finally:
        os.environ.pop(THREADS_VARIABLE, None)


class _Gather:
    """Chunk results written into their place in arrays made by ``allocate(name, shape, dtype)``
    (memory or memory-mapped files), the per-neuron and per-axon tallies summed."""

    def __init__(self, batch: int, allocate: Callable):
        self.batch, self.allocate = batch, allocate
        self.tables: dict[str, dict[str, np.ndarray]] | None = None
        self.probe_neurons: dict = {}
        self.neuron_spikes = self.axon_activity = self.tick_spikes = None

    def add(self, start: int, part: SimResult) -> None:
        stop = start + part.batch
        if self.tables is None:
            self.probe_neurons = part.probe_neurons
            self.tables = {kind: {name: self.allocate(f"{kind}/{name}", (self.batch, *arr.shape[1:]),
                                                      arr.dtype)
                                  for name, arr in getattr(part, kind).items()}
                           for kind in ("outputs", "counts", "probes", "traces")}
            self.neuron_spikes = np.zeros_like(part.neuron_spikes)
            self.axon_activity = np.zeros_like(part.axon_activity)
            self.tick_spikes = np.zeros_like(part.tick_spikes)
        for kind, table in self.tables.items():
            for name, arr in getattr(part, kind).items():
                table[name][start:stop] = arr
        self.neuron_spikes += part.neuron_spikes
        self.axon_activity += part.axon_activity
        self.tick_spikes += part.tick_spikes

    def result(self, ticks: int, seed: int) -> SimResult:
        tables = self.tables or {kind: {} for kind in ("outputs", "counts", "probes", "traces")}
        return SimResult(ticks=ticks, batch=self.batch, seed=seed, probe_neurons=self.probe_neurons,
                         neuron_spikes=self.neuron_spikes, axon_activity=self.axon_activity,
                         tick_spikes=self.tick_spikes, **tables)


def simulate_distributed(client, fabric: Fabric, ticks: int,
                         inputs: Mapping[str, np.ndarray] | None = None, *, seed: int = 0,
                         batch: int | None = None, reset_at: Sequence[int] = (),
                         probes: Sequence[str] = (), trace: bool = False, chunk: int | None = None,
                         progress: Callable[[int, int], None] | None = None,
                         allocate: Callable | None = None) -> SimResult:
    """``runtime.simulate`` with the batch split over the workers of a Dask ``client``: the same
    arrays, bit for bit, in the same sample order.

    ``chunk`` sets the samples per task (default: one chunk per worker, at most
    ``MAX_CHUNK``); ``progress(samples_done, batch)`` is called as chunks finish, on any worker;
    ``allocate(name, shape, dtype)`` makes the result arrays (default: in memory; see
    ``SpoolFolder`` for memory-mapped files). Inputs may be memory-mapped arrays (``np.load(...,
    mmap_mode="r")``): at most a window of chunks is read and in flight at a time.
    """
    distributed = need_dask()
    inputs = dict(inputs or {})
    total = batch_of(inputs, batch, fabric)
    if total < 1:
        raise SimulationError(f"batch must be at least 1, got {total}")
    if ticks == 0 or not isinstance(ticks, (int, np.integer)):  # nothing to split: the runtime
        return simulate(fabric, ticks, inputs, seed=seed, batch=total, reset_at=reset_at,
                        probes=probes, trace=trace)
    _check_first_sample(fabric, inputs, ticks, total)
    workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))
    bounds = chunk_bounds(total, workers, chunk)
    gather = _Gather(total, allocate or (lambda name, shape, dtype: np.empty(shape, dtype)))
    fabric_ref = client.scatter(fabric, broadcast=True, hash=False)
    pending = iter(bounds)
    started: dict = {}

    def submit() -> bool:
        start, stop = next(pending, (None, None))
        if start is None:
            return False
        future = client.submit(_run_chunk, fabric_ref, int(ticks), chunk_inputs(inputs, start, stop),
                               int(seed) + start, stop - start, tuple(reset_at), tuple(probes),
                               bool(trace), pure=False)
        started[future.key] = start
        queue.add(future)
        return True

    queue = distributed.as_completed([], with_results=False)
    for _ in range(WINDOW_PER_WORKER * workers):
        if not submit():
            break
    done = 0
    for future in queue:
        part = future.result()  # re-raises a chunk's SimulationError here
        gather.add(started.pop(future.key), part)
        done += part.batch
        future.release()
        if progress is not None:
            progress(done, total)
        submit()
    return gather.result(int(ticks), int(seed))


class SpoolFolder:
    """Result arrays as ``.npy`` files, memory-mapped, in a temporary folder beside ``target``
    (removed on exit), so that chunks are written to disk as they arrive."""

    def __init__(self, target: str | os.PathLike):
        parent = Path(target).resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        self._tmp = tempfile.TemporaryDirectory(dir=parent, prefix=f".{Path(target).name}.")
        self._count = 0

    def allocate(self, name: str, shape: tuple, dtype) -> np.ndarray:
        self._count += 1
        path = Path(self._tmp.name) / f"{self._count}.npy"
        return np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=shape)

    def __enter__(self) -> "SpoolFolder":
        return self

    def __exit__(self, *exc) -> None:
        self._tmp.cleanup()
