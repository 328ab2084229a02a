"""What a set of ``.corelet`` files offers, read from their sources: every corelet with its
parameters and connectors as written, its doc string and its place. ``corelet library`` lists the
standard library with it, so a user can find a building block without opening the files."""

from __future__ import annotations

import difflib
import inspect
from pathlib import Path

import attrs

from corelet.chip.source import Span
from corelet.language import ast
from corelet.language._parser import parse
from corelet.language.diagnostics import Diagnostic, ERROR, LanguageError
from corelet.library import LIBRARY_PATH


@attrs.frozen
class Entry:
    """One corelet: ``params``, ``inputs`` and ``outputs`` are their source texts (``W: int[n, m]``,
    ``x[n]``)."""

    file: Path
    name: str
    params: tuple[str, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    doc: str
    line: int

    @property
    def signature(self) -> str:
        return f"{self.name}({', '.join(self.params)})"

    def summary(self, width: int = 100) -> str:
        """The doc string's first paragraph on one line, cut at a word to at most ``width``."""
        first = " ".join(self.doc.strip().split("\n\n")[0].split())
        if len(first) <= width:
            return first
        return first[:width - 4].rsplit(" ", 1)[0] + " ..."


def catalog(folder: Path = LIBRARY_PATH) -> list[Entry]:
    """Every corelet defined in the ``.corelet`` files of ``folder``, file by file in name order."""
    entries = []
    for path in sorted(Path(folder).glob("*.corelet")):
        text = path.read_text(encoding="utf-8")
        module = parse(text, str(path))
        lines = text.splitlines()
        for corelet in module.corelets:
            connectors = [s for s in corelet.body if isinstance(s, (ast.InputDecl, ast.OutputDecl))]
            entries.append(Entry(
                file=path, name=corelet.name,
                params=tuple(_text(lines, p.span) for p in corelet.params),
                inputs=tuple(_connector(lines, c) for c in connectors if isinstance(c, ast.InputDecl)),
                outputs=tuple(_connector(lines, c) for c in connectors
                              if isinstance(c, ast.OutputDecl)),
                doc=inspect.cleandoc(corelet.doc), line=corelet.span.line))
    return entries


def find(entries: list[Entry], name: str) -> Entry:
    """The entry called ``name``; a ``LanguageError`` with the closest names otherwise."""
    for entry in entries:
        if entry.name == name:
            return entry
    names = [e.name for e in entries]
    close = difflib.get_close_matches(name, names, n=1)
    hint = (f"did you mean `{close[0]}`? " if close else "") + "the library has " + \
        ", ".join(f"`{n}`" for n in names)
    raise LanguageError([Diagnostic(ERROR, f"the library has no corelet `{name}`", None, hint)], {})


def _text(lines: list[str], span: Span) -> str:
    """The source text of a span, joined onto one line."""
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1:span.end_column - 1]
    parts = [lines[span.line - 1][span.column - 1:]]
    parts += lines[span.line:span.end_line - 1]
    parts.append(lines[span.end_line - 1][:span.end_column - 1])
    return " ".join(" ".join(p.split()) for p in parts if p.strip())


def _connector(lines: list[str], decl) -> str:
    text = _text(lines, decl.span)
    return text.split(None, 1)[1] if " " in text else text  # drop the `input` / `output` keyword
