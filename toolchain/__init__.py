"""``corelet``: author spiking networks as corelets, compile them onto crossbar chips, run them (exactly
for deterministic neurons; stochastic ones match the chip in distribution, not spike for spike).

The package root holds the command line (``corelet.cli``, also ``python -m corelet``) and the one-call
API, the only code that composes the stages:

>>> import corelet
>>> net = corelet.load("examples/skeleton.corelet")        # language: source -> Network
>>> compiled = corelet.compile(net)                        # compiler: Network -> ChipModel
>>> result = corelet.run(compiled.model, ticks=10, inputs={"x": raster})   # runtime

Subpackages, each one job: ``corelet.chip`` (the shared vocabulary and the two contracts, ``Network``
and ``ChipModel``), ``corelet.language``, ``corelet.compiler``, ``corelet.runtime``,
``corelet.reports`` and ``corelet.library`` (standard corelets); ``corelet.decode`` reads a run's
spikes as numbers (``corelet.training.decode``). Importing ``corelet`` loads none of
them and changes no process-wide setting; names are resolved on first use. For BLAS threads see
``corelet.blas``.
"""

from __future__ import annotations

import importlib

_API = ("load", "compile", "run", "source_provenance")
_SUBPACKAGES = ("chip", "language", "compiler", "runtime", "reports", "library", "api", "cli", "blas",
                "distributed", "memory", "plots",
                "entry")

__all__ = ["load", "compile", "run", "__version__"]


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module("corelet.api"), name)
    if name == "decode":  # the decoders of a run's spikes (corelet.training.decode)
        return importlib.import_module("corelet.training.decode")
    if name == "__version__":
        return importlib.import_module("corelet.chip.version").__version__
    if name in _SUBPACKAGES:
        return importlib.import_module(f"corelet.{name}")
    raise AttributeError(f"module 'corelet' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API, *_SUBPACKAGES, "__version__", "decode"})
