"""Source positions: where in a ``.corelet`` file (or a Python builder call) something came from,
and the source line and caret that show one."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

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


def source_line(span: Span, sources: Mapping[str, str] | None = None) -> str | None:
    """The text of the span's first line (right-stripped), from ``sources`` (file name -> text) or
    read from the file the span names; ``None`` when there is no such file or line (e.g. a span in
    ``"<string>"`` source that ``sources`` does not hold)."""
    text = (sources or {}).get(span.file)
    if text is None:
        try:
            text = Path(span.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            return None
    lines = text.splitlines()
    if not 1 <= span.line <= len(lines):
        return None
    return lines[span.line - 1].rstrip()


def caret(line: str, span: Span) -> str:
    """Spaces (tabs where the source has tabs) up to the column, then ^ under the span."""
    start = max(span.column - 1, 0)
    pad = "".join("\t" if c == "\t" else " " for c in line[:start])
    end = span.end_column - 1 if span.end_line == span.line else len(line)
    width = max(1, min(end, len(line)) - start)
    return pad + "^" * width
