"""The JSON form of a ``ChipModel`` (``docs/chip-model.md``): a deterministic writer and a reader
that names the core and field of whatever it cannot read.

Run-length columns (``chip._runs``), hex crossbar rows with trailing zeros dropped, and one global
table of distinct neuron parameter sets (``neuron_types``) keep a full chip to a few megabytes.
"""

from __future__ import annotations

import json

import numpy as np

from corelet.chip import _runs
from corelet.chip.arrays import rank_in_runs, run_ids, unique_rows
from corelet.chip.limits import active_limits
from corelet.chip.cores import ChipInput, ChipOutput, Cores, ModelError
from corelet.chip.errors import Location
from corelet.chip.params import NEURON_FIELDS, NeuronParams
from corelet.chip.profile import RESET_ENCODINGS, ChipProfile

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
    unique, inverse = unique_rows(matrix[used])
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


# -- JSON reader -----------------------------------------------------------------------------
# Each reader names the place it reads (``core 3: field 'neurons.delay'``), in the message and as a
# ``Location`` (core, neuron slot, field, connector; ``parse_json`` adds the file); the catch-all in
# ``parse_json`` is for what slips through, and still says which top-level field it was reading.
def _error(text: str, **place) -> ModelError:
    """A ``ModelError`` with its place as data (``core=3, field="neurons.delay"``)."""
    return ModelError(text, locations=[Location(**place)])


def _key(err: KeyError) -> str:
    """The missing key a ``KeyError`` names ('' when none)."""
    return str(err.args[0]) if err.args else ""


def parse_json(data, source: str) -> dict:
    """The fields of a ``ChipModel`` read from parsed JSON ``data`` (``ChipModel(**fields)``)."""
    where = source
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _error(f"{where}: not a chip model (expected \"format\": \"{FORMAT}\")", file=where,
                     field="format")
    if data.get("version") != VERSION:
        raise _error(f"{where}: chip model version {data.get('version')!r} is not "
                     f"supported (this runtime reads version {VERSION})", file=where, field="version")
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
        seed = _integer(data["seed"], "field 'seed'", field="seed")
        provenance = data.get("provenance", {})
        if not isinstance(provenance, dict):
            raise _error("field 'provenance' must be an object", field="provenance")
        return {"profile": profile, "cores": cores, "paths": paths, "inputs": inputs, "outputs": outputs,
                "seed": seed, "provenance": provenance}
    except ModelError as err:
        raise err.in_file(where) from None
    except KeyError as err:
        raise _error(f"{where}: missing field {err}", file=where, field=_key(err)) from None
    except (TypeError, ValueError, IndexError, AttributeError, OverflowError) as err:
        raise _error(f"{where}: malformed chip model in field '{field}': {err}", file=where,
                     field=field) from None


def _list_of(data: dict, field: str, kind: type) -> list:
    """``data[field]``, checked to be a list of ``kind`` (objects or strings)."""
    items = data[field]
    plural, single = {dict: ("objects", "an object"), str: ("strings", "a string")}[kind]
    if not isinstance(items, list):
        raise _error(f"field '{field}' must be a list of {plural}, got {_json_type(items)}",
                     field=field)
    for k, item in enumerate(items):
        if not isinstance(item, kind):
            raise _error(f"{field}[{k}] must be {single}, got {_json_type(item)}", field=f"{field}[{k}]")
    return items


def _json_type(value) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a bool", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _integer(value, where: str, **place) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error(f"{where} = {value!r} is not an integer", **place)
    return value


def _parse_profile(data) -> ChipProfile:
    """The chip profile, every field checked to have the type and shape of its default."""
    if not isinstance(data, dict):
        raise _error(f"field 'profile' must be an object, got {_json_type(data)}", field="profile")
    defaults = ChipProfile()
    for name, value in data.items():
        if not hasattr(defaults, name):
            raise _error(f"field 'profile': unknown chip profile field {name!r}",
                         field=f"profile.{name}")
        _check_profile_field(name, value, getattr(defaults, name))
    encoding = data.get("reset_value_encoding", defaults.reset_value_encoding)
    if encoding not in RESET_ENCODINGS:
        raise _error(f"field 'profile': reset_value_encoding {encoding!r} is not one of "
                     f"{', '.join(map(repr, RESET_ENCODINGS))}", field="profile.reset_value_encoding")
    profile = ChipProfile.from_json(data)
    counts = {"grid rows": profile.grid[0], "grid columns": profile.grid[1],
              "max_chips": profile.max_chips, "axons_per_core": profile.axons_per_core,
              "neurons_per_core": profile.neurons_per_core, "axon_types": profile.axon_types}
    for name, count in counts.items():
        if count < 1:
            raise _error(f"field 'profile': {name} = {count} must be at least 1",
                         field=f"profile.{name.split()[0]}")
    for name in ("axons_per_core", "neurons_per_core"):
        if getattr(profile, name) % 8:  # crossbar rows are packed 8 neurons to a byte
            raise _error(f"field 'profile': {name} = {getattr(profile, name)} must be a "
                         "multiple of 8", field=f"profile.{name}")
    return profile


def _check_profile_field(name: str, value, default) -> None:
    where, field = f"field 'profile.{name}'", f"profile.{name}"
    if isinstance(default, tuple):
        if not isinstance(value, list) or len(value) != len(default):
            raise _error(f"{where} = {value!r} must be a list of {len(default)} integers", field=field)
        for item in value:
            _integer(item, where, field=field)
    elif isinstance(default, str):
        if not isinstance(value, str):
            raise _error(f"{where} = {value!r} must be a string", field=field)
    elif isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _error(f"{where} = {value!r} must be a number", field=field)
    else:
        _integer(value, where, field=field)


def _parse_input(k: int, item: dict) -> ChipInput:
    where = f"inputs[{k}]"
    _check_keys(item, ("name", "width", "pin", "core", "axon", "delay"), where)
    if not isinstance(item["name"], str):
        raise _error(f"{where}: field 'name' must be a string", field=f"{where}.name")
    name = item["name"]
    columns = [_decoded(item[f], f"{where}: field '{f}'", field=f"{where}.{f}", connector=name)
               for f in ("pin", "core", "axon", "delay")]
    width = _integer(item["width"], f"{where}: field 'width'", field=f"{where}.width", connector=name)
    _same_lengths(columns, ("pin", "core", "axon", "delay"), where, name)
    return ChipInput(name, width, *columns)


def _parse_output(k: int, item: dict) -> ChipOutput:
    where = f"outputs[{k}]"
    _check_keys(item, ("name", "core", "neuron"), where)
    if not isinstance(item["name"], str):
        raise _error(f"{where}: field 'name' must be a string", field=f"{where}.name")
    name = item["name"]
    columns = [_decoded(item[f], f"{where}: field '{f}'", field=f"{where}.{f}", connector=name)
               for f in ("core", "neuron")]
    _same_lengths(columns, ("core", "neuron"), where, name)
    return ChipOutput(name, *columns)


def _same_lengths(columns: list, fields: tuple[str, ...], where: str, name: str) -> None:
    """A connector's columns are one entry per pin or neuron each: of one length."""
    lengths = [len(c) for c in columns]
    if len(set(lengths)) > 1:
        bad = next(k for k, n in enumerate(lengths) if n != lengths[0])
        raise _error(f"{where}: field '{fields[bad]}' has {lengths[bad]} entries but field "
                     f"'{fields[0]}' has {lengths[0]}; a connector's columns have one length",
                     field=f"{where}.{fields[bad]}", connector=name)


def _check_keys(item: dict, keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if k not in item]
    if missing:
        raise _error(f"{where}: missing field {missing[0]!r}", field=f"{where}.{missing[0]}")


def _decoded(encoded, where: str, max_length: int | None = None, **place) -> np.ndarray:
    """A run-length coded integer column of at most ``max_length`` entries (default: the limit
    ``neurons``); ``ModelError`` naming ``where`` (and ``place``, as data) when it is not one."""
    if max_length is None:
        max_length = active_limits().neurons
    try:
        return _runs.decode(encoded, np.int64, max_length)
    except OverflowError:
        raise _error(f"{where} holds an integer outside the 64-bit range", **place) from None
    except (TypeError, ValueError, KeyError, AttributeError) as err:
        raise _error(f"{where} is not a list of integers or {{\"runs\": [...]}}: {err}",
                     **place) from None


def _parse_cores(items: list, types: list, profile: ChipProfile) -> Cores:
    n_cores = len(items)
    limits = active_limits()
    limits.check("model_cores", n_cores, "cores of this model", Location(field="cores"), ModelError)
    for name in ("axons_per_core", "neurons_per_core"):
        limits.check("core_size", getattr(profile, name), f"profile field {name}",
                     Location(field=f"profile.{name}"), ModelError)
    crossbar_bytes = n_cores * profile.axons_per_core * profile.neurons_per_core // 8
    limits.check("file_bytes", crossbar_bytes, "bytes of this model's crossbars",
                 Location(field="cores"), ModelError)
    cores = Cores.empty(n_cores, profile)
    a, n = profile.axons_per_core, profile.neurons_per_core
    row_chars = n // 4
    type_of = _parse_cores_at_once(cores, items, a, n, row_chars)
    if type_of is None:  # something is irregular: the reader core by core names it
        type_of = _parse_cores_one_by_one(cores, items, a, n, row_chars)
    _fill_params(cores, type_of.ravel(), types)
    return cores


def _parse_cores_one_by_one(cores: Cores, items: list, a: int, n: int, row_chars: int) -> np.ndarray:
    """Fill ``cores`` core by core, naming the first core and field it cannot read; return each
    neuron's type (C, N)."""
    type_of = np.full((len(items), n), -1, np.int64)
    hexes = []
    for c, item in enumerate(items):
        try:
            hexes.append(_parse_core(cores, type_of, c, item, a, n, row_chars))
        except KeyError as err:
            raise _error(f"core {c}: missing field {err}", core=c, field=_key(err)) from None
        except (TypeError, ValueError, AttributeError, OverflowError) as err:
            raise _error(f"core {c}: malformed core: {err}", core=c) from None
    try:
        raw = bytes.fromhex("".join(hexes))
    except ValueError:
        bad = next(c for c, text in enumerate(hexes) if not _is_hex(text))
        raise _error(f"core {bad}: field 'crossbar' holds characters that are not hex digits",
                     core=bad, field="crossbar") from None
    cores.crossbar[...] = np.frombuffer(raw, np.uint8).reshape(cores.crossbar.shape)
    return type_of


# -- all cores at once: a full chip is 4096 cores, and a reader per core and column costs seconds
_NEURON_TARGETS = ("neuron_path", "neuron_index", "neuron_role", "target_core", "target_axon",
                   "delay")
_CROSSBAR_CHUNK = 256  # cores whose crossbar text is converted at a time (bounds memory)


def _parse_cores_at_once(cores: Cores, items: list, a: int, n: int,
                         row_chars: int) -> np.ndarray | None:
    """Fill ``cores`` from every core's entry at once, column by column; return each neuron's type
    (C, N), or None as soon as anything is not as the writer makes it (then nothing here is
    trusted: ``_parse_cores_one_by_one`` reads it all again and names the problem). Accepts
    exactly what the reader core by core accepts."""
    n_cores = len(items)
    try:
        if any(item.get("id", c) != c for c, item in enumerate(items)):
            return None
        coords = [(item["chip"], item["row"], item["col"]) for item in items]
        if n_cores and {type(v) for xyz in coords for v in xyz} != {int}:
            return None
        coords = np.array(coords, np.int64).reshape(n_cores, 3)
        if not _fits(coords, cores.coords.dtype):
            return None
        cores.coords[...] = coords
        axons = [item["axons"] for item in items]
        neurons = [item["neurons"] for item in items]
        if not all(type(x) is dict for x in axons) or not all(type(x) is dict for x in neurons):
            return None
        for field, target in (("type", cores.axon_type), ("path", cores.axon_path),
                              ("index", cores.axon_index)):
            values = _columns([x[field] for x in axons], a)
            if values is None or not _fits(values, target.dtype):
                return None
            target[...] = values
        type_of = _columns([x["type"] for x in neurons], n)
        if type_of is None:
            return None
        for field, name in zip(_CORE_COLUMNS[1:], _NEURON_TARGETS):
            target = getattr(cores, name)
            values = _columns([x[field] for x in neurons], n)
            if values is None or not _fits(values, target.dtype):
                return None
            target[...] = values
        if not _crossbars([item["crossbar"] for item in items], cores.crossbar, row_chars):
            return None
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        return None
    return type_of


def _fits(values: np.ndarray, dtype) -> bool:
    info = np.iinfo(dtype)
    return not values.size or (info.min <= values.min() and values.max() <= info.max)


def _columns(encoded: list, length: int) -> np.ndarray | None:
    """One column of every core, (C, length) int64: the plain lists in one array, the run-length
    coded ones decoded together (``chip._runs``); None when any is neither or has another length."""
    values = np.empty((len(encoded), length), np.int64)
    plain = [k for k, e in enumerate(encoded) if type(e) is list]
    coded = [k for k, e in enumerate(encoded) if type(e) is dict]
    if len(plain) + len(coded) != len(encoded):
        return None
    if plain:
        rows = _runs.integers([encoded[k] for k in plain])  # not integers: raises, see caller
        if rows.shape != (len(plain), length):
            return None
        values[plain] = rows
    if coded:
        runs = [encoded[k]["runs"] for k in coded]
        if not all(type(r) is list and len(r) % 3 == 0 for r in runs):
            return None
        triples = _runs.integers([v for r in runs for v in r]).reshape(-1, 3)
        first, step, count = triples.T
        owner = run_ids(np.array([len(r) // 3 for r in runs], np.int64))
        if (count < 0).any() or not (np.bincount(owner, weights=count, minlength=len(coded))
                                     == length).all():
            return None
        reach = np.abs(first.astype(float)) + np.abs(step.astype(float)) * np.maximum(count - 1, 0)
        if (reach >= 2.0**63).any():  # would wrap: the core-by-core reader names the field
            return None
        run, within = run_ids(count), rank_in_runs(count)
        values[coded] = (first[run] + step[run] * within).reshape(len(coded), length)
    return values


def _crossbars(rows_of_cores: list, crossbar: np.ndarray, row_chars: int) -> bool:
    """Fill ``crossbar`` (C, A, N/8) from each core's hex rows (trailing zeros dropped), a chunk
    of cores at a time; False when a core has not A rows of at most ``row_chars`` hex digits.

    Each row is padded back to ``row_chars`` digits and a chunk decoded by ``bytes.fromhex`` (C
    speed; twice as fast as a digit table in numpy). Anything irregular (a row too long, not
    text, not hex) fails here and is left to the reader core by core, which names it."""
    n_cores, a = crossbar.shape[:2]
    if not all(type(rows) is list and len(rows) == a for rows in rows_of_cores):
        return False
    for first in range(0, n_cores, _CROSSBAR_CHUNK):
        chunk = rows_of_cores[first:first + _CROSSBAR_CHUNK]
        # AttributeError: a row not text
        text = "".join([row.ljust(row_chars, "0") for core in chunk for row in core])
        if len(text) != len(chunk) * a * row_chars:  # a row longer than row_chars
            return False
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            return False
        if len(raw) * 2 != len(text):  # fromhex skips white space between digit pairs
            return False
        crossbar[first:first + _CROSSBAR_CHUNK] = np.frombuffer(raw, np.uint8).reshape(
            -1, a, row_chars // 2)
    return True


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
        raise _error(f"core {c}: id {item.get('id')!r} out of order", core=c, field="id")
    rows = item["crossbar"]
    if (not isinstance(rows, list) or len(rows) != a
            or any(not isinstance(r, str) or len(r) > row_chars for r in rows)):
        raise _error(f"core {c}: field 'crossbar' must be {a} rows of at most {row_chars} "
                     "hex digits", core=c, field="crossbar")
    cores.coords[c] = [_integer(item[f], f"core {c}: field '{f}'", core=c, field=f)
                       for f in ("chip", "row", "col")]
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
        raise _error(f"core {core}: field '{field}' must be an object, got {_json_type(value)}",
                     core=core, field=field)
    return value


def _column(encoded, length: int, core: int, field: str, dtype=np.int64) -> np.ndarray:
    """A core's column, checked for its length and to fit the array it fills."""
    where = f"core {core}: field '{field}'"
    values = _decoded(encoded, where, length, core=core, field=field)
    if len(values) != length:
        raise _error(f"{where} has {len(values)} entries, expected {length}", core=core, field=field)
    info = np.iinfo(dtype)
    if values.size and (values.min() < info.min or values.max() > info.max):
        bad = values[(values < info.min) | (values > info.max)][0]
        raise _error(f"{where} = {bad} does not fit the column's {np.dtype(dtype)} "
                     f"range [{info.min}, {info.max}]", core=core, field=field)
    return values


def _fill_params(cores: Cores, type_of: np.ndarray, types: list) -> None:
    used = type_of >= 0
    if used.any() and type_of.max() >= len(types):
        bad = int(np.flatnonzero(type_of >= len(types))[0])
        n = cores.neuron_path.shape[1]
        raise _error(f"core {bad // n} neuron {bad % n}: field 'type' = {type_of[bad]} "
                     f"but there are {len(types)} neuron types", core=bad // n, slot=bad % n,
                     field="neurons.type")
    tables = _type_tables(types)
    every = bool(used.all())  # the usual case: one gather per field, straight into its array
    picks = type_of if every else type_of[used]
    for name, table in tables.items():
        arr = getattr(cores.params, name)
        if every:
            np.take(table.astype(arr.dtype), picks, axis=0, out=arr)
        else:
            arr[used] = np.take(table.astype(arr.dtype), picks, axis=0)


def _type_tables(types: list[dict]) -> dict[str, np.ndarray]:
    """Every field of every neuron type as a table (types, *shape), each value checked to be an
    integer of the field's shape; a missing field is an error, never a silent default."""
    tables = _type_tables_at_once(types)
    if tables is not None:
        return tables
    tables = {}  # something is irregular: type by type, naming it
    for name, (dtype, shape, _) in NEURON_FIELDS.items():
        flag = dtype is np.bool_  # a 0/1 field may also be written true/false
        rows = [_type_field(k, t, name, shape, flag) for k, t in enumerate(types)]
        tables[name] = np.array(rows, dtype=np.int64).reshape(len(types), *shape)
    for k, t in enumerate(types):
        unknown = sorted(set(t) - set(NEURON_FIELDS))
        if unknown:
            raise _error(f"neuron_types[{k}]: unknown field(s) {', '.join(unknown)}",
                         field=f"neuron_types[{k}].{unknown[0]}")
    return tables


def _type_tables_at_once(types: list[dict]) -> dict[str, np.ndarray] | None:
    """``_type_tables`` field by field over all types at once (a model may have thousands); None
    when anything is irregular, for the reader type by type to name."""
    if set().union(*types) - set(NEURON_FIELDS):
        return None
    tables = {}
    try:
        for name, (dtype, shape, _) in NEURON_FIELDS.items():
            values = [t[name] for t in types]
            if shape:
                if not all(type(v) is list and len(v) == shape[0] for v in values):
                    return None
                values = [x for v in values for x in v]
            allowed = {int, bool} if dtype is np.bool_ else {int}
            if values and not {type(v) for v in values} <= allowed:
                return None
            tables[name] = np.array(values, np.int64).reshape(len(types), *shape)
    except (KeyError, OverflowError):
        return None
    return tables


def _type_field(k: int, entry: dict, name: str, shape: tuple, flag: bool) -> int | list[int]:
    where, field = f"neuron_types[{k}]: field '{name}'", f"neuron_types[{k}].{name}"
    if name not in entry:
        raise _error(f"{where} is missing", field=field)
    value = entry[name]
    if not shape:
        return _checked_int(value, where, flag, field=field)
    if not isinstance(value, list) or len(value) != shape[0]:
        raise _error(f"{where} = {value!r} must be a list of {shape[0]} integers", field=field)
    return [_checked_int(v, where, flag, field=field) for v in value]


def _checked_int(value, where: str, flag: bool = False, **place) -> int:
    """An integer that fits int64 (the range check against the profile comes in validate)."""
    value = int(value) if flag and isinstance(value, bool) else _integer(value, where, **place)
    if not -(2**63) <= value < 2**63:
        raise _error(f"{where} = {value} is far outside any neuron parameter's range", **place)
    return value
