"""Placement quality: the seed papers' core counts, and the packer against Algorithms 1 and 2."""

import numpy as np
import pytest

from corelet import compiler
from .legality import check
from .compiler_nets import conv_groups, dense_layers, elman, ic_blocks, seed000

BENCHMARKS = {
    "dense 4x256, binary synapses": lambda: dense_layers([256] * 4, 0.2, 1, inputs=256, types=1),
    "dense 64-64-64-32, 4-bit": lambda: dense_layers([64, 64, 64, 32], 0.6, 2),
    "dense 3x128, 2-bit": lambda: dense_layers([128] * 3, 0.5, 3, inputs=128, types=2),
    "IC 300 inputs x 20 units": lambda: ic_blocks(300, 20, 1),
    "IC 150 inputs x 32 units": lambda: ic_blocks(150, 32, 2),
    "conv 8x8x32, groups": lambda: conv_groups(8, 32, 1),
    "conv 6x6x16, no groups": lambda: conv_groups(6, 16, 2, with_groups=False),
}


def cores(net, **kw):
    comp = compiler.compile_network(net, **kw)
    comp.model.validate()
    check(comp.model, net, comp.retimed)
    return comp


def test_seed000_three_cores_with_splitter_two_with_host():
    net = seed000()
    host = cores(net)
    assert host.model.n_cores == 2
    # one instance per axon type a hidden neuron uses on the output core: copies are the extra ones
    c = net.connections
    hidden_out = c.src < 64
    types_used = {(s, t) for s, t in zip(c.src[hidden_out].tolist(), c.axon_type[hidden_out].tolist())}
    assert host.record["copies"] == len(types_used) - 64
    assert host.record["relays"] == 0
    split = cores(net, input_fanout="splitter")
    assert split.model.n_cores == 3
    assert split.record["splitters"] == 64 and split.record["relays"] == 256
    # the splitter adds one tick to every input connection, and says so
    assert (split.latency[net.connections.src >= net.n_neurons] == 1).all()
    assert (split.latency[net.connections.src < net.n_neurons] == 0).all()
    assert sum(r["connections"] for r in split.record["added_latency"]) == \
        int((net.connections.src >= net.n_neurons).sum())


def test_elman_layer_one_core():
    comp = cores(elman())
    assert comp.model.n_cores == 1
    assert comp.retimed is comp.network  # nothing delayed


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_packer_never_worse_than_alg1_alg2(name):
    net = BENCHMARKS[name]()
    used = {p: cores(net, placer=p).model.n_cores for p in ("alg1", "alg2", "packer")}
    assert used["packer"] <= min(used["alg1"], used["alg2"]), used


def test_packer_finds_shared_receptive_fields():
    # 2 x 2 locations of one 8-feature slice share a 4 x 4 x 8 x 2-type input: 256 axons, so the
    # packer can put four 8-neuron groups on a core where a sort by input puts at most three
    net = BENCHMARKS["conv 8x8x32, groups"]()
    assert cores(net).model.n_cores < cores(net, placer="alg1").model.n_cores / 2


def test_groups_share_a_core():
    net = conv_groups(4, 16, 3)
    comp = cores(net)
    for group in net.groups:
        assert len(np.unique(comp.placement.neuron_core[group.neurons])) == 1


def test_estimate_matches_compile():
    net = BENCHMARKS["IC 300 inputs x 20 units"]()
    est = compiler.estimate(net)
    comp = compiler.compile_network(net)
    assert est["cores"] == comp.model.n_cores and est["chips"] == 1
    assert est["neurons"] == comp.record["neurons"]
