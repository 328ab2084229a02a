"""The array-file helpers that let large runs stay out of memory: ``.npy`` read memory-mapped,
and ``.npz`` written through ``write_all`` from a writer that streams its arrays."""

import numpy as np
import pytest

from corelet.chip.files import ArrayFileError, load_array, npz_bytes, npz_writer, write_all


def test_an_npy_read_memory_mapped_holds_the_saved_values(tmp_path):
    values = np.arange(24, dtype=np.int16).reshape(2, 3, 4)
    np.save(tmp_path / "a.npy", values)
    mapped = load_array(tmp_path / "a.npy", mmap=True)
    assert isinstance(mapped, np.memmap) and not mapped.flags.writeable
    np.testing.assert_array_equal(mapped, values)
    assert not isinstance(load_array(tmp_path / "a.npy"), np.memmap)  # only when asked


def test_a_memory_mapped_read_reports_bad_files_as_the_reader_does(tmp_path):
    (tmp_path / "text.npy").write_text("not numpy")
    with pytest.raises(ArrayFileError, match="does not start with the NumPy"):
        load_array(tmp_path / "text.npy", mmap=True)
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ArrayFileError, match="pickled Python objects"):
        load_array(tmp_path / "obj.npy", mmap=True)
    with pytest.raises(ArrayFileError, match="no such file"):
        load_array(tmp_path / "missing.npy", mmap=True)


def test_npz_writer_writes_what_npz_bytes_holds(tmp_path):
    spool = np.lib.format.open_memmap(tmp_path / "big.npy", mode="w+", dtype=bool, shape=(5, 7, 3))
    spool[2, 3, 1] = True
    arrays = {"outputs/y": spool, "ticks": np.int64(7)}
    write_all({tmp_path / "streamed.npz": npz_writer(arrays),
               tmp_path / "note.txt": "written with it"})
    (tmp_path / "bytes.npz").write_bytes(npz_bytes(arrays))
    with np.load(tmp_path / "streamed.npz") as got, np.load(tmp_path / "bytes.npz") as want:
        assert got.files == want.files == ["outputs/y", "ticks"]
        for key in want.files:
            np.testing.assert_array_equal(got[key], want[key])
        assert got["outputs/y"].sum() == 1 and got["outputs/y"][2, 3, 1]
    assert (tmp_path / "note.txt").read_text() == "written with it"


def test_a_failing_writer_leaves_no_file(tmp_path):
    def broken(f):
        f.write(b"half")
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        write_all({tmp_path / "a.npz": broken})
    assert list(tmp_path.iterdir()) == []
