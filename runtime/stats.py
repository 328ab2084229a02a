"""Run statistics per core, for ``corelet run --stats`` and the power reports (``corelet.chip.run_stats``).

``run_stats`` aggregates a ``SimResult``'s per-neuron spike counts and per-axon activity by core::

    {"format": "corelet-run-stats", "version": 1, "ticks": T, "batch": B,
     "cores": [{"core": c, "spikes": n, "synaptic_events": m}, ...]}

one entry per core of the model, sums over the batch. A synaptic event is one active axon reaching
one synapse on its core, so a core's events are the sum over its axons of (ticks active) x (the
axon's synapses onto used neurons).
"""

from __future__ import annotations

import numpy as np

from corelet.chip.model import ChipModel
from corelet.chip.run_stats import STATS_FORMAT, STATS_VERSION
from corelet.runtime.fabric import Fabric
from corelet.runtime.lower import model_index_maps
from corelet.runtime.result import SimResult



def run_stats(model: ChipModel, fabric: Fabric, result: SimResult) -> dict:
    """Spikes and synaptic events per core, JSON-able; ``fabric = fabric_from_model(model)``."""
    maps = model_index_maps(model)
    n_cores = model.n_cores
    if len(maps.neuron_core) != fabric.n_neurons or len(maps.axon_core) != fabric.n_axons:
        raise ValueError("run_stats: the fabric was not lowered from this model")
    fanout = np.bincount(fabric.syn_axon, minlength=fabric.n_axons)
    spikes = np.bincount(maps.neuron_core, weights=result.neuron_spikes, minlength=n_cores)
    events = np.bincount(maps.axon_core, weights=result.axon_activity * fanout,
                         minlength=n_cores)
    return {"format": STATS_FORMAT, "version": STATS_VERSION, "ticks": int(result.ticks),
            "batch": int(result.batch),
            "cores": [{"core": c, "spikes": int(s), "synaptic_events": int(e)}
                      for c, (s, e) in enumerate(zip(spikes.tolist(), events.tolist()))]}
