"""Hop distances and power estimates, against hand arithmetic with the published constants."""

from __future__ import annotations

import numpy as np
import pytest

from corelet.chip import TRUENORTH
from corelet.reports.power import StatsError, assumed_power, measured_power
from corelet.reports.report import core_usage, hop_stats, render_report, watts
from .report_models import small_model
from corelet.chip.model import OUTPUT, ChipModel, Cores

LEAK_PER_CORE = 65e-3 / 4096  # Merolla et al. 2014: 65 mW for 4096 cores in real time
EVENT_J = 26e-12  # same source: 26 pJ per synaptic event


def test_hops_of_the_small_model():
    # core 0 (0,0,0) -> core 1 (0,2,3): 5 neurons x 5 hops; copy 0 -> 2 (1,0,1): 0 + (64+1) = 65;
    # bias 1 -> 1: 0; k[0] 2 -> 1: 2 + (65-3) = 64; relay 2 -> 0: 65. The no-target neuron and the
    # two output neurons are not connections.
    hops = hop_stats(small_model())
    assert (hops.connections, hops.total, hops.max, hops.same_core, hops.cross_chip) == (9, 219, 65, 1, 3)
    assert hops.mean == pytest.approx(219 / 9)
    text = render_report(small_model(), fmt="text")
    assert "total       219 hops, mean 24.33, max 65" in text
    assert "cross-chip  3 connection(s)" in text


def test_hops_of_a_two_core_layout_on_one_chip():
    cores = Cores.empty(2, TRUENORTH)
    cores.coords[:] = [(0, 10, 20), (0, 13, 16)]
    cores.neuron_path[0, :4] = 0
    cores.target_core[0, :4] = [1, 1, 0, OUTPUT]
    cores.neuron_path[1, 0] = 0
    cores.target_core[1, 0] = 0
    hops = hop_stats(ChipModel(TRUENORTH, cores, ("p",)))
    # 0 -> 1 twice (3 + 4 = 7 each), 0 -> 0 once, 1 -> 0 once (7); the output neuron is not counted
    assert (hops.connections, hops.total, hops.max, hops.same_core, hops.cross_chip) == (4, 21, 7, 1, 0)


@pytest.mark.parametrize("seed", range(3))
def test_hops_equal_a_loop_reference(seed):
    rng = np.random.default_rng(seed)
    n_cores = 6
    cores = Cores.empty(n_cores, TRUENORTH)
    cores.coords[:] = np.stack([rng.integers(0, 3, n_cores), rng.integers(0, 64, n_cores),
                                rng.integers(0, 64, n_cores)], axis=1)
    cores.neuron_path[:] = np.where(rng.random((n_cores, 256)) < 0.5, 0, -1)
    cores.target_core[:] = rng.integers(-2, n_cores, (n_cores, 256))
    total = count = cross = 0
    for c in range(n_cores):
        for n in range(256):
            t = int(cores.target_core[c, n])
            if cores.neuron_path[c, n] >= 0 and t >= 0:
                (chip_a, row_a, col_a), (chip_b, row_b, col_b) = cores.coords[c], cores.coords[t]
                total += abs(int(row_a) - int(row_b)) + abs((chip_a * 64 + col_a) - (chip_b * 64 + col_b))
                count += 1
                cross += chip_a != chip_b
    hops = hop_stats(ChipModel(TRUENORTH, cores, ("p",)))
    assert (hops.total, hops.connections, hops.cross_chip) == (total, count, cross)


def test_assumed_power_by_hand():
    model = small_model()
    usage = core_usage(model)
    est = assumed_power(model, usage.row_synapses, usage.n_used)
    p = 20 / 1000
    # every sourced axon has one source except core 1 axon 5 (bias and k[0]): 22 synapses on
    # single-source rows, 1 on the shared row, which is active with probability 1 - (1 - p)^2
    events = p * 22 + (1 - (1 - p) ** 2) * 1
    assert est.events_per_tick == pytest.approx(events)
    assert est.spikes_per_tick == pytest.approx(p * 12)
    assert est.leakage_w == pytest.approx(3 * LEAK_PER_CORE)
    assert est.active_w == pytest.approx(events * 1000 * EVENT_J)
    assert est.total_w == pytest.approx(3 * LEAK_PER_CORE + events * 1000 * EVENT_J)


def test_assumed_power_at_a_spike_every_tick_counts_every_reached_synapse():
    model = small_model()
    usage = core_usage(model)
    est = assumed_power(model, usage.row_synapses, usage.n_used, rate_hz=1000.0)
    assert est.events_per_tick == pytest.approx(23)  # all 23 synapses sit on rows with a source


STATS = {"format": "corelet-run-stats", "version": 1, "ticks": 100, "batch": 2,
         "cores": [{"core": 0, "spikes": 40, "synaptic_events": 300},
                   {"core": 1, "spikes": 10, "synaptic_events": 100},
                   {"core": 2, "spikes": 0, "synaptic_events": 0}]}


def test_measured_power_from_run_statistics():
    model = small_model()
    est = measured_power(model, STATS, core_usage(model).n_used)
    assert est.events_per_tick == pytest.approx(400 / 200)  # 100 ticks x 2 samples
    assert est.spikes_per_tick == pytest.approx(50 / 200)
    assert est.rate_hz == pytest.approx(50 / 200 / 12 * 1000)  # 12 used neurons at 1 kHz
    assert est.active_w == pytest.approx(2.0 * 1000 * EVENT_J)
    assert est.total_w == pytest.approx(2.0 * 1000 * EVENT_J + 3 * LEAK_PER_CORE)
    text = render_report(model, fmt="text", stats=STATS)
    assert "measured    100 ticks x 2 sample(s); mean rate 20.8 Hz per used neuron" in text
    assert f"  active    {watts(5.2e-8)}" in text and watts(5.2e-8) == "52 nW"


@pytest.mark.parametrize("change, message", [
    ({"format": "other"}, "corelet-run-stats"),
    ({"version": 7}, "version 7"),
    ({"ticks": 0}, "'ticks' = 0"),
    ({"cores": [{"core": 9, "spikes": 1, "synaptic_events": 1}]}, "names core 9 but the model has 4 cores"),
    ({"cores": [{"core": 0, "spikes": -1, "synaptic_events": 1}]}, "non-negative integers"),
    ({"cores": [{"core": 1, "spikes": 1, "synaptic_events": 1},
                {"core": 0, "spikes": 1, "synaptic_events": 1},
                {"core": 1, "spikes": 2, "synaptic_events": 5}]},
     r"cores\[2\] repeats core 1 \(first in cores\[0\]\)"),
])
def test_bad_statistics_are_refused(change, message):
    with pytest.raises(StatsError, match=message):
        render_report(small_model(), fmt="text", stats={**STATS, **change})


def test_report_names_the_constants_and_their_source():
    text = render_report(small_model(), fmt="text")
    assert "leakage 15.9 uW per used core (65 mW per chip of 4096 cores" in text
    assert "26 pJ per synaptic event" in text
    assert "Merolla et al." in text and "Science 345" in text
    assert "fires at 20 Hz (p = 0.02 per tick)" in text
    assert f"  leakage   {watts(3 * LEAK_PER_CORE)} (3 cores)" in text and watts(3 * LEAK_PER_CORE) == "47.6 uW"


def test_watts_picks_a_readable_unit():
    assert [watts(v) for v in (0.065, 1.5, 15.87e-6, 5.2e-8)] == ["65 mW", "1.5 W", "15.9 uW", "52 nW"]


def test_measured_activity_per_core():
    text = render_report(small_model(), fmt="text", stats=STATS)
    busiest = text.split("busiest cores (measured synaptic events per tick, active power):\n")[1]
    # core 0: 300 events / 200 tick-samples = 1.5 per tick -> 1.5 x 1000 x 26 pJ = 39 nW; core 1: 13 nW
    assert [line.split() for line in busiest.splitlines()[:3]] == [
        ["core", "0", "1.5", "39", "nW"], ["core", "1", "0.5", "13", "nW"], []]


def test_changed_constants_are_not_attributed_to_the_paper():
    import attrs

    model = small_model()
    custom = attrs.evolve(model.profile, name="lowpower", synaptic_event_energy_j=10e-12)
    model = ChipModel(custom, model.cores, model.paths, model.inputs, model.outputs)
    text = render_report(model, fmt="text")
    assert "source      the chip profile 'lowpower' (not the published figures)" in text
    assert "Merolla" not in text
    usage = core_usage(model)
    est = assumed_power(model, usage.row_synapses, usage.n_used)
    assert est.active_w == pytest.approx(0.4796 * 1000 * 10e-12)
