"""``SimResult``: what a run recorded, and its ``.npz`` form.

Arrays (B = batch, T = ticks):

* ``outputs[name]``: bool (B, T, width), the output pins' spikes in the tick their neuron fired;
* ``counts[name]``: int64 (B, width), spikes per output pin over the run;
* ``probes[pattern]``: bool (B, T, k), spikes of the k original neurons the pattern names, whose
  names are ``probe_neurons[pattern]``;
* ``traces[pattern]``: int32 (B, T, k), their membrane potential at the end of each tick (after
  the threshold phase), only when the run asked for traces;
* ``neuron_spikes`` (N,) and ``axon_activity`` (A,): per fabric neuron the spikes fired and per
  fabric axon the ticks it was active, both summed over the batch (for ``runtime.run_stats``);
* ``tick_spikes`` (T,): spikes fired in each tick by all neurons, summed over the batch (the
  activity over time of ``run_stats``); ``None`` where a result was built without it.

``save`` writes ``outputs/NAME``, ``counts/NAME``, ``probes/PATTERN``, ``probe_neurons/PATTERN``
(strings), ``traces/PATTERN`` and the scalars ``ticks``, ``batch`` and ``seed``.
"""

from __future__ import annotations

import os

import attrs
import numpy as np

from corelet.chip import atomic_savez, display


@attrs.frozen(eq=False)
class SimResult:
    ticks: int
    batch: int
    seed: int
    outputs: dict[str, np.ndarray]
    counts: dict[str, np.ndarray]
    probes: dict[str, np.ndarray]
    probe_neurons: dict[str, list[str]]
    traces: dict[str, np.ndarray]
    neuron_spikes: np.ndarray
    axon_activity: np.ndarray
    tick_spikes: np.ndarray | None = None

    def __repr__(self) -> str:
        spikes = ", ".join(f"{name}[{arr.shape[-1]}] {display.plural(int(arr.sum()), 'spike')}"
                           for name, arr in list(self.outputs.items())[:6])
        more = f" and {len(self.outputs) - 6} more" if len(self.outputs) > 6 else ""
        probes = f"; probes {', '.join(self.probes)}" if self.probes else ""
        return (f"<SimResult: {display.plural(self.ticks, 'tick')} x "
                f"{display.plural(self.batch, 'sample')}, seed {self.seed}; "
                f"outputs {spikes or 'none'}{more}{probes}>")

    def _repr_html_(self) -> str | None:
        """The raster of sample 0 in a notebook (registered by ``corelet.runtime.notebook``)."""
        return display.html("run", self)

    def arrays(self) -> dict[str, np.ndarray]:
        """The ``.npz`` contents, by entry name."""
        out: dict[str, np.ndarray] = {"ticks": np.int64(self.ticks), "batch": np.int64(self.batch),
                                      "seed": np.int64(self.seed)}
        for prefix, table in (("outputs", self.outputs), ("counts", self.counts),
                              ("probes", self.probes), ("traces", self.traces)):
            out.update({f"{prefix}/{name}": arr for name, arr in table.items()})
        out.update({f"probe_neurons/{name}": np.array(names, dtype=str)
                    for name, names in self.probe_neurons.items()})
        return out

    def save(self, path: str | os.PathLike) -> None:
        """Write the result as a compressed ``.npz``, atomically."""
        atomic_savez(path, self.arrays())
