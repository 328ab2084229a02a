"""The whole tick compiled (``runtime._tick``, numba) against the numpy path, the reference.

Random chip models with deterministic neurons of every mode (reset to a value, linear, none; negative
saturate or reset; leak with and without reversal), recurrent routes with delays 1..15, input pins
on some axons, batches of 1, 5 and 70 (two words of spike bits), state resets, and (with
unused neurons dropped by the lowering) axons whose synapses straddle two blocks of 256 fabric
neurons: every neuron's spikes and membrane
potential, every axon's activity and every neuron's spike count must be the same integers on both
paths, serial and on several threads. (tests/reference compares both paths with the independent
reference simulator as well.)
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from corelet import runtime
from corelet.chip import TRUENORTH
from corelet.runtime import ChipInput, ChipModel, Cores, _compiled
from tests.conftest import KERNELS, using_kernel

pytestmark = pytest.mark.skipif("numba" not in KERNELS, reason="numba is not installed")
# numba runs at most as many threads as the process has cores: with one, the threaded cases
# below run on one thread (and still must equal the numpy path)
try:
    import numba

    TWO_THREADS = numba.config.NUMBA_NUM_THREADS >= 2
except ImportError:
    TWO_THREADS = False


def chip_model(n_cores: int, seed: int, drop: float = 0.0) -> ChipModel:
    """``n_cores`` cores, random crossbars (density .15), every neuron routed to a random axon
    32..255 of a random core or left without a target; axons 0..31 of each core are input pins.
    ``drop``: the fraction of neurons and axons left unused."""
    rng = np.random.default_rng(seed)
    cores = Cores.empty(n_cores, TRUENORTH)
    cores.coords[:, 2] = np.arange(n_cores)
    used = rng.random((n_cores, 256)) >= drop
    cores.neuron_path[:] = np.where(used, 0, -1)
    cores.neuron_index[:] = np.arange(n_cores * 256).reshape(n_cores, 256)
    cores.axon_path[:] = 0
    cores.axon_type[:] = rng.integers(0, 4, (n_cores, 256))
    bits = (rng.random((n_cores, 256, 256)) < 0.15) & used[:, None, :]
    cores.crossbar[:] = np.packbits(bits, axis=2)
    routed = used & (rng.random((n_cores, 256)) < 0.9)
    cores.target_core[:] = np.where(routed, rng.integers(0, n_cores, (n_cores, 256)), -1)
    cores.target_axon[:] = np.where(routed, rng.integers(32, 256, (n_cores, 256)), 0)
    cores.delay[:] = np.where(routed, rng.integers(1, 16, (n_cores, 256)), 0)
    p = cores.params
    p.weights[:] = rng.integers(-30, 40, p.weights.shape)
    p.leak[:] = rng.integers(-4, 3, p.leak.shape)
    p.leak_reversal[:] = rng.random(p.leak.shape) < 0.3
    p.threshold[:] = rng.integers(1, 60, p.threshold.shape)
    p.neg_threshold[:] = rng.integers(0, 40, p.neg_threshold.shape)
    p.reset_mode[:] = rng.integers(0, 3, p.reset_mode.shape)
    p.neg_mode[:] = rng.integers(0, 2, p.neg_mode.shape)
    p.reset_value[:] = rng.choice([-15, -7, -3, -1, 0, 1, 3, 7, 15], p.reset_value.shape)  # +-(2^k - 1)
    p.initial[:] = rng.integers(-30, 30, p.initial.shape)
    pins = np.arange(n_cores * 32)
    inputs = (ChipInput("x", len(pins), pins, pins // 32, pins % 32,
                        rng.integers(1, 4, len(pins))),)
    model = ChipModel(TRUENORTH, cores, ("n",), inputs)
    model.validate()
    return model


def run(fabric, x, kernel: str, resets=()):
    with using_kernel(kernel):
        sim = runtime.simulator._Run(fabric, 40, {"x": x}, 3, None, resets, ["n"], True)
        return sim, sim.execute(None)


@pytest.mark.parametrize("n_cores, drop, batch, parallel", [
    (3, 0.0, 1, False), (3, 0.0, 5, False), (3, 0.2, 1, False), (3, 0.2, 5, False),
    (6, 0.0, 1, True), (6, 0.1, 5, True),
    # spikes are bits in words of 64 samples: a batch over two words, serial and threaded
    (3, 0.0, 70, False), (6, 0.1, 70, True)])
def test_compiled_tick_equals_the_numpy_path(monkeypatch, n_cores, drop, batch, parallel):
    import corelet.runtime._tick as tick

    monkeypatch.setattr(tick, "PARALLEL_MIN_BLOCKS", 2 if parallel else 10**9)
    monkeypatch.setattr(tick, "MIN_BATCH", 1)  # the kernel takes any batch
    monkeypatch.setenv(_compiled.THREADS_VARIABLE, "2")
    fabric = runtime.fabric_from_model(chip_model(n_cores, seed=n_cores + batch, drop=drop))
    x = np.random.default_rng(batch).random((batch, 40, n_cores * 32)) < 0.3
    resets = (17, 30)
    compiled_run, compiled = run(fabric, x, "numba", resets)
    numpy_run, reference = run(fabric, x, "numpy", resets)
    assert compiled_run.compiled is not None and numpy_run.compiled is None
    assert compiled_run.compiled.parallel == (parallel and TWO_THREADS)
    # the compiled tick integrates the input axons itself; the numpy path streams them
    assert compiled_run.stream is None and numpy_run.stream is not None
    if drop:  # the fabric's neurons no longer fall in whole cores: some axons straddle blocks
        spread = compiled_run.compiled.spread_axons
        assert (compiled_run.synapses.fanout[spread] > 0).any()
    spikes = reference.probes["n"]
    assert 0.01 < spikes.mean() < 0.6  # a run with something to compare
    assert np.array_equal(compiled.probes["n"], spikes)
    assert np.array_equal(compiled.traces["n"], reference.traces["n"])
    assert np.array_equal(compiled.axon_activity, reference.axon_activity)
    assert np.array_equal(compiled.neuron_spikes, reference.neuron_spikes)


@pytest.mark.parametrize("n_cores, kinds, parallel", [(3, None, False), (4, 3, False),
                                                     (3, None, True), (4, 3, True)])
def test_one_sample_with_compiled_phases_and_routing_equals_the_numpy_path(
        monkeypatch, n_cores, kinds, parallel):
    """Batch 1 keeps the numpy-shaped path, its phases and routing compiled (CompiledNeurons):
    every neuron its own kind (runs of one neuron), or three kinds in long runs; on one thread,
    or on two (the phases in two ranges of neurons that cut runs, and ``block_sums`` in parts
    cut where the block changes)."""
    import corelet.runtime._tick as tick

    minimum = 2 if parallel else 10**9
    monkeypatch.setattr(tick, "PARALLEL_MIN_BLOCKS", minimum)
    monkeypatch.setattr(_compiled, "PARALLEL_MIN_BLOCKS", minimum)
    monkeypatch.setenv(_compiled.THREADS_VARIABLE, "2")
    model = chip_model(n_cores, seed=7 + n_cores)
    if kinds is not None:  # neurons share the parameters of a few, in runs along the cores
        p = model.cores.params
        length = model.cores.n_cores * 256 // kinds + 1
        first_of_run = np.arange(model.cores.n_cores * 256) // length * length
        for name, arr in p.arrays():
            if name != "weights":  # (N,) or (N, 4) rows
                arr[...] = arr[first_of_run]
    fabric = runtime.fabric_from_model(model)
    x = np.random.default_rng(n_cores).random((1, 40, n_cores * 32)) < 0.3
    compiled_run, compiled = run(fabric, x, "numba", (17, 30))
    numpy_run, reference = run(fabric, x, "numpy", (17, 30))
    assert compiled_run.compiled is None and compiled_run.compiled_neurons is not None
    assert numpy_run.compiled_neurons is None
    threaded = parallel and TWO_THREADS
    assert compiled_run.compiled_neurons.threads == (2 if threaded else 1)
    assert compiled_run.synapses._group_scratch.ndim == (3 if threaded else 2)
    runs = len(compiled_run.compiled_neurons.run_kind)
    assert runs == 3 if kinds else runs > 100
    spikes = reference.probes["n"]
    assert 0.01 < spikes.mean() < 0.6
    assert np.array_equal(compiled.probes["n"], spikes)
    assert np.array_equal(compiled.traces["n"], reference.traces["n"])
    assert np.array_equal(compiled.axon_activity, reference.axon_activity)
    assert np.array_equal(compiled.neuron_spikes, reference.neuron_spikes)
    assert np.array_equal(compiled.tick_spikes, reference.tick_spikes)


def test_neuron_kinds_never_merge_two_different_rows():
    """Kinds are found from packed keys when every value is in the chip's ranges, and row by
    row otherwise (a negative threshold of 2^20 would collide in the packed key)."""
    from corelet.chip import NeuronParams
    from corelet.runtime._tick import neuron_kinds

    for neg in (7, 2**20, -3):
        params = NeuronParams.from_fields(4, threshold=[5, 4, 5, 5], neg_threshold=[0, neg, 0, neg],
                                          leak=[0, 0, -2, 0])
        kind, table = neuron_kinds(params)
        rows = np.stack([params.threshold, params.neg_threshold, params.reset_value,
                         params.leak], axis=1)
        assert np.array_equal(table[kind][:, :4], rows)  # each neuron gets its own row back
        assert len(table) == len(np.unique(rows, axis=0))


def test_a_stochastic_network_or_a_small_batch_keeps_to_the_numpy_shaped_path():
    from corelet.runtime._tick import MIN_BATCH

    model = chip_model(2, seed=1)
    x = np.zeros((MIN_BATCH, 40, 64), bool)
    assert run(runtime.fabric_from_model(model), x, "numba")[0].compiled is not None
    assert run(runtime.fabric_from_model(model), x[:1], "numba")[0].compiled is None
    model.cores.params.threshold_mask[5] = 3
    sim, _ = run(runtime.fabric_from_model(model), x, "numba")
    assert sim.compiled is None and sim.synapses.compiled is not None
    sim, _ = run(runtime.fabric_from_model(model), x[:1], "numba")
    assert sim.compiled_neurons is None  # a threshold mask draws: numpy's phases


def test_a_bad_thread_count_is_an_error(monkeypatch):
    from corelet.runtime import SimulationError
    from corelet.runtime._compiled import THREADS_VARIABLE, threads

    monkeypatch.setenv(THREADS_VARIABLE, "two")
    with pytest.raises(SimulationError, match="CORELET_THREADS must be a whole number"):
        threads()
    monkeypatch.setenv(THREADS_VARIABLE, "1")
    assert threads() == 1


def test_threads_default_to_the_cores_the_process_may_use(monkeypatch):
    """Without ``CORELET_THREADS``, every core of the process's affinity mask (at most numba's
    limit); a number asked for is capped by that limit."""
    import os

    from corelet.runtime._compiled import THREADS_VARIABLE, threads

    numba = pytest.importorskip("numba")
    monkeypatch.delenv(THREADS_VARIABLE, raising=False)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert threads() == min(usable, numba.config.NUMBA_NUM_THREADS)
    monkeypatch.setenv(THREADS_VARIABLE, str(numba.config.NUMBA_NUM_THREADS + 5))
    assert threads() == numba.config.NUMBA_NUM_THREADS


def _run_in_child(model, x, queue):
    """In a forked child: lower and run ``model`` (batch 1 and 5), report the thread count."""
    from corelet.runtime._compiled import threads

    fabric = runtime.fabric_from_model(model)
    counts = [runtime.simulate(fabric, 12, {"x": x[:b]}).neuron_spikes for b in (1, 5)]
    queue.put((threads(), counts))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the system has no fork")
def test_a_process_forked_after_threaded_kernels_runs_them_on_one_thread(monkeypatch):
    """Numba's usual threading layer on Linux (GNU OpenMP) cannot start in a child forked after
    it ran: the child keeps to one thread, lowers and runs, and gets the parent's spikes."""
    import multiprocessing

    monkeypatch.setenv(_compiled.THREADS_VARIABLE, "2")
    model = chip_model(_compiled.PARALLEL_MIN_BLOCKS + 4, seed=3)
    x = np.random.default_rng(0).random((5, 12, model.cores.n_cores * 32)) < 0.3
    fabric = runtime.fabric_from_model(model)
    expected = [runtime.simulate(fabric, 12, {"x": x[:b]}).neuron_spikes for b in (1, 5)]
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_run_in_child, args=(model, x, queue))
    child.start()
    try:
        child_threads, counts = queue.get(timeout=120)
    finally:
        child.join(30)
    assert child.exitcode == 0
    assert child_threads == 1
    assert all(np.array_equal(a, b) for a, b in zip(counts, expected))
