"""The root of the project's error family, the places an error blames, and the one renderer.

``LanguageError`` (language), ``PlacementError`` (compiler), ``ModelError`` (chip model) and
``SimulationError`` (runtime) all derive from ``ToolchainError``; the command line catches this one
class, prints ``err.render(prefix="corelet COMMAND")`` and exits 1, with no traceback.

An error carries its places as data: ``err.locations``, a tuple of ``Location`` (a source span, a
corelet instance and name, a neuron, a core with a neuron slot or an axon, a field, a connector, a
file; every part optional). The first location is the one the error blames; when it has a source
span, the error renders the way language errors do::

    net.corelet:6:5: error: neuron h[0] of corelet 'Wide' needs 300 distinct input axons; a core has 256
        neurons h[2] = sum
        ^^^^^^^^^^^^^^^^^^
    hint: split it inside the corelet into partial sums

Further locations with a label (or a span) follow as ``note:`` lines, with their own source line and
caret when their span has not been shown yet; then the hint and the notes. An error without a span
renders as its bare message (the command line puts ``corelet COMMAND: error:`` in front), so a place
that is not in a source file (``core 3 neuron 17: field 'weights' ...``) stays in the message text
and in the locations, as data, both.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import attrs

from corelet.chip.source import Span, caret, source_line


def _optional_int(value) -> int | None:
    return None if value is None else int(value)


@attrs.frozen
class Location:
    """One place an error blames; every part is optional.

    ``span``: where in a source file (the ``neurons`` declaration of a population, an input
    connector, a core-sharing group); ``instance``: the hierarchical path of the corelet instance
    (``""`` for the top, ``None`` when unknown); ``corelet``: the corelet's name; ``neuron``: a
    hierarchical neuron name (``lstm.gate_f.h[3]``); ``core``, ``slot``, ``axon``: a core of a chip
    model, a neuron slot on it, an axon on it; ``field``: a field of a record or file
    (``weights``, ``neurons.delay``); ``connector`` and ``pin``: a connector and one of its pins;
    ``file``: the file (a span names its own); ``label``: what the renderer says about this place
    when it is not the one the error blames (``describe()`` when empty).
    """

    span: Span | None = None
    instance: str | None = None
    corelet: str = ""
    neuron: str = ""
    core: int | None = attrs.field(default=None, converter=_optional_int)
    slot: int | None = attrs.field(default=None, converter=_optional_int)
    axon: int | None = attrs.field(default=None, converter=_optional_int)
    field: str = ""
    connector: str = ""
    pin: int | None = attrs.field(default=None, converter=_optional_int)
    file: str = ""
    label: str = ""

    @property
    def path(self) -> str:
        """The file this place is in: the span's, else ``file`` ('' when neither)."""
        return self.span.file if self.span is not None else self.file

    def describe(self, where: bool = True) -> str:
        """The place in words: ``net.corelet:6:5 neuron h[0] in corelet 'Wide' (instance top.a)``,
        ``m.json core 3 neuron 17 field 'weights'``; without the span or file unless ``where``."""
        parts = [(str(self.span) if self.span is not None else self.file) if where else ""]
        if self.connector:
            parts.append(f"connector {self.connector!r}")
        if self.pin is not None:
            parts.append(f"pin {self.pin}")
        if self.core is not None:
            parts.append(f"core {self.core}")
        if self.slot is not None:
            parts.append(f"neuron {self.slot}")
        if self.axon is not None:
            parts.append(f"axon {self.axon}")
        if self.neuron:
            parts.append(f"neuron {self.neuron}")
        if self.corelet:
            parts.append(f"in corelet {self.corelet!r}")
        if self.instance:
            parts.append(f"(instance {self.instance})")
        if self.field:
            parts.append(f"field {self.field!r}")
        return " ".join(p for p in parts if p)

    def filled(self, **parts) -> "Location":
        """This place with ``parts`` set where they are still unset (empty or ``None``)."""
        unset = {k: v for k, v in parts.items() if getattr(self, k) in (None, "")}
        return attrs.evolve(self, **unset) if unset else self

    def with_file(self, file: str) -> "Location":
        """This place, in ``file`` (a location whose span or file is already set is unchanged)."""
        return self if self.path else attrs.evolve(self, file=file)


class ToolchainError(Exception):
    """An error the user can act on; ``str(err)`` is the full, rendered message.

    ``ToolchainError(message, *, locations=(), hint="", notes=())``; ``err.message``,
    ``err.locations``, ``err.hint``, ``err.notes`` are the parts, ``err.render()`` the text.
    """

    def __init__(self, message: str = "", *, locations: Iterable[Location] = (), hint: str = "",
                 notes: Iterable[str] = ()):
        super().__init__(message)
        self.message = message
        self.locations = tuple(locations)
        self.hint = hint
        self.notes = tuple(notes)

    def __str__(self) -> str:
        return self.render()

    @property
    def location(self) -> Location | None:
        """The place the error blames: the first location (``None`` when there is none)."""
        return self.locations[0] if self.locations else None

    @property
    def span(self) -> Span | None:
        loc = self.location
        return loc.span if loc is not None else None

    def render(self, sources: Mapping[str, str] | None = None, *, prefix: str = "") -> str:
        """The message with its places (see the module docstring); ``sources`` maps file names to
        their text (files not in it are read from disk). ``prefix`` (``"corelet compile"``) heads
        an error without a span: ``corelet compile: error: message``; but an error about a file
        (its message starts with the file its location names) then puts the file first, where a
        span would be: ``m.json: error: not a chip model``."""
        related = [loc for loc in self.locations[1:] if loc.label or loc.span is not None]
        message, file = self.message, self.location.file if self.location else ""
        if prefix and self.span is None and file and message.startswith(f"{file}: "):
            message, prefix = message[len(file) + 2:], file
        return render_message(message, span=self.span, hint=self.hint, notes=self.notes,
                              sources=sources, prefix=prefix, related=related)

    def at(self, **parts) -> "ToolchainError":
        """Add what the raiser's caller knows of the place (``connector="x"``) to every location,
        where that part is still unset (a new location when there is none). Returns the error
        itself, to re-raise."""
        self.locations = tuple(loc.filled(**parts) for loc in self.locations) or (Location(**parts),)
        return self

    def in_file(self, file: str) -> "ToolchainError":
        """Record that the error is about ``file``: the message gets the prefix ``file: `` and every
        location without a file names it (a new location when there is none). Returns the error
        itself, to re-raise."""
        self.message = f"{file}: {self.message}"
        self.args = (self.message,)
        self.locations = tuple(loc.with_file(file) for loc in self.locations) or (Location(file=file),)
        return self


def render_message(message: str, *, severity: str = "error", span: Span | None = None,
                   hint: str = "", notes: Iterable[str] = (), sources: Mapping[str, str] | None = None,
                   prefix: str = "", related: Iterable[Location] = (), bare: bool | None = None) -> str:
    """The one renderer of every error and warning.

    ``FILE:LINE:COL: severity: message``, the source line and a caret line under the span, one
    ``note:`` per related location (``FILE:LINE:COL: note: label`` with its own source line and caret
    when that span was not shown yet), ``hint:`` and ``note:`` lines. Without a span the first line is
    ``prefix: severity: message``; without a prefix either, ``severity: message``, or the bare
    message when ``bare`` (by default: for errors, so the caller can put its own title in front).
    """
    if bare is None:
        bare = severity == "error" and span is None and not prefix
    head = message if bare else ": ".join(p for p in (str(span) if span else prefix, severity, message) if p)
    lines = [head]
    shown: set[Span] = set()
    _show_source(lines, span, sources, shown)
    for loc in related:
        label = loc.label or loc.describe(where=loc.span is None)
        if loc.span is None:
            lines.append(f"note: {label}")
            continue
        lines.append(f"{loc.span}: note: {label}")
        _show_source(lines, loc.span, sources, shown)
    if hint:
        lines.append(f"hint: {hint}")
    lines += [f"note: {note}" for note in notes]
    return "\n".join(lines)


def _show_source(lines: list[str], span: Span | None, sources, shown: set) -> None:
    """Append the span's source line and a caret under it, once per span."""
    if span is None or span in shown:
        return
    shown.add(span)
    text = source_line(span, sources)
    if text is not None:
        lines += [f"    {text}", f"    {caret(text, span)}"]
