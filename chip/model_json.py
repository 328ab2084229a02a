"""The JSON form of a ``ChipModel`` (``docs/chip-model.md``): a deterministic writer and a reader
that names the core and field of whatever it cannot read.

Run-length columns (``chip._runs``), hex crossbar rows with trailing zeros dropped, and one global
table of distinct neuron parameter sets (``neuron_types``) keep a full chip to a few megabytes.
"""

from __future__ import annotations

import json

import numpy as np

from corelet.chip import _runs
from corelet.chip.cores import ChipInput, ChipOutput, Cores, ModelError
from corelet.chip.ids import mix64
from corelet.chip.params import NEURON_FIELDS, NeuronParams
from corelet.chip.profile import ChipProfile

FORMAT = "corelet-chip-model"
VERSION = 1

# -- JSON writer -----------------------------------------------------------------------------
_CORE_COLUMNS = ("type", "path", "index", "role", "target_core", "target_axon", "delay")


def dump_json(model) -> str:
    """The JSON text of a ``ChipModel`` (deterministic: the same model gives the same bytes)."""
    cores = model.cores
    n = model.profile.neurons_per_core
    types, type_of = _neuron_types(cores)
    head = {
        "format": FORMAT,
        "version": VERSION,
        "profile": model.profile.to_json(),
        "seed": int(model.seed),
        "provenance": model.provenance,
        "paths": list(model.paths),
        "neuron_types": types,
        "inputs": [{"name": c.name, "width": int(c.width), "pin": _runs.encode(c.pin),
                    "core": _runs.encode(c.core), "axon": _runs.encode(c.axon),
                    "delay": _runs.encode(c.delay)} for c in model.inputs],
        "outputs": [{"name": c.name, "core": _runs.encode(c.core),
                     "neuron": _runs.encode(c.neuron)} for c in model.outputs],
    }
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"{json.dumps(key)}: {_compact(value)},")
    lines.append('"cores": [')
    hexes = cores.crossbar.reshape(cores.n_cores, -1).tobytes().hex()
    row_chars = cores.crossbar.shape[2] * 2
    core_chars = row_chars * cores.crossbar.shape[1]
    for c in range(cores.n_cores):
        block = hexes[c * core_chars:(c + 1) * core_chars]
        rows = [block[i:i + row_chars].rstrip("0") for i in range(0, core_chars, row_chars)]
        core = {
            "id": c,
            "chip": int(cores.coords[c, 0]), "row": int(cores.coords[c, 1]),
            "col": int(cores.coords[c, 2]),
            "axons": {"type": _runs.encode(cores.axon_type[c]),
                      "path": _runs.encode(cores.axon_path[c]),
                      "index": _runs.encode(cores.axon_index[c])},
            "neurons": dict(zip(_CORE_COLUMNS, (
                _runs.encode(type_of[c * n:(c + 1) * n]), _runs.encode(cores.neuron_path[c]),
                _runs.encode(cores.neuron_index[c]), _runs.encode(cores.neuron_role[c]),
                _runs.encode(cores.target_core[c]), _runs.encode(cores.target_axon[c]),
                _runs.encode(cores.delay[c])))),
            "crossbar": rows,
        }
        lines.append(_compact(core) + ("," if c < cores.n_cores - 1 else ""))
    lines.append("]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _compact(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def _param_matrix(params: NeuronParams) -> np.ndarray:
    cols = [arr.reshape(len(params), -1).astype(np.int64) for _, arr in params.arrays()]
    return np.concatenate(cols, axis=1)


def _neuron_types(cores: Cores) -> tuple[list[dict], np.ndarray]:
    """The distinct parameter sets of used neurons, and each neuron's index into them (-1 unused)."""
    used = (cores.neuron_path >= 0).ravel()
    matrix = _param_matrix(cores.params)
    type_of = np.full(len(used), -1, np.int64)
    if not used.any():
        return [], type_of
    unique, inverse = _unique_rows(matrix[used])
    type_of[used] = inverse
    types = []
    for row in unique:
        entry, k = {}, 0
        for name, (_, shape, _) in NEURON_FIELDS.items():
            width = shape[0] if shape else 1
            vals = [int(v) for v in row[k:k + width]]
            entry[name] = vals if shape else vals[0]
            k += width
        types.append(entry)
    return types, type_of


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows in order of first appearance, and each row's index into them.

    Rows are hashed to one uint64 each (a 1-D unique is ~20x faster than ``unique(axis=0)`` on a
    million rows); the rows are then checked against their representatives, so a hash collision
    can only cost time (the exact 2-D unique), never a wrong type.
    """
    h = np.zeros(len(rows), np.uint64)
    for column in rows.T:
        h = mix64(h ^ column.astype(np.uint64))
    _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
    if not np.array_equal(rows[first[inverse]], rows):
        _, first, inverse = np.unique(rows, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # number types by first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rows[first[order]], rank[inverse.ravel()]


# -- JSON reader -----------------------------------------------------------------------------
# Each reader names the place it reads (``core 3: field 'neurons.delay'``); the catch-all in
# ``_parse`` is for what slips through, and still says which top-level field it was reading.
def parse_json(data, source: str) -> dict:
    """The fields of a ``ChipModel`` read from parsed JSON ``data`` (``ChipModel(**fields)``)."""
    where = source
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ModelError(f"{where}: not a chip model (expected \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise ModelError(f"{where}: chip model version {data.get('version')!r} is not "
                         f"supported (this runtime reads version {VERSION})")
    field = "profile"
    try:
        profile = _parse_profile(data["profile"])
        field = "cores"
        cores = _parse_cores(_list_of(data, "cores", dict), _list_of(data, "neuron_types", dict),
                             profile)
        field = "inputs"
        inputs = tuple(_parse_input(k, c) for k, c in enumerate(_list_of(data, "inputs", dict)))
        field = "outputs"
        outputs = tuple(_parse_output(k, c) for k, c in enumerate(_list_of(data, "outputs", dict)))
        field = "paths"
        paths = tuple(_list_of(data, "paths", str))
        field = "seed"
        seed = _integer(data["seed"], "field 'seed'")
        provenance = data.get("provenance", {})
        if not isinstance(provenance, dict):
            raise ModelError("field 'provenance' must be an object")
        return {"profile": profile, "cores": cores, "paths": paths, "inputs": inputs, "outputs": outputs,
                "seed": seed, "provenance": provenance}
    except ModelError as err:
        raise ModelError(f"{where}: {err}") from None
    except KeyError as err:
        raise ModelError(f"{where}: missing field {err}") from None
    except (TypeError, ValueError, IndexError, AttributeError, OverflowError) as err:
        raise ModelError(f"{where}: malformed chip model in field '{field}': {err}") from None


def _list_of(data: dict, field: str, kind: type) -> list:
    """``data[field]``, checked to be a list of ``kind`` (objects or strings)."""
    items = data[field]
    plural, single = {dict: ("objects", "an object"), str: ("strings", "a string")}[kind]
    if not isinstance(items, list):
        raise ModelError(f"field '{field}' must be a list of {plural}, got {_json_type(items)}")
    for k, item in enumerate(items):
        if not isinstance(item, kind):
            raise ModelError(f"{field}[{k}] must be {single}, got {_json_type(item)}")
    return items


def _json_type(value) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a bool", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _integer(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ModelError(f"{where} = {value!r} is not an integer")
    return value


def _parse_profile(data) -> ChipProfile:
    """The chip profile, every field checked to have the type and shape of its default."""
    if not isinstance(data, dict):
        raise ModelError(f"field 'profile' must be an object, got {_json_type(data)}")
    defaults = ChipProfile()
    for name, value in data.items():
        if not hasattr(defaults, name):
            raise ModelError(f"field 'profile': unknown chip profile field {name!r}")
        _check_profile_field(name, value, getattr(defaults, name))
    profile = ChipProfile.from_json(data)
    counts = {"grid rows": profile.grid[0], "grid columns": profile.grid[1],
              "max_chips": profile.max_chips, "axons_per_core": profile.axons_per_core,
              "neurons_per_core": profile.neurons_per_core, "axon_types": profile.axon_types}
    for name, count in counts.items():
        if count < 1:
            raise ModelError(f"field 'profile': {name} = {count} must be at least 1")
    for name in ("axons_per_core", "neurons_per_core"):
        if getattr(profile, name) % 8:  # crossbar rows are packed 8 neurons to a byte
            raise ModelError(f"field 'profile': {name} = {getattr(profile, name)} must be a "
                             "multiple of 8")
    return profile


def _check_profile_field(name: str, value, default) -> None:
    where = f"field 'profile.{name}'"
    if isinstance(default, tuple):
        if not isinstance(value, list) or len(value) != len(default):
            raise ModelError(f"{where} = {value!r} must be a list of {len(default)} integers")
        for item in value:
            _integer(item, where)
    elif isinstance(default, str):
        if not isinstance(value, str):
            raise ModelError(f"{where} = {value!r} must be a string")
    elif isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ModelError(f"{where} = {value!r} must be a number")
    else:
        _integer(value, where)


def _parse_input(k: int, item: dict) -> ChipInput:
    where = f"inputs[{k}]"
    _check_keys(item, ("name", "width", "pin", "core", "axon", "delay"), where)
    if not isinstance(item["name"], str):
        raise ModelError(f"{where}: field 'name' must be a string")
    columns = [_decoded(item[f], f"{where}: field '{f}'") for f in ("pin", "core", "axon", "delay")]
    return ChipInput(item["name"], _integer(item["width"], f"{where}: field 'width'"), *columns)


def _parse_output(k: int, item: dict) -> ChipOutput:
    where = f"outputs[{k}]"
    _check_keys(item, ("name", "core", "neuron"), where)
    if not isinstance(item["name"], str):
        raise ModelError(f"{where}: field 'name' must be a string")
    return ChipOutput(item["name"], _decoded(item["core"], f"{where}: field 'core'"),
                      _decoded(item["neuron"], f"{where}: field 'neuron'"))


def _check_keys(item: dict, keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if k not in item]
    if missing:
        raise ModelError(f"{where}: missing field {missing[0]!r}")


def _decoded(encoded, where: str) -> np.ndarray:
    """A run-length coded integer column; ``ModelError`` naming ``where`` when it is not one."""
    try:
        return _runs.decode(encoded, np.int64)
    except OverflowError:
        raise ModelError(f"{where} holds an integer outside the 64-bit range") from None
    except (TypeError, ValueError, KeyError, AttributeError) as err:
        raise ModelError(f"{where} is not a list of integers or {{\"runs\": [...]}}: "
                         f"{err}") from None


def _parse_cores(items: list, types: list, profile: ChipProfile) -> Cores:
    n_cores = len(items)
    cores = Cores.empty(n_cores, profile)
    a, n = profile.axons_per_core, profile.neurons_per_core
    row_chars = n // 4
    type_of = np.full((n_cores, n), -1, np.int64)
    hexes = []
    for c, item in enumerate(items):
        try:
            hexes.append(_parse_core(cores, type_of, c, item, a, n, row_chars))
        except KeyError as err:
            raise ModelError(f"core {c}: missing field {err}") from None
        except (TypeError, ValueError, AttributeError, OverflowError) as err:
            raise ModelError(f"core {c}: malformed core: {err}") from None
    try:
        raw = bytes.fromhex("".join(hexes))
    except ValueError:
        bad = next(c for c, text in enumerate(hexes) if not _is_hex(text))
        raise ModelError(f"core {bad}: field 'crossbar' holds characters that are not hex "
                         "digits") from None
    cores.crossbar[...] = np.frombuffer(raw, np.uint8).reshape(cores.crossbar.shape)
    _fill_params(cores, type_of.ravel(), types)
    return cores


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


def _parse_core(cores: Cores, type_of: np.ndarray, c: int, item: dict, a: int, n: int,
                row_chars: int) -> str:
    """Fill core ``c`` from its JSON entry; return its crossbar as one hex string."""
    if item.get("id", c) != c:
        raise ModelError(f"core {c}: id {item.get('id')!r} out of order")
    rows = item["crossbar"]
    if (not isinstance(rows, list) or len(rows) != a
            or any(not isinstance(r, str) or len(r) > row_chars for r in rows)):
        raise ModelError(f"core {c}: field 'crossbar' must be {a} rows of at most {row_chars} "
                         "hex digits")
    cores.coords[c] = [_integer(item[f], f"core {c}: field '{f}'") for f in ("chip", "row", "col")]
    axons, cols = _object(item, "axons", c), _object(item, "neurons", c)
    for field, target in (("type", cores.axon_type), ("path", cores.axon_path),
                          ("index", cores.axon_index)):
        target[c] = _column(axons[field], a, c, f"axons.{field}", target.dtype)
    type_of[c] = _column(cols["type"], n, c, "neurons.type", type_of.dtype)
    for field, target in zip(_CORE_COLUMNS[1:], (cores.neuron_path, cores.neuron_index,
                                                 cores.neuron_role, cores.target_core,
                                                 cores.target_axon, cores.delay)):
        target[c] = _column(cols[field], n, c, f"neurons.{field}", target.dtype)
    return "".join(r.ljust(row_chars, "0") for r in rows)


def _object(item: dict, field: str, core: int) -> dict:
    value = item[field]
    if not isinstance(value, dict):
        raise ModelError(f"core {core}: field '{field}' must be an object, got {_json_type(value)}")
    return value


def _column(encoded, length: int, core: int, field: str, dtype=np.int64) -> np.ndarray:
    """A core's column, checked for its length and to fit the array it fills."""
    where = f"core {core}: field '{field}'"
    values = _decoded(encoded, where)
    if len(values) != length:
        raise ModelError(f"{where} has {len(values)} entries, expected {length}")
    info = np.iinfo(dtype)
    if values.size and (values.min() < info.min or values.max() > info.max):
        bad = values[(values < info.min) | (values > info.max)][0]
        raise ModelError(f"{where} = {bad} does not fit the column's {np.dtype(dtype)} "
                         f"range [{info.min}, {info.max}]")
    return values


def _fill_params(cores: Cores, type_of: np.ndarray, types: list) -> None:
    used = type_of >= 0
    if used.any() and type_of.max() >= len(types):
        bad = int(np.flatnonzero(type_of >= len(types))[0])
        n = cores.neuron_path.shape[1]
        raise ModelError(f"core {bad // n} neuron {bad % n}: field 'type' = {type_of[bad]} "
                         f"but there are {len(types)} neuron types")
    tables = _type_tables(types)
    for name, table in tables.items():
        arr = getattr(cores.params, name)
        arr[used] = table[type_of[used]].astype(arr.dtype)


def _type_tables(types: list[dict]) -> dict[str, np.ndarray]:
    """Every field of every neuron type as a table (types, *shape), each value checked to be an
    integer of the field's shape; a missing field is an error, never a silent default."""
    tables = {}
    for name, (dtype, shape, _) in NEURON_FIELDS.items():
        flag = dtype is np.bool_  # a 0/1 field may also be written true/false
        rows = [_type_field(k, t, name, shape, flag) for k, t in enumerate(types)]
        tables[name] = np.array(rows, dtype=np.int64).reshape(len(types), *shape)
    for k, t in enumerate(types):
        unknown = sorted(set(t) - set(NEURON_FIELDS))
        if unknown:
            raise ModelError(f"neuron_types[{k}]: unknown field(s) {', '.join(unknown)}")
    return tables


def _type_field(k: int, entry: dict, name: str, shape: tuple, flag: bool) -> int | list[int]:
    where = f"neuron_types[{k}]: field '{name}'"
    if name not in entry:
        raise ModelError(f"{where} is missing")
    value = entry[name]
    if not shape:
        return _checked_int(value, where, flag)
    if not isinstance(value, list) or len(value) != shape[0]:
        raise ModelError(f"{where} = {value!r} must be a list of {shape[0]} integers")
    return [_checked_int(v, where, flag) for v in value]


def _checked_int(value, where: str, flag: bool = False) -> int:
    """An integer that fits int64 (the range check against the profile comes in validate)."""
    value = int(value) if flag and isinstance(value, bool) else _integer(value, where)
    if not -(2**63) <= value < 2**63:
        raise ModelError(f"{where} = {value} is far outside any neuron parameter's range")
    return value
