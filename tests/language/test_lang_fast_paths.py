"""The fast paths of large elaborations (issue 9), against the plain ways they replace."""

from __future__ import annotations

import numpy as np
import pytest

from corelet import language
from corelet.chip import canonical
from corelet.chip.network import Connections
from corelet.language._resolve import BASE, Edges, _remap_sources


def _lexsorted(blocks):
    cols = [np.concatenate([np.broadcast_to(b[i], len(b[0])) for b in blocks]) for i in range(4)]
    return canonical._lexsorted(*cols)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("min_parallel, min_sliced", [(1, 0), (1 << 40, 0), (1 << 40, 1 << 40)])
def test_packed_merge_equals_lexsort(seed, min_parallel, min_sliced):
    rng = np.random.default_rng(seed)
    blocks = []
    for _ in range(int(rng.integers(1, 5))):
        n = int(rng.integers(1, 200_000))
        high = int(rng.choice([1, 3, 70, 100_000]))  # 1: every row from one source (skewed parts)
        src = rng.integers(0, high, n)
        dst = rng.integers(0, 500, n).astype(rng.choice([np.int32, np.int64]))
        types = (np.broadcast_to(np.int8(rng.integers(0, 4)), (n,)) if rng.random() < 0.5
                 else rng.integers(0, 4, n).astype(np.int8))
        delay = (np.broadcast_to(np.int32(rng.integers(1, 4)), (n,)) if rng.random() < 0.5
                 else rng.integers(1, 9, n).astype(np.int32))
        blocks.append((src, dst, types, delay))
    expected = _lexsorted(blocks)
    bits = canonical.key_bits(max(int(b[0].max()) for b in blocks), 499, 8)
    got = canonical._packed(list(blocks), bits, min_parallel=min_parallel, min_sliced=min_sliced)
    for g, e in zip(got, expected):
        assert g.dtype == e.dtype and np.array_equal(g, e)
        assert g.flags.c_contiguous and g.flags.writeable


def test_merge_knows_the_survey_of_its_result():
    rng = np.random.default_rng(7)
    n = 50_000
    cols = (rng.integers(0, 900, n), rng.integers(0, 300, n), rng.integers(0, 4, n).astype(np.int8),
            rng.integers(1, 20, n).astype(np.int32))
    arrays, known = canonical.merge_surveyed([cols])
    assert known == canonical.survey(*arrays, (899, 299, 19))
    assert known.disorder is None
    merged = Connections.merge([cols])
    assert merged.survey((899, 299, 19)) == known
    assert merged.delay_max() == int(merged.delay.max())
    # the general path (negative values) makes no survey: the network surveys it itself
    assert canonical.merge_surveyed([([-1, 0], [0, 0], [0, 0], [1, 1])])[1] is None


def test_remap_sources_in_slices_mixing_neurons_and_nodes():
    rng = np.random.default_rng(3)
    n = 3 * (1 << 16) + 5
    table = rng.integers(0, 1000, 50)
    src = rng.integers(0, 1000, n)
    nodes = rng.random(n) < 0.5
    nodes[: 1 << 16] = True  # one slice of nodes only, then mixed slices
    nodes[-(1 << 16):] = False  # and a slice of neurons only
    src[nodes] = BASE + rng.integers(0, 50, int(nodes.sum()))
    edges = Edges(src.copy(), np.zeros(n, np.int32), np.zeros(n, np.int8), np.ones(n, np.int32))
    used = np.zeros(50, bool)
    _remap_sources(edges, table, used)
    expected = np.where(nodes, table[np.where(nodes, src - BASE, 0)], src)
    assert np.array_equal(edges.src, expected) and edges.src.dtype == np.int64
    assert np.array_equal(used, np.isin(np.arange(50), src[nodes] - BASE))
    assert np.array_equal(src, edges.src) is False  # the given array is left alone


CONV = """
corelet Conv(W: int[f, c, 3, 3], size: int) {
    input  x[c, size + 2, size + 2]
    output y[f, size, size]
    neurons n[f, size, size] = neuron { weights = [1, -1, 0, 0]; threshold = 4; reset = linear }
    x[ci, r + dr, q + dq] -> n[fo, r, q] type (1 - W[fo, ci, dr, dq]) // 2
        for fo in 0..f, ci in 0..c, r in 0..size, q in 0..size, dr in 0..3, dq in 0..3
        if W[fo, ci, dr, dq] != 0
    y = n
}
"""


def test_large_comprehension_grid_matches_the_obvious_connections():
    # 3 * 50 * 50 * 9 = 67500 grid points per feature: the flat-index gather of `x[...]`
    rng = np.random.default_rng(0)
    f, c, size = 2, 3, 50
    weights = rng.choice([-1, 0, 1], size=(f, c, 3, 3))
    net = language.elaborate_source(CONV, "conv.corelet", params={"W": weights, "size": size})
    fo, ci, r, q, dr, dq = np.indices((f, c, size, size, 3, 3)).reshape(6, -1)
    w = weights[fo, ci, dr, dq]
    keep = w != 0
    side = size + 2
    n_neurons = f * size * size
    src = n_neurons + ci * side * side + (r + dr) * side + (q + dq)
    dst = fo * size * size + r * size + q
    expected = canonical._lexsorted(src[keep], dst[keep], ((1 - w[keep]) // 2).astype(np.int8),
                                    np.ones(int(keep.sum()), np.int32))
    c_ = net.connections
    for g, e in zip((c_.src, c_.dst, c_.axon_type, c_.delay), expected):
        assert g.dtype == e.dtype and np.array_equal(g, e)
