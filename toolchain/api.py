"""One-call convenience API over the three stages.

>>> net = load("examples/skeleton.corelet")
>>> compiled = compile(net)
>>> result = run(compiled.model, ticks=12, inputs={"x": raster})
>>> result.outputs["y"]            # bool (batch, ticks, width)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from corelet import compiler
from corelet import language
from corelet import reports  # noqa: F401 (a ChipModel's notebook HTML: corelet.chip.display)
from corelet import runtime
from corelet.chip import TRUENORTH, ChipProfile
from corelet.chip.limits import Limits, using_limits
from corelet.chip.provenance import source_fields
from corelet.language import Network
from corelet.runtime import ChipModel


def load(source: str | os.PathLike, params: Mapping[str, object] | None = None, *,
         top: str | None = None, search_path: Sequence[str] = (),
         profile: ChipProfile = TRUENORTH, warnings: list | None = None,
         limits: Limits | None = None) -> Network:
    """Parse and elaborate a ``.corelet`` file into a logical ``Network``; ``limits`` (default:
    those in force, ``corelet.chip.limits``) bound what it may ask for."""
    with using_limits(limits):
        return language.elaborate_file(source, params=dict(params or {}), top=top,
                                       search_path=search_path, profile=profile,
                                       warnings=warnings)


def compile(network: Network | str | os.PathLike, *, placer: str = compiler.DEFAULT_PLACER,
            input_fanout: str = compiler.DEFAULT_INPUT_FANOUT, profile: ChipProfile = TRUENORTH, seed: int = 0,
            params: Mapping[str, object] | None = None, top: str | None = None,
            progress=None, limits: Limits | None = None):
    """Compile a ``Network`` (or a ``.corelet`` file) into a ``Compilation`` holding its ChipModel."""
    provenance = {}
    with using_limits(limits):
        if not isinstance(network, Network):
            path = Path(network)
            provenance = source_provenance(path, params or {})
            network = load(path, params, top=top, profile=profile)
        return compiler.compile_network(network, placer=placer, input_fanout=input_fanout,
                                        profile=profile, seed=seed, provenance=provenance,
                                        progress=progress)


def run(model: ChipModel | str | os.PathLike, ticks: int,
        inputs: Mapping[str, np.ndarray] | None = None, *, seed: int | None = None,
        batch: int | None = None, reset_at: Sequence[int] = (), probes: Sequence[str] = (),
        trace: bool = False, progress=None, limits: Limits | None = None, client=None,
        chunk: int | None = None):
    """Run a chip model (object, JSON file or ``Compilation``) and return its ``SimResult``.

    With a ``dask.distributed`` ``client`` the batch is split into chunks of ``chunk`` samples
    run on its workers (``corelet.distributed``): the same result, bit for bit, and
    ``progress(samples_done, batch)`` counts samples. Needs the ``distributed`` extra."""
    if hasattr(model, "model") and not isinstance(model, ChipModel):
        model = model.model
    with using_limits(limits):
        if not isinstance(model, ChipModel):
            model = ChipModel.load(model)
        fabric = runtime.fabric_from_model(model)
        options = dict(seed=model.seed if seed is None else seed, batch=batch, reset_at=reset_at,
                       probes=probes, trace=trace, progress=progress)
        if client is not None:
            from corelet import distributed
            return distributed.simulate_distributed(client, fabric, ticks, dict(inputs or {}),
                                                    chunk=chunk, **options)
        return runtime.simulate(fabric, ticks, dict(inputs or {}), **options)


def source_provenance(path: Path, params: Mapping[str, object],
                      relative_to: str | os.PathLike | None = None) -> dict:
    """Where a model came from, without timestamps: the source path relative to ``relative_to``
    (the model file's folder, so the model can find its source; default the working folder) and
    the parameter values (arrays by shape and hash). The hashes of every source file are added by
    the language (``Network.provenance["sources"]``); the compiler merges both into the model's
    ``Provenance`` (``corelet.chip.provenance``, where all of it is built). A neuron template given
    as an object is recorded by its name (``"neuron template relu"``)."""
    from corelet.language._values import Template

    described = {k: f"neuron template {v.name}"
                 if isinstance(v, (Template, language.builder.Template)) else v
                 for k, v in params.items()}
    return source_fields(path, described, relative_to)
