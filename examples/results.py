"""docs/results.md is written by the examples' report scripts, one section each, between the
markers `<!-- section: NAME -->` and `<!-- end: NAME -->`; this replaces one section's text."""

from __future__ import annotations

import re
from pathlib import Path

from corelet.chip.files import atomic_write

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "results.md"


def write_section(name: str, text: str, path: Path = RESULTS) -> None:
    """Replace section ``name`` of ``path`` with ``text`` (atomically; the markers must exist)."""
    doc = path.read_text(encoding="utf-8")
    begin, end = f"<!-- section: {name} -->", f"<!-- end: {name} -->"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if not pattern.search(doc):
        raise SystemExit(f"{path}: no {begin} ... {end} markers")
    atomic_write(path, pattern.sub(lambda _: f"{begin}\n{text}\n{end}", doc))
