"""Run statistics per core, for ``corelet run --stats`` and the power reports (``corelet.chip.run_stats``).

``run_stats`` aggregates a ``SimResult``'s per-neuron spike counts and per-axon activity by core::

    {"format": "corelet-run-stats", "version": 1, "ticks": T, "batch": B,
     "cores": [{"core": c, "spikes": n, "synaptic_events": m}, ...]}

one entry per core of the model, sums over the batch. A synaptic event is one active axon reaching
one synapse on its core, so a core's events are the sum over its axons of (ticks active) x (the
axon's synapses onto used neurons). Two more entries (``corelet.chip.run_stats``), also summed over
the batch: ``tick_spikes``, the spikes of each tick (activity over time), and ``chip_crossings``,
the spikes whose target is on another chip and the chip boundaries they crossed.
"""

from __future__ import annotations

import numpy as np

from corelet.chip.model import ChipModel
from corelet.chip.profile import chip_crossings
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
    stats = {"format": STATS_FORMAT, "version": STATS_VERSION, "ticks": int(result.ticks),
             "batch": int(result.batch),
             "cores": [{"core": c, "spikes": int(s), "synaptic_events": int(e)}
                       for c, (s, e) in enumerate(zip(spikes.tolist(), events.tolist()))],
             "chip_crossings": _crossing_spikes(model, maps, result.neuron_spikes)}
    if result.tick_spikes is not None:
        stats["tick_spikes"] = [int(n) for n in result.tick_spikes.tolist()]
    return stats


def _crossing_spikes(model: ChipModel, maps, neuron_spikes: np.ndarray) -> dict:
    """Spikes sent to a core on another chip, and the chip boundaries they crossed in all."""
    target = model.cores.target_core[maps.neuron_core, maps.neuron_local]
    routed = np.flatnonzero(target >= 0)
    crossed = np.zeros(len(target), np.int64)
    crossed[routed] = chip_crossings(model.cores.coords, maps.neuron_core[routed], target[routed])
    spikes = np.asarray(neuron_spikes, np.int64)
    return {"spikes": int(spikes[crossed > 0].sum()), "boundaries": int((spikes * crossed).sum())}
