"""``fabric_from_network``: the logical ``Network`` as a runtime ``Fabric``, without placement.

Neurons are the network's, with their logical ids, role ``original`` and names from their populations.
There is one axon per distinct (source, axon type, delay) of the connections; its source id is the
logical id of the source (the key of its stochastic-synapse draws). A neuron source routes to each of
its axons with that axon's delay; an input pin does the same through an input route. Each connection
is one synapse (axon, target neuron). Running this fabric is running the network as written, which
is what the compiled chip must reproduce.
"""

from __future__ import annotations

import numpy as np

from corelets import Network
from runtime.fabric import Fabric


def fabric_from_network(net: Network) -> Fabric:
    c = net.connections
    n = net.n_neurons
    axon_of, axon_src, axon_type, axon_delay = _axons(c.src, c.axon_type, c.delay)
    from_neuron = axon_src < n
    pop = net.population_of(np.arange(n)) if n else np.zeros(0, np.int64)
    starts = np.array([p.start for p in net.populations], np.int64)
    return Fabric(
        params=net.params,
        neuron_ids=net.neuron_ids(),
        neuron_role=np.zeros(n, np.int8),
        paths=tuple(p.path for p in net.populations),
        name_path=pop.astype(np.int32),
        name_index=(np.arange(n) - starts[pop]).astype(np.int32) if n else np.zeros(0, np.int32),
        axon_type=axon_type.astype(np.int8),
        axon_source_id=net.source_ids()[axon_src] if len(axon_src) else np.zeros(0, np.uint64),
        syn_axon=axon_of,
        syn_neuron=c.dst.astype(np.int64),
        route_neuron=axon_src[from_neuron],
        route_axon=np.flatnonzero(from_neuron),
        route_delay=axon_delay[from_neuron].astype(np.int32),
        input_route_pin=axon_src[~from_neuron] - n,
        input_route_axon=np.flatnonzero(~from_neuron),
        input_route_delay=axon_delay[~from_neuron].astype(np.int32),
        inputs=tuple((i.name, i.width) for i in net.inputs),
        outputs=tuple((o.name, np.asarray(o.neurons, np.int64)) for o in net.outputs),
    )


def _axons(src, axon_type, delay):
    """Number the distinct (src, type, delay) triples; return each connection's axon and the triples.

    Connections are sorted by source, so the triples are found by sorting within one source only
    (a lexsort on the whole array, which is cheap when it is already grouped)."""
    if len(src) == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty
    order = np.lexsort((delay, axon_type, src))
    s, t, d = src[order], axon_type[order], delay[order]
    new = np.ones(len(s), bool)
    new[1:] = (s[1:] != s[:-1]) | (t[1:] != t[:-1]) | (d[1:] != d[:-1])
    axon_sorted = np.cumsum(new) - 1
    axon_of = np.empty(len(src), np.int64)
    axon_of[order] = axon_sorted
    return axon_of, s[new].astype(np.int64), t[new].astype(np.int64), d[new].astype(np.int64)
