"""How much memory a run needs, estimated before anything is allocated, and the check that refuses
a run the machine cannot hold (``corelet run``).

The estimate is a sum of per-item costs: each synapse, neuron and axon of the model as the runtime
holds it (the lowered fabric and its kernels), and per sample the membranes, the delay ring, the
recorded spikes and the inputs. The per-item constants were measured with ``benchmarks/memory.py``
(peak resident memory of ``runtime.simulate`` on the benchmark workload; see docs/scaling.md).
"""

from __future__ import annotations

import os

import attrs

from corelet.chip import ToolchainError

# measured by benchmarks/memory.py (docs/scaling.md), rounded up
BYTES_PER_SYNAPSE = 40
BYTES_PER_NEURON = 200
BYTES_PER_AXON = 64
BYTES_PER_SAMPLE_NEURON = 96  # membranes, currents, draws and spike flags of one sample
BASE_BYTES = 16 * 2**20  # the runtime's own arrays and temporaries whatever the model
# the compiled kernel (the `fast` extra): numba and its compiled code, and one byte a synapse
# for its block tables (measured: +104 MB at 256 cores, +124 MB at 1024)
COMPILED_BYTES = 112 * 2**20
COMPILED_BYTES_PER_SYNAPSE = 4
GIB = 2**30


class MemoryLimitError(ToolchainError):
    """A run whose estimated memory exceeds what the machine has."""


@attrs.frozen
class RunSize:
    """The counts a run's memory depends on."""

    neurons: int
    axons: int
    synapses: int
    max_delay: int = 15
    recorded: int = 0  # output pins plus probed neurons
    input_pins: int = 0

    @classmethod
    def of_model(cls, model, probed: int = 0) -> "RunSize":
        """The counts of a ``ChipModel``, read from its arrays (nothing is lowered)."""
        from corelet.chip.arrays import popcount

        cores = model.cores
        return cls(neurons=int((cores.neuron_path >= 0).sum()),
                   axons=int((cores.axon_path >= 0).sum()),
                   synapses=int(popcount(cores.crossbar).sum()),
                   max_delay=int(cores.delay.max(initial=1)),
                   recorded=sum(out.width for out in model.outputs) + probed,
                   input_pins=sum(inp.width for inp in model.inputs))


def estimate_bytes(size: RunSize, ticks: int, batch: int, ticks_in: int | None = None,
                   compiled: bool | None = None) -> int:
    """Estimated peak memory, in bytes, of simulating ``batch`` samples for ``ticks`` ticks;
    ``compiled``: whether the compiled kernel runs (default: the runtime's active kernel)."""
    if compiled is None:
        from corelet.runtime import active_kernel
        compiled = active_kernel() == "numba"
    ticks_in = ticks if ticks_in is None else ticks_in
    fixed = (BASE_BYTES + BYTES_PER_SYNAPSE * size.synapses + BYTES_PER_NEURON * size.neurons
             + BYTES_PER_AXON * size.axons)
    if compiled:
        fixed += COMPILED_BYTES + COMPILED_BYTES_PER_SYNAPSE * size.synapses
    per_sample = (BYTES_PER_SAMPLE_NEURON * size.neurons + (size.max_delay + 1) * size.axons
                  + ticks * size.recorded + ticks_in * size.input_pins)
    return int(fixed + batch * per_sample)


def available_bytes() -> int:
    """Memory this machine can give a run now: ``MemAvailable`` on Linux, else physical memory."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_memory(needed: int, what: str, available: int | None = None, hint: str = "") -> None:
    """Raise ``MemoryLimitError`` when ``needed`` bytes exceed ``available`` (default: this
    machine's), saying how much is needed and how much there is."""
    available = available_bytes() if available is None else available
    if needed > available:
        raise MemoryLimitError(f"{what} needs about {_amount(needed)} of memory but this machine "
                               f"has {_amount(available)} available; nothing was allocated{hint}")


def _amount(size: int) -> str:
    return f"{size / GIB:.1f} GiB" if size >= GIB else f"{size / 2**20:.0f} MiB"


def check_run(size: RunSize, ticks: int, batch: int, *, workers: int | None = None,
              available: int | None = None) -> None:
    """Refuse a run of ``batch`` samples this machine cannot hold, before anything is allocated.
    With a local cluster of ``workers`` processes each holds the model and its chunks of samples
    (``corelet.distributed.chunk_bounds``); a remote cluster's workers are not this machine's."""
    if workers:
        from corelet.distributed import chunk_bounds

        per_worker = max(stop - start for start, stop in chunk_bounds(batch, workers))
        needed = estimate_bytes(size, ticks, 0) + workers * estimate_bytes(size, ticks, per_worker)
        what = (f"this run ({size.neurons} neurons, {size.synapses} synapses; {workers} workers "
                f"with {per_worker} samples each at a time, {ticks} ticks)")
    else:
        needed = estimate_bytes(size, ticks, batch)
        what = (f"this run ({size.neurons} neurons, {size.synapses} synapses, {batch} samples, "
                f"{ticks} ticks)")
    check_memory(needed, what, available,
                 hint="; use --workers N to run the samples in chunks (docs/scaling.md)"
                 if not workers and batch > 1 else "")
