"""Networks that cannot be placed fail with a precise ``PlacementError`` and a partial result."""

import numpy as np
import pytest

from corelet import compiler
from corelet.chip import ChipProfile, ToolchainError
from corelet.compiler import PlacementError
from .compiler_nets import build, dense_layers


def wide_fan_in(n_inputs=300):
    """One neuron reading 300 distinct input pins: more axons than a core has."""
    pins = 2 + np.arange(n_inputs)
    conns = (pins, np.zeros(n_inputs, int), np.zeros(n_inputs, int), np.ones(n_inputs, int))
    conns = tuple(np.concatenate([c, [x]]) for c, x in zip(conns, (2, 1, 0, 1)))
    return build("wide", [("top.sum", 1, "Summer"), ("top.other", 1, "Summer")], [("x", n_inputs)],
                 conns, [("y", [0, 1])])


def test_fan_in_beyond_a_core_names_corelet_neuron_count_and_limit():
    with pytest.raises(PlacementError) as info:
        compiler.compile_network(wide_fan_in())
    msg = str(info.value)
    assert "top.sum[0]" in msg and "'Summer'" in msg and "300" in msg and "256" in msg
    assert "partial sums" in msg and "IC module" in msg
    assert isinstance(info.value, ToolchainError)
    partial = info.value.partial
    assert partial is not None  # what did fit: the other neuron, still placed and valid
    partial.model.validate()
    assert partial.model.provenance["partial"].startswith("neuron top.sum[0]")


def test_group_larger_than_a_core():
    net = dense_layers([300], 1.0, 0, inputs=8, types=1)
    net = build("g", [("mlp.l0", 300, "Dense")], [("x", 8)],
                (net.connections.src, net.connections.dst, net.connections.axon_type,
                 net.connections.delay), [("y", np.arange(300))], groups=[("big", np.arange(300))])
    for placer in compiler.PLACERS:
        with pytest.raises(PlacementError) as info:
            compiler.compile_network(net, placer=placer)
        msg = str(info.value)
        assert "'big'" in msg and "'Dense'" in msg and "300 neuron slots" in msg and "256" in msg
        assert info.value.partial is not None and info.value.partial.model.n_cores == 2


def test_more_chips_than_the_profile_allows():
    small = ChipProfile(name="small", grid=(2, 2), max_chips=1, axons_per_core=32,
                        neurons_per_core=32)
    net = dense_layers([32] * 6, 0.3, 0, inputs=16, types=1)
    with pytest.raises(PlacementError) as info:
        compiler.compile_network(net, profile=small)
    msg = str(info.value)
    assert "6 cores" in msg and "2 chips" in msg and "allows 1 chip" in msg
    partial = info.value.partial
    assert partial is not None and partial.model.n_cores == 6


def test_unknown_placer_and_fanout():
    net = dense_layers([4], 1.0, 0, inputs=2)
    with pytest.raises(PlacementError, match="unknown placer 'best'.*packer"):
        compiler.compile_network(net, placer="best")
    with pytest.raises(PlacementError, match="unknown input fan-out 'disk'"):
        compiler.compile_network(net, input_fanout="disk")
