"""Hostile model, array and parameter files (issue 12): each malformed file ends in its stage's
error naming the file and the place, before any allocation its claims would cause; never in an
"internal error", a MemoryError or a hang."""

from __future__ import annotations

import copy
import io
import json
import re
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from corelet.chip import ChipModel, ModelError
from corelet.chip.files import ArrayFileError, load_arrays, loads_json
from corelet.chip.limits import LimitError, Limits, using_limits
from corelet.language import ParamError, parse_param

MODEL = "tests/compiler/data/skeleton_splitter_v1.json"


def model_data() -> dict:
    with open(MODEL, encoding="utf-8") as f:
        return json.load(f)


def load(data: dict | str) -> ChipModel:
    text = data if isinstance(data, str) else json.dumps(data)
    return ChipModel.from_json(text, "m.json")


# -- JSON in every reader ------------------------------------------------------------------------
@pytest.mark.parametrize("text, reason", [
    ("[" * 100_000 + "]" * 100_000, "nest too deeply"),
    ("1" * 5000, r"an integer of 5000 digits \(at most 1000\)"),
    ('{"a": ' + "9" * 4400 + "}", "an integer of 4400 digits"),
])
def test_json_that_python_cannot_parse_is_a_decode_error(text, reason):
    with pytest.raises(json.JSONDecodeError, match=reason):
        loads_json(text)


def test_a_deeply_nested_model_is_a_model_error():
    with pytest.raises(ModelError, match=r"^m.json: not a JSON chip model: lists or objects nest"):
        load("[" * 100_000 + "]" * 100_000)


def test_a_model_with_a_huge_integer_is_a_model_error():
    data = model_data()
    text = json.dumps(data).replace('"seed": 0', '"seed": ' + "7" * 5000)
    with pytest.raises(ModelError, match="an integer of 5000 digits"):
        load(text)


@pytest.mark.parametrize("suffix, text", [(".json", "[" * 50_000 + "]" * 50_000),
                                          (".json", "3" * 6000)])
def test_array_and_parameter_json_files(tmp_path, suffix, text):
    path = tmp_path / f"p{suffix}"
    path.write_text(text)
    with pytest.raises(ArrayFileError, match=f"^{path}: cannot read: not valid JSON"):
        load_arrays(path)
    with pytest.raises(ParamError):
        parse_param(f"W={path}")


# -- run-length columns and connector columns ----------------------------------------------------
def test_run_length_column_claiming_2e8_entries_is_refused_before_expanding():
    data = model_data()
    data["outputs"][0]["core"] = {"runs": [0, 0, 200_000_000]}
    with pytest.raises(ModelError, match=r"outputs\[0\]: field 'core' .*the runs expand to "
                                         r"200000000 entries, more than the 67108864"):
        load(data)


def test_a_core_column_longer_than_the_core_is_refused_before_expanding():
    data = model_data()
    data["cores"][0]["neurons"]["delay"] = {"runs": [1, 0, 10**15]}
    with pytest.raises(ModelError, match=r"core 0: field 'neurons.delay' .*expand to "
                                         r"1000000000000000 entries, more than the 256"):
        load(data)


def test_a_run_that_leaves_int64_is_refused():
    data = model_data()
    data["outputs"][0]["core"] = {"runs": [0, 2**62, 4]}
    with pytest.raises(ModelError, match="leaves the 64-bit integer range"):
        load(data)


def test_connector_columns_of_different_lengths():
    data = model_data()
    out = data["outputs"][0]
    out["neuron"] = list(range(len(_expand(out["core"])) + 3))
    with pytest.raises(ModelError) as info:
        load(data)
    assert "field 'neuron' has" in str(info.value) and "a connector's columns have one length" \
        in str(info.value)
    assert info.value.location.connector == out["name"]
    data = model_data()
    data["inputs"][0]["delay"] = [1]
    with pytest.raises(ModelError, match=r"inputs\[0\]: field 'delay' has 1 entries but field "
                                         r"'pin' has"):
        load(data)


def _expand(column) -> list:
    if isinstance(column, list):
        return column
    runs = column["runs"]
    return [runs[k] + runs[k + 1] * i for k in range(0, len(runs), 3) for i in range(runs[k + 2])]


def test_a_profile_claiming_huge_cores_is_refused_before_allocating():
    data = model_data()
    data["profile"]["axons_per_core"] = 2**24
    with pytest.raises(ModelError, match="profile field axons_per_core: 16777216 is over the "
                                         "limit `core_size` of 4096"):
        load(data)


def test_too_many_cores_for_the_limit():
    data = model_data()
    n = len(data["cores"])
    with using_limits(Limits(model_cores=n - 1)):
        with pytest.raises(ModelError, match=f"cores of this model: {n} is over the limit "
                                             f"`model_cores` of {n - 1}"):
            load(data)
    assert load(data).cores.n_cores == n  # the default admits it


def test_mutated_models_never_crash_in_validation():
    """Ragged, truncated and retyped fields: each is a ModelError (with the file), never an
    IndexError or ValueError from validation."""
    base = model_data()
    mutations = []
    for field in ("type", "path", "index"):
        mutations.append(("cores", 0, "axons", field, [0]))
    for field in ("type", "delay", "target_core", "target_axon"):
        mutations.append(("cores", 0, "neurons", field, [1, 2]))
    for (top, k, part, field, value) in mutations:
        data = copy.deepcopy(base)
        data[top][k][part][field] = value
        with pytest.raises(ModelError, match=r"^m.json: core 0: field"):
            load(data)


# -- array files ---------------------------------------------------------------------------------
def npy_header(shape, dtype="<i8") -> bytes:
    header = repr({"descr": dtype, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def test_npy_header_claiming_10_12_rows(tmp_path):
    path = tmp_path / "x.npy"
    path.write_bytes(npy_header((10**12, 4)) + b"\0" * 64)
    with pytest.raises(ArrayFileError, match=r"bytes of the array \(shape \[1000000000000, 4\]\)"
                                             r": 32000000000000 is over the limit `file_bytes`"):
        load_arrays(path)


def test_npy_header_claiming_more_than_the_file_holds(tmp_path):
    path = tmp_path / "x.npy"
    path.write_bytes(npy_header((1000,)) + b"\0" * 64)
    with pytest.raises(ArrayFileError, match=r"claims shape \[1000\] \(8000 bytes\) but the file "
                                             r"holds only"):
        load_arrays(path)


def test_zip_bomb_npz_is_refused_before_decompressing(tmp_path):
    path = tmp_path / "bomb.npz"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("x.npy", "w", force_zip64=True) as member:
            member.write(npy_header((2**28,), "|u1"))
            chunk = b"\0" * (1 << 22)
            for _ in range(2**28 // len(chunk)):
                member.write(chunk)
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < 2**20  # a small file...
    with using_limits(Limits(file_bytes=2**27)):  # ...that unpacks to 256 MiB
        with pytest.raises(ArrayFileError, match=r"bytes of its arrays unpacked: 268435\d+ is over "
                                                 r"the limit `file_bytes` of 134217728"):
            load_arrays(path)


def test_limits_parse_and_report():
    limits = Limits.parse(["neurons=10", "grid_points=0x100"])
    assert (limits.neurons, limits.grid_points) == (10, 256)
    with pytest.raises(ValueError, match="unknown limit 'nerons=3'"):
        Limits.parse(["nerons=3"])
    with pytest.raises(LimitError) as info:
        limits.check("neurons", 11, "things")
    assert info.value.message == "things: 11 is over the limit `neurons` of 10"
    assert info.value.hint == "raise it with `--limit neurons=N` on the command line, or " \
                              "`limits=Limits(neurons=N)` in the API"
    limits.check("neurons", 10)  # at the limit is fine


# -- durability ----------------------------------------------------------------------------------
def test_outputs_are_fsynced_before_any_rename(tmp_path, monkeypatch):
    import os

    from corelet.chip import files

    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(files.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd)))
    monkeypatch.setattr(files.os, "replace", lambda a, b: (events.append(f"rename {Path(b).name}"),
                                                           real_replace(a, b)))
    files.write_all({tmp_path / "a.json": "1", tmp_path / "b.npz": b"2"})
    # both files on disk, then both renames, then the folder synced
    assert events == ["fsync", "fsync", "rename a.json", "rename b.npz", "fsync"]
    assert (tmp_path / "a.json").read_text() == "1" and (tmp_path / "b.npz").read_bytes() == b"2"


def test_a_failed_write_leaves_none_of_the_outputs(tmp_path):
    from corelet.chip import files

    (tmp_path / "blocked").mkdir()
    with pytest.raises(OSError):
        files.write_all({tmp_path / "a.json": "1", tmp_path / "blocked" / "no" / "b": "2"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocked"]


def test_npy_header_with_a_nul_byte_found_by_the_fuzzer(tmp_path):
    """numpy parses the header as Python literals: a NUL in it raised tokenize.TokenError."""
    buf = io.BytesIO()
    np.save(buf, np.arange(24, dtype=np.int64).reshape(4, 6))
    raw = bytearray(buf.getvalue())
    raw[65] = 0
    path = tmp_path / "x.npy"
    path.write_bytes(bytes(raw))
    with pytest.raises(ArrayFileError, match=r"cannot read: the array has a damaged header"):
        load_arrays(path)


@pytest.mark.parametrize("flag_offset, value, reason", [
    (8, 99, "unsupported .npz file (That compression method is not supported)"),  # method 99
    (6, 1, "unsupported .npz file (File <ZipInfo filename='w.npy'"),  # the 'encrypted' flag
])
def test_npz_with_an_odd_zip_member_found_by_the_fuzzer(tmp_path, flag_offset, value, reason):
    """zipfile raised NotImplementedError and RuntimeError for these (found by the fuzz tests)."""
    buf = io.BytesIO()
    np.savez(buf, w=np.arange(10, dtype=np.int16))
    raw = bytearray(buf.getvalue())
    central = raw.rfind(b"PK\x01\x02")  # the member's central directory entry
    raw[central + 2 + flag_offset] = value  # (version made by, version needed, flags, method)
    raw[flag_offset] = value  # and its local header
    path = tmp_path / "w.npz"
    path.write_bytes(bytes(raw))
    with pytest.raises(ArrayFileError, match=re.escape(f"{path}: cannot read: {reason}")):
        load_arrays(path)


def test_gc_paused_restores_the_collector_as_it_was_even_on_error():
    """Reading a model pauses the cyclic collector (millions of objects without cycles); it is
    back as it was afterwards, after a malformed file too, and stays off if it was off."""
    import gc

    from corelet.chip.files import gc_paused

    assert gc.isenabled()
    with pytest.raises(ModelError):
        ChipModel.from_json("{not json")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
