"""Data-parallel evaluation on Dask (corelet.distributed): a run split over the workers of a local
cluster gives the single-process arrays bit for bit, also when a worker dies mid-run; inputs are
read a window of chunks at a time."""

import os
import signal
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("dask.distributed")

import corelet  # noqa: E402
from corelet import distributed, runtime  # noqa: E402
from corelet.chip import ChipModel  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client():
    with distributed.dask_client(workers=2) as client:
        yield client


@pytest.fixture(scope="module")
def model():
    return ChipModel.load(DATA / "stochastic_v1.json")  # stochastic thresholds and synapses


def _raster(model, batch, ticks, seed=0):
    rng = np.random.default_rng(seed)
    return {inp.name: rng.random((batch, ticks, inp.width)) < 0.4 for inp in model.inputs}


def assert_same(expected, got):
    assert got.batch == expected.batch and got.seed == expected.seed
    want, have = expected.arrays(), got.arrays()
    assert list(want) == list(have)
    for key in want:
        assert want[key].dtype == have[key].dtype, key
        np.testing.assert_array_equal(want[key], have[key], err_msg=key)
    np.testing.assert_array_equal(expected.neuron_spikes, got.neuron_spikes)
    np.testing.assert_array_equal(expected.axon_activity, got.axon_activity)
    np.testing.assert_array_equal(expected.tick_spikes, got.tick_spikes)
    assert got.tick_spikes.sum() == got.neuron_spikes.sum()  # every spike in one tick


def test_two_workers_give_the_single_process_result_bit_for_bit(client, model):
    inputs = _raster(model, batch=23, ticks=30)
    probes = ["*"]
    single = corelet.run(model, ticks=30, inputs=inputs, seed=7, probes=probes, trace=True)
    assert single.outputs and single.outputs["y"].any()  # a run with spikes to compare
    seen = []
    split = corelet.run(model, ticks=30, inputs=inputs, seed=7, probes=probes, trace=True,
                        client=client, chunk=4, progress=lambda done, total: seen.append((done, total)))
    assert_same(single, split)
    # progress counts samples over all workers: chunks of 4 (the last 3), up to the whole batch
    assert [total for _, total in seen] == [23] * 6
    assert sorted(done for done, _ in seen) == [done for done, _ in seen][:6]
    assert seen[-1][0] == 23 and len(seen) == 6


def test_a_sample_differs_with_its_seed_so_the_comparison_can_fail(client, model):
    """Chunks must get seed + start: a chunk run with the run's own seed gives other spikes."""
    inputs = _raster(model, batch=6, ticks=30)
    whole = corelet.run(model, ticks=30, inputs=inputs, seed=7)
    tail = corelet.run(model, ticks=30, inputs={k: v[3:] for k, v in inputs.items()}, seed=7)
    assert not np.array_equal(whole.outputs["y"][3:], tail.outputs["y"])
    right = corelet.run(model, ticks=30, inputs={k: v[3:] for k, v in inputs.items()}, seed=10)
    np.testing.assert_array_equal(whole.outputs["y"][3:], right.outputs["y"])


def test_shared_inputs_and_an_explicit_batch(client, model):
    shared = {k: v[0] for k, v in _raster(model, batch=1, ticks=20).items()}  # (ticks, width)
    single = corelet.run(model, ticks=25, inputs=shared, seed=3, batch=9)
    split = corelet.run(model, ticks=25, inputs=shared, seed=3, batch=9, client=client, chunk=2)
    assert_same(single, split)


def test_input_errors_are_the_runtimes(client, model):
    inputs = _raster(model, batch=8, ticks=20)
    with pytest.raises(runtime.SimulationError, match="shape"):
        corelet.run(model, ticks=20, inputs=inputs, batch=5, client=client)
    bad = {k: v.astype(np.int8) for k, v in inputs.items()}
    name = next(iter(bad))
    bad[name][6, 0, 0] = 2  # in a later chunk: checked by the worker, raised here
    with pytest.raises(runtime.SimulationError, match="holds the value 2"):
        corelet.run(model, ticks=20, inputs=bad, client=client, chunk=2)


class _CountingArray(np.ndarray):
    """An input array that records which sample ranges were read from it."""
    reads: list

    def __getitem__(self, index):
        if isinstance(index, slice) and index.start is not None:  # a chunk's samples
            self.reads.append((index.start, index.stop))
        return np.asarray(super().__getitem__(index))


def test_inputs_are_read_a_window_of_chunks_at_a_time(client, model, tmp_path):
    inputs = _raster(model, batch=40, ticks=20)
    name, arr = next(iter(inputs.items()))
    np.save(tmp_path / "x.npy", arr)
    mapped = np.load(tmp_path / "x.npy", mmap_mode="r")
    counting = np.asarray(mapped).view(_CountingArray)
    counting.reads = []
    in_flight = []

    def progress(done, total):
        in_flight.append(len(counting.reads) - done // 2)  # chunks read but not finished

    fabric = runtime.fabric_from_model(model)
    spool = distributed.SpoolFolder(tmp_path / "out.npz")
    with spool:
        split = distributed.simulate_distributed(client, fabric, 20, {name: counting}, seed=1,
                                                 chunk=2, progress=progress,
                                                 allocate=spool.allocate)
        assert isinstance(split.outputs["y"], np.memmap)  # written to disk as chunks arrive
        single = runtime.simulate(fabric, 20, {name: arr}, seed=1)
        assert_same(single, split)
    assert sorted(counting.reads) == [(s, s + 2) for s in range(0, 40, 2)]
    window = distributed.WINDOW_PER_WORKER * 2
    assert max(in_flight) <= window  # never the whole file: at most a window ahead
    assert not any(Path(tmp_path).glob(".out.npz.*"))  # the spool folder is removed


def test_a_worker_killed_mid_run_changes_nothing(model):
    """One worker process is killed (SIGKILL) when the first chunk is done; the scheduler re-runs
    its chunks elsewhere (and the nanny starts a new worker)."""
    inputs = _raster(model, batch=24, ticks=150)
    single = corelet.run(model, ticks=150, inputs=inputs, seed=11)
    with distributed.dask_client(workers=2) as client:
        pids = client.run(os.getpid)
        victim = sorted(pids.values())[0]
        killed = []

        def progress(done, total):
            if not killed:
                os.kill(victim, signal.SIGKILL)
                killed.append(done)

        split = corelet.run(model, ticks=150, inputs=inputs, seed=11, client=client, chunk=2,
                            progress=progress)
        assert killed and killed[0] < 24  # killed while chunks were left
        assert victim not in client.run(os.getpid).values()  # the workers left are others
    assert_same(single, split)


@pytest.mark.parametrize("worker_setting", [None, "2"])
def test_a_chunk_runs_the_compiled_kernels_on_one_thread_unless_told(monkeypatch, model,
                                                                     worker_setting):
    """Workers share the machine's cores, so a chunk runs with CORELET_THREADS=1, unless the
    worker's environment already says how many; the environment is as it was afterwards."""
    from corelet.runtime._compiled import THREADS_VARIABLE

    monkeypatch.setenv(THREADS_VARIABLE, "7")  # recorded, so the session gets its own back
    if worker_setting is None:
        monkeypatch.delenv(THREADS_VARIABLE)
    else:
        monkeypatch.setenv(THREADS_VARIABLE, worker_setting)
    seen = []

    def recording_simulate(*args, **kwargs):
        seen.append(os.environ.get(THREADS_VARIABLE))
        return runtime.simulate(*args, **kwargs)

    monkeypatch.setattr(distributed, "simulate", recording_simulate)
    fabric = runtime.fabric_from_model(model)
    distributed._run_chunk(fabric, 5, _raster(model, 2, 5), 0, 2, (), (), False)
    assert seen == [worker_setting or "1"]
    assert os.environ.get(THREADS_VARIABLE) == worker_setting
