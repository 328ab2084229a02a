"""Diagnostics: what the language tells a user about their program, and how they print.

A ``Diagnostic`` is one error or warning at a ``Span``, with an optional hint and notes (the chain
of imports that led to the file). ``render`` prints it the way compilers do::

    net.corelet:7:20: error: unknown template `rleu`
        neurons h[m] = rleu
                       ^^^^
    hint: did you mean `relu`?

``LanguageError`` carries one or more error diagnostics, sorted by position; ``str(err)`` is the
full rendering, so the command line only prints it. The rendering itself is the shared layer's
(``corelet.chip.errors.render_message``), the same for every error of the toolchain.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Mapping

import attrs

from corelet.chip.errors import Location, ToolchainError, render_message
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
    related: tuple[Location, ...] = ()  # further places, printed as `FILE:LINE:COL: note:` lines

    def sort_key(self) -> tuple:
        s = self.span
        return (s.file, s.line, s.column) if s else ("", 0, 0)

    def render(self, sources: Mapping[str, str] | None = None) -> str:
        return render(self, sources)

    def __str__(self) -> str:  # print(warning) shows what the command line shows, not a repr
        return self.render()


class LanguageError(ToolchainError):
    """One or more errors in a ``.corelet`` program; ``str()`` is the rendered diagnostics.

    As every ``ToolchainError``, it carries its places as data: one ``Location`` per diagnostic
    (its span, labelled with its message); ``message``, ``hint`` and ``notes`` are the first's."""

    def __init__(self, diagnostics: Iterable[Diagnostic], sources: Mapping[str, str] | None = None):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        self.sources = dict(sources or {})
        first = self.diagnostics[0] if self.diagnostics else Diagnostic(ERROR, "", None)
        super().__init__(first.message, hint=first.hint, notes=first.notes,
                         locations=[loc for d in self.diagnostics
                                    for loc in (Location(span=d.span, label=d.message), *d.related)
                                    if loc.span is not None])
        self._text = render_all(self.diagnostics, self.sources)  # the source lines as they are now

    @property
    def first(self) -> Diagnostic:
        return self.diagnostics[0]

    def render(self, sources: Mapping[str, str] | None = None, *, prefix: str = "") -> str:
        """Every diagnostic, rendered; each has its own ``error:`` title, so ``prefix`` is unused."""
        if sources is None:
            return self._text
        return render_all(self.diagnostics, {**self.sources, **sources})


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, or '' when none is close."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def render_all(diagnostics: Iterable[Diagnostic], sources: Mapping[str, str] | None = None) -> str:
    return "\n".join(render(d, sources) for d in diagnostics)


def render(diag: Diagnostic, sources: Mapping[str, str] | None = None) -> str:
    """``FILE:LINE:COL: severity: message``, the source line, a caret line, hint and notes (the
    shared renderer, ``corelet.chip.errors.render_message``)."""
    return render_message(diag.message, severity=diag.severity, span=diag.span, hint=diag.hint,
                          notes=diag.notes, sources=sources, related=diag.related, bare=False)
