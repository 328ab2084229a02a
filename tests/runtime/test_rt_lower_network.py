"""``fabric_from_network``: the logical network as a fabric, checked by structure and by a trace."""

import numpy as np

from corelet import runtime
from corelet.chip import NeuronParams
from corelet.runtime import fabric_from_network
from ..compiler.compiler_nets import build


def chain():
    """pin x[0] -> a (delay 1, type 0) -> b (delay 3, type 1) and a -> b (delay 3, type 2)."""
    params = NeuronParams.from_fields(2, weights=[1, 1, 1, 0], threshold=1)
    conns = ([2, 0, 0], [0, 1, 1], [0, 1, 2], [1, 3, 3])
    return build("chain", [("a", 1, "T"), ("b", 1, "T")], [("x", 1)], conns,
                 [("out", [0, 1])], params=params)


def test_one_axon_per_distinct_source_type_delay():
    fab = fabric_from_network(chain())
    assert fab.n_neurons == 2 and fab.n_axons == 3
    assert sorted(fab.axon_type.tolist()) == [0, 1, 2]
    # a drives two axons (types 1 and 2) with delay 3; the pin drives one with delay 1
    assert sorted(zip(fab.route_neuron.tolist(), fab.route_delay.tolist())) == [(0, 3), (0, 3)]
    assert fab.input_route_pin.tolist() == [0] and fab.input_route_delay.tolist() == [1]
    assert sorted(fab.syn_neuron.tolist()) == [0, 1, 1]
    net = chain()
    ids = net.source_ids()
    assert set(fab.axon_source_id.tolist()) == {int(ids[0]), int(ids[2])}
    assert fab.neuron_names(np.arange(2)) == ["a[0]", "b[0]"]


def test_trace_by_hand():
    # x spikes in rows 0 and 4: a fires in ticks 0 and 4; b integrates 2 (types 1 + 2) in 3 and 7
    x = np.zeros((10, 1), bool)
    x[[0, 4], 0] = True
    out = runtime.simulate(fabric_from_network(chain()), 10, {"x": x}).outputs["out"][0]
    assert np.flatnonzero(out[:, 0]).tolist() == [0, 4]
    assert np.flatnonzero(out[:, 1]).tolist() == [3, 7]
