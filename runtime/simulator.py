"""``simulate``: run a ``Fabric`` tick by tick over a batch of samples, as the chip would: exactly
for deterministic neurons; for stochastic ones in distribution, not spike for spike, since the
random draws are placement-independent hashes, not the chip's per-core generator.

One tick t, for all samples and neurons at once (``docs/neuron-model.md`` states the semantics):

1. a state reset if t is in ``reset_at`` (membranes back to their initial value, pending spikes
   dropped), then input raster row t enters the delay ring buffer (slot t + delay - 1);
2. the axons active in tick t (ring slot t) are integrated (``runtime._kernel.Synapses``), plus
   the current of input-only axons computed ahead (``runtime._stream.InputCurrents``);
3. leak, thresholds, resets and saturation (``runtime._neurons.NeuronDynamics``);
4. spikes are recorded and routed into the ring slots t + delay (``runtime._kernel.Routes``).

Sample b of a run with seed S draws with seed S + b, so a sample gives the same spikes alone or in
a batch. The ring buffer has ``max_delay + 1`` slots, so any delay a fabric carries works.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from corelet.chip import Location
from corelet.chip.limits import active_limits
from corelet.runtime import _compiled
from corelet.runtime._kernel import Routes, Synapses
from corelet.runtime._neurons import NeuronDynamics
from corelet.runtime._stream import InputCurrents
from corelet.runtime._tick import CompiledNeurons, CompiledTick
from corelet.runtime.errors import SimulationError
from corelet.runtime.fabric import Fabric
from corelet.runtime.inputs import check_inputs
from corelet.runtime.probes import resolve_probe
from corelet.runtime.result import SimResult

PROGRESS_STEPS = 100


def simulate(fabric: Fabric, ticks: int, inputs: dict[str, np.ndarray] | None = None, *,
             seed: int = 0, batch: int | None = None, reset_at: Sequence[int] = (),
             probes: Sequence[str] = (), trace: bool = False,
             progress: Callable[[int, int], None] | None = None) -> SimResult:
    """Run ``fabric`` for ``ticks`` ticks and return what its outputs and probes recorded.

    Parameters
    ----------
    inputs : name -> 0/1 array (ticks_in, width) or (batch, ticks_in, width), ticks_in <= ticks.
    seed : sample b draws its random numbers with seed ``seed + b``.
    batch : number of samples; by default the batch of the 3-d inputs, else 1.
    reset_at : ticks at whose start membranes and pending spikes are reset.
    probes : name patterns (``hid.h[*]``) of neurons whose spikes are recorded.
    trace : also record the probed neurons' membrane potentials.
    progress : called as ``progress(ticks_done, ticks)`` about a hundred times over the run.
    """
    run = _Run(fabric, check_ticks(ticks), inputs, seed, batch, reset_at, probes, trace)
    return run.execute(progress)


def check_ticks(ticks) -> int:
    """``ticks`` as an int, or the ``SimulationError`` a run would give (not a whole number >= 0,
    or over the limit ``ticks``): the command line checks it before estimating memory."""
    if isinstance(ticks, bool) or not isinstance(ticks, (int, np.integer)) or ticks < 0:
        raise SimulationError(f"ticks must be a whole number >= 0, got {ticks!r}",
                              locations=[Location(field="ticks")])
    active_limits().check("ticks", int(ticks), "ticks of this run", Location(field="ticks"),
                          SimulationError)
    return int(ticks)


def _membrane_dtype(fabric: Fabric):
    """int32 when no tick's input can push V (|V| <= 2^19) past it, else int64."""
    fan_in = np.bincount(fabric.syn_neuron, minlength=1).max(initial=0)
    return np.int32 if int(fan_in) * 255 + 2**21 < 2**31 else np.int64


class _Run:
    """The state of one run: membranes, the delay ring buffer, and the recordings."""

    def __init__(self, fabric, ticks, inputs, seed, batch, reset_at, probes, trace):
        self.fabric, self.ticks, self.seed = fabric, ticks, int(seed)
        self.raster = self._input_raster(check_inputs(fabric, inputs, ticks, batch), batch)
        self.batch = self.raster.shape[0]
        self.resets = self._reset_ticks(reset_at)
        seeds = (np.arange(self.batch, dtype=np.uint64)
                 + np.uint64(self.seed % 2**64)) if self.batch else np.zeros(0, np.uint64)
        # the whole tick compiled, when numba is active and the case is covered (runtime._tick):
        # it keeps its own state, sample-minor, and integrates the input axons too (cheaper
        # there, per synapse, than the stream's dense products). (Should the synapses not form
        # block tables after all, the numpy-shaped path runs without the stream: the same
        # integers, more slowly.) One sample with numba also integrates them per synapse, in
        # the compiled block sums: cheaper than the stream's products on 5 of the 6 benchmark
        # cases (docs/runtime.md)
        covered = CompiledTick.covers(fabric, self.batch)
        per_synapse = covered or (_compiled.active() == "numba" and self.batch == 1)
        input_only = None if per_synapse else self._input_only_axons()
        dtype = _membrane_dtype(fabric)
        self.synapses = Synapses(fabric, seeds, self.batch, input_only, current_dtype=dtype,
                                 per_tick=not covered)
        self.stream = None if per_synapse else self._input_stream(input_only)
        self.streamed = self._streamed_axons()
        self.routes = Routes(fabric, self.streamed)
        self.neurons = NeuronDynamics(fabric.params, fabric.neuron_ids, seeds, dtype)
        self.compiled = (CompiledTick.build(self.synapses, self.routes, fabric,
                                            self.neurons.initial, self.batch)
                         if covered else None)
        # one sample on the numpy-shaped path: phases and routing compiled (runtime._tick)
        self.compiled_neurons = (CompiledNeurons.build(fabric, self.batch)
                                 if self.compiled is None else None)
        if self.compiled is None:
            self.V = np.broadcast_to(self.neurons.initial, (self.batch, fabric.n_neurons)).copy()
            self.ring = np.zeros((fabric.max_delay + 1, self.batch, fabric.n_axons), bool)
        self.neuron_spikes = _Tally(fabric.n_neurons)  # spikes per neuron, over the batch
        self.axon_activity = _Tally(fabric.n_axons)  # active ticks per axon, over the batch
        self.tick_spikes = np.zeros(ticks, np.int64)  # spikes per tick, over the batch (activity over time)
        self._recording_setup(probes, trace)

    def _input_only_axons(self) -> np.ndarray:
        """Axons driven by input pins and by no neuron."""
        fabric = self.fabric
        input_only = np.zeros(fabric.n_axons, bool)
        input_only[fabric.input_route_axon] = True
        input_only[fabric.route_axon] = False
        return input_only

    def _input_stream(self, input_only: np.ndarray) -> InputCurrents | None:
        blocks = self.synapses.input_blocks
        if blocks is None:
            return None
        fabric = self.fabric
        axon = fabric.input_route_axon.astype(np.int64)
        mine = input_only[axon]
        return InputCurrents(blocks, fabric.input_route_pin[mine], axon[mine],
                             fabric.input_route_delay[mine].astype(np.int64), self.raster,
                             self.resets, self.ticks, fabric.n_axons, fabric.n_neurons)

    def _streamed_axons(self) -> np.ndarray | None:
        """Axons left entirely to the stream: no per-tick injection, activity counted there."""
        if self.stream is None:
            return None
        streamed = np.zeros(self.fabric.n_axons, bool)
        streamed[self.stream.axons()] = True
        return streamed & ~self.synapses.stochastic_axons()

    def _input_raster(self, inputs: dict, batch: int | None) -> np.ndarray:
        """All connectors side by side in pin order: bool (batch, ticks_in, pins)."""
        fabric = self.fabric
        if batch is None:
            batch = next((arr.shape[0] for arr in inputs.values()), 1)
        ticks_in = max((arr.shape[1] for arr in inputs.values()), default=0)
        raster = np.zeros((batch, ticks_in, sum(w for _, w in fabric.inputs)), bool)
        offset = 0
        for name, width in fabric.inputs:
            if name in inputs:
                arr = inputs[name]
                raster[:, :arr.shape[1], offset:offset + width] = arr
            offset += width
        return raster

    def _reset_ticks(self, reset_at) -> frozenset:
        ticks = [int(t) for t in reset_at]
        bad = [t for t in ticks if not 0 <= t < max(self.ticks, 1)]
        if bad:
            raise SimulationError(f"reset tick {bad[0]} is outside the run (0..{self.ticks - 1})",
                                  locations=[Location(field="reset_at")])
        return frozenset(ticks)

    def _recording_setup(self, probes, trace) -> None:
        fabric = self.fabric
        self.output_rows = [(name, rows) for name, rows in fabric.outputs]
        self.probe_rows = [(pattern, resolve_probe(fabric, pattern))
                           for pattern in dict.fromkeys(probes)]
        parts = [rows for _, rows in self.output_rows] + [rows for _, rows in self.probe_rows]
        self.recorded = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
        self.spike_record = np.zeros((self.batch, self.ticks, len(self.recorded)), bool)
        probed = [rows for _, rows in self.probe_rows]
        self.traced = np.concatenate(probed).astype(np.int64) if trace and probed else None
        if self.traced is not None:
            self.trace_record = np.zeros((self.batch, self.ticks, len(self.traced)), np.int32)

    # -- the tick loop -----------------------------------------------------------------------
    def execute(self, progress) -> SimResult:
        every = max(1, self.ticks // PROGRESS_STEPS)
        for t in range(self.ticks):
            self._tick(t)
            if progress is not None and ((t + 1) % every == 0 or t + 1 == self.ticks):
                progress(t + 1, self.ticks)
        return self._result()

    def _tick(self, t: int) -> None:
        if self.compiled is not None:
            self._compiled_tick(t)
            return
        if t in self.resets:
            self._reset_state()
        if t < self.raster.shape[1]:
            self.routes.inject(self.ring, self.raster[:, t, :], t)
        slot = self.ring[t % len(self.ring)]
        current, active = self.synapses.integrate(slot, t)
        if self.stream is not None:  # integration sums are exact, so their order is free
            self.stream.add_to(self.V, t)
        self.axon_activity.add(active)
        slot[...] = False
        if self.compiled_neurons is not None:  # phases and routing in one compiled pass
            self.tick_spikes[t] = self.compiled_neurons.step(t, self.V, current, self.ring)
            self._record(t, self.compiled_neurons.spikes)
            return
        spikes, fired = self.neurons.step(self.V, current, t, integrated=self.stream is not None)
        self.neuron_spikes.add(fired)
        self.tick_spikes[t] = fired.size
        self.routes.deliver(self.ring, fired, t)
        self._record(t, spikes)

    def _compiled_tick(self, t: int) -> None:
        """The tick as one compiled call (``runtime._tick``), on its sample-minor state."""
        compiled = self.compiled
        if t in self.resets:
            compiled.reset()
        if t < self.raster.shape[1]:
            compiled.inject(self.raster[:, t, :], t)
        self.tick_spikes[t] = compiled.step(t)
        if self.recorded.size:
            self.spike_record[:, t, :] = compiled.spikes(self.recorded)
        if self.traced is not None:
            self.trace_record[:, t, :] = compiled.membranes(self.traced)

    def _reset_state(self) -> None:
        self.V[...] = self.neurons.initial
        self.ring[...] = False

    def _record(self, t: int, spikes: np.ndarray) -> None:
        if self.recorded.size:
            self.spike_record[:, t, :] = spikes[:, self.recorded]
        if self.traced is not None:
            self.trace_record[:, t, :] = self.V[:, self.traced]

    # -- results -----------------------------------------------------------------------------
    def _result(self) -> SimResult:
        fabric = self.fabric
        outputs, probes, traces, names = {}, {}, {}, {}
        start = 0
        for name, rows in self.output_rows:
            outputs[name] = self.spike_record[:, :, start:start + len(rows)]
            start += len(rows)
        trace_start = 0
        for pattern, rows in self.probe_rows:
            probes[pattern] = self.spike_record[:, :, start:start + len(rows)]
            names[pattern] = fabric.neuron_names(rows)
            start += len(rows)
            if self.traced is not None:
                traces[pattern] = self.trace_record[:, :, trace_start:trace_start + len(rows)]
                trace_start += len(rows)
        return SimResult(
            ticks=self.ticks, batch=self.batch, seed=self.seed, outputs=outputs,
            counts={name: arr.sum(axis=1, dtype=np.int64) for name, arr in outputs.items()},
            probes=probes, probe_neurons=names, traces=traces,
            neuron_spikes=self._neuron_spikes(),
            axon_activity=self._axon_activity(), tick_spikes=self.tick_spikes.copy())

    def _neuron_spikes(self) -> np.ndarray:
        counts = self.neuron_spikes.counts()
        if self.compiled is not None:
            counts += self.compiled.spike_count
        if self.compiled_neurons is not None:
            counts += self.compiled_neurons.spike_count
        return counts

    def _axon_activity(self) -> np.ndarray:
        """Ticks each axon was active, summed over the batch (ring buffer plus stream)."""
        activity = self.axon_activity.counts()
        if self.compiled is not None:
            activity += self.compiled.axon_count
        if self.stream is not None:
            axons = self.stream.axons()
            counted = self.streamed[axons]
            activity[axons[counted]] += self.stream.activity()[counted]
        return activity


class _Tally:
    """How often each of ``size`` items occurs in flat (sample * size + item) index arrays, summed
    over the samples. With numba, counted as they come (``_compiled.kernels().tally``); else the
    arrays are kept and counted with one ``np.bincount`` per ~1M indices: a fancy-indexed
    increment every tick costs several times more per index."""

    FLUSH = 1 << 20

    def __init__(self, size: int):
        self.size = size
        self.total = np.zeros(size, np.int64)
        self.pending, self.pending_count = [], 0
        self.compiled = _compiled.kernels().tally if _compiled.active() == "numba" else None

    def add(self, flat: np.ndarray) -> None:
        """Count the indices ``flat`` (on the numpy path a fresh array, kept until the next
        flush)."""
        if not flat.size:
            return
        if self.compiled is not None:
            self.compiled(self.total, flat)
            return
        self.pending.append(flat)
        self.pending_count += flat.size
        if self.pending_count >= self.FLUSH:
            self._flush()

    def counts(self) -> np.ndarray:
        """The counts so far, (size,) int64 (a copy)."""
        self._flush()
        return self.total.copy()

    def _flush(self) -> None:
        if self.pending:
            flat = np.concatenate(self.pending) % self.size
            self.total += np.bincount(flat, minlength=self.size)
            self.pending, self.pending_count = [], 0
