"""Probe patterns: choosing neurons to record by hierarchical name.

A pattern is matched against names ``path[index]`` (``hid.h[3]``). ``*`` matches any run of
characters; every other character, brackets included, matches itself, so ``hid.h[*]`` is all of
``hid.h`` and ``lstm.*.h[0]`` is neuron 0 of every ``h`` inside ``lstm``. A pattern without an index
(``hid.h``) names every neuron of the population; so does the exact name (no ``*``) of an entry
of a population array (``stage[0]``, whose neurons are ``stage[0][i]``), which is tried as a
population before its last bracket is read as an index. Only original neurons are recorded: a copy or a
relay the compiler added reports the same spikes as its original and is never listed twice.
"""

from __future__ import annotations

import difflib
import re

import numpy as np

from corelet.runtime.errors import SimulationError
from corelet.runtime.fabric import Fabric

ORIGINAL = 0


def glob_regex(pattern: str) -> re.Pattern:
    """A compiled regex for ``pattern`` where only ``*`` is special."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")) + r"\Z",
                      re.DOTALL)


def resolve_probe(fabric: Fabric, pattern: str) -> np.ndarray:
    """Fabric rows of the original neurons that ``pattern`` names, in (path, index) order."""
    # The exact name of an entry of a population array (`stage[0]`, whose neurons are
    # `stage[0][i]`) ends in a bracket like a neuron index: it is tried as a population first.
    rows = _population_rows(fabric, pattern) if "*" not in pattern else np.zeros(0, np.int64)
    path_part = pattern
    if not rows.size:
        path_part, index_part = _split(pattern)
        rows = _population_rows(fabric, path_part)
        if index_part is not None:
            rows = rows[_index_matches(fabric.name_index[rows], index_part)]
    if not rows.size:
        raise SimulationError(f"probe {pattern!r} matches no neuron; "
                              f"{_population_hint(fabric, path_part)}")
    order = np.lexsort((fabric.name_index[rows], fabric.name_path[rows]))
    return rows[order]


def _population_rows(fabric: Fabric, path_pattern: str) -> np.ndarray:
    """Fabric rows of the original neurons of the populations whose path matches."""
    path_re = glob_regex(path_pattern)
    wanted = np.array([bool(path_re.match(p)) for p in fabric.paths] + [False], bool)
    return np.flatnonzero((fabric.neuron_role == ORIGINAL) & wanted[fabric.name_path])


def _split(pattern: str) -> tuple[str, str | None]:
    """``'a.b[3]'`` -> ``('a.b', '3')``; ``'a.b'`` -> ``('a.b', None)``."""
    if pattern.endswith("]") and "[" in pattern:
        path, _, index = pattern[:-1].rpartition("[")
        return path, index
    return pattern, None


def _index_matches(indices: np.ndarray, index_part: str) -> np.ndarray:
    if index_part == "*":
        return np.ones(len(indices), bool)
    if index_part.isdigit():
        return indices == int(index_part)
    index_re = glob_regex(index_part)
    return np.array([bool(index_re.match(str(i))) for i in indices.tolist()], bool)


def population_paths(fabric: Fabric) -> list[str]:
    """The paths of the neuron populations (``paths`` also names input connectors), in order."""
    used = np.unique(fabric.name_path[fabric.neuron_role == ORIGINAL])
    return [fabric.paths[p] for p in used.tolist()]


def _population_hint(fabric: Fabric, path_part: str, limit: int = 8) -> str:
    """``did you mean 'hid.h'? populations are a, b, ...`` for a probe that matched nothing."""
    paths = population_paths(fabric)
    if not paths:
        return "this model has no neurons"
    close = difflib.get_close_matches(path_part, paths, n=1)
    more = f", ... ({len(paths)} in all)" if len(paths) > limit else ""
    listed = "populations are " + ", ".join(paths[:limit]) + more
    return f"did you mean {close[0]!r}? {listed}" if close else listed
