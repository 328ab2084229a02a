"""The run-length strings of the original model format's per-neuron columns.

A column (``types``, ``dendrites``, ``destCores``, ``destAxons``, ``destDelays``) is a JSON list
whose items are integers or strings: ``"a:b"`` (a, a+1, ..., b), ``"a:step:b"`` (a, a+step, ...,
up to b) and ``"vxN"`` (v repeated N times); the items together give one value per neuron.
``parse_column`` reads one and says what is wrong with it; ``format_column`` writes the shortest
such list for our columns (only forms every reader we know of reads the same way).
"""

from __future__ import annotations

import re

import numpy as np

_INT = r"(-?\d+)"
_RANGE = re.compile(rf"^{_INT}:{_INT}$")
_STEP = re.compile(rf"^{_INT}:{_INT}:{_INT}$")
_REPEAT = re.compile(rf"^{_INT}x(\d+)$")
_PLAIN = re.compile(rf"^{_INT}$")


class RunError(ValueError):
    """An item of a column that does not parse, or a column of the wrong length."""


def expand_item(item) -> list[int]:
    """The values one item stands for; ``RunError`` saying why when it does not parse."""
    if isinstance(item, bool) or not isinstance(item, (int, str)):
        raise RunError(f"item {item!r} is neither an integer nor a run-length string")
    if isinstance(item, int):
        return [item]
    text = item.strip()
    if m := _PLAIN.match(text):
        return [int(m[1])]
    if m := _REPEAT.match(text):
        value, count = int(m[1]), int(m[2])
        if count < 1:
            raise RunError(f"item {item!r} repeats {value} {count} times; a run needs at least one")
        return [value] * count
    if m := _RANGE.match(text):
        first, last = int(m[1]), int(m[2])
        if last < first:
            raise RunError(f"item {item!r} runs backwards ({first} to {last})")
        return list(range(first, last + 1))
    if m := _STEP.match(text):
        first, step, last = int(m[1]), int(m[2]), int(m[3])
        if step < 1:
            raise RunError(f"item {item!r} has step {step}; a:step:b needs a step of at least 1")
        if last < first:
            raise RunError(f"item {item!r} runs backwards ({first} to {last})")
        if (last - first) % step:
            raise RunError(f"item {item!r} does not reach {last} in steps of {step} from {first}")
        return list(range(first, last + 1, step))
    raise RunError(f"item {item!r} does not parse (expected N, 'a:b', 'a:step:b' or 'vxN')")


def parse_column(items, length: int) -> np.ndarray:
    """The int64 column ``items`` spells; ``RunError`` when an item does not parse or the items do
    not add up to ``length`` values."""
    if not isinstance(items, list):
        raise RunError(f"expected a list of integers and run-length strings, got {type(items).__name__}")
    values: list[int] = []
    for item in items:
        values += expand_item(item)
        if len(values) > length:
            break
    if len(values) != length:
        more = "more than" if len(values) > length else f"only {len(values)}, not"
        raise RunError(f"the items add up to {more} {length} values (one per neuron)")
    return np.asarray(values, np.int64)


def format_column(values: np.ndarray) -> list:
    """The shortest list of integers, ``"vxN"``, ``"a:b"`` and ``"a:step:b"`` items spelling
    ``values`` (greedy: the longest run at each position, runs of at least three values)."""
    values = np.asarray(values, np.int64).tolist()
    out: list = []
    i, n = 0, len(values)
    while i < n:
        j = i + 1
        while j < n and values[j] == values[i]:
            j += 1
        if j - i >= 2:
            out.append(f"{values[i]}x{j - i}")
            i = j
            continue
        step = values[i + 1] - values[i] if i + 1 < n else 0
        j = i + 1
        while step > 0 and j < n and values[j] - values[j - 1] == step:
            j += 1
        if step > 0 and j - i >= 3:
            out.append(f"{values[i]}:{values[j - 1]}" if step == 1
                       else f"{values[i]}:{step}:{values[j - 1]}")
            i = j
        else:
            out.append(values[i])
            i += 1
    return out
