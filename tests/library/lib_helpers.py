"""Helpers for the library tests: elaborate a program that uses the library, compile it, run the
compiled chip and the logical network, and check that the two agree spike for spike.

Every library test goes through ``run_compiled``, so "it compiles, and its compiled and logical runs
agree" is checked for every corelet and every configuration a test drives.
"""

from __future__ import annotations

import numpy as np

from corelet import compiler, language, runtime
from corelet.library import LIBRARY_PATH


def elaborate(source: str, params: dict | None = None, top: str | None = None):
    """Elaborate ``source`` (which may ``use`` library files) into a logical ``Network``."""
    return language.elaborate_source(source, "test.corelet", params=dict(params or {}), top=top)


def library_file(name: str) -> str:
    """The text of ``library/<name>.corelet``."""
    return (LIBRARY_PATH / f"{name}.corelet").read_text()


def run_compiled(net, ticks: int, inputs: dict | None = None, *, seed: int = 0,
                 placer: str = compiler.DEFAULT_PLACER, batch: int | None = None,
                 allow_latency: bool = False) -> dict[str, np.ndarray]:
    """Compile ``net``, run the chip model and the (retimed) logical network with the same inputs
    and seed, assert identical outputs, and return the chip's outputs: name -> bool array
    (batch, ticks, width).

    Library corelets are built so that compiling adds no latency; ``allow_latency`` relaxes that
    for tests that drive a corelet through an input fan-out the compiler must relay.
    """
    comp = compiler.compile_network(net, placer=placer)
    if not allow_latency:
        assert not comp.latency.any(), f"compiling added latency: {comp.record.get('added_latency')}"
    inputs = dict(inputs or {})
    chip = runtime.simulate(runtime.fabric_from_model(comp.model), ticks, inputs, seed=seed,
                            batch=batch)
    logical = runtime.simulate(runtime.fabric_from_network(comp.retimed), ticks, inputs, seed=seed,
                               batch=batch)
    assert chip.outputs.keys() == logical.outputs.keys()
    for name in chip.outputs:
        assert np.array_equal(chip.outputs[name], logical.outputs[name]), \
            f"output {name}: the compiled chip and the logical network differ"
    return {name: np.asarray(v, dtype=bool) for name, v in chip.outputs.items()}


def cores_used(net, placer: str) -> int:
    """Cores the compiler needs for ``net`` with ``placer`` (relay cores included)."""
    return compiler.estimate(net, placer=placer)["cores"]


def spike_ticks(raster: np.ndarray) -> list[list[int]]:
    """Per pin, the ticks in which it fired (raster: ticks x width)."""
    return [np.flatnonzero(raster[:, pin]).tolist() for pin in range(raster.shape[1])]


def burst_raster(counts, ticks: int, start: int = 0) -> np.ndarray:
    """Burst code written out independently of the runtime's encoders: pin i fires in ticks
    start .. start + counts[i] - 1 (ticks x width, bool)."""
    counts = np.asarray(counts, dtype=np.int64).ravel()
    t = np.arange(ticks)[:, None]
    return (t >= start) & (t < start + counts[None, :])
