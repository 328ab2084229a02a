"""The logical Network contract: canonical connections, names, ids and invariants."""

import numpy as np
import pytest

from corelet.chip import NeuronParams, logical_ids
from corelet.language import Connections, InputConnector, Network, OutputConnector, Population


def small_network(**overrides):
    fields = dict(
        name="top",
        params=NeuronParams.from_fields(5, threshold=[1, 2, 3, 4, 5]),
        populations=(Population("h", 0, 3), Population("sub.g", 3, 2, corelet="Sub")),
        connections=Connections.canonical([5, 5, 0], [0, 0, 3], [0, 0, 1], [1, 1, 2]),
        inputs=(InputConnector("x", 2, 0),),
        outputs=(OutputConnector("y", np.array([3, 4])),),
    )
    fields.update(overrides)
    return Network(**fields)


def test_connections_are_sorted_and_merged():
    c = Connections.canonical([3, 1, 1, 1], [0, 2, 2, 2], [0, 1, 1, 0], [1, 4, 4, 4])
    rows = list(zip(c.src.tolist(), c.dst.tolist(), c.axon_type.tolist(), c.delay.tolist()))
    assert rows == [(1, 2, 0, 4), (1, 2, 1, 4), (3, 0, 0, 1)]


def test_sources_number_neurons_then_input_pins():
    net = small_network()
    assert (net.n_neurons, net.n_inputs, net.n_sources) == (5, 2, 7)
    assert net.source_name(5) == "x[0]" and net.source_name(6) == "x[1]"
    assert net.neuron_name(4) == "sub.g[1]"
    assert net.populations[1].instance == "sub"


def test_ids_follow_names():
    net = small_network()
    ids = net.source_ids()
    assert ids[4] == logical_ids("sub.g", 1)
    assert ids[6] == logical_ids("x", 1)
    assert len(set(ids.tolist())) == 7


def test_ids_do_not_depend_on_position():
    a = small_network()
    b = small_network(populations=(Population("sub.g", 0, 2), Population("h", 2, 3)))
    assert set(a.neuron_ids().tolist()) == set(b.neuron_ids().tolist())


@pytest.mark.parametrize("change, message", [
    (dict(connections=Connections.canonical([9], [0], [0], [1])), "source out of range"),
    (dict(connections=Connections.canonical([0], [5], [0], [1])), "target out of range"),
    (dict(connections=Connections.canonical([0], [1], [0], [0])), "delay below 1"),
    (dict(connections=Connections.canonical([0], [1], [4], [1])), "axon type"),
    (dict(populations=(Population("h", 0, 3), Population("h", 3, 2))), "duplicate"),
    (dict(populations=(Population("h", 0, 4),)), "cover 4 neurons"),
    (dict(outputs=(OutputConnector("y", np.array([7])),)), "out of range"),
])
def test_invariants_are_checked(change, message):
    with pytest.raises(ValueError, match=message):
        small_network(**change)


def test_with_delays_keeps_everything_else():
    net = small_network()
    later = net.with_delays(net.connections.delay + 3)
    assert (later.connections.delay == net.connections.delay + 3).all()
    assert later.n_neurons == net.n_neurons and later.inputs == net.inputs
