"""``NetIndex``: the arrays every placement stage reads, computed once per network.

An *axon key* names one axon a core may need: the distinct ``(source, axon type, delay)`` of a
connection, numbered densely as ``(source * 4 + type) * n_delays + delay_rank``. A neuron placed on a
core needs one axon there per distinct key among its incoming connections; since connections are
unique on (src, dst, type, delay), that count is simply its in-degree.

Connections are grouped by target neuron (CSR: ``in_ptr`` and ``key_by_dst``) with numpy's stable
sort (timsort), which is adaptive: the target ids of a layered network come in long sorted runs.
"""

from __future__ import annotations

import attrs
import numpy as np

from corelet.chip import ChipProfile
from corelet.chip.arrays import popcount, ranges, run_ids, run_starts
from corelet.chip.network import Network

AXON_TYPES = 4


@attrs.frozen(eq=False)
class NetIndex:
    """Derived arrays of one ``Network`` (see the module docstring)."""

    net: Network
    delays: np.ndarray  # (D,) distinct connection delays, ascending
    in_ptr: np.ndarray  # (N+1,) int64: connections into neuron n are key_by_dst[in_ptr[n]:in_ptr[n+1]]
    key_by_dst: np.ndarray  # (S,) axon key of each connection, grouped by target neuron
    out_kinds: np.ndarray  # (N,) distinct (type, delay) among each neuron's outgoing connections
    is_output: np.ndarray  # (N,) bool: named by an output connector
    pop_of: np.ndarray  # (N,) population index of each neuron

    @property
    def n_neurons(self) -> int:
        return self.net.n_neurons

    @property
    def n_keys(self) -> int:
        return self.net.n_sources * AXON_TYPES * len(self.delays)

    @property
    def in_degree(self) -> np.ndarray:
        return np.diff(self.in_ptr)

    def key_source(self, keys: np.ndarray) -> np.ndarray:
        return np.asarray(keys, np.int64) // (AXON_TYPES * len(self.delays))

    def key_type(self, keys: np.ndarray) -> np.ndarray:
        return (np.asarray(keys, np.int64) // len(self.delays)) % AXON_TYPES

    def key_delay(self, keys: np.ndarray) -> np.ndarray:
        return self.delays[np.asarray(keys, np.int64) % len(self.delays)]

    def keys_of(self, src: np.ndarray, axon_type: np.ndarray, delay: np.ndarray) -> np.ndarray:
        """Axon keys of connections given as arrays (delays must be among ``delays``)."""
        rank = _delay_rank(delay, self.delays)
        nd = len(self.delays)
        return (np.asarray(src, np.int64) * AXON_TYPES + axon_type) * nd + rank

    def in_keys(self, neurons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Keys of the connections into ``neurons`` and the position in ``neurons`` of each."""
        starts = self.in_ptr[neurons]
        counts = self.in_ptr[neurons + 1] - starts
        return self.key_by_dst[ranges(starts, counts)], run_ids(counts)


def build_index(net: Network, profile: ChipProfile) -> NetIndex:
    c = net.connections
    delays = _distinct_delays(c.delay)
    n = net.n_neurons
    keys = _keys(c.src, c.axon_type, c.delay, delays, net.n_sources)
    in_ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(c.dst, minlength=n), out=in_ptr[1:])
    if len(keys):
        key_by_dst = keys[np.argsort(c.dst, kind="stable")]
    else:
        key_by_dst = keys
    is_output = np.zeros(n, bool)
    for out in net.outputs:
        is_output[out.neurons] = True
    return NetIndex(net, delays, in_ptr, key_by_dst, _out_kinds(net, delays), is_output,
                    net.population_of(np.arange(n)) if n else np.zeros(0, np.int64))


def _distinct_delays(delay: np.ndarray) -> np.ndarray:
    if len(delay) == 0:
        return np.array([1], np.int64)
    top = int(delay.max())
    if top < 1 << 20:
        present = np.zeros(top + 1, bool)
        present[delay] = True
        return np.flatnonzero(present).astype(np.int64)
    return np.unique(delay).astype(np.int64)


def _delay_rank(delay: np.ndarray, delays: np.ndarray):
    """Rank of each delay among ``delays`` (0 when there is only one)."""
    if len(delays) == 1:
        return 0
    if delays[-1] < 1 << 20:
        lookup = np.zeros(int(delays[-1]) + 1, np.int32)
        lookup[delays] = np.arange(len(delays))
        return lookup[delay]
    return np.searchsorted(delays, delay)


def _keys(src, axon_type, delay, delays, n_sources) -> np.ndarray:
    nd = len(delays)
    dtype = np.int32 if n_sources * AXON_TYPES * nd < 2**31 else np.int64
    rank = _delay_rank(delay, delays)
    keys = src.astype(dtype) * dtype(AXON_TYPES)
    keys += axon_type
    keys *= dtype(nd)
    keys += np.asarray(rank, dtype)
    return keys


def _out_kinds(net: Network, delays: np.ndarray) -> np.ndarray:
    """Distinct (type, delay) per neuron among its outgoing connections: a lower bound on targets."""
    c, n = net.connections, net.n_neurons
    out = np.zeros(n, np.int64)
    from_neurons = np.searchsorted(c.src, n)  # connections are sorted by source
    if from_neurons == 0:
        return out
    src = c.src[:from_neurons]
    nd = len(delays)
    kind = c.axon_type[:from_neurons] * np.int32(nd) + _delay_rank(c.delay[:from_neurons], delays)
    starts = run_starts(src)
    if AXON_TYPES * nd <= 8:
        masks = np.bitwise_or.reduceat(np.left_shift(np.uint8(1), kind.astype(np.uint8)), starts)
        out[src[starts]] = popcount(masks)
    elif AXON_TYPES * nd <= 63:
        masks = np.bitwise_or.reduceat(np.left_shift(np.int64(1), kind), starts)
        out[src[starts]] = popcount(masks)
    else:
        pair = np.unique(src * (AXON_TYPES * nd) + kind)
        out += np.bincount(pair // (AXON_TYPES * nd), minlength=n)
    return out
