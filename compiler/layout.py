"""Core layout: coordinates on each chip's grid that keep heavily connected cores close.

Cores are ordered by a greedy breadth-first walk over the core graph (networkx; one node per core,
edge weight = routes between the two cores), strongest connections first, and the walk is laid along
a Hilbert curve over each chip's grid, chip after chip. Consecutive cores on a Hilbert curve are grid
neighbours, so a chain of connected cores lands as a chain of adjacent cores.

Hop distances (``chip.profile.hop_distances``) are summarised here for the compile record.
"""

from __future__ import annotations

from collections import deque

import networkx as nx
import numpy as np

from corelet.chip import ChipProfile
from corelet.chip.provenance import Hops
from corelet.compiler.errors import PlacementError


def core_order(n_cores: int, src_core: np.ndarray, dst_core: np.ndarray) -> np.ndarray:
    """A visiting order of cores (new id -> old core) from the routes ``src_core -> dst_core``."""
    graph = nx.Graph()
    graph.add_nodes_from(range(n_cores))
    between = src_core != dst_core
    low = np.minimum(src_core, dst_core)[between].astype(np.int64)
    high = np.maximum(src_core, dst_core)[between].astype(np.int64)
    if len(low):
        edges, weight = np.unique(low * n_cores + high, return_counts=True)
        graph.add_weighted_edges_from(zip((edges // n_cores).tolist(), (edges % n_cores).tolist(),
                                          weight.tolist()))
    seen = np.zeros(n_cores, bool)
    order = []
    for start in range(n_cores):
        if seen[start]:
            continue
        seen[start] = True
        queue = deque([start])
        while queue:
            core = queue.popleft()
            order.append(core)
            nbrs = sorted(graph[core].items(), key=lambda kv: (-kv[1]["weight"], kv[0]))
            for nbr, _ in nbrs:
                if not seen[nbr]:
                    seen[nbr] = True
                    queue.append(nbr)
    return np.array(order, np.int64)


def coordinates(n_cores: int, profile: ChipProfile) -> np.ndarray:
    """(chip, row, column) of cores 0..n_cores-1 laid along each chip's Hilbert curve."""
    per_chip = profile.cores_per_chip
    chips = -(-n_cores // per_chip)
    if chips > profile.max_chips:
        raise PlacementError(f"the network needs {n_cores} cores on {chips} chips; the profile "
                             f"{profile.name!r} allows {profile.max_chips} chips of {per_chip} cores",
                             hint="make the network smaller, or compile for a profile with more chips",
                             kind="chips")
    ids = np.arange(n_cores)
    rows, cols = profile.grid
    side = 1 << max(0, (max(rows, cols) - 1).bit_length())
    curve = _hilbert(side)
    curve = curve[(curve[:, 0] < rows) & (curve[:, 1] < cols)]
    coords = np.empty((n_cores, 3), np.int32)
    coords[:, 0] = ids // per_chip
    coords[:, 1:] = curve[ids % per_chip]
    return coords


def _hilbert(side: int) -> np.ndarray:
    """(row, column) of the points 0..side^2-1 of a Hilbert curve, vectorised."""
    d = np.arange(side * side, dtype=np.int64)
    x = np.zeros_like(d)
    y = np.zeros_like(d)
    t = d.copy()
    s = 1
    while s < side:
        rx = 1 & (t // 2)
        ry = 1 & (t ^ rx)
        flip = ry == 0
        swap_x = np.where(flip & (rx == 1), s - 1 - x, x)
        swap_y = np.where(flip & (rx == 1), s - 1 - y, y)
        x, y = np.where(flip, swap_y, swap_x), np.where(flip, swap_x, swap_y)
        x += s * rx
        y += s * ry
        t //= 4
        s *= 2
    return np.stack([y, x], axis=1)


def hop_record(hops: np.ndarray) -> Hops:
    """Route count, total, mean and largest of hop distances (the compile record's ``hops``)."""
    total = int(hops.sum())
    return Hops(routes=int(len(hops)), total=total,
                mean=round(total / len(hops), 4) if len(hops) else 0.0,
                max=int(hops.max()) if len(hops) else 0)
