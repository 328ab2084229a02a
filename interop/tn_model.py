"""The original toolchain's model files ("makeModel" JSON) to and from a ``ChipModel``.

The format (see ``docs/interop.md`` for every field, the conventions and their sources) is JSON
with ``/* */`` comments and one ``"core"`` key per core at the top level; each core names a
crossbar prototype from ``crossbarTypes`` (one row per axon: its type ``S0``..``S3`` and 32 hex
bytes of synapses) and gives five per-neuron columns in run-length strings (``dendrites``,
``types``, ``destCores``, ``destAxons``, ``destDelays``); ``types`` index the ``neuronTypes``
library, whose entries store each signed value as a sign and a magnitude and the reset value as a
sign and an exponent, R = sigma_VR * (2^VR - 1).

Import builds our own JSON form of the model (``corelet.chip.model_json``) and reads it with the
shared reader, so both formats end in one checked ``ChipModel``. What the original format has no
place for (names, roles, axon sources, connectors, seed, provenance, coordinates, the profile)
travels in the extension key ``"corelet"``: our JSON form less the fields the original ones
already carry. Without it (a file written by the original tools) names, ids and connectors are
derived from (core id, neuron) as ``docs/interop.md`` says.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np

from corelet.chip import _runs
from corelet.chip.arrays import unique_rows
from corelet.chip.cores import NO_TARGET, OUTPUT, ModelError
from corelet.chip.files import atomic_write, gc_paused, loads_json
from corelet.chip.model import ChipModel
from corelet.chip.model_json import FORMAT, VERSION, parse_json
from corelet.chip.profile import TRUENORTH
from corelet.interop.errors import interop_error, InteropError, read_text
from corelet.interop.tn_runs import RunError, format_column, parse_column

EXTENSION_KEY = "corelet"
NEURON_CLASS = "NeuronGeneral"
CROSSBAR_CLASS = "CrossbarBinary"
# A raster row t of an imported model's input connector is integrated in tick t + 1, like a spike
# sent at t with the original format's default destination delay of 1 (docs/interop.md).
INPUT_DELAY = 2
FIRST_OUTPUT_CODE = -32  # the original tools' first off-chip destination (MonitorTnk.startingCoreId)
COLUMNS = ("dendrites", "types", "destCores", "destAxons", "destDelays")
TYPE_FIELDS = ("sigma0", "sigma1", "sigma2", "sigma3", "s0", "s1", "s2", "s3", "b0", "b1", "b2", "b3",
               "sigma_lambda", "lambda", "c_lambda", "epsilon", "alpha", "beta", "TM", "gamma",
               "kappa", "sigma_VR", "VR", "V")
_FLAGS = {"b0", "b1", "b2", "b3", "c_lambda", "epsilon", "kappa"}
_SIGNS = {"sigma0", "sigma1", "sigma2", "sigma3", "sigma_lambda", "sigma_VR"}
_TYPE_NAME = re.compile(r"^N([0-9A-Fa-f]+)$")


# == reading ======================================================================================
def read_tn_model(path: str | os.PathLike) -> ChipModel:
    """Read and validate a makeModel JSON file; ``InteropError`` (or ``ModelError``) naming the
    file, the core and the field of the first problem."""
    return parse_tn_model(read_text(path), str(path))


def is_tn_model_file(path: str | os.PathLike) -> bool:
    """Whether the file at ``path`` looks like a makeModel file, from its first 4 KiB (a file that
    cannot be read is not: its reader will say why)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return False
    return is_tn_model_text(head)


def is_tn_model_text(text: str) -> bool:
    """Whether ``text`` looks like a makeModel file rather than our own chip model format."""
    head = text[:4096]
    return f'"{FORMAT}"' not in head and ('"neuronTypes"' in text or '"core"' in head
                                          or "/*" in head)


def parse_tn_model(text: str, source: str = "<string>") -> ChipModel:
    """The ``ChipModel`` a makeModel JSON text describes (validated)."""
    data = _decode(text, source)
    ours = _Importer(data, source).our_json()
    try:
        model = ChipModel(**parse_json(ours, source))
        model.validate()
    except ModelError as err:
        if not err.message.startswith(source):
            err.in_file(source)
        raise
    return model


class _Object(dict):
    """A JSON object that remembers its pairs in order (the ``"core"`` key repeats)."""

    pairs: list


def _hook(pairs):
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    obj = _Object(obj)
    obj.pairs = pairs
    return obj


def _strip_comments(text: str, source: str) -> str:
    """``text`` with each ``/* */`` comment blanked (newlines kept, so JSON errors keep their line
    numbers); a ``/*`` inside a string is left alone (JSON strings never span lines, so the quotes
    before it on its line say whether it is in one)."""
    parts, pos, after_comment, search = [], 0, 0, 0
    while (start := text.find("/*", search)) >= 0:
        line_start = max(text.rfind("\n", 0, start) + 1, after_comment)
        before = text[line_start:start].replace("\\\\", "").replace('\\"', "")
        if before.count('"') % 2:  # inside a string
            search = start + 2
            continue
        end = text.find("*/", start + 2)
        if end < 0:
            line = text.count("\n", 0, start) + 1
            raise interop_error(source, f"line {line}: a '/*' comment is never closed")
        parts.append(text[pos:start])
        parts.append(re.sub(r"[^\n]", " ", text[start:end + 2]))
        pos = search = after_comment = end + 2
    parts.append(text[pos:])
    return "".join(parts)


def _decode(text: str, source: str) -> _Object:
    stripped = _strip_comments(text, source)
    try:
        with gc_paused():
            data = loads_json(stripped, object_pairs_hook=_hook)
    except json.JSONDecodeError as err:
        raise interop_error(source, f"line {err.lineno} column {err.colno}: not JSON: {err.msg}") from None
    if not isinstance(data, dict):
        raise interop_error(source, "not a makeModel file: the top level is not an object")
    if not isinstance(data, _Object):
        data = _Object(data)
        data.pairs = list(data.items())
    for key, _ in data.pairs:
        if key != "core" and sum(1 for k, _ in data.pairs if k == key) > 1:
            raise interop_error(source, f"the top-level key '{key}' appears more than once "
                                "(only \"core\" repeats)", field=key)
    return data


_KINDS = {f"S{g}": g for g in range(16)}


def _fast_rows(rows: list, n: int, types: int):
    """The rows' axon types and synapses when every row is well formed, else ``None`` (the
    caller then reads them one by one and names the first bad one)."""
    try:
        kinds = [_KINDS[r["type"]] for r in rows]
        hexes = "".join(r["synapses"] for r in rows).replace(" ", "")
    except (KeyError, TypeError):
        return None
    if max(kinds) >= types or len(hexes) != len(rows) * n // 4:
        return None
    try:
        raw = np.frombuffer(bytes.fromhex(hexes), np.uint8).reshape(len(rows), n // 8)
    except ValueError:
        return None
    if any(len(r["synapses"].replace(" ", "")) != n // 4 for r in rows):
        return None
    return np.array(kinds, np.int64), np.unpackbits(raw, axis=1).astype(bool)


class _Importer:
    """One makeModel file, read into our JSON form (``our_json``)."""

    def __init__(self, data: _Object, source: str):
        self.data, self.file = data, source
        self.profile = TRUENORTH
        self.n = self.profile.neurons_per_core
        self.a = self.profile.axons_per_core

    def error(self, text: str, **place) -> InteropError:
        return interop_error(self.file, text, **place)

    # -- the parts --------------------------------------------------------------------------
    def our_json(self) -> dict:
        self._check_model_block()
        self.crossbars = self._crossbar_library()
        self.types, self.type_entries = self._neuron_library()
        raw_cores = [value for key, value in self.data.pairs if key == "core"]
        if not raw_cores:
            raise self.error("the file has no \"core\" entries", field="core")
        count = self.data.get("model", {}).get("coreCount")
        if count is not None and count != len(raw_cores):
            raise self.error(f"\"coreCount\" is {count} but the file has {len(raw_cores)} \"core\" "
                             "entries", field="model.coreCount")
        cores = [self._core(item, k) for k, item in enumerate(raw_cores)]
        ids = [c["id"] for c in cores]
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise self.error(f"core id {dup} is used by {ids.count(dup)} cores", core=dup, field="id")
        cores.sort(key=lambda c: c["id"])
        self.index_of = {c["id"]: k for k, c in enumerate(cores)}
        ext = self.data.get(EXTENSION_KEY)
        if ext is not None:
            return self._with_extension(cores, ext)
        return self._derived(cores)

    def _check_model_block(self) -> None:
        block = self.data.get("model", {})
        if not isinstance(block, dict):
            raise self.error("field 'model' must be an object", field="model")
        expected = {"crossbarSize": self.n, "neuronclass": NEURON_CLASS,
                    "crossbarclass": CROSSBAR_CLASS}
        for key, value in expected.items():
            if key in block and block[key] != value:
                raise self.error(f"{key} = {block[key]!r} is not supported (this importer reads "
                                 f"{value!r})", field=f"model.{key}")

    def _crossbar_library(self) -> dict:
        library = {}
        items = self.data.get("crossbarTypes", [])
        if not isinstance(items, list):
            raise self.error("field 'crossbarTypes' must be a list", field="crossbarTypes")
        for k, item in enumerate(items):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                raise self.error(f"crossbarTypes[{k}] has no \"name\"", field=f"crossbarTypes[{k}]")
            if name in library:
                raise self.error(f"crossbar type {name!r} is defined twice",
                                 field=f"crossbarTypes[{name}]")
            crossbar = item.get("crossbar")
            rows = crossbar.get("rows") if isinstance(crossbar, dict) else None
            library[name] = self._rows(rows, f"crossbarTypes[{name}].crossbar.rows", None)
        return library

    def _rows(self, rows, field: str, core: int | None):
        """Axon types (A,) and synapses (A, N) of a crossbar's rows."""
        if not isinstance(rows, list) or len(rows) != self.a:
            got = len(rows) if isinstance(rows, list) else "no list of"
            raise self.error(f"has {got} rows; a crossbar has one row per axon ({self.a})",
                             core=core, field=field)
        fast = _fast_rows(rows, self.n, self.profile.axon_types)
        if fast is not None:
            return fast
        types = np.zeros(self.a, np.int64)
        synapses = np.zeros((self.a, self.n), bool)
        for i, row in enumerate(rows):
            where = f"{field}[{i}]"
            if not isinstance(row, dict) or not isinstance(row.get("type"), str) \
                    or not isinstance(row.get("synapses"), str):
                raise self.error("a row must be {\"type\": \"S0\"..\"S3\", \"synapses\": HEX}",
                                 core=core, field=where, axon=i)
            kind = row["type"]
            if not re.fullmatch(r"S[0-9]+", kind) or int(kind[1:]) >= self.profile.axon_types:
                raise self.error(f"axon type {kind!r} is not S0..S{self.profile.axon_types - 1}",
                                 core=core, field=f"{where}.type", axon=i)
            types[i] = int(kind[1:])
            digits = row["synapses"].replace(" ", "")
            try:
                raw = bytes.fromhex(digits)
            except ValueError:
                raise self.error(f"synapses {row['synapses'][:40]!r} are not hex bytes",
                                 core=core, field=f"{where}.synapses", axon=i) from None
            if len(raw) * 8 != self.n:
                raise self.error(f"the row has {len(raw) * 8} synapses; a crossbar row has one "
                                 f"per neuron ({self.n}, {self.n // 8} hex bytes)",
                                 core=core, field=f"{where}.synapses", axon=i)
            synapses[i] = np.unpackbits(np.frombuffer(raw, np.uint8)).astype(bool)
        return types, synapses

    def _neuron_library(self):
        items = self.data.get("neuronTypes")
        if not isinstance(items, list):
            raise self.error("field 'neuronTypes' must be a list of neuron types",
                             field="neuronTypes")
        names = [item.get("name") if isinstance(item, dict) else None for item in items]
        by_name = all(isinstance(n, str) and _TYPE_NAME.match(n) for n in names)
        types: dict[int, dict] = {}
        entries: dict[int, str] = {}
        for k, item in enumerate(items):
            type_id = int(_TYPE_NAME.match(names[k])[1], 16) if by_name else k + 1
            label = names[k] if isinstance(names[k], str) else f"neuronTypes[{k}]"
            if type_id in types:
                raise self.error(f"neuron type {label!r} has the same number ({type_id}) as "
                                 f"{entries[type_id]!r}", field=f"neuronTypes[{label}].name")
            types[type_id] = self._params(item, label)
            entries[type_id] = label
        return types, entries

    def _params(self, item: dict, label: str) -> dict:
        """Our neuron parameters (``NEURON_FIELDS``) from one neuron type's fields."""
        field = f"neuronTypes[{label}]"
        cls = item.get("class", NEURON_CLASS)
        if cls != NEURON_CLASS:
            raise self.error(f"neuron class {cls!r} is not supported (only {NEURON_CLASS!r})",
                             field=f"{field}.class")
        v = {}
        for name in TYPE_FIELDS:
            if name not in item:
                raise self.error(f"field '{name}' is missing", field=f"{field}.{name}")
            value = item[name]
            if name in _FLAGS and isinstance(value, bool):
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise self.error(f"{name} = {value!r} is not an integer", field=f"{field}.{name}")
            if name in _FLAGS and value not in (0, 1):
                raise self.error(f"{name} = {value} is not a flag (true/false)",
                                 field=f"{field}.{name}")
            if name in _SIGNS and value not in (-1, 1):
                raise self.error(f"{name} = {value} is not a sign (1 or -1)", field=f"{field}.{name}")
            v[name] = value
        for name in ("s0", "s1", "s2", "s3", "lambda"):
            if not 0 <= v[name] <= 255:
                raise self.error(f"{name} = {v[name]} is not a magnitude 0..255",
                                 field=f"{field}.{name}")
        if not 0 <= v["VR"] <= 17:
            raise self.error(f"VR = {v['VR']} is outside 0..17 (the reset value "
                             "sigma_VR * (2^VR - 1) must fit 18 bits)", field=f"{field}.VR")
        return {
            "weights": [v[f"sigma{g}"] * v[f"s{g}"] for g in range(4)],
            "stochastic_weights": [v[f"b{g}"] for g in range(4)],
            "leak": v["sigma_lambda"] * v["lambda"],
            "stochastic_leak": v["c_lambda"],
            "leak_reversal": v["epsilon"],
            "threshold": v["alpha"],
            "neg_threshold": v["beta"],
            "threshold_mask": v["TM"],
            "reset_mode": v["gamma"],
            "neg_mode": v["kappa"],
            "reset_value": v["sigma_VR"] * (2 ** v["VR"] - 1),
            "initial": v["V"],
        }

    def _core(self, item, k: int) -> dict:
        """One core's id, columns and crossbar, checked (names use the file's core id)."""
        if not isinstance(item, dict):
            raise self.error(f"\"core\" entry {k} is not an object", field="core")
        cid = item.get("id")
        if isinstance(cid, bool) or not isinstance(cid, int) or cid < 0:
            raise self.error(f"\"core\" entry {k} has no core id (a non-negative integer)",
                             field="id")
        scale = item.get("timeScaleExponent", 0)
        if scale != 0:
            raise self.error(f"timeScaleExponent = {scale!r}: only 0 (one tick per tick) can be "
                             "simulated", core=cid, field="timeScaleExponent")
        seed = item.get("rngSeed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
            raise self.error(f"rngSeed = {seed!r} is not a 32-bit unsigned integer", core=cid,
                             field="rngSeed")
        neurons = item.get("neurons")
        if not isinstance(neurons, dict):
            raise self.error("field 'neurons' must be an object of columns", core=cid,
                             field="neurons")
        cols = {}
        for name in COLUMNS:
            if name not in neurons:
                if name == "dendrites":
                    cols[name] = np.arange(self.n)
                    continue
                raise self.error(f"column '{name}' is missing", core=cid, field=f"neurons.{name}")
            try:
                cols[name] = parse_column(neurons[name], self.n)
            except RunError as err:
                raise self.error(str(err), core=cid, field=f"neurons.{name}") from None
        crossbar = item.get("crossbar")
        if isinstance(crossbar, dict) and "name" in crossbar:
            if crossbar["name"] not in self.crossbars:
                raise self.error(f"crossbar type {crossbar['name']!r} is not in crossbarTypes",
                                 core=cid, field="crossbar.name")
            axon_type, rows = self.crossbars[crossbar["name"]]
        elif isinstance(crossbar, dict):
            axon_type, rows = self._rows(crossbar.get("rows"), "crossbar.rows", cid)
        else:
            raise self.error("field 'crossbar' must name a crossbar type or hold its rows",
                             core=cid, field="crossbar")
        self._check_columns(cid, cols)
        synapses = rows[:, cols["dendrites"]]  # neuron j integrates crossbar column dendrites[j]
        return {"id": cid, "cols": cols, "axon_type": axon_type, "synapses": synapses}

    def _check_columns(self, cid: int, cols: dict) -> None:
        types, dend = cols["types"], cols["dendrites"]
        bad = (dend < 0) | (dend >= self.n)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise self.error(f"neuron {j}: dendrite {dend[j]} is not a crossbar column "
                             f"0..{self.n - 1}", core=cid, slot=j, field="neurons.dendrites")
        unknown = (types != 0) & ~np.isin(types, list(self.types))
        if unknown.any():
            j = int(np.flatnonzero(unknown)[0])
            known = ", ".join(f"{k} ({self.type_entries[k]})" for k in sorted(self.types)) or "none"
            raise self.error(f"neuron {j}: neuron type {types[j]} is not in neuronTypes (0 is "
                             f"an unused neuron; the library has {known})", core=cid, slot=j,
                             field="neurons.types")
        used = types != 0
        routed = used & (cols["destCores"] >= 0)
        for name, low, high in (("destAxons", 0, self.a - 1),
                                ("destDelays", *self.profile.delay_range)):
            col = cols[name]
            bad = routed & ((col < low) | (col > high))
            if bad.any():
                j = int(np.flatnonzero(bad)[0])
                raise self.error(f"neuron {j}: {name[:-1]} {col[j]} is outside {low}..{high}",
                                 core=cid, slot=j, field=f"neurons.{name}")
        for name, (low, high) in (("destAxons", (-2**15, 2**15 - 1)), ("destDelays", (-128, 127))):
            col = cols[name]
            bad = (col < low) | (col > high)
            if bad.any():
                j = int(np.flatnonzero(bad)[0])
                raise self.error(f"neuron {j}: {col[j]} does not fit the field", core=cid, slot=j,
                                 field=f"neurons.{name}")

    def _targets(self, core: dict) -> np.ndarray:
        """Our ``target_core`` column: core index, ``OUTPUT`` or ``NO_TARGET``."""
        dest = core["cols"]["destCores"]
        used = core["cols"]["types"] != 0
        out = np.where(dest == -1, NO_TARGET, OUTPUT).astype(np.int64)
        on_chip = dest >= 0
        missing = used & on_chip & ~np.isin(dest, list(self.index_of))
        if missing.any():
            j = int(np.flatnonzero(missing)[0])
            raise self.error(f"neuron {j} targets core {dest[j]}, which the file does not hold "
                             f"(it has cores {sorted(self.index_of)[:8]}...)", core=core["id"],
                             slot=j, field="neurons.destCores")
        out[on_chip] = [self.index_of.get(int(d), NO_TARGET) for d in dest[on_chip]]
        return out

    # -- our JSON form ----------------------------------------------------------------------
    def _type_table(self, cores: list[dict]):
        used_ids = sorted({int(t) for c in cores for t in c["cols"]["types"] if t != 0})
        position = {t: k for k, t in enumerate(used_ids)}
        table = [self.types[t] for t in used_ids]
        return table, position

    def _base_cores(self, cores: list[dict]) -> list[dict]:
        table_pos = self.type_pos
        out = []
        for k, core in enumerate(cores):
            cols = core["cols"]
            type_col = np.array([table_pos.get(int(t), -1) for t in cols["types"]], np.int64)
            packed = np.packbits(core["synapses"], axis=1)
            out.append({
                "id": k,
                "axons": {"type": core["axon_type"].tolist()},
                "neurons": {"type": type_col.tolist(), "target_core": self._targets(core).tolist(),
                            "target_axon": cols["destAxons"].tolist(),
                            "delay": cols["destDelays"].tolist()},
                "crossbar": [bytes(r).hex().rstrip("0") for r in packed],
            })
        return out

    def _with_extension(self, cores: list[dict], ext) -> dict:
        if not isinstance(ext, dict) or ext.get("format") != FORMAT:
            raise self.error(f"the extension \"{EXTENSION_KEY}\" is not a corelet chip model "
                             f"extension (\"format\": \"{FORMAT}\")", field=EXTENSION_KEY)
        ext_cores = ext.get("cores")
        if not isinstance(ext_cores, list) or len(ext_cores) != len(cores):
            have = len(ext_cores) if isinstance(ext_cores, list) else "no"
            raise self.error(f"the extension describes {have} cores but the file has "
                             f"{len(cores)}: it is stale (edit the file without it, or export "
                             "again)", field=f"{EXTENSION_KEY}.cores")
        table, self.type_pos = self._type_table(cores)
        base = self._base_cores(cores)
        merged = []
        for k, (ours, extra) in enumerate(zip(base, ext_cores)):
            if not isinstance(extra, dict) or not isinstance(extra.get("axons"), dict) \
                    or not isinstance(extra.get("neurons"), dict):
                raise self.error(f"extension core {k} is not an object with 'axons' and 'neurons'",
                                 core=cores[k]["id"], field=f"{EXTENSION_KEY}.cores[{k}]")
            core = {key: value for key, value in extra.items() if key not in ("axons", "neurons")}
            core.update(id=k, crossbar=ours["crossbar"])
            core["axons"] = {**extra["axons"], **ours["axons"]}
            neurons = {**extra["neurons"], **ours["neurons"]}
            if "target_axon" in extra["neurons"]:  # on-chip targets: the original field wins
                try:
                    kept = _runs.decode(extra["neurons"]["target_axon"])
                except (TypeError, ValueError, KeyError) as err:
                    raise self.error(f"extension core {k}: target_axon is not a column: {err}",
                                     core=cores[k]["id"], field=f"{EXTENSION_KEY}.target_axon") from None
                target = np.asarray(ours["neurons"]["target_core"])
                if len(kept) == len(target):
                    neurons["target_axon"] = np.where(
                        target >= 0, ours["neurons"]["target_axon"], kept).tolist()
            core["neurons"] = neurons
            merged.append(core)
        return {**ext, "neuron_types": table, "cores": merged}

    def _derived(self, cores: list[dict]) -> dict:
        """Our JSON form with names, ids and connectors derived from (core id, neuron)."""
        table, self.type_pos = self._type_table(cores)
        base = self._base_cores(cores)
        n, a = self.n, self.a
        ids = [c["id"] for c in cores]
        neuron_paths = [f"core{cid}" for cid in ids]
        input_paths = [f"core{cid}.axon" for cid in ids]
        paths = neuron_paths + input_paths
        used = np.array([c["cols"]["types"] != 0 for c in cores])  # (C, N)
        target = np.array([b["neurons"]["target_core"] for b in base])
        taxon = np.array([c["cols"]["destAxons"] for c in cores])
        # axon sources: the first neuron (in core, neuron order) that targets an axon, else the
        # core's input connector (pin = axon)
        axon_path = np.repeat((len(cores) + np.arange(len(cores)))[:, None], a, axis=1)
        axon_index = np.tile(np.arange(a), (len(cores), 1))
        src_core, src_slot = np.nonzero(used & (target >= 0))
        if len(src_core):
            keys = target[src_core, src_slot] * a + taxon[src_core, src_slot]
            _, first = np.unique(keys, return_index=True)
            tc, ta = divmod(keys[first], a)
            axon_path[tc, ta] = src_core[first]
            axon_index[tc, ta] = src_slot[first]
        provenance = {"imported": {"format": "makeModel", "file": Path(self.file).name}}
        build_key = self.data.get("model", {}).get("buildKey64")
        if isinstance(build_key, str):
            provenance["imported"]["buildKey64"] = build_key
        if ids != list(range(len(ids))):
            provenance["imported"]["core_ids"] = ids
        outputs, codes = self._derived_outputs(cores, used, target, taxon)
        if codes:
            provenance["imported"]["output_codes"] = codes
        rows, cols = self.profile.grid
        per_chip = rows * cols
        for k, (core, cid) in enumerate(zip(base, ids)):
            chip, rest = divmod(cid, per_chip)
            if chip >= self.profile.max_chips:
                raise self.error(f"core id {cid} is beyond {self.profile.max_chips} chips of "
                                 f"{per_chip} cores", core=cid, field="id")
            core.update(chip=chip, row=rest // cols, col=rest % cols)
            core["axons"].update(path=axon_path[k].tolist(), index=axon_index[k].tolist())
            core["neurons"].update(path=np.where(used[k], k, -1).tolist(),
                                   index=np.where(used[k], np.arange(n), 0).tolist(),
                                   role=[0] * n)
        inputs = [{"name": name, "width": a, "pin": list(range(a)), "core": [k] * a,
                   "axon": list(range(a)), "delay": [INPUT_DELAY] * a}
                  for k, name in enumerate(input_paths)]
        return {"format": FORMAT, "version": VERSION, "profile": self.profile.to_json(),
                "seed": 0, "provenance": provenance, "paths": paths, "neuron_types": table,
                "inputs": inputs, "outputs": outputs, "cores": base}

    def _derived_outputs(self, cores, used, target, taxon):
        """One output connector per off-chip destination code (``out32`` for -32), pins in
        (destAxon, core, neuron) order."""
        dest = np.array([c["cols"]["destCores"] for c in cores])
        at_out = used & (target == OUTPUT)
        outputs, codes = [], {}
        for code in sorted({int(d) for d in dest[at_out]}, reverse=True):
            core, slot = np.nonzero(at_out & (dest == code))
            order = np.lexsort((slot, core, taxon[core, slot]))
            name = f"out{-code}"
            outputs.append({"name": name, "core": core[order].tolist(),
                            "neuron": slot[order].tolist()})
            codes[name] = code
        return outputs, codes


# == writing ======================================================================================
def write_tn_model(model: ChipModel, path: str | os.PathLike) -> None:
    """Write ``model`` as a makeModel JSON file, atomically (nothing is written on an error)."""
    atomic_write(path, tn_model_text(model, str(path)))


def output_codes(model: ChipModel) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The original format's (destCore, destAxon) of each output pin, per output connector.

    A model read from a file without our extension keeps the file's codes (recorded in its
    provenance) and destination axons; any other model gets consecutive codes from -32, one per
    block of 256 pins in connector order, and destAxon = pin mod 256 within its block."""
    codes = model.provenance.get("imported", {}).get("output_codes") \
        if isinstance(model.provenance.get("imported"), dict) else None
    out = {}
    if codes is not None and all(o.name in codes for o in model.outputs):
        for o in model.outputs:
            axon = model.cores.target_axon[o.core, o.neuron].astype(np.int64)
            out[o.name] = (np.full(o.width, codes[o.name], np.int64), axon)
        return out
    block = 0
    for o in model.outputs:
        pins = np.arange(o.width)
        out[o.name] = (FIRST_OUTPUT_CODE - block - pins // 256, pins % 256)
        block += -(-o.width // 256)
    return out


def tn_model_text(model: ChipModel, source: str = "<model>") -> str:
    """The makeModel JSON text of ``model``; ``InteropError`` when a value cannot be written."""
    model.validate()
    p, c = model.profile, model.cores
    n, a = p.neurons_per_core, p.axons_per_core
    if (p.neurons_per_core, p.axons_per_core, p.axon_types) != (256, 256, 4):
        raise interop_error(source, f"the chip profile {p.name!r} has cores of {a} axons, {n} "
                            f"neurons and {p.axon_types} axon types; the format holds 256, 256, 4")
    _check_chip_values(model, source)
    used = c.neuron_path >= 0
    matrix = np.concatenate([arr.reshape(len(c.params), -1).astype(np.int64)
                             for _, arr in c.params.arrays()], axis=1)
    type_of = np.zeros(c.n_cores * n, np.int64)
    types: list[str] = []
    if used.any():
        rows = np.flatnonzero(used.ravel())
        unique, inverse = unique_rows(matrix[rows])
        type_of[rows] = inverse + 1
        for k in range(len(unique)):
            first = rows[np.flatnonzero(inverse == k)[0]]
            types.append(_type_entry(k + 1, c.params.row(int(first)), source, *divmod(int(first), n)))
    dest_core = np.where(c.target_core >= 0, c.target_core, -1).astype(np.int64)
    dest_axon = c.target_axon.astype(np.int64).copy()
    addresses = output_codes(model)
    for o in model.outputs:
        codes, axons = addresses[o.name]
        dest_core[o.core, o.neuron] = codes
        dest_axon[o.core, o.neuron] = axons
    stray = used & (c.target_core == OUTPUT) & (dest_core == -1)
    if stray.any():  # an output neuron no connector lists still leaves the chip
        dest_core[stray] = FIRST_OUTPUT_CODE
    protos: dict[bytes, int] = {}
    proto_of = []
    for core in range(c.n_cores):
        key = c.axon_type[core].tobytes() + c.crossbar[core].tobytes()
        proto_of.append(protos.setdefault(key, len(protos)))
    lines = ["{", "\t/* General model parameters */", '\t"model":' + json.dumps({
        "coreCount": c.n_cores, "neuronclass": NEURON_CLASS, "crossbarSize": n,
        "crossbarclass": CROSSBAR_CLASS, "networking": "INTRA", "useCrossbarPrototypes": True},
        separators=(",", ":")) + ",", "\t/* Crossbar type library */", '\t"crossbarTypes":[']
    firsts = {k: core for core, k in reversed(list(enumerate(proto_of)))}
    for k in range(len(protos)):
        core = firsts[k]
        rows = ",\n".join(
            '\t\t\t{"type":"S%d","synapses":"%s"}' % (kind, hexes)
            for kind, hexes in zip(c.axon_type[core].tolist(), _hex_rows(c.crossbar[core])))
        lines.append('\t\t{"name":"%s","crossbar":{"rows":[\n%s\n\t\t]}}%s'
                     % (_proto_name(k), rows, "," if k < len(protos) - 1 else ""))
    lines += ["\t],", "\t/* Neuron type library */", '\t"neuronTypes":[']
    lines += ["\t\t" + t + ("," if k < len(types) - 1 else "") for k, t in enumerate(types)]
    lines += ["\t],"]
    corelet = str(model.provenance.get("corelet", "corelet")) if isinstance(
        model.provenance.get("corelet"), str) else "corelet"
    for core in range(c.n_cores):
        neurons = {
            "dendrites": format_column(np.arange(n)),
            "types": format_column(np.where(used[core], type_of[core * n:(core + 1) * n], 0)),
            "destCores": format_column(dest_core[core]),
            "destAxons": format_column(dest_axon[core]),
            "destDelays": format_column(c.delay[core]),
        }
        body = {"metadata": {"coreletClass": corelet, "coreletId": 0, "coreNumber": core,
                             "parentCoreletId": [-1]},
                "id": core, "timeScaleExponent": 0, "rngSeed": int(model.seed) % 2**32,
                "neurons": neurons, "crossbar": {"name": _proto_name(proto_of[core])}}
        lines.append('\t"core":' + json.dumps(body, separators=(",", ":")) + ",")
    lines.append(f"\t/* {EXTENSION_KEY}: names, roles, axon sources, connectors, coordinates, "
                 "seed and provenance (docs/interop.md); the original tools ignore it */")
    lines.append(f'\t"{EXTENSION_KEY}":' + json.dumps(_extension(model), separators=(",", ":")))
    lines.append("}")
    return "\n".join(lines) + "\n"


_DIGITS = np.frombuffer(b"0123456789ABCDEF", np.uint8)


def _check_chip_values(model: ChipModel, source: str) -> None:
    """Refuse a model with a neuron value or delay the chip cannot hold, whatever profile the model
    was compiled against (``IDEAL`` admits reset values the chip has no encoding for)."""
    c, n = model.cores, model.profile.neurons_per_core
    used = (c.neuron_path >= 0).ravel()
    for v in c.params.violations(TRUENORTH, limit=len(c.params) + 1):
        if used[v.row]:
            core, slot = divmod(v.row, n)
            raise interop_error(
                source, f"neuron {slot} ({model.neuron_name(core, slot)}): {v}; the chip's "
                "format cannot hold it", core=core, slot=slot, field=v.field,
                hint="compile against the chip's profile (not 'ideal') to have such values "
                     "refused at compile time")
    lo, hi = TRUENORTH.delay_range
    bad = (c.neuron_path >= 0) & (c.target_core >= 0) & ((c.delay < lo) | (c.delay > hi))
    for core, slot in zip(*np.nonzero(bad)):
        raise interop_error(source, f"neuron {slot}: delay = {c.delay[core, slot]} is outside "
                            f"the chip's {lo}..{hi}", core=core, slot=slot, field="delay")


def _hex_rows(rows: np.ndarray) -> list[str]:
    """Each packed crossbar row as upper-case hex bytes separated by spaces ("80 00 ... 00")."""
    chars = np.full((len(rows), rows.shape[1], 3), ord(" "), np.uint8)
    chars[:, :, 0] = _DIGITS[rows >> 4]
    chars[:, :, 1] = _DIGITS[rows & 15]
    flat = chars.reshape(len(rows), -1)[:, :-1]
    return [bytes(r).decode("ascii") for r in flat]


def _proto_name(k: int) -> str:
    return f"coreProt{k + 1:07d}"


def _type_entry(k: int, row: dict, source: str, core: int, slot: int) -> str:
    """One ``neuronTypes`` entry (sign and magnitude fields) for our parameter row."""
    def sign(value: int) -> int:
        return -1 if value < 0 else 1

    reset = int(row["reset_value"])
    exponent = int(abs(reset) + 1).bit_length() - 1
    if 2 ** exponent - 1 != abs(reset):
        raise interop_error(
            source, f"neuron {slot}: reset_value = {reset} cannot be written: the format stores "
            "it as sigma_VR * (2^VR - 1), so only 0, +-1, +-3, +-7, ..., +-(2^17 - 1) exist",
            core=core, slot=slot, field="reset_value",
            hint="choose a reset value of that form (the chip holds no other)")
    w = row["weights"]
    entry = {"name": f"N{k:08X}", "class": NEURON_CLASS}
    entry.update({f"sigma{g}": sign(w[g]) for g in range(4)})
    entry.update({f"s{g}": abs(int(w[g])) for g in range(4)})
    entry.update({f"b{g}": bool(row["stochastic_weights"][g]) for g in range(4)})
    entry.update({"sigma_lambda": sign(row["leak"]), "lambda": abs(int(row["leak"])),
                  "c_lambda": bool(row["stochastic_leak"]), "epsilon": bool(row["leak_reversal"]),
                  "alpha": int(row["threshold"]), "beta": int(row["neg_threshold"]),
                  "TM": int(row["threshold_mask"]), "gamma": int(row["reset_mode"]),
                  "kappa": bool(row["neg_mode"]), "sigma_VR": sign(reset), "VR": exponent,
                  "V": int(row["initial"])})
    return json.dumps(entry, separators=(",", ":"))


def _extension(model: ChipModel) -> dict:
    """Our JSON form of ``model`` less what the original fields carry (docs/interop.md)."""
    ours = json.loads(model.to_json())
    ours.pop("neuron_types")
    for core in ours["cores"]:
        core.pop("crossbar")
        core.pop("id")
        core["axons"].pop("type")
        for key in ("type", "target_core", "delay"):
            core["neurons"].pop(key)
    return ours

