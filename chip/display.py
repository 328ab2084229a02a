"""How the contracts show themselves in Python and notebooks: short text reprs, and HTML by hook.

``__repr__`` of a ``Network``, ``ChipModel``, compile result or run result is one line of counts
(cores, neurons, ticks, connector names and widths), never the arrays. Their ``_repr_html_``
(what Jupyter shows) asks this registry: the stage that can draw a kind registers a renderer
(``corelet.reports`` registers "model" and "compilation" when it is imported, and the one-call
API imports it), so the shared layer shows a report without importing the reports stage. Where
no renderer is registered, ``html`` returns None and Jupyter falls back to the text repr.
"""

from __future__ import annotations

from typing import Callable, Iterable

_RENDERERS: dict[str, Callable[[object], str]] = {}


def register_html(kind: str, renderer: Callable[[object], str]) -> None:
    """Make ``renderer(obj)`` the HTML of objects of ``kind`` ("model", "compilation", ...)."""
    _RENDERERS[kind] = renderer


def html(kind: str, obj: object) -> str | None:
    """The registered renderer's HTML for ``obj``, or None when no stage has registered one."""
    renderer = _RENDERERS.get(kind)
    return None if renderer is None else renderer(obj)


def connectors(kind: str, named: Iterable[tuple[str, int]], limit: int = 6) -> str:
    """'inputs x[4], y[2]': names with widths, the first ``limit`` of them and a count of the rest."""
    named = list(named)
    if not named:
        return f"no {kind}"
    shown = ", ".join(f"{name}[{width}]" for name, width in named[:limit])
    more = f" and {len(named) - limit} more" if len(named) > limit else ""
    return f"{kind} {shown}{more}"


def plural(count: int, word: str, words: str | None = None) -> str:
    """'1 core', '3 cores'."""
    return f"{count} {word if count == 1 else (words or word + 's')}"
