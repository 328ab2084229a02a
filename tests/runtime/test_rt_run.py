"""Whole runs: batch and placement invariance, resets between segments, probes, results, stats."""

import json
import re

import numpy as np
import pytest
from .rt_builder import ModelBuilder, relay_chain

from corelet import runtime
from corelet.runtime.raster import LABEL, RIGHT, WIDTH
from corelet.runtime import SimulationError
from tests.conftest import using_kernel

N, INPUTS = 24, 6


def logical_spec(seed: int) -> dict:
    """A small random network using every neuron feature, stochastic ones included."""
    rng = np.random.default_rng(seed)
    params = dict(
        weights=rng.integers(-40, 60, (N, 4)), stochastic_weights=rng.random((N, 4)) < 0.3,
        leak=rng.integers(-20, 20, N), stochastic_leak=rng.random(N) < 0.3,
        leak_reversal=rng.random(N) < 0.3, threshold=rng.integers(1, 80, N),
        neg_threshold=rng.integers(0, 60, N), threshold_mask=rng.integers(0, 6, N),
        reset_mode=rng.integers(0, 3, N), neg_mode=rng.integers(0, 2, N),
        reset_value=rng.choice([-7, -3, -1, 0, 1, 3, 7], N),  # the chip's +-(2^k - 1)
        initial=rng.integers(-20, 20, N))
    return dict(params=params, crossbar=rng.random((N + INPUTS, N)) < 0.35,
                types=rng.integers(0, 4, N + INPUTS), delays=rng.integers(1, 16, N))


def place(spec: dict, core: int, n_cores: int, neuron_at: np.ndarray, axon_at: np.ndarray):
    """The network on one core: logical neuron k at neuron_at[k], logical axon i at axon_at[i].

    Axons 0..N-1 are driven by neuron k, axons N.. by the input pins.
    """
    b = ModelBuilder(n_cores)
    for i in range(N + INPUTS):
        source = ("n", i) if i < N else ("x", i - N)
        b.axon(core, axon_at[i], int(spec["types"][i]), source=source)
        for k in np.flatnonzero(spec["crossbar"][i]):
            b.synapse(core, axon_at[i], neuron_at[k])
    for k in range(N):
        row = {f: v[k] for f, v in spec["params"].items()}
        b.neuron(core, neuron_at[k], "n", k, target=(core, axon_at[k], int(spec["delays"][k])),
                 **row)
    b.input("x", INPUTS, [(p, core, axon_at[N + p], 1 + p % 3) for p in range(INPUTS)])
    return runtime.fabric_from_model(b.build())


def identity_fabric(seed):
    return place(logical_spec(seed), 0, 1, np.arange(N), np.arange(N + INPUTS))


def raster(seed, ticks=60, batch=None):
    shape = (ticks, INPUTS) if batch is None else (batch, ticks, INPUTS)
    return np.random.default_rng(seed + 100).random(shape) < 0.4


def spikes(fabric, x, ticks=60, **kw):
    return runtime.simulate(fabric, ticks, {"x": x}, probes=["n[*]"], **kw).probes["n[*]"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_placement_does_not_change_spikes_or_draws(seed):
    rng = np.random.default_rng(seed)
    spec = logical_spec(seed)
    here = place(spec, 0, 1, np.arange(N), np.arange(N + INPUTS))
    there = place(spec, 2, 3, rng.permutation(256)[:N], rng.permutation(256)[:N + INPUTS])
    x = raster(seed)
    reference = spikes(here, x, seed=7)
    assert reference.any() and np.array_equal(spikes(there, x, seed=7), reference)


def test_a_sample_gives_the_same_spikes_alone_or_in_a_batch():
    fabric, x = identity_fabric(4), raster(4, batch=5)
    together = spikes(fabric, x, seed=30)
    for b in range(5):
        alone = spikes(fabric, x[b], seed=30 + b)
        assert np.array_equal(alone[0], together[b])
    assert not np.array_equal(together[0], together[1])


def test_same_seed_same_spikes_and_another_seed_differs():
    fabric, x = identity_fabric(5), raster(5)
    assert np.array_equal(spikes(fabric, x, seed=3), spikes(fabric, x, seed=3))
    assert not np.array_equal(spikes(fabric, x, seed=3), spikes(fabric, x, seed=4))


def deterministic_fabric():
    """Relays with long delays, so spikes are pending when a segment ends."""
    spec = logical_spec(6)
    spec["params"].update(stochastic_weights=np.zeros((N, 4), bool),
                          stochastic_leak=np.zeros(N, bool), threshold_mask=np.zeros(N, int))
    return place(spec, 0, 1, np.arange(N), np.arange(N + INPUTS))


def test_reset_between_segments_equals_separate_runs():
    fabric = deterministic_fabric()
    lengths = [25, 40, 30]
    parts = [raster(10 + i, ticks) for i, ticks in enumerate(lengths)]
    starts = np.cumsum([0] + lengths[:-1]).tolist()
    joined = spikes(fabric, np.concatenate(parts), sum(lengths), reset_at=starts[1:])
    separate = np.concatenate([spikes(fabric, p, len(p)) for p in parts], axis=1)
    assert separate.any() and np.array_equal(joined, separate)
    assert not np.array_equal(spikes(fabric, np.concatenate(parts), sum(lengths)), separate)


def probe_fabric():
    b = relay_chain(2)
    b.neuron(0, 5, "n", 0, role=1, target=(0, 1, 2), weights=[1, 0, 0, 0])  # a copy of n[0]
    b.synapse(0, 0, 5)
    b.neuron(0, 9, "hid.h[*]", 0, weights=[1, 0, 0, 0]).synapse(0, 0, 9)
    return runtime.fabric_from_model(b.output("out", [(0, 1)]).build())


def test_probes_by_name_pattern_skip_copies_and_take_brackets_literally():
    fabric = probe_fabric()
    x = np.zeros((6, 1), bool)
    x[1] = True
    res = runtime.simulate(fabric, 6, {"x": x}, probes=["n[*]", "n[1]", "n", "*", "hid.h[*][0]"],
                           trace=True)
    names = res.probe_neurons
    assert names["n[*]"] == names["n"] == ["n[0]", "n[1]"] and names["n[1]"] == ["n[1]"]
    assert names["hid.h[*][0]"] == ["hid.h[*][0]"]  # '[*]' inside a name is literal
    assert sorted(res.probe_neurons["*"]) == ["hid.h[*][0]", "n[0]", "n[1]"]
    assert np.flatnonzero(res.probes["n[*]"][0, :, 0]).tolist() == [1]
    assert np.flatnonzero(res.probes["n[*]"][0, :, 1]).tolist() == [3]
    assert res.traces["n[1]"][0, :, 0].tolist() == [0, 0, 0, 0, 0, 0]  # fires and resets to 0
    assert res.probes["n[*]"].shape == (1, 6, 2) and res.traces["n"].shape == (1, 6, 2)
    with pytest.raises(SimulationError, match="matches no neuron"):
        runtime.simulate(fabric, 6, probes=["hid.h[0]"])


def test_an_entry_of_a_population_array_is_probed_by_its_name():
    from corelet.language import elaborate_source

    net = elaborate_source("""corelet T() {
        input x; output y
        for s in 0..2 { neurons stage[s][3] = neuron { weights = [1, 0, 0, 0] } }
        x -> stage[0]; stage[0][2] -> stage[1][1]; y = stage[1][1]
    }""")
    fabric = runtime.fabric_from_network(net)
    res = runtime.simulate(fabric, 4, {"x": np.array([[1], [0], [0], [0]], bool)},
                           probes=["stage[0]", "stage[1][1]", "stage[*][2]"])
    assert res.probe_neurons["stage[0]"] == ["stage[0][0]", "stage[0][1]", "stage[0][2]"]
    assert res.probe_neurons["stage[1][1]"] == ["stage[1][1]"]  # a neuron index, as before
    assert res.probe_neurons["stage[*][2]"] == ["stage[0][2]", "stage[1][2]"]  # '*': index read
    assert res.probes["stage[0]"][0, 0].tolist() == [True, True, True]
    assert np.flatnonzero(res.probes["stage[1][1]"][0, :, 0]).tolist() == [1]


def test_outputs_counts_and_save(tmp_path):
    fabric = runtime.fabric_from_model(relay_chain(1).output("out", [(0, 1)]).build())
    x = np.array([[1], [0], [1], [1], [0]], bool)
    res = runtime.simulate(fabric, 7, {"x": x}, probes=["n[0]"])
    assert np.flatnonzero(res.outputs["out"][0, :, 0]).tolist() == [1, 3, 4]
    assert res.counts["out"].tolist() == [[3]]
    res.save(tmp_path / "r.npz")
    with np.load(tmp_path / "r.npz") as data:
        assert np.array_equal(data["outputs/out"], res.outputs["out"])
        assert data["probe_neurons/n[0]"].tolist() == ["n[0]"] and int(data["ticks"]) == 7


def test_progress_is_reported_to_the_end():
    fabric = identity_fabric(1)
    calls = []
    runtime.simulate(fabric, 250, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (250, 250) and len(calls) >= 100
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_run_stats_counts_spikes_and_synaptic_events_per_core():
    b = ModelBuilder(2)
    b.axon(0, 0, 0, source=("x", 0)).synapse(0, 0, 0).synapse(0, 0, 1)
    b.neuron(0, 0, "n", 0, target=(1, 3, 1), weights=[1, 0, 0, 0])
    b.neuron(0, 1, "n", 1, weights=[0, 0, 0, 0])
    b.axon(1, 3, 0, source=("n", 0)).synapse(1, 3, 7).synapse(1, 3, 8).synapse(1, 3, 9)
    for k in (7, 8, 9):
        b.neuron(1, k, "m", k, weights=[1, 0, 0, 0])
    b.input("x", 1, [(0, 0, 0, 1)])
    model = b.build()
    fabric = runtime.fabric_from_model(model)
    x = np.array([1, 1, 0, 1, 0, 0], bool)[:, None]
    res = runtime.simulate(fabric, 6, {"x": x}, batch=2)
    stats = runtime.run_stats(model, fabric, res)
    # per sample: n[0] fires 3 times; each reaches 3 m neurons which fire; x active 3 times.
    # Per tick: n[0] fires in ticks 0, 1 and 3 (x's rows), the three m one tick later (1, 2, 4):
    # 1, 1 + 3, 3, 1, 3, 0 spikes, twice (two samples). Both cores are on chip 0: no crossing.
    assert stats == {"format": "corelet-run-stats", "version": 1, "ticks": 6, "batch": 2,
                     "cores": [{"core": 0, "spikes": 6, "synaptic_events": 2 * 3 * 2},
                               {"core": 1, "spikes": 2 * 3 * 3, "synaptic_events": 2 * 3 * 3}],
                     "tick_spikes": [2, 8, 6, 2, 6, 0],
                     "chip_crossings": {"spikes": 0, "boundaries": 0}}
    json.dumps(stats)


def test_run_stats_counts_spikes_that_cross_chips():
    b = ModelBuilder(2)
    b.cores.coords[1] = (2, 0, 0)  # core 1 on chip 2: two chip boundaries from core 0 (chip 0)
    b.axon(0, 0, 0, source=("x", 0)).synapse(0, 0, 0)
    b.neuron(0, 0, "n", 0, target=(1, 3, 1), weights=[1, 0, 0, 0])
    b.axon(1, 3, 0, source=("n", 0)).synapse(1, 3, 7)
    b.neuron(1, 7, "m", 7, weights=[1, 0, 0, 0])
    b.input("x", 1, [(0, 0, 0, 1)])
    model = b.build()
    fabric = runtime.fabric_from_model(model)
    x = np.array([1, 1, 0, 1, 0, 0], bool)[:, None]
    stats = runtime.run_stats(model, fabric, runtime.simulate(fabric, 6, {"x": x}, batch=2))
    # n[0] fires 3 times per sample towards chip 2, m (no target) never crosses: 2 x 3 spikes,
    # each over 2 boundaries
    assert stats["chip_crossings"] == {"spikes": 6, "boundaries": 12}


def test_raster_svg_draws_each_output_spike():
    fabric = runtime.fabric_from_model(relay_chain(1).output("out", [(0, 1)]).build())
    res = runtime.simulate(fabric, 8, {"x": np.array([[1], [0], [1]], bool)})
    svg = runtime.raster_svg(res, title="a <test>")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    marks = re.findall(r"M([\d.]+) [\d.]+v", re.search(r'<path class="spikes" d="([^"]*)"', svg).group(1))
    assert len(marks) == 2 and "2 spikes" in svg and "a &lt;test&gt;" in svg
    spike_ticks = np.flatnonzero(res.outputs["out"][0, :, 0])
    x_scale = (WIDTH - LABEL - RIGHT) / 8  # mark at the middle of its tick's column
    assert [float(m) for m in marks] == pytest.approx(LABEL + (spike_ticks + 0.5) * x_scale,
                                                      abs=0.06)


def test_bad_run_options_are_reported():
    fabric = identity_fabric(1)
    with pytest.raises(SimulationError, match="ticks must be"):
        runtime.simulate(fabric, -1)
    with pytest.raises(SimulationError, match="reset tick 70 is outside the run"):
        runtime.simulate(fabric, 60, reset_at=[70])


@pytest.mark.parametrize("seed", [1, 2])
def test_block_dense_and_event_kernels_agree(monkeypatch, seed):
    import corelet.runtime._kernel as kernel
    spec = logical_spec(seed)
    rng = np.random.default_rng(seed)
    fabric = place(spec, 1, 3, rng.permutation(256)[:N], rng.permutation(256)[:N + INPUTS])
    x = raster(seed, batch=3)
    events = spikes(fabric, x, seed=2)
    monkeypatch.setattr(kernel, "DENSE_MIN_BATCH", 1)
    monkeypatch.setattr(kernel, "EVENT_FLOPS", 10**12)  # dense for every tick
    run = runtime.simulator._Run(fabric, 60, {"x": x}, 2, None, (), ["n[*]"], False)
    assert np.array_equal(run.execute(None).probes["n[*]"], events)
    assert run.synapses.dense is not None


def test_blocks_never_cut_through_an_axons_neurons():
    from corelet.runtime._dense import BLOCK, DenseBlocks

    # axon k reaches neurons 100k .. 100k + 150: blocks must keep each such range whole
    axon = np.repeat(np.arange(5), 151)
    neuron = (np.arange(5)[:, None] * 100 + np.arange(151)).ravel()
    assert DenseBlocks.build(700, axon, neuron, np.ones(len(axon))) is None  # ranges overlap
    neuron = (np.arange(5)[:, None] * 200 + np.arange(151)).ravel()
    blocks = DenseBlocks.build(1000, axon, neuron, np.ones(len(axon)))
    block_of = blocks.neuron_slot // BLOCK
    assert all(len(set(block_of[neuron[axon == k]])) == 1 for k in range(5))
    active = np.zeros((2, 5), bool)
    active[0, [1, 3]] = active[1, 4] = True
    expected = np.zeros((2, 1000), np.int64)
    expected[0, neuron[(axon == 1) | (axon == 3)]] = 1
    expected[1, neuron[axon == 4]] = 1
    assert np.array_equal(blocks.integrate(active), expected)
    shuffled = np.random.default_rng(0).permutation(len(axon))  # synapses in any order
    blocks = DenseBlocks.build(1000, axon[shuffled], neuron[shuffled], np.ones(len(axon)))
    assert np.array_equal(blocks.integrate(active), expected)


def full_cores_fabric(n_cores=2, seed=0):
    """Every neuron and axon of ``n_cores`` cores used, random crossbars, recurrent routes."""
    from corelet.chip import TRUENORTH
    from corelet.runtime import ChipInput, ChipModel, Cores

    rng = np.random.default_rng(seed)
    cores = Cores.empty(n_cores, TRUENORTH)
    cores.coords[:, 2] = np.arange(n_cores)
    cores.neuron_path[:] = 0
    cores.neuron_index[:] = np.arange(n_cores * 256).reshape(n_cores, 256)
    cores.axon_path[:] = 0
    cores.axon_type[:] = rng.integers(0, 4, (n_cores, 256))
    cores.crossbar[:] = np.packbits(rng.random((n_cores, 256, 256)) < 0.1, axis=2)
    cores.target_core[:] = rng.integers(0, n_cores, (n_cores, 256))
    cores.target_axon[:] = rng.integers(32, 256, (n_cores, 256))
    cores.delay[:] = rng.integers(1, 4, (n_cores, 256))
    p = cores.params
    p.weights[:] = rng.integers(-3, 6, p.weights.shape)
    p.threshold[:], p.leak[:], p.reset_mode[:], p.neg_threshold[:] = 6, -1, 1, 10
    pins = np.arange(n_cores * 32)
    in_delay = rng.integers(1, 5, len(pins))
    inputs = (ChipInput("x", len(pins), pins, pins // 32, pins % 32, in_delay),)
    model = ChipModel(TRUENORTH, cores, ("n",), inputs)
    model.validate()
    return runtime.fabric_from_model(model)


def test_block_dense_on_whole_cores_matches_events(monkeypatch, kernel):
    import corelet.runtime._kernel as kernel_module
    fabric = full_cores_fabric()
    x = np.random.default_rng(1).random((3, 30, 64)) < 0.3
    events = runtime.simulate(fabric, 30, {"x": x}, probes=["n"])  # numba: the compiled tick
    monkeypatch.setattr(kernel_module, "DENSE_MIN_BATCH", 1)
    monkeypatch.setattr(kernel_module, "EVENT_FLOPS", 10**12)  # dense for every tick
    with using_kernel("numpy"):  # the block-dense products are numpy's
        run = runtime.simulator._Run(fabric, 30, {"x": x}, 0, None, (), ["n"], False)
        dense = run.execute(None)
    assert run.synapses.dense is not None and run.synapses.dense.identity
    assert events.probes["n"].any() and np.array_equal(dense.probes["n"], events.probes["n"])
    assert np.array_equal(dense.axon_activity, events.axon_activity)
    assert np.array_equal(dense.neuron_spikes, events.neuron_spikes)


@pytest.mark.parametrize("stochastic", [False, True])
def test_input_currents_computed_ahead_match_the_tick_by_tick_path(monkeypatch, stochastic):
    import corelet.runtime._kernel as kernel
    import corelet.runtime._stream as stream
    if stochastic:  # some input axons also have stochastic synapses
        fabric = place(logical_spec(8), 0, 1, np.arange(N), np.arange(N + INPUTS))
        x = raster(8, 50, 2)
    else:
        fabric = full_cores_fabric(seed=3)
        x = np.random.default_rng(2).random((2, 50, 64)) < 0.3
    monkeypatch.setattr(stream, "MAX_CHUNK", 7)  # chunks that straddle the resets
    run = runtime.simulator._Run(fabric, 60, {"x": x}, 0, None, (13, 14, 40), ["n"], False)
    assert run.stream is not None
    result = run.execute(None)
    ahead = result.probes["n"]
    monkeypatch.setattr(kernel.Synapses, "_split_inputs", lambda self, *args: None)
    run = runtime.simulator._Run(fabric, 60, {"x": x}, 0, None, (13, 14, 40), ["n"], False)
    assert run.stream is None
    plain = run.execute(None)
    assert ahead.any() and np.array_equal(plain.probes["n"], ahead)
    assert np.array_equal(plain.axon_activity, result.axon_activity)
