"""The compiled chip computes what the network says: same output spikes, tick for tick.

For seeded random networks (recurrence, stochastic synapses / leak / threshold, delays above 15,
sources with wide fan-out) compiled with every placer and both input fan-out modes, on the TrueNorth
profile and on a tiny-core profile that forces copies and splitter relays everywhere, the ChipModel
(run through ``runtime.fabric_from_model``) and the retimed logical network (through
``runtime.fabric_from_network``) give identical output rasters; with no added latency the retimed
network *is* the input network. Every model also passes the runtime validator and the independent
legality checker, and survives a JSON round trip.
"""

import numpy as np
import pytest

from corelet import compiler
from corelet import runtime
from corelet.chip import ChipProfile
from .compiler_nets import random_network, seed000
from .legality import check
from corelet.runtime import ChipModel

TINY = ChipProfile(name="tiny", grid=(4, 4), max_chips=16, axons_per_core=32, neurons_per_core=32)
TICKS = 60


def run_both(net, comp, seed):
    rng = np.random.default_rng(seed)
    x = {i.name: rng.random((2, TICKS - 10, i.width)) < 0.3 for i in net.inputs}
    both = runtime.run_equivalence(comp.model, comp.retimed, TICKS, x, seed=seed)
    return both.chip.outputs, both.logical.outputs


def assert_same(a, b):
    """Through the comparison ``corelet verify`` makes (``runtime.first_difference``)."""
    difference = runtime.first_difference(a, b)
    assert difference is None, difference.describe()


def assert_not_silent(outputs):
    """Every sample of a compared run has output spikes: two silent rasters are trivially equal."""
    per_sample = np.stack([np.asarray(v).reshape(v.shape[0], -1).any(axis=1) for v in outputs.values()])
    assert per_sample.any(axis=0).all(), "a compared run has a sample with no output spike"


CASES = [(seed, profile, placer, fanout)
         for seed in range(6)
         for profile in ("truenorth", "tiny")
         for placer, fanout in (("packer", "host"), ("packer", "splitter"), ("alg1", "splitter"),
                                ("alg2", "host"))]


@pytest.mark.parametrize("seed,profile,placer,fanout", CASES)
def test_chip_matches_retimed_network(seed, profile, placer, fanout, kernel):
    tiny = profile == "tiny"
    net = random_network(seed, max_fan_in=32 if tiny else 256, all_outputs=seed % 2 == 0,
                         groups=seed % 3 == 0)
    comp = compiler.compile_network(net, placer=placer, input_fanout=fanout,
                                    **({"profile": TINY} if tiny else {}))
    comp.model.validate()
    check(comp.model, net, comp.retimed)
    chip, logical = run_both(net, comp, seed)
    assert_not_silent(chip)
    assert_not_silent(logical)
    assert_same(chip, logical)
    if not comp.latency.any():
        assert comp.retimed is net
    reloaded = ChipModel.from_json(comp.model.to_json())
    again = runtime.simulate(runtime.fabric_from_model(reloaded), TICKS,
                             {i.name: np.ones((TICKS, i.width), bool) for i in net.inputs})
    first = runtime.simulate(runtime.fabric_from_model(comp.model), TICKS,
                             {i.name: np.ones((TICKS, i.width), bool) for i in net.inputs})
    assert_not_silent(first.outputs)
    assert_same(again.outputs, first.outputs)


def test_random_cases_exercise_copies_relays_latency_and_long_delays():
    """The generator is only a test if it reaches the hard cases: check that it does."""
    seen = {"copy": 0, "relay": 0, "latency": 0, "long": 0, "stochastic": 0}
    for seed in range(6):
        net = random_network(seed, max_fan_in=32)
        comp = compiler.compile_network(net, profile=TINY, input_fanout="splitter")
        seen["copy"] += comp.record["copies"]
        seen["relay"] += comp.record["relays"]
        seen["latency"] += int(comp.latency.any())
        seen["long"] += int((net.connections.delay > 15).sum())
        seen["stochastic"] += int(net.params.stochastic_weights.any())
    assert all(v > 0 for v in seen.values()), seen


def test_no_latency_means_input_network_itself():
    net = seed000()
    comp = compiler.compile_network(net)  # host fan-out, all delays 1: nothing is delayed
    assert comp.retimed is net and not comp.latency.any()
    x = {"word": np.random.default_rng(0).random((40, 64)) < 0.4}
    both = runtime.run_equivalence(comp.model, net, 50, x)
    assert both.chip.outputs["score"].any()  # the comparison is not between two silent rasters
    assert both.logical.outputs["score"].any()
    assert both.agree


def test_splitter_latency_is_one_tick_on_inputs():
    net = seed000()
    comp = compiler.compile_network(net, input_fanout="splitter")
    x = {"word": np.random.default_rng(0).random((40, 64)) < 0.4}
    chip = runtime.simulate(runtime.fabric_from_model(comp.model), 50, x).outputs["score"]
    direct = runtime.simulate(runtime.fabric_from_network(net), 50, x).outputs["score"]
    assert chip.any() and direct.any()
    # the splitter core delays every input by exactly one tick
    assert (chip[:, 1:] == direct[:, :-1]).all() and not chip[:, 0].any()
