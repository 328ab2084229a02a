"""Provenance: where a chip model came from and what the compiler did to it, as frozen typed records.

``Provenance`` holds the source file (path and parameter values, ``source_fields``), the hashes of
every source file (the language's ``Network.provenance``), the compiler version, the note of a
partial compile, and the ``CompileRecord`` (what placement and legalisation did: counts, added
latency, hops, per-population usage). It is built in one place, ``Provenance.build``, by the compiler
once everything it records is known, before the ``ChipModel`` exists; each class has
``to_json()``/``from_json()``.

``ChipModel.provenance`` stays the plain JSON object (``Provenance.to_json()``), and
``Provenance.of(model)`` reads it back typed. Kept a dict because the model file's provenance is an
open object: older files and other tools may hold keys or shapes this module does not know, and the
model reader, writer and the reports must keep or tolerate them byte for byte; a typed field in
``ChipModel`` would need a lossless escape hatch for those anyway. ``from_json`` is lossless in the
same way: whatever does not fit the typed fields (an unknown key, a value of another shape) is kept
as given in ``extra``, and the key order is kept, so ``from_json(d).to_json() == d`` key for key and
in the same order, and a model's bytes do not change by being read back. The order matters: JSON
objects are written in insertion order, and the compiler's provenance has always been
``{**network provenance, **caller's provenance, "compiler": ..., "compile": ...}``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Mapping

import attrs
import numpy as np

__all__ = ["Provenance", "CompileRecord", "RoleCounts", "LatencyRecord", "Hops", "PopulationUsage",
           "source_fields"]


# -- checks for from_json: a value is taken into a typed field only when it would be written back
# unchanged; anything else stays raw (``Provenance.extra``) -------------------------------------
def _int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not an integer: {value!r}")
    return value


def _str(value) -> str:
    if not isinstance(value, str):
        raise ValueError(f"not a string: {value!r}")
    return value


def _keys(data, keys: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
    """``data`` when it is an object with exactly ``keys`` in that order (``optional`` ones may be
    missing)."""
    if not isinstance(data, dict):
        raise ValueError(f"not an object: {data!r}")
    if list(data) != [k for k in keys if k in data or k not in optional]:
        raise ValueError(f"keys {list(data)} are not {list(keys)}")
    return data


def _list(value) -> list:
    if not isinstance(value, list):
        raise ValueError(f"not a list: {value!r}")
    return value


# -- the compile record ------------------------------------------------------------------------
@attrs.frozen
class RoleCounts:
    """Physical neurons by role."""

    original: int
    copy: int
    relay: int

    def to_json(self) -> dict:
        return {"original": self.original, "copy": self.copy, "relay": self.relay}

    @classmethod
    def from_json(cls, data) -> "RoleCounts":
        d = _keys(data, ("original", "copy", "relay"))
        return cls(_int(d["original"]), _int(d["copy"]), _int(d["relay"]))


@attrs.frozen
class LatencyRecord:
    """One group of connections delayed by legalisation: (source, axon type, delay, added ticks),
    how many connections, and the names of (at most 256 of) their targets."""

    source: str
    axon_type: int
    delay: int
    latency: int
    connections: int
    targets: tuple[str, ...]

    def to_json(self) -> dict:
        return {"source": self.source, "axon_type": self.axon_type, "delay": self.delay,
                "latency": self.latency, "connections": self.connections,
                "targets": list(self.targets)}

    @classmethod
    def from_json(cls, data) -> "LatencyRecord":
        d = _keys(data, ("source", "axon_type", "delay", "latency", "connections", "targets"))
        return cls(_str(d["source"]), _int(d["axon_type"]), _int(d["delay"]), _int(d["latency"]),
                   _int(d["connections"]), tuple(_str(t) for t in _list(d["targets"])))


@attrs.frozen
class Hops:
    """Route count, total, mean and largest hop distance between cores."""

    routes: int
    total: int
    mean: float
    max: int

    def to_json(self) -> dict:
        return {"routes": self.routes, "total": self.total, "mean": self.mean, "max": self.max}

    @classmethod
    def from_json(cls, data) -> "Hops":
        d = _keys(data, ("routes", "total", "mean", "max"))
        if isinstance(d["mean"], bool) or not isinstance(d["mean"], (int, float)):
            raise ValueError(f"not a number: {d['mean']!r}")
        return cls(_int(d["routes"]), _int(d["total"]), d["mean"], _int(d["max"]))


@attrs.frozen
class PopulationUsage:
    """Per population: its corelet, neurons, copies, relays and the cores it occupies."""

    path: str
    corelet: str | None
    neurons: int
    copies: int
    relays: int
    cores: tuple[int, ...]

    def to_json(self) -> dict:
        return {"path": self.path, "corelet": self.corelet, "neurons": self.neurons,
                "copies": self.copies, "relays": self.relays, "cores": list(self.cores)}

    @classmethod
    def from_json(cls, data) -> "PopulationUsage":
        d = _keys(data, ("path", "corelet", "neurons", "copies", "relays", "cores"))
        corelet = None if d["corelet"] is None else _str(d["corelet"])
        return cls(_str(d["path"]), corelet, _int(d["neurons"]), _int(d["copies"]),
                   _int(d["relays"]), tuple(_int(c) for c in _list(d["cores"])))


_RECORD_KEYS = ("placer", "input_fanout", "cores", "chips", "neurons", "copies", "relays", "hubs",
                "splitters", "axons", "synapses", "connections", "added_latency", "hops",
                "populations")


@attrs.frozen
class CompileRecord:
    """What the compiler did: ``model.provenance["compile"]``.

    ``synapses`` counts the crossbars' synapses (copies' columns and relays included),
    ``connections`` the network's logical connections; ``splitters`` the hubs fed by input pins.
    ``hops`` and ``populations`` are ``None`` only in a record read from a file that lacks them.
    """

    placer: str
    input_fanout: str
    cores: int
    chips: int
    neurons: RoleCounts
    copies: int
    relays: int
    hubs: int
    splitters: int
    axons: int
    synapses: int
    connections: int
    added_latency: tuple[LatencyRecord, ...]
    hops: Hops | None = None
    populations: tuple[PopulationUsage, ...] | None = None

    def to_json(self) -> dict:
        out = {"placer": self.placer, "input_fanout": self.input_fanout, "cores": self.cores,
               "chips": self.chips, "neurons": self.neurons.to_json(), "copies": self.copies,
               "relays": self.relays, "hubs": self.hubs, "splitters": self.splitters,
               "axons": self.axons, "synapses": self.synapses, "connections": self.connections,
               "added_latency": [r.to_json() for r in self.added_latency]}
        if self.hops is not None:
            out["hops"] = self.hops.to_json()
        if self.populations is not None:
            out["populations"] = [p.to_json() for p in self.populations]
        return out

    @classmethod
    def from_json(cls, data) -> "CompileRecord":
        """The typed record; ``ValueError`` when ``data`` is not one that ``to_json`` writes back
        unchanged (missing or unknown keys, another order, values of another type)."""
        d = _keys(data, _RECORD_KEYS, optional=("hops", "populations"))
        counts = {k: _int(d[k]) for k in ("cores", "chips", "copies", "relays", "hubs", "splitters",
                                          "axons", "synapses", "connections")}
        hops = Hops.from_json(d["hops"]) if "hops" in d else None
        pops = tuple(PopulationUsage.from_json(p) for p in _list(d["populations"])) \
            if "populations" in d else None
        return cls(placer=_str(d["placer"]), input_fanout=_str(d["input_fanout"]),
                   neurons=RoleCounts.from_json(d["neurons"]),
                   added_latency=tuple(LatencyRecord.from_json(r) for r in _list(d["added_latency"])),
                   hops=hops, populations=pops, **counts)


# -- provenance --------------------------------------------------------------------------------
_FIELDS = ("corelet", "sources", "source", "parameters", "partial", "compiler", "compile")


@attrs.frozen
class Provenance:
    """Where a model came from (see the module docstring); every field is optional.

    ``corelet`` and ``sources`` come from the language (``Network.provenance``: the top corelet's
    name; SHA-256 per source file), ``source`` and ``parameters`` from ``source_fields`` (the source
    file relative to the model's folder; the parameter values), ``partial`` is the first line of the
    placement error when the model holds only what did fit, ``compiler`` the compiler's version and
    ``compile`` its ``CompileRecord``. ``extra`` keeps every other key as given; ``order`` the key
    order of the JSON object (empty: the order of the fields, then ``extra``).
    """

    corelet: str | None = None
    sources: dict | None = None
    source: str | None = None
    parameters: dict | None = None
    partial: str | None = None
    compiler: str | None = None
    compile: CompileRecord | None = None
    extra: dict = attrs.field(factory=dict)
    order: tuple[str, ...] = attrs.field(default=(), eq=False, repr=False)

    @classmethod
    def build(cls, network: Mapping[str, Any], given: Mapping[str, Any] | None, *, compiler: str,
              record: CompileRecord) -> "Provenance":
        """The provenance of a compiled model: the network's (from the language), the caller's
        (``source_fields``, a partial-compile note, anything else), the compiler's version and
        record, later keys replacing earlier ones."""
        merged = {**network, **(given or {}), "compiler": None, "compile": None}
        order = tuple(merged)
        del merged["compiler"], merged["compile"]
        return attrs.evolve(cls.from_json(merged), compiler=compiler, compile=record, order=order)

    @classmethod
    def of(cls, model) -> "Provenance":
        """The provenance of a ``ChipModel`` (read from its JSON form)."""
        return cls.from_json(model.provenance if isinstance(model.provenance, dict) else {})

    def to_json(self) -> dict:
        values = {k: getattr(self, k) for k in _FIELDS if getattr(self, k) is not None}
        if self.compile is not None:
            values["compile"] = self.compile.to_json()
        values.update(self.extra)
        keys = [k for k in self.order if k in values] or list(values)
        out = {k: values[k] for k in keys}
        out.update({k: v for k, v in values.items() if k not in out})
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Provenance":
        """Lossless: a key whose value does not fit its typed field stays in ``extra``."""
        typed, extra = {}, {}
        for key, value in data.items():
            try:
                typed[key] = _FIELD_READERS[key](value)
            except (KeyError, ValueError):
                extra[key] = value
        return cls(**typed, extra=extra, order=tuple(data))


def _str_dict(value) -> dict:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError(f"not an object of strings: {value!r}")
    return value


def _dict(value) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"not an object: {value!r}")
    return value


_FIELD_READERS = {"corelet": _str, "sources": _str_dict, "source": _str, "parameters": _dict,
                  "partial": _str, "compiler": _str, "compile": CompileRecord.from_json}


# -- the source part ---------------------------------------------------------------------------
def source_fields(path: str | os.PathLike, params: Mapping[str, object],
                  relative_to: str | os.PathLike | None = None) -> dict:
    """``{"source": ..., "parameters": ...}`` without timestamps: the source path relative to
    ``relative_to`` (the model file's folder, so the model can find its source; default the working
    folder) and the parameter values (arrays by shape and hash)."""
    try:
        rel = os.path.relpath(Path(path).resolve(), Path(relative_to or ".").resolve())
    except ValueError:  # another drive on Windows
        rel = Path(path).name
    return {"source": Path(rel).as_posix(),
            "parameters": {k: _describe(v) for k, v in sorted(params.items())}}


def _describe(value) -> object:
    if isinstance(value, np.ndarray):
        return {"array": list(value.shape), "dtype": str(value.dtype),
                "sha256": hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()}
    if isinstance(value, (int, float, bool, str)):
        return value
    return repr(value)
