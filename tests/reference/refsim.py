"""A deliberately simple, scalar reference simulator written from ``docs/neuron-model.md``.

Plain Python loops over ticks, neurons and axons, Python ints, one sample at a time: slow and
obviously correct, so the vectorised runtime can be checked against it spike for spike. The only
code shared with the runtime is ``runtime.random.draw`` (the normative random numbers) and the data
classes it reads (``runtime.Fabric``, ``chip.NeuronParams``). Section numbers below refer to the doc.

``tiny_fabric``, ``driven`` and ``raster`` at the end build small fabrics and inputs by hand for the
tests.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import attrs
import numpy as np

from corelet.chip import NeuronParams
from corelet.runtime.fabric import Fabric
from corelet.runtime.random import LEAK, SYNAPSE, THRESHOLD, draw

V_MIN, V_MAX = -(2**19), 2**19 - 1


def sign(x: int) -> int:
    return (x > 0) - (x < 0)


def clamp(v: int) -> int:
    return min(V_MAX, max(V_MIN, v))


@attrs.frozen
class RefResult:
    """Per sample b: ``outputs[name][b]`` (ticks, width) bool, ``spikes[b]`` and ``voltages[b]``
    (ticks, N) for every neuron (V at the end of each tick)."""

    outputs: dict
    spikes: np.ndarray
    voltages: np.ndarray


# -- one neuron, one tick (section 3) ---------------------------------------------------------
def _integrate(v: int, p: dict, active_axons: list[int], fabric: Fabric, seed: int,
               nid: int, tick: int) -> int:
    """Step 1: every active axon with a synapse on this neuron, then one clamp."""
    for i in active_axons:
        g = int(fabric.axon_type[i])
        s = p["weights"][g]
        if not p["stochastic_weights"][g]:
            v += s
        else:
            rho = draw(seed, nid, tick, SYNAPSE, int(fabric.axon_source_id[i]), g) & 0xFF
            if abs(s) >= rho:  # the chip's rule: probability (|s| + 1) / 256
                v += sign(s)
    return clamp(v)


def _leak(v: int, p: dict, seed: int, nid: int, tick: int) -> int:
    """Step 2, then a clamp."""
    lam = p["leak"]
    if not p["stochastic_leak"]:
        if not p["leak_reversal"]:
            v += lam
        elif lam < 0 and abs(v) < -lam:
            v = 0  # a reversal leak toward 0 stops there instead of crossing it
        else:
            v += sign(v) * lam
    else:
        rho = draw(seed, nid, tick, LEAK) & 0xFF
        if abs(lam) >= rho:
            v += sign(lam) * sign(v) if p["leak_reversal"] else sign(lam)
    return clamp(v)


def _threshold(v: int, p: dict, seed: int, nid: int, tick: int) -> tuple[int, bool]:
    """Steps 3 and 4: returns (new V, spiked)."""
    eta = draw(seed, nid, tick, THRESHOLD) & 0x1FFFF & ((1 << p["threshold_mask"]) - 1)
    alpha, beta, gamma = p["threshold"], p["neg_threshold"], p["reset_mode"]
    if v >= alpha + eta:
        if gamma == 0:
            v = p["reset_value"]
        elif gamma == 1:
            v = v - (alpha + eta)
        return v, True
    if p["neg_mode"] == 1:
        if v < -beta:
            v = -beta
    elif v < -(beta + eta):
        if gamma == 0:
            v = -p["reset_value"]
        elif gamma == 1:
            v = v + (beta + eta)
    return v, False


# -- the network ------------------------------------------------------------------------------
def _pin_offsets(fabric: Fabric) -> dict[str, int]:
    offsets, start = {}, 0
    for name, width in fabric.inputs:
        offsets[name] = start
        start += width
    return offsets


def _input_arrivals(fabric: Fabric, rasters: dict[str, np.ndarray]) -> dict[int, list[tuple[int, int]]]:
    """tick -> [(raster row, axon)] for every input spike (section 5: row t, delay d -> t + d - 1)."""
    pins = {}
    for name, start in _pin_offsets(fabric).items():
        raster = rasters.get(name)
        if raster is None:
            continue
        for row in range(raster.shape[0]):
            for k in range(raster.shape[1]):
                if raster[row, k]:
                    pins.setdefault(start + k, []).append(row)
    arrivals = defaultdict(list)
    for pin, axon, delay in zip(fabric.input_route_pin.tolist(), fabric.input_route_axon.tolist(),
                                fabric.input_route_delay.tolist()):
        for row in pins.get(pin, ()):
            arrivals[row + delay - 1].append((row, axon))
    return arrivals


class _Sample:
    """One sample of one run: the fabric as plain lists, the membranes and the pending spikes."""

    def __init__(self, fabric: Fabric, rasters: dict[str, np.ndarray], seed: int,
                 reset_at: Sequence[int]):
        self.fabric, self.seed = fabric, seed
        self.params = [fabric.params.row(j) for j in range(fabric.n_neurons)]
        self.ids = [int(x) for x in fabric.neuron_ids]
        self.axons_of = [[] for _ in range(fabric.n_neurons)]  # neuron -> axons with a synapse
        for i, j in zip(fabric.syn_axon.tolist(), fabric.syn_neuron.tolist()):
            self.axons_of[j].append(i)
        self.routes_of = defaultdict(list)  # neuron -> [(axon, delay)]
        for j, i, d in zip(fabric.route_neuron.tolist(), fabric.route_axon.tolist(),
                           fabric.route_delay.tolist()):
            self.routes_of[j].append((i, d))
        self.arrivals = _input_arrivals(fabric, rasters)
        self.resets = {int(t) for t in reset_at}
        self.v = [p["initial"] for p in self.params]
        self.pending = defaultdict(set)  # tick -> axons made active by neuron spikes
        self.segment_start = 0

    def tick(self, t: int) -> list[int]:
        """Run tick t; return the neurons that fired."""
        if t in self.resets:  # section 5: V = V0, pending spikes dropped
            self.v = [p["initial"] for p in self.params]
            self.pending.clear()
            self.segment_start = t
        active = self.pending.pop(t, set())  # a set: spikes on one axon merge
        active |= {axon for row, axon in self.arrivals.get(t, ()) if row >= self.segment_start}
        fired = [j for j in range(len(self.v)) if self._neuron(j, active, t)]
        for j in fired:
            for i, d in self.routes_of[j]:
                self.pending[t + d].add(i)
        return fired

    def _neuron(self, j: int, active: set, t: int) -> bool:
        """Steps 1 to 5 for neuron j; True when it spikes."""
        p, nid = self.params[j], self.ids[j]
        here = [i for i in self.axons_of[j] if i in active]
        v = _integrate(self.v[j], p, here, self.fabric, self.seed, nid, t)
        v = _leak(v, p, self.seed, nid, t)
        self.v[j], spiked = _threshold(v, p, self.seed, nid, t)
        return spiked


def run_sample(fabric: Fabric, ticks: int, rasters: dict[str, np.ndarray] | None = None,
               seed: int = 0, reset_at: Sequence[int] = ()) -> tuple[np.ndarray, np.ndarray]:
    """One sample: (spikes, voltages), each (ticks, N), for raster dict name -> (ticks_in, width)."""
    sample = _Sample(fabric, rasters or {}, seed, reset_at)
    spikes = np.zeros((ticks, fabric.n_neurons), bool)
    volts = np.zeros((ticks, fabric.n_neurons), np.int64)
    for t in range(ticks):
        spikes[t, sample.tick(t)] = True
        volts[t] = sample.v
    return spikes, volts


def simulate(fabric: Fabric, ticks: int, inputs: dict[str, np.ndarray] | None = None, *,
             seed: int = 0, batch: int | None = None, reset_at: Sequence[int] = ()) -> RefResult:
    """Batch of samples; sample b uses seed + b. Inputs (ticks_in, width) or (batch, ticks_in, width)."""
    inputs = {k: np.asarray(x) for k, x in (inputs or {}).items()}
    if batch is None:
        batch = max([x.shape[0] for x in inputs.values() if x.ndim == 3], default=1)
    all_spikes, all_volts = [], []
    for b in range(batch):
        rasters = {k: (x[b] if x.ndim == 3 else x) for k, x in inputs.items()}
        s, v = run_sample(fabric, ticks, rasters, seed + b, reset_at)
        all_spikes.append(s)
        all_volts.append(v)
    spikes = np.stack(all_spikes)
    outputs = {name: spikes[:, :, np.asarray(rows, dtype=np.int64)] for name, rows in fabric.outputs}
    return RefResult(outputs, spikes, np.stack(all_volts))


# -- small fabrics by hand --------------------------------------------------------------------
def tiny_fabric(neurons: Sequence[dict], *, axons: Sequence[int] = (), synapses=(), routes=(),
                inputs: Sequence[tuple[str, int]] = (), input_routes=(), outputs=(),
                axon_sources: Sequence[int] | None = None, neuron_ids: Sequence[int] | None = None,
                name: str = "n") -> Fabric:
    """A fabric from plain lists.

    neurons: one dict of ``NeuronParams`` fields per neuron (missing fields take their defaults);
    axons: the type of each axon; synapses: (axon, neuron) pairs; routes: (neuron, axon, delay);
    inputs: (name, width) in pin order; input_routes: (global pin, axon, delay);
    outputs: (name, [neurons]). Logical ids default to 1000 + j for neurons and 5000 + i for axon
    sources.
    """
    n = len(neurons)
    params = NeuronParams.concat([NeuronParams.from_fields(1, **row) for row in neurons])
    ids = list(neuron_ids) if neuron_ids is not None else [1000 + j for j in range(n)]
    sources = list(axon_sources) if axon_sources is not None else [5000 + i for i in range(len(axons))]

    def cols(rows, k, dtypes):
        rows = list(rows)
        return [np.array([r[c] for r in rows], dtype=dt) for c, dt in zip(range(k), dtypes)]

    syn_axon, syn_neuron = cols(synapses, 2, (np.int64, np.int64))
    r_neuron, r_axon, r_delay = cols(routes, 3, (np.int64, np.int64, np.int32))
    q_pin, q_axon, q_delay = cols(input_routes, 3, (np.int64, np.int64, np.int32))
    return Fabric(
        params=params, neuron_ids=np.array(ids, np.uint64), neuron_role=np.zeros(n, np.int8),
        paths=(name,), name_path=np.zeros(n, np.int32), name_index=np.arange(n, dtype=np.int32),
        axon_type=np.array(list(axons), np.int8), axon_source_id=np.array(sources, np.uint64),
        syn_axon=syn_axon, syn_neuron=syn_neuron,
        route_neuron=r_neuron, route_axon=r_axon, route_delay=r_delay,
        input_route_pin=q_pin, input_route_axon=q_axon, input_route_delay=q_delay,
        inputs=tuple((nm, int(w)) for nm, w in inputs),
        outputs=tuple((nm, np.array(list(rows), np.int64)) for nm, rows in outputs),
    )


def driven(neurons: Sequence[dict], pin_types: Sequence[int], delay: int = 1) -> Fabric:
    """Neurons all listening to one input connector ``in``: pin p drives axon p of type
    ``pin_types[p]`` with ``delay``; every neuron has a synapse on every axon; output ``out`` lists
    the neurons in order."""
    axons = range(len(pin_types))
    return tiny_fabric(neurons, axons=list(pin_types),
                       synapses=[(i, j) for i in axons for j in range(len(neurons))],
                       inputs=[("in", len(pin_types))],
                       input_routes=[(i, i, delay) for i in axons],
                       outputs=[("out", range(len(neurons)))])


def raster(ticks: int, width: int, spikes: dict[int, Sequence[int]]) -> np.ndarray:
    """A (ticks, width) bool raster: pin -> the rows where it spikes."""
    r = np.zeros((ticks, width), bool)
    for pin, rows in spikes.items():
        r[list(rows), pin] = True
    return r
