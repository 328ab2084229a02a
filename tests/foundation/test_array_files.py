"""chip.files.load_arrays / load_array: the one reader of .npy, .npz and .json array files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from corelet.chip import ToolchainError
from corelet.chip.files import ArrayFileError, array_from_json, load_array, load_arrays


def test_npz_gives_every_array_by_name(tmp_path):
    np.savez(tmp_path / "a.npz", W1=np.arange(6).reshape(2, 3), b=np.array([True, False]))
    arrays = load_arrays(tmp_path / "a.npz")
    assert list(arrays) == ["W1", "b"]
    assert arrays["W1"].tolist() == [[0, 1, 2], [3, 4, 5]] and arrays["b"].tolist() == [True, False]
    assert load_array(tmp_path / "a.npz", "b").dtype == bool


def test_npy_gives_its_one_array_under_the_empty_key(tmp_path):
    np.save(tmp_path / "w.npy", np.eye(2))
    arrays = load_arrays(tmp_path / "w.npy")
    assert list(arrays) == [""] and arrays[""].tolist() == [[1, 0], [0, 1]]
    assert load_array(tmp_path / "w.npy").tolist() == [[1, 0], [0, 1]]


def test_json_lists_numbers_and_objects(tmp_path):
    (tmp_path / "l.json").write_text("[[1, -2], [3, 4]]")
    (tmp_path / "n.json").write_text("2.5")
    (tmp_path / "o.json").write_text(json.dumps({"x": [0, 1], "y": [[True, True]]}))
    assert load_array(tmp_path / "l.json").tolist() == [[1, -2], [3, 4]]
    assert load_array(tmp_path / "n.json").shape == () and load_array(tmp_path / "n.json") == 2.5
    assert load_array(tmp_path / "o.json", "y").tolist() == [[True, True]]
    assert sorted(load_arrays(tmp_path / "o.json")) == ["x", "y"]


def test_key_selection_lists_the_arrays_there_are(tmp_path):
    np.savez(tmp_path / "two.npz", W1=np.ones(2), W2=np.zeros(2))
    with pytest.raises(ArrayFileError, match=r"two.npz: has no array 'W3' \(it has: 'W1', 'W2'\)"):
        load_array(tmp_path / "two.npz", "W3")
    with pytest.raises(ArrayFileError, match=r"holds 2 arrays \('W1', 'W2'\); name one as "
                                             r"two.npz:KEY"):
        load_array(tmp_path / "two.npz")
    np.savez(tmp_path / "none.npz")
    with pytest.raises(ArrayFileError, match=r"holds 0 arrays \(none\)"):
        load_array(tmp_path / "none.npz")


def test_errors_name_the_path_and_the_reason(tmp_path):
    (tmp_path / "junk.npy").write_bytes(b"hello, not numpy")
    (tmp_path / "cut.npz").write_bytes(b"PK\x03\x04 and then nothing")
    (tmp_path / "dir.npz").mkdir()
    (tmp_path / "w.txt").write_text("1 2 3")
    (tmp_path / "bad.json").write_text("[1, 2")
    cases = [
        ("missing.npz", "missing.npz: no such file"),
        ("dir.npz", "dir.npz: cannot read"),
        ("w.txt", r"w.txt: not an array file \(expected .npy, .npz, .json\)"),
        ("junk.npy", "junk.npy: not a .npy file"),
        ("cut.npz", "cut.npz: cannot read: damaged .npz file"),
        ("bad.json", "bad.json: cannot read: not valid JSON"),
    ]
    for name, message in cases:
        with pytest.raises(ArrayFileError, match=message):
            load_arrays(tmp_path / name)
    assert issubclass(ArrayFileError, ToolchainError)


def test_pickled_object_arrays_are_refused(tmp_path):
    objects = np.array([{"a": 1}, None], dtype=object)
    np.save(tmp_path / "o.npy", objects, allow_pickle=True)
    np.savez(tmp_path / "o.npz", fine=np.ones(1), evil=objects)
    with pytest.raises(ArrayFileError, match="o.npy: the array holds pickled Python objects"):
        load_arrays(tmp_path / "o.npy")
    with pytest.raises(ArrayFileError, match="o.npz: array 'evil' holds pickled Python objects"):
        load_arrays(tmp_path / "o.npz")


@pytest.mark.parametrize("value, reason", [
    ([[1, 2], [3]], "ragged"),
    (["a", "b"], "only numbers or bools"),
    ([1, None], "only numbers or bools"),
    ("text", "a str is not a number"),
])
def test_json_values_that_are_not_arrays(tmp_path, value, reason):
    with pytest.raises(ValueError, match=reason):
        array_from_json(value)
    (tmp_path / "v.json").write_text(json.dumps(value))
    with pytest.raises(ArrayFileError, match="v.json: the value is not an array: .*" + reason):
        load_arrays(tmp_path / "v.json")


def test_write_all_writes_every_file_or_none(tmp_path):
    from corelet.chip.files import write_all

    write_all({tmp_path / "a.txt": "first", tmp_path / "b.bin": b"\x00\x01"})
    assert (tmp_path / "a.txt").read_text() == "first"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    with pytest.raises(OSError) as err:
        write_all({tmp_path / "a.txt": "second", tmp_path / "missing" / "c.txt": "x"})
    assert err.value.filename == str(tmp_path / "missing" / "c.txt")
    assert (tmp_path / "a.txt").read_text() == "first"  # untouched: nothing was renamed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin"]  # no temporaries


def test_written_files_follow_the_umask(tmp_path):
    import os

    from corelet.chip.files import atomic_write

    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "m.json", "{}")
    finally:
        os.umask(old)
    assert (tmp_path / "m.json").stat().st_mode & 0o777 == 0o644
