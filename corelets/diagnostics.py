"""Diagnostics: what the language tells a user about their program, and the one renderer.

A ``Diagnostic`` is one error or warning at a ``Span``, with an optional hint and notes (the chain
of imports that led to the file). ``render`` prints it the way compilers do::

    net.corelet:7:20: error: unknown template `rleu`
        neurons h[m] = rleu
                       ^^^^
    hint: did you mean `relu`?

``LanguageError`` carries one or more error diagnostics, sorted by position; ``str(err)`` is the
full rendering, so the command line only prints it.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Iterable, Mapping

import attrs

from corelet.chip import ToolchainError
from corelet.chip.source import Span

ERROR, WARNING = "error", "warning"


@attrs.frozen
class Diagnostic:
    """One message about a place in a source file."""

    severity: str
    message: str
    span: Span | None
    hint: str = ""
    notes: tuple[str, ...] = ()

    def sort_key(self) -> tuple:
        s = self.span
        return (s.file, s.line, s.column) if s else ("", 0, 0)

    def render(self, sources: Mapping[str, str] | None = None) -> str:
        return render(self, sources)


class LanguageError(ToolchainError):
    """One or more errors in a ``.corelet`` program; ``str()`` is the rendered diagnostics."""

    def __init__(self, diagnostics: Iterable[Diagnostic], sources: Mapping[str, str] | None = None):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        self.sources = dict(sources or {})
        super().__init__(render_all(self.diagnostics, self.sources))

    @property
    def first(self) -> Diagnostic:
        return self.diagnostics[0]


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, or '' when none is close."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def render_all(diagnostics: Iterable[Diagnostic], sources: Mapping[str, str] | None = None) -> str:
    return "\n".join(render(d, sources) for d in diagnostics)


def render(diag: Diagnostic, sources: Mapping[str, str] | None = None) -> str:
    """``FILE:LINE:COL: severity: message``, the source line, a caret line, hint and notes."""
    span = diag.span
    where = f"{span}: " if span else ""
    lines = [f"{where}{diag.severity}: {diag.message}"]
    if span is not None:
        source_line = _source_line(span, sources or {})
        if source_line is not None:
            lines += [f"    {source_line}", f"    {_caret(source_line, span)}"]
    if diag.hint:
        lines.append(f"hint: {diag.hint}")
    lines += [f"note: {note}" for note in diag.notes]
    return "\n".join(lines)


def _source_line(span: Span, sources: Mapping[str, str]) -> str | None:
    text = sources.get(span.file)
    if text is None:
        try:
            text = Path(span.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            return None
    lines = text.splitlines()
    if not 1 <= span.line <= len(lines):
        return None
    return lines[span.line - 1].rstrip()


def _caret(line: str, span: Span) -> str:
    """Spaces (tabs where the source has tabs) up to the column, then ^ under the span."""
    start = max(span.column - 1, 0)
    pad = "".join("\t" if c == "\t" else " " for c in line[:start])
    end = span.end_column - 1 if span.end_line == span.line else len(line)
    width = max(1, min(end, len(line)) - start)
    return pad + "^" * width
