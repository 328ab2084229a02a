"""Spike files of the original toolchain: input spikes (``sfti``) to and from runtime inputs, and
output spikes in the original text layout.

An ``sfti`` file is text: header lines (JSON objects such as ``{"class":"SpikeWriter",...}`` and
``{"version":"sfti1.0", "defaultDestinationDelay": 1}``), then one
``{"spike":{"srcTime":t,"destCore":c,"destAxon":a}}`` per line, in time order. There a spike sent
at t with destination delay d is integrated in tick t + d; here a raster row r on an input route
with delay d' is integrated in tick r + d' - 1. ``sfti_inputs`` converts, through the model's input
routes, so the same ticks see the same spikes; ``inputs_sfti`` converts back. Conventions and
sources: ``docs/interop.md``.
"""

from __future__ import annotations

import json
import os

import attrs
import numpy as np

from corelet.chip.files import atomic_write, loads_json
from corelet.chip.model import ChipModel
from corelet.interop.errors import interop_error, InteropError, read_text
from corelet.interop.tn_model import output_codes

INPUT_HEADER = ('{"class":"SpikeWriter","encoding":"TEXT","nscsVersion":"1.4.0"}',
                '{"version":"sfti1.0", "defaultDestinationDelay" : 1}')
OUTPUT_HEADER = ('{"class":"SpikeWriter","encoding":"TEXT","nscsVersion":"1.4.0"}',
                 '{"version":"sfto1.0", "defaultDestinationDelay" : 1}')
DEFAULT_DELAY = 1


@attrs.frozen(eq=False)
class SpikeFile:
    """The spikes of an ``sfti`` file, one row each: send time, core id, axon, destination delay,
    and the line each came from (for messages)."""

    time: np.ndarray
    core: np.ndarray
    axon: np.ndarray
    delay: np.ndarray
    line: np.ndarray
    header: tuple = ()
    file: str = "<string>"

    def __len__(self) -> int:
        return len(self.time)


def read_sfti(path: str | os.PathLike) -> SpikeFile:
    """Read an ``sfti`` text spike file; ``InteropError`` naming the file, line and field."""
    return parse_sfti(read_text(path), str(path))


def parse_sfti(text: str, source: str = "<string>") -> SpikeFile:
    header: list[dict] = []
    rows: list[tuple[int, int, int, int, int]] = []
    default = DEFAULT_DELAY
    last = None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        try:
            item = loads_json(line)
        except json.JSONDecodeError as err:
            raise interop_error(source, line=number, text=f"not a JSON object: {err.msg}",
                                field="spike") from None
        if not isinstance(item, dict):
            raise interop_error(source, line=number, text="not a JSON object", field="spike")
        if "spike" not in item:
            if rows:
                raise interop_error(source, line=number, text="a header line after the first spike",
                                    field="spike")
            if item.get("encoding", "TEXT") != "TEXT":
                raise interop_error(source, line=number, text=f"encoding {item['encoding']!r}: only "
                                    "the TEXT encoding is read", field="encoding")
            if "defaultDestinationDelay" in item:
                default = _int(item["defaultDestinationDelay"], source, number,
                               "defaultDestinationDelay", low=1)
            header.append(item)
            continue
        spike = item["spike"]
        if not isinstance(spike, dict):
            raise interop_error(source, line=number, text="\"spike\" is not an object",
                                field="spike")
        t = _int(spike.get("srcTime"), source, number, "srcTime", low=0)
        core = _int(spike.get("destCore"), source, number, "destCore")
        axon = _int(spike.get("destAxon"), source, number, "destAxon", core=core)
        delay = _int(spike.get("destDelay", default), source, number, "destDelay", low=1, core=core)
        if last is not None and t < last:
            raise interop_error(source, line=number, text=f"srcTime {t} comes after srcTime {last}: "
                                "spikes must be in time order", field="srcTime", core=core, axon=axon)
        last = t
        rows.append((t, core, axon, delay, number))
    arr = np.array(rows, np.int64).reshape(-1, 5)
    return SpikeFile(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4], tuple(header), source)


def _int(value, source: str, number: int, field: str, low: int | None = None,
         core: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise interop_error(source, line=number, text=f"{field} = {value!r} is not an integer",
                            field=field, core=core)
    if low is not None and value < low:
        raise interop_error(source, line=number, text=f"{field} = {value} is below {low}",
                            field=field, core=core)
    return value


def _core_ids(model: ChipModel) -> np.ndarray:
    """The original core id of each of our cores (the id is the index unless the file said
    otherwise)."""
    imported = model.provenance.get("imported")
    ids = imported.get("core_ids") if isinstance(imported, dict) else None
    return np.asarray(ids if ids is not None else range(model.n_cores), np.int64)


def sfti_inputs(model: ChipModel, spikes: SpikeFile) -> dict[str, np.ndarray]:
    """Runtime inputs (connector -> bool raster (ticks, width)) that make the model's axons active
    in exactly the ticks the spike file does: a spike sent at t with delay d, integrated in tick
    t + d, becomes row t + d - d' + 1 of the pin whose route (delay d') reaches its core and axon.
    ``InteropError`` for a spike to a core or axon that does not exist or that no input route
    reaches, one that would need a row before 0, and a host fan-out pin whose other routes the
    file does not also name."""
    file = spikes.file
    ids = _core_ids(model)
    index_of = {int(cid): k for k, cid in enumerate(ids)}
    a = model.profile.axons_per_core
    # (core, axon) -> (connector number, pin, delay) of the first route that reaches it
    route: dict[int, tuple[int, int, int]] = {}
    for k, conn in enumerate(model.inputs):
        for pin, core, axon, delay in zip(conn.pin.tolist(), conn.core.tolist(), conn.axon.tolist(),
                                          conn.delay.tolist()):
            route.setdefault(core * a + axon, (k, pin, delay))
    hits: dict[int, set[tuple[int, int]]] = {}
    wanted: set[tuple[int, int, int]] = set()
    for t, cid, axon, d, line in zip(spikes.time.tolist(), spikes.core.tolist(),
                                     spikes.axon.tolist(), spikes.delay.tolist(),
                                     spikes.line.tolist()):
        if cid not in index_of:
            raise interop_error(file, line=line, text=f"destCore {cid} does not exist (the model has "
                                f"cores {_id_list(ids)})", field="destCore", core=cid, axon=axon)
        core = index_of[cid]
        if not 0 <= axon < a:
            raise interop_error(file, line=line, text=f"destAxon {axon} does not exist (a core has "
                                f"axons 0..{a - 1})", field="destAxon", core=cid, axon=axon)
        if core * a + axon not in route:
            raise interop_error(file, line=line, text=f"core {cid} axon {axon} is fed by no input "
                                "connector of the model", field="destAxon", core=cid, axon=axon)
        k, pin, delay = route[core * a + axon]
        tick = t + d
        row = tick - delay + 1
        if row < 0:
            raise interop_error(file, line=line, text=f"the spike is integrated in tick {tick}, before "
                                f"input '{model.inputs[k].name}' pin {pin} can reach core {cid} "
                                f"axon {axon} (its delay is {delay})", field="srcTime", core=cid,
                                axon=axon, connector=model.inputs[k].name, pin=pin)
        hits.setdefault(k, set()).add((row, pin))
        wanted.add((tick, core, axon))
    inputs = {}
    for k, cells in sorted(hits.items()):
        conn = model.inputs[k]
        rows, pins = np.array(sorted(cells), np.int64).T
        raster = np.zeros((int(rows.max()) + 1, conn.width), bool)
        raster[rows, pins] = True
        inputs[conn.name] = raster
    delivered = _delivered(model, inputs)
    extra = delivered - wanted
    if extra:
        tick, core, axon = min(extra)
        raise interop_error(file, f"core {ids[core]} axon {axon} would get a spike in tick {tick} "
                            "that the file does not send: it shares an input pin (host fan-out) with "
                            "an axon the file sends to", field="destAxon", core=int(ids[core]),
                            axon=axon)
    return inputs


def _delivered(model: ChipModel, inputs: dict) -> set[tuple[int, int, int]]:
    """(tick, core, axon) of every input spike the rasters deliver."""
    out: set[tuple[int, int, int]] = set()
    for conn in model.inputs:
        raster = inputs.get(conn.name)
        if raster is None:
            continue
        raster = np.asarray(raster)
        if raster.ndim == 3:
            if raster.shape[0] != 1:
                raise InteropError(f"input '{conn.name}' holds {raster.shape[0]} samples; a spike "
                                   "file holds one")
            raster = raster[0]
        rows, pins = np.nonzero(raster)
        for r, p in zip(rows.tolist(), pins.tolist()):
            for k in np.flatnonzero(conn.pin == p).tolist():
                out.add((r + int(conn.delay[k]) - 1, int(conn.core[k]), int(conn.axon[k])))
    return out


def inputs_sfti(model: ChipModel, inputs: dict, source: str = "<spikes>") -> str:
    """The ``sfti`` text of runtime inputs (one sample): each spike a route delivers in tick T is
    written as sent at T - 1 with the default destination delay 1."""
    names = {c.name for c in model.inputs}
    unknown = sorted(set(inputs) - names)
    if unknown:
        raise interop_error(source, f"input {unknown[0]!r} is not a connector of the model "
                            f"(it has {sorted(names)})", connector=unknown[0])
    ids = _core_ids(model)
    lines = list(INPUT_HEADER)
    for tick, core, axon in sorted(_delivered(model, inputs)):
        t = tick - DEFAULT_DELAY
        if t < 0:
            raise interop_error(source, f"an input spike reaches core {ids[core]} axon {axon} in "
                                f"tick {tick}; the format's earliest delivery is tick "
                                f"{DEFAULT_DELAY} (sent at 0 with delay {DEFAULT_DELAY})",
                                core=int(ids[core]), axon=axon,
                                hint="give the input route a larger delay or start the raster later")
        lines.append('{"spike":{"srcTime":%d,"destCore":%d,"destAxon":%d}}' % (t, ids[core], axon))
    return "\n".join(lines) + "\n"


def write_sfti(model: ChipModel, inputs: dict, path: str | os.PathLike) -> None:
    """Write ``inputs_sfti`` atomically."""
    atomic_write(path, inputs_sfti(model, inputs, str(path)))


def tn_output_addresses(model: ChipModel) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The original format's (destCore, destAxon) of each output pin, per connector."""
    return output_codes(model)


def output_spikes_text(model: ChipModel, outputs: dict, sample: int = 0) -> str:
    """A run's output spikes (``SimResult.outputs``) in the original text output layout: header
    lines, then ``{"spike":{"srcTime":t,"destCore":code,"destAxon":a}}`` per spike, where t is the
    tick the neuron fired and (code, a) its off-chip destination, in time order."""
    addresses = output_codes(model)
    found = []
    for name, raster in outputs.items():
        raster = np.asarray(raster)
        if raster.ndim == 3:
            raster = raster[sample]
        codes, axons = addresses[name]
        ticks, pins = np.nonzero(raster)
        found += zip(ticks.tolist(), (-codes[pins]).tolist(), axons[pins].tolist())
    lines = list(OUTPUT_HEADER)
    lines += ['{"spike":{"srcTime":%d,"destCore":%d,"destAxon":%d}}' % (t, -negcode, a)
              for t, negcode, a in sorted(found)]
    return "\n".join(lines) + "\n"


def _id_list(ids: np.ndarray) -> str:
    ids = ids.tolist()
    if ids == list(range(len(ids))):
        return f"0..{len(ids) - 1}"
    return ", ".join(map(str, ids[:8])) + (" ..." if len(ids) > 8 else "")
