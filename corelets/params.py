"""Parameter values from the command line: ``-p NAME=VALUE``.

VALUE is a literal (``16``, ``2.5``, ``true``, ``"text"``, ``[1, 2, 3]``, nested lists: JSON syntax),
or a file: ``w.npy``, ``w.npz:KEY`` (``w.npz`` alone when it holds one array), ``w.json`` (a JSON
number, bool, string or nested list). Relative paths are taken from ``base_dir``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from chip import ToolchainError


class ParamError(ToolchainError):
    """A ``-p NAME=VALUE`` that cannot be read."""


def parse_param(arg: str, base_dir: str = ".") -> tuple[str, object]:
    """``"NAME=VALUE"`` -> ``(name, value)``; arrays come back as numpy arrays."""
    name, sep, text = arg.partition("=")
    name, text = name.strip(), text.strip()
    if not sep or not name.isidentifier():
        raise ParamError(f"parameter {arg!r}: expected NAME=VALUE, e.g. n=16 or W=weights.npz:W1")
    return name, _value(name, text, Path(base_dir))


def _value(name: str, text: str, base: Path) -> object:
    path_text, _, key = text.partition(":") if ".npz:" in text else (text, "", "")
    suffix = Path(path_text).suffix.lower()
    if suffix in (".npy", ".npz", ".json"):
        return _from_file(name, base / path_text, suffix, key)
    if text in ("true", "false"):
        return text == "true"
    try:
        return _plain(json.loads(text))
    except json.JSONDecodeError:
        return text  # a bare word is a string: -p mode=linear


def _from_file(name: str, path: Path, suffix: str, key: str) -> object:
    try:
        if suffix == ".json":
            return _plain(json.loads(path.read_text(encoding="utf-8")))
        if suffix == ".npy":
            return np.load(path, allow_pickle=False)
        with np.load(path, allow_pickle=False) as archive:
            keys = list(archive.keys())
            if not key and len(keys) == 1:
                key = keys[0]
            if key not in keys:
                raise ParamError(f"parameter {name}: {path} has no array {key!r} "
                                 f"(it has: {', '.join(keys) or 'none'}); write {path.name}:KEY")
            return archive[key]
    except ParamError:
        raise
    except (OSError, ValueError) as err:
        raise ParamError(f"parameter {name}: cannot read {path}: {err}") from None


def _plain(value: object) -> object:
    if isinstance(value, list):
        array = np.array(value)
        if array.dtype == object:
            raise ParamError("a list parameter must be rectangular and hold numbers or bools")
        return array
    return value
