"""Two back-ends behind one call, so every feature test runs on the reference and on the runtime.

``sim(fabric, ticks, inputs, seed=.., batch=.., reset_at=..)`` returns a ``Run``: ``outputs`` name ->
bool (batch, ticks, width) and ``voltages`` (batch, ticks, N), V at the end of each tick for every
neuron of the fabric.
"""

from __future__ import annotations

import attrs
import numpy as np
import pytest

from tests.conftest import KERNELS, using_kernel

from . import refsim


@attrs.frozen
class Run:
    outputs: dict
    voltages: np.ndarray


def run_reference(fabric, ticks, inputs=None, *, seed=0, batch=None, reset_at=()) -> Run:
    res = refsim.simulate(fabric, ticks, inputs, seed=seed, batch=batch, reset_at=reset_at)
    return Run(res.outputs, res.voltages)


def run_runtime(fabric, ticks, inputs=None, *, seed=0, batch=None, reset_at=()) -> Run:
    # the submodule, not ``runtime.simulate``: under pytest's rootdir import mode the folder
    # tests/runtime can turn ``runtime`` into a namespace package whose __init__ never runs.
    # An import error is left to fail the test: a broken runtime must never read as "skipped".
    from corelet.runtime.simulator import simulate

    probes = [f"{fabric.paths[p]}[*]" for p in sorted(set(fabric.name_path.tolist()))]
    res = simulate(fabric, ticks, inputs, seed=seed, batch=batch, reset_at=reset_at,
                   probes=probes, trace=True)
    return Run(dict(res.outputs), _all_voltages(fabric, res))


def _all_voltages(fabric, res) -> np.ndarray:
    """The runtime's traces put back in fabric neuron order, (batch, ticks, N)."""
    row_of = {name: j for j, name in enumerate(fabric.neuron_names(range(fabric.n_neurons)))}
    volts = np.zeros((res.batch, res.ticks, fabric.n_neurons), np.int64)
    for pattern, names in res.probe_neurons.items():
        volts[:, :, [row_of[n] for n in names]] = res.traces[pattern]
    return volts


def _on_kernel(name):
    def run(*args, **kwargs) -> Run:
        with using_kernel(name):
            return run_runtime(*args, **kwargs)
    return run


def _compiled_tick(*args, **kwargs) -> Run:
    """numba with the whole tick compiled (runtime._tick) at any batch, where a run allows it
    (no random draws); by default it starts at batch MIN_BATCH."""
    from corelet.runtime import _tick

    previous, _tick.MIN_BATCH = _tick.MIN_BATCH, 1
    try:
        with using_kernel("numba"):
            return run_runtime(*args, **kwargs)
    finally:
        _tick.MIN_BATCH = previous


# the runtime on each of its kernels: numpy (the reference path) and numba when installed
BACKENDS = {"reference": run_reference, "runtime": _on_kernel("numpy"),
            **{f"runtime-{k}": _on_kernel(k) for k in KERNELS if k != "numpy"},
            **({"runtime-numba-tick": _compiled_tick} if "numba" in KERNELS else {})}


@pytest.fixture(params=sorted(BACKENDS))
def sim(request):
    return BACKENDS[request.param]
