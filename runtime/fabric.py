"""The ``Fabric``: the runtime's executable form, to which both a chip model and a logical network reduce.

A fabric is neurons, axons, synapses and routes, with no notion of cores or corelets:

* neurons ``0 .. n_neurons-1`` with one ``NeuronParams`` row each, a logical id (copies share it),
  a role (``ROLES`` of ``runtime.model``) and a name ``(name_path, name_index)`` into ``paths``;
* axons ``0 .. n_axons-1``, each with a type 0..3 and the logical id of the source that drives it
  (the key of its stochastic-synapse draws);
* synapses: pairs (axon, neuron), unique;
* routes: a spike of neuron ``route_neuron[k]`` fired in tick t makes axon ``route_axon[k]`` active
  in tick t + ``route_delay[k]`` (any delay >= 1); an axon active twice in one tick is active once;
* input routes: a spike on input pin ``input_route_pin[k]`` (global pin number) in raster row t
  makes axon ``input_route_axon[k]`` active in tick t + ``input_route_delay[k]`` - 1;
* inputs: (name, width) in pin order; outputs: (name, neuron indices).

``runtime.lower.fabric_from_model`` builds one from a ``ChipModel`` (one route per neuron, the
crossbars as synapses); ``compiler.lower.fabric_from_network`` builds one from a logical ``Network``
(one axon per distinct (source, type, delay)). The simulator only ever sees a fabric.
"""

from __future__ import annotations

import attrs
import numpy as np

from corelet.chip import NeuronParams, element_name


@attrs.frozen(eq=False)
class Fabric:
    params: NeuronParams
    neuron_ids: np.ndarray  # (N,) uint64
    neuron_role: np.ndarray  # (N,) int8
    paths: tuple[str, ...]
    name_path: np.ndarray  # (N,) int32 into paths
    name_index: np.ndarray  # (N,) int32
    axon_type: np.ndarray  # (A,) int8
    axon_source_id: np.ndarray  # (A,) uint64
    syn_axon: np.ndarray  # (S,) int64
    syn_neuron: np.ndarray  # (S,) int64
    route_neuron: np.ndarray  # (R,) int64
    route_axon: np.ndarray  # (R,) int64
    route_delay: np.ndarray  # (R,) int32
    input_route_pin: np.ndarray  # (Q,) int64
    input_route_axon: np.ndarray  # (Q,) int64
    input_route_delay: np.ndarray  # (Q,) int32
    inputs: tuple[tuple[str, int], ...]
    outputs: tuple[tuple[str, np.ndarray], ...]

    @property
    def n_neurons(self) -> int:
        return len(self.params)

    @property
    def n_axons(self) -> int:
        return len(self.axon_type)

    @property
    def max_delay(self) -> int:
        delays = np.concatenate([self.route_delay, self.input_route_delay, [1]])
        return int(delays.max())

    def neuron_names(self, rows: np.ndarray) -> list[str]:
        return [element_name(self.paths[self.name_path[r]], self.name_index[r]) for r in rows]
