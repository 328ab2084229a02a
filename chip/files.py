"""File input and output: atomic writes (a file is written whole or not at all) and the one
reader of array files (``.npy``, ``.npz``, ``.json``) that every stage uses."""

from __future__ import annotations

import contextlib
import gc
import io
import json
import lzma
import os
import re
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from corelet.chip.errors import ToolchainError
from corelet.chip.limits import active_limits


def atomic_write(path: str | os.PathLike, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    write_all({path: data})


def write_all(files: dict) -> None:
    """Write every file or none: each goes to a temporary file beside its target, flushed to
    disk (fsync), and only when all are written are they renamed into place; then the folders
    are synced, so that after a crash the renames are either there or not. Text is written as
    UTF-8; ``data`` may also be a function that writes into the open binary file
    (``npz_writer``), for contents too large to hold in memory at once."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            staged.append((Path(path), _stage(Path(path), data)))
        for path, tmp in staged:
            os.replace(tmp, path)
    except BaseException:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)
        raise
    for folder in {path.parent for path, _ in staged}:
        _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """fsync a folder, so the renames in it are on disk (not possible everywhere: then skipped)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _stage(target: Path, data: str | bytes) -> Path:
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as err:  # name the file the caller asked for, not the temporary one
        raise OSError(err.errno, err.strerror, str(target)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())  # on disk before the rename makes it visible
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # as an ordinary open() would, not mkstemp's 0600
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def npz_bytes(arrays: dict) -> bytes:
    """The bytes of a compressed ``.npz`` holding ``arrays``."""
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def npz_writer(arrays: dict):
    """For ``write_all``: writes a compressed ``.npz`` holding ``arrays`` into a file, streaming
    each array in blocks (so memory-mapped arrays are never read whole). The same contents as
    ``npz_bytes``."""
    return lambda f: np.savez_compressed(f, **arrays)


def atomic_savez(path: str | os.PathLike, arrays: dict) -> None:
    """``numpy.savez_compressed`` through ``atomic_write``."""
    atomic_write(path, npz_bytes(arrays))


# -- reading arrays ----------------------------------------------------------------------------
# One reader for every array file the toolchain accepts (``-p W=w.npz:W1``, ``--input x=in.npy``,
# ``--rate x=rates.npy``), so every stage reads the same formats and words its errors alike.
ARRAY_SUFFIXES = (".npy", ".npz", ".json")
_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members, an empty zip


class ArrayFileError(ToolchainError):
    """An array file that cannot be read: ``str(err)`` is ``"PATH: reason"``."""


def load_arrays(path: str | os.PathLike, *, mmap: bool = False) -> dict[str, np.ndarray]:
    """Every array of an array file, by name: ``dict[str, numpy.ndarray]``.

    * ``.npz``: each member under its name (in file order).
    * ``.npy``: the one array under the key ``""``; with ``mmap``, memory-mapped read-only (read
      from disk as it is used, for inputs larger than memory).
    * ``.json``: a number, bool or (nested, rectangular) list of them is one array under ``""``;
      an object maps names to such values.

    Pickled Python objects are never loaded (``allow_pickle=False``). Raises ``ArrayFileError``
    naming the path and the reason: no such file, unreadable, not an array file, pickled objects.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in ARRAY_SUFFIXES:
        raise ArrayFileError(f"{path}: not an array file (expected {', '.join(ARRAY_SUFFIXES)})")
    try:
        if mmap and suffix == ".npy":  # mapped, not read: a file larger than memory is the point
            return {"": _mapped_npy(path)}
        _check_file_size(path, path.stat().st_size, "bytes of this file")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ArrayFileError(f"{path}: no such file") from None
    except OSError as err:
        raise ArrayFileError(f"{path}: cannot read: {err.strerror or err}") from None
    if suffix == ".json":
        return _json_arrays(path, raw)
    return _numpy_arrays(path, raw, suffix)


def _mapped_npy(path: Path) -> np.ndarray:
    """An ``.npy`` file memory-mapped read-only, with the reader's checks and messages."""
    with open(path, "rb") as f:
        head = f.read(len(_NPY_MAGIC))
    if not head.startswith(_NPY_MAGIC):
        return _numpy_arrays(path, head, ".npy")[""]  # which says what is wrong
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError as err:
        if "allow_pickle" in str(err) or "object" in str(err):
            raise ArrayFileError(f"{path}: the array holds pickled Python objects, which are "
                                 "never loaded (only plain numeric arrays)") from None
        raise ArrayFileError(f"{path}: cannot read: {err}") from None
    except (OSError, EOFError) as err:
        raise ArrayFileError(f"{path}: cannot read: damaged .npy file ({err})") from None


def load_array(path: str | os.PathLike, key: str | None = None, *, mmap: bool = False) -> np.ndarray:
    """The array ``key`` of an array file (``file.npz:KEY``), or its only array when ``key`` is None.

    Raises ``ArrayFileError`` listing the arrays the file has when ``key`` is not one of them, or
    when no key is given and the file holds more than one.
    """
    arrays = load_arrays(path, mmap=mmap)
    have = ", ".join(repr(k) for k in arrays) or "none"
    if key is None:
        if len(arrays) != 1:
            raise ArrayFileError(f"{path}: holds {len(arrays)} arrays ({have}); name one as "
                                 f"{Path(path).name}:KEY")
        return next(iter(arrays.values()))
    if key not in arrays:
        raise ArrayFileError(f"{path}: has no array {key!r} (it has: {have})")
    return arrays[key]


def array_from_json(value) -> np.ndarray:
    """A JSON number, bool or nested list as a numpy array; ``ValueError`` saying why not."""
    if isinstance(value, str) or value is None or isinstance(value, dict):
        raise ValueError(f"a {type(value).__name__} is not a number or a list of numbers")
    try:
        array = np.array(value)
    except ValueError:  # numpy refuses ragged nesting
        raise ValueError("the nested lists are ragged (rows of different lengths)") from None
    if array.dtype.kind not in "biuf":
        raise ValueError("the lists must be rectangular and hold only numbers or bools")
    return array


@contextlib.contextmanager
def gc_paused():
    """Python's cyclic garbage collector paused for the block, then as it was. Reading a large
    file makes millions of objects that hold no cycles, and the collector would scan them again
    and again as they are made (a full chip's model: 0.2 s of a 2 s load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


JSON_INT_DIGITS = 1000  # digits of an integer in a JSON file (Python's int() refuses 4,300)


def loads_json(text: str | bytes, **options):
    """``json.loads`` for files from users: every malformed input, including nesting too deep for
    the parser and numbers too long to convert, is a ``json.JSONDecodeError`` saying why.
    ``options`` go to ``json.loads`` (``object_pairs_hook=``)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    text = text.removeprefix("\ufeff")
    # the digit limit is Python's own check of int(), lowered for the call: the C scanner then
    # converts every integer itself (a parse_int hook, one Python call per number, made the
    # 93 MB model of a full chip load 5x slower)
    previous = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(JSON_INT_DIGITS)
    try:
        return json.loads(text, **options)
    except RecursionError:
        raise json.JSONDecodeError("lists or objects nest too deeply", text, 0) from None
    except ValueError as err:
        digits = _TOO_LONG.search(str(err))
        if isinstance(err, json.JSONDecodeError) or digits is None:
            raise
        raise json.JSONDecodeError(f"an integer of {digits[1]} digits (at most "
                                   f"{JSON_INT_DIGITS})", text, 0) from None
    finally:
        sys.set_int_max_str_digits(previous)


_TOO_LONG = re.compile(r"integer string conversion: value has (\d+) digits")


def _json_arrays(path: Path, raw: bytes) -> dict:
    try:
        value = loads_json(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ArrayFileError(f"{path}: cannot read: not valid JSON: {err}") from None
    named = value if isinstance(value, dict) else {"": value}
    arrays = {}
    for name, item in named.items():
        try:
            arrays[name] = array_from_json(item)
        except ValueError as err:
            where = f"array {name!r}" if name else "the value"
            raise ArrayFileError(f"{path}: {where} is not an array: {err}") from None
    return arrays


def _check_file_size(path: Path, size: int, what: str) -> None:
    limits = active_limits()
    if size > limits.file_bytes:
        raise ArrayFileError(f"{path}: " + limits.message("file_bytes", size, what),
                             hint=limits.hint("file_bytes"))


def _check_claimed_sizes(path: Path, raw: bytes) -> None:
    """The sizes a file claims, checked before anything that size is allocated: a ``.npy``
    header's shape (it may claim 10**12 rows in a few bytes) and a zip's decompressed members
    (a zip bomb)."""
    if raw.startswith(_NPY_MAGIC):
        _check_npy_header(path, io.BytesIO(raw), "the array", len(raw))
        return
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        members = archive.infolist()
        _check_file_size(path, sum(m.file_size for m in members), "bytes of its arrays unpacked")
        for member in members:
            with archive.open(member) as stream:
                _check_npy_header(path, stream, f"array {member.filename.removesuffix('.npy')!r}",
                                  member.file_size)


def _check_npy_header(path: Path, stream, what: str, available: int) -> None:
    try:
        version = np.lib.format.read_magic(stream)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
            np.lib.format.read_array_header_2_0
        shape, _, dtype = read(stream)
    except Exception as err:  # numpy parses the header as Python literals: it may raise
        # SyntaxError, tokenize.TokenError, ValueError... for a damaged one
        raise ArrayFileError(f"{path}: cannot read: {what} has a damaged header "
                             f"({type(err).__name__}: {err})") from None
    count = 1
    for n in shape:
        count *= int(n)
    claimed = count * dtype.itemsize
    _check_file_size(path, claimed, f"bytes of {what} (shape {list(shape)})")
    if dtype.hasobject:
        return  # np.load names these (pickles, never loaded)
    if claimed > available:
        raise ArrayFileError(f"{path}: cannot read: {what} claims shape {list(shape)} "
                             f"({claimed} bytes) but the file holds only {available} bytes")


def _numpy_arrays(path: Path, raw: bytes, suffix: str) -> dict:
    # checked here because np.load takes anything else for a pickle and says only that
    if not raw.startswith((_NPY_MAGIC, *_ZIP_MAGICS)):
        raise ArrayFileError(f"{path}: not a {suffix} file (it does not start with the NumPy "
                             "or zip signature)")
    name = ""
    try:
        _check_claimed_sizes(path, raw)
        data = np.load(io.BytesIO(raw), allow_pickle=False)
        if isinstance(data, np.ndarray):
            return {"": data}
        with data:
            arrays = {}
            for name in data.files:
                arrays[name] = data[name]
            return arrays
    except ValueError as err:
        if "allow_pickle" in str(err):
            what = f"array {name!r}" if name else "the array"
            raise ArrayFileError(f"{path}: {what} holds pickled Python objects, which are "
                                 "never loaded (only plain numeric arrays)") from None
        raise ArrayFileError(f"{path}: cannot read: {err}") from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, lzma.LZMAError) as err:
        raise ArrayFileError(f"{path}: cannot read: damaged {suffix} file ({err})") from None
    except (NotImplementedError, RuntimeError) as err:  # zipfile: a compression method it
        # lacks, an encrypted member
        raise ArrayFileError(f"{path}: cannot read: unsupported {suffix} file ({err})") from None
