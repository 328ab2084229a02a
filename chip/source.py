"""Source positions: where in a ``.corelet`` file (or a Python builder call) something came from."""

from __future__ import annotations

import attrs


@attrs.frozen
class Span:
    """A 1-based line/column range in a source file; ``end_*`` point just past the last character."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"
