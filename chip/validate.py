"""Validation of a ``ChipModel``: every field in range, every reference resolvable.

Errors name the place: ``core 3 neuron 17: field 'weights' = 300 is outside [-255, 255]``. Up to
ten problems are reported at once, in core order: the ``ModelError``'s message is the first, the
others follow as notes; each is a ``Location`` in ``err.locations`` too (core, neuron slot or axon,
field, connector), labelled with its text.
"""

from __future__ import annotations

import functools

import numpy as np

from corelet.chip.cores import NO_TARGET, OUTPUT, ROLES, ModelError
from corelet.chip.errors import Location

MAX_REPORTED = 10


def validate_model(model, profile=None) -> None:
    """Raise ``ModelError`` unless ``model`` is legal for ``profile`` (default: its own)."""
    problems = _problems(model, profile or model.profile)
    if problems:
        more = ["... and more"] if len(problems) > MAX_REPORTED else []
        raise ModelError("invalid chip model: " + problems[0].label,
                         locations=problems[:MAX_REPORTED], notes=more)


def _problems(model, p) -> list[Location]:
    c = model.cores
    a, n = p.axons_per_core, p.neurons_per_core
    out: list[Location] = []
    shape_ok = (c.axon_type.shape[1:] == (a,) and c.crossbar.shape[1:] == (a, n // 8)
                and c.neuron_path.shape[1:] == (n,) and len(c.params) == c.n_cores * n)
    if not shape_ok:
        return [Location(label=f"cores must have {a} axons, {n} neurons and a {a} x {n} crossbar "
                f"(got crossbar {tuple(c.crossbar.shape[1:])}, neurons {c.neuron_path.shape[1:]})")]
    used = c.neuron_path >= 0
    for v in c.params.violations(p, limit=MAX_REPORTED + 1):
        core, neuron = divmod(v.row, n)
        if used[core, neuron]:
            out.append(Location(core=core, slot=neuron, field=v.field,
                                label=f"core {core} neuron {neuron}: field '{v.field}' = {v.value} "
                                f"{v.problem()}"))
    _check(out, used, c.neuron_path >= len(model.paths), "path", c.neuron_path, f"< {len(model.paths)}")
    _check(out, used, (c.neuron_role < 0) | (c.neuron_role >= len(ROLES)), "role", c.neuron_role,
           f"in 0..{len(ROLES) - 1}")
    to_axon = used & (c.target_core >= 0)
    _check(out, used, (c.target_core < OUTPUT) | (c.target_core >= c.n_cores), "target_core",
           c.target_core, f"a core 0..{c.n_cores - 1}, {OUTPUT} (output) or {NO_TARGET} (none)")
    _check(out, to_axon, (c.target_axon < 0) | (c.target_axon >= a), "target_axon", c.target_axon,
           f"in 0..{a - 1}")
    lo, hi = p.delay_range
    _check(out, to_axon, (c.delay < lo) | (c.delay > hi), "delay", c.delay, f"in {lo}..{hi}")
    _axon_problems(model, p, out)
    _connector_problems(model, p, out)
    return out


def _check(out, mask, bad, field, values, allowed) -> None:
    cores, neurons = np.nonzero(mask & bad)
    for core, neuron in zip(cores[:MAX_REPORTED], neurons[:MAX_REPORTED]):
        out.append(Location(core=core, slot=neuron, field=field,
                            label=f"core {core} neuron {neuron}: field '{field}' = "
                            f"{values[core, neuron]} is not {allowed}"))


def _axon_problems(model, profile, out: list[Location]) -> None:
    c, types = model.cores, profile.axon_types
    bad = (c.axon_type < 0) | (c.axon_type >= types)
    for core, axon in zip(*(i[:MAX_REPORTED] for i in np.nonzero(bad))):
        out.append(Location(core=core, axon=axon, field="type",
                            label=f"core {core} axon {axon}: field 'type' = {c.axon_type[core, axon]} "
                            f"is not in 0..{types - 1}"))
    bad = c.axon_path >= len(model.paths)
    for core, axon in zip(*(i[:MAX_REPORTED] for i in np.nonzero(bad))):
        out.append(Location(core=core, axon=axon, field="path",
                            label=f"core {core} axon {axon}: field 'path' = {c.axon_path[core, axon]} "
                            f"is not < {len(model.paths)}"))
    rows, cols = profile.grid
    coords = c.coords
    bad = ((coords[:, 0] < 0) | (coords[:, 0] >= profile.max_chips) | (coords[:, 1] < 0)
           | (coords[:, 1] >= rows) | (coords[:, 2] < 0) | (coords[:, 2] >= cols))
    for core in np.flatnonzero(bad)[:MAX_REPORTED]:
        out.append(Location(core=core, field="coordinates",
                            label=f"core {core}: coordinates {coords[core].tolist()} are off the "
                            f"{profile.max_chips} x {rows} x {cols} grid"))
    if len(coords):
        _, first, counts = np.unique(coords, axis=0, return_index=True, return_counts=True)
        for i in np.flatnonzero(counts > 1)[:MAX_REPORTED]:
            out.append(Location(core=first[i], field="coordinates",
                                label=f"core {first[i]}: coordinates {coords[first[i]].tolist()} "
                                f"are used by {counts[i]} cores"))


def _connector_problems(model, p, out: list[Location]) -> None:
    c = model.cores
    lo, hi = p.delay_range
    for conn in model.inputs:
        problem = functools.partial(_route_problem, conn)
        if len(conn.pin) and (conn.pin.min() < 0 or conn.pin.max() >= conn.width):
            out.append(problem("pin", f"a route names pin {conn.pin.max()} of a {conn.width}-pin "
                               "connector"))
        if len(conn.core) and (conn.core.min() < 0 or conn.core.max() >= c.n_cores):
            out.append(problem("core", f"a route names core {conn.core.max()}, the model has "
                               f"{c.n_cores}"))
        if len(conn.axon) and (conn.axon.min() < 0 or conn.axon.max() >= p.axons_per_core):
            out.append(problem("axon", f"a route names axon {conn.axon.max()}, cores have "
                               f"{p.axons_per_core}"))
        if len(conn.delay) and (conn.delay.min() < lo or conn.delay.max() > hi):
            out.append(problem("delay", f"route delay outside {lo}..{hi}"))
    for conn in model.outputs:
        where = f"output '{conn.name}'"
        if len(conn.core) and (conn.core.min() < 0 or conn.core.max() >= c.n_cores
                               or conn.neuron.min() < 0 or conn.neuron.max() >= p.neurons_per_core):
            out.append(Location(connector=conn.name, label=f"{where}: names a neuron outside the "
                                "model"))
            continue
        wrong = c.target_core[conn.core, conn.neuron] != OUTPUT
        for i in np.flatnonzero(wrong)[:MAX_REPORTED]:
            out.append(Location(connector=conn.name, pin=i, core=conn.core[i], slot=conn.neuron[i],
                                label=f"{where} pin {i}: core {conn.core[i]} neuron "
                                f"{conn.neuron[i]} does not target an output pin"))


def _route_problem(conn, field: str, text: str) -> Location:
    """A problem with a field of input connector ``conn``'s routes."""
    return Location(connector=conn.name, field=field, label=f"input '{conn.name}': {text}")
