"""Parameter values from the command line: ``-p NAME=VALUE``.

VALUE is a literal in JSON syntax (``16``, ``2.5``, ``true``, ``"text"``, ``[1, 2, 3]``, nested
lists), a bare word (``linear``, read as the string; a ``neuron`` parameter reads a string as the
name of a template, ``-p cell=and2``), or an array file read by
``chip.files.load_array``: ``w.npy``, ``w.npz:KEY`` (``w.npz`` alone when it holds one array),
``w.json`` (a JSON number, bool or nested list; an object of them takes ``:KEY`` like an ``.npz``).
Relative paths are taken from ``base_dir``. Text that starts like JSON (``[``, ``{``, ``"``, a digit
or ``-``) must be valid JSON, so a typo such as ``[1,2`` is an error rather than a string.
"""

from __future__ import annotations

import json
from pathlib import Path

from corelet.chip import ToolchainError
from corelet.chip.files import (ARRAY_SUFFIXES, ArrayFileError, array_from_json, load_array,
                                loads_json)

JSON_STARTS = ('[', '{', '"', '-', *"0123456789")


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
    path_text, _, key = _split_key(text)
    if Path(path_text).suffix.lower() in ARRAY_SUFFIXES:
        return _from_file(name, base / path_text, key or None)
    if text in ("true", "false"):
        return text == "true"
    if not text.startswith(JSON_STARTS):
        return text  # a bare word is a string: -p mode=linear
    try:
        value = loads_json(text)
    except json.JSONDecodeError as err:
        raise ParamError(f"parameter {name}: {text!r} is not a valid JSON value ({err}); "
                         "quote a string as '\"text\"'") from None
    return _plain(name, value)


def _split_key(text: str) -> tuple[str, str, str]:
    """``'w.npz:W1'`` -> ``('w.npz', ':', 'W1')``; text without a ``.npz:``/``.json:`` as is."""
    for suffix in (".npz:", ".json:"):
        if suffix in text:
            head, _, key = text.partition(suffix)
            return head + suffix[:-1], ":", key
    return text, "", ""


def _from_file(name: str, path: Path, key: str | None) -> object:
    try:
        array = load_array(path, key)
    except ArrayFileError as err:
        raise ParamError(f"parameter {name}: {err}") from None
    # a file holding a single number is a scalar parameter, as the literal would be
    return array.item() if array.ndim == 0 else array


def _plain(name: str, value: object) -> object:
    if isinstance(value, list):
        try:
            return array_from_json(value)
        except ValueError as err:
            raise ParamError(f"parameter {name}: a list parameter must be rectangular and hold "
                             f"numbers or bools: {err}") from None
    return value
