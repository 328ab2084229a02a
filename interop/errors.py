"""The interop stage's error: a file of the original toolchain that cannot be read or written,
with the file, the core and the field it blames as ``Location`` data."""

from __future__ import annotations

import os
from pathlib import Path

from corelet.chip.errors import Location, ToolchainError
from corelet.chip.limits import active_limits


class InteropError(ToolchainError):
    """A model or spike file of the original format that is wrong, or a model it cannot hold."""


def interop_error(file: str, text: str, *, line: int | None = None, core: int | None = None,
                  field: str = "", slot: int | None = None, axon: int | None = None, connector: str = "",
                  pin: int | None = None, hint: str = "") -> InteropError:
    """``InteropError("FILE: line 4: core 3: field 'destCores': TEXT")`` with the same place as
    data (the line only in the message: a ``Location`` has no line without a source span)."""
    where = [file] if file else []
    if line is not None:
        where.append(f"line {line}")
    if core is not None:
        where.append(f"core {core}")
    if field:
        where.append(f"field '{field}'")
    return InteropError(": ".join([*where, text]), hint=hint, locations=[Location(
        file=file, core=core, field=field, slot=slot, axon=axon, connector=connector, pin=pin)])


def read_text(path: str | os.PathLike) -> str:
    """A file of the original toolchain as text; ``InteropError`` naming it when it cannot be read
    or is over the limit ``file_bytes`` (checked before it is read)."""
    try:
        active_limits().check("file_bytes", Path(path).stat().st_size, f"{path}: bytes of this file",
                              Location(file=str(path)), InteropError)
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise interop_error(str(path), "no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise interop_error(str(path), f"cannot read: {err}") from None
