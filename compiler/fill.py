"""Sequential core filling: cut an ordering of neurons into cores, testing before each addition.

Every placer reduces to this: it chooses an order of the neurons (and where cores may or must
start), and ``fill`` walks the order, opening a new core when the next neuron would overflow the
current one, so no core ever overfills. A neuron costs ``cost[n]`` neuron slots (itself plus the
copies its fan-out needs) and brings the axons of its distinct input keys; keys already on the core
(a shared input, a clock) cost nothing again.

The walk is vectorised per core: a window of up to ``neurons_per_core`` neurons is examined at once,
the first occurrence of every axon key in the window found with a stamp array (no sort), and the
longest prefix that fits in both axons and neuron slots taken. Cost: one pass over the incoming
connections of every neuron.
"""

from __future__ import annotations

import attrs
import numpy as np

from corelet.chip import ChipProfile
from corelet.chip.arrays import run_ids
from corelet.compiler._index import NetIndex

_STAMP_LIMIT = 1 << 28  # above this many axon keys, first occurrences are found by sorting instead


class Unfit(Exception):
    """Raised when the item that starts at ``position`` does not fit an empty core."""

    def __init__(self, position: int, axons: int, slots: int):
        super().__init__(position)
        self.position, self.axons, self.slots = position, axons, slots


@attrs.frozen(eq=False)
class Filling:
    """The result of ``fill``: core ``k`` holds ``order[starts[k]:starts[k+1]]``."""

    order: np.ndarray  # (N,) neurons in placement order
    starts: np.ndarray  # (C+1,) positions in ``order`` where each core starts
    core_of: np.ndarray  # (N,) core of each neuron
    axon_ptr: np.ndarray  # (C+1,) core k's axon keys are axon_keys[axon_ptr[k]:axon_ptr[k+1]]
    axon_keys: np.ndarray  # axon keys per core, in order of first use

    @property
    def n_cores(self) -> int:
        return len(self.starts) - 1

    def neurons_of(self, core: int) -> np.ndarray:
        return self.order[self.starts[core]:self.starts[core + 1]]

    def keys_of(self, core: int) -> np.ndarray:
        return self.axon_keys[self.axon_ptr[core]:self.axon_ptr[core + 1]]


def fill(index: NetIndex, profile: ChipProfile, order: np.ndarray, cost: np.ndarray,
         cut_ok: np.ndarray | None = None, must_cut: np.ndarray | None = None,
         min_cost: np.ndarray | None = None) -> Filling:
    """Cut ``order`` into cores (see the module docstring).

    ``cut_ok[p]``: a core may start at position p (False inside a core-sharing group);
    ``must_cut[p]``: a core must start at position p. A group that does not fit a fresh core under
    ``cost`` still gets one to itself when it fits under ``min_cost`` (the slots it cannot do without;
    legalisation turns the copies that do not fit into relays). Raises ``Unfit`` otherwise.
    """
    n = len(order)
    cut_ok = np.ones(n + 1, bool) if cut_ok is None else cut_ok
    next_must = _next_true(must_cut, n)
    walker = _FirstUse(index.n_keys)
    starts, key_parts = [0], []
    p = 0
    while p < n:
        end = min(n, p + profile.neurons_per_core, int(next_must[p + 1]))
        window = order[p:end]
        keys, pos = index.in_keys(window)
        first = walker.first_use(keys, pos)
        axons = np.cumsum(np.bincount(pos[first], minlength=len(window)))
        slots = np.cumsum(cost[window])
        k = min(int(np.searchsorted(axons, profile.axons_per_core, side="right")),
                int(np.searchsorted(slots, profile.neurons_per_core, side="right")))
        if p + k < n:  # the next core starts at p + k: never inside a group
            k = _last_cut(cut_ok, p, k)
            if k == 0:
                k = _group_end(cut_ok, p, n) - p
                group = order[p:p + k]
                axons, slots = _group_size(index, group, cost if min_cost is None else min_cost)
                if axons > profile.axons_per_core or slots > profile.neurons_per_core:
                    raise Unfit(p, axons, slots)
                keys, pos = index.in_keys(group)
                first = walker.first_use(keys, pos)
        key_parts.append(keys[first & (pos < k)])
        p += k
        starts.append(p)
    return _filling(order, np.array(starts, np.int64), key_parts, n)


def _filling(order, starts, key_parts, n) -> Filling:
    core_of = np.empty(n, np.int64)
    core_of[order] = run_ids(np.diff(starts))
    axon_ptr = np.zeros(len(key_parts) + 1, np.int64)
    np.cumsum([len(k) for k in key_parts], out=axon_ptr[1:])
    keys = np.concatenate(key_parts).astype(np.int64) if key_parts else np.zeros(0, np.int64)
    return Filling(order, starts, core_of, axon_ptr, keys)


class _FirstUse:
    """Marks the first occurrence of each key in a window (keys come in position order)."""

    def __init__(self, n_keys: int):
        self.stamp = np.zeros(n_keys, np.int32) if n_keys <= _STAMP_LIMIT else None

    def first_use(self, keys: np.ndarray, pos: np.ndarray) -> np.ndarray:
        if self.stamp is None:
            _, first_index = np.unique(keys, return_index=True)
            first = np.zeros(len(keys), bool)
            first[first_index] = True
            return first
        # written back to front, so each key's stamp ends at its first position
        self.stamp[keys[::-1]] = pos[::-1]
        return self.stamp[keys] == pos


def _next_true(mask: np.ndarray | None, n: int) -> np.ndarray:
    """``next[p]`` = the first position >= p where ``mask`` is true (``n`` if none)."""
    nxt = np.full(n + 2, n, np.int64)
    hits = np.flatnonzero(mask[:n]) if mask is not None else []
    if len(hits):
        idx = np.searchsorted(hits, np.arange(n + 2))
        nxt = np.where(idx < len(hits), hits[np.minimum(idx, len(hits) - 1)], n)
    return nxt


def _last_cut(cut_ok: np.ndarray, p: int, k: int) -> int:
    """The largest j <= k (j >= 1) such that a core may start at p + j; 0 if none."""
    allowed = np.flatnonzero(cut_ok[p + 1:p + k + 1])
    return int(allowed[-1]) + 1 if len(allowed) else 0


def _group_end(cut_ok: np.ndarray, p: int, n: int) -> int:
    later = np.flatnonzero(cut_ok[p + 1:n + 1])
    return p + 1 + int(later[0]) if len(later) else n


def _group_size(index: NetIndex, neurons: np.ndarray, cost: np.ndarray) -> tuple[int, int]:
    keys, _ = index.in_keys(neurons)
    return len(np.unique(keys)), int(cost[neurons].sum())
