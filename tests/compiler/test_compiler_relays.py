"""Networks with thousands of splitter relays: small cores and wide input fan-out.

The relay count is checked against a count made from the placement alone (one relay per
(core, pin, axon type, delay) demand when every delay is 2..15, and one hub per 16 of them), the
model against the independent legality checker, and the chip's output against the logical
network tick for tick.
"""

import numpy as np
import pytest

from corelet import compiler
from corelet import runtime
from corelet.chip import ChipProfile, NeuronParams
from .compiler_nets import build
from .legality import check

SMALL = ChipProfile(name="small16", grid=(16, 16), max_chips=8, axons_per_core=16,
                    neurons_per_core=16)
PINS, NEURONS, FAN_IN = 40, 640, 8
TICKS = 70


def fan_out_network(seed, max_delay):
    """Every neuron reads FAN_IN random pins, each through a random type and delay 2..max_delay,
    and fires when two of them arrive in one tick."""
    rng = np.random.default_rng(seed)
    dst = np.repeat(np.arange(NEURONS), FAN_IN)
    src = NEURONS + rng.integers(0, PINS, len(dst))
    axon_type = rng.integers(0, 4, len(dst))
    delay = rng.integers(2, max_delay + 1, len(dst))
    params = NeuronParams.from_fields(NEURONS, threshold=2, weights=np.ones((NEURONS, 4), np.int64))
    return build("fan", [("f.p", NEURONS, "Fan")], [("x", PINS)], (src, dst, axon_type, delay),
                 [("y", np.arange(0, NEURONS, 7))], params=params)


def test_relay_and_hub_counts_follow_from_the_placement():
    net = fan_out_network(0, 15)
    comp = compiler.compile_network(net, placer="alg1", input_fanout="splitter", profile=SMALL)
    c = net.connections
    # every (core, pin, type, delay) reached needs one relay, all latency-free (delays >= 2)
    demand = np.unique(np.stack([comp.placement.neuron_core[c.dst], c.src, c.axon_type, c.delay], 1),
                       axis=0)
    per_pin = np.bincount(demand[:, 1] - NEURONS, minlength=PINS)
    assert comp.record["relays"] == len(demand) > 4000
    assert comp.record["hubs"] == comp.record["splitters"] == int((-(-per_pin // 16)).sum())
    assert not comp.latency.any() and comp.retimed is net
    check(comp.model, net, comp.retimed)


@pytest.mark.parametrize("max_delay", [15, 40])
def test_many_relays_compute_what_the_network_says(max_delay):
    net = fan_out_network(1, max_delay)
    comp = compiler.compile_network(net, input_fanout="splitter", profile=SMALL)
    assert comp.record["relays"] > 4000
    comp.model.validate()
    check(comp.model, net, comp.retimed)
    rng = np.random.default_rng(max_delay)
    x = {"x": rng.random((TICKS - 45, PINS)) < 0.3}
    both = runtime.run_equivalence(comp.model, comp.retimed, TICKS, x)
    assert both.agree, both.difference.describe("chip", "network")
    assert both.chip.outputs["y"].any() and both.logical.outputs["y"].any()
