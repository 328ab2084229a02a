"""The shortcuts that make a loop of many instances fast keep their meaning.

Small blocks of edges are joined before alias resolution (``_resolve._coalesce``), the drivers of
outputs are checked in one pass when none repeats, parameter orders and converted template fields
are cached per declaration: the networks, and the errors, are the same as without them.
"""

from __future__ import annotations

import gc

import numpy as np

from corelet.language import _resolve
from corelet.language._resolve import Edges

from .lang_helpers import CELL, elaborate, first_error, wide

WIDE = wide(3)


def _edges(n: int, start: int) -> Edges:
    src = np.arange(start, start + n, dtype=np.int64)
    return Edges(src, src + 1, np.zeros(n, np.int8), np.ones(n, np.int32))


def test_coalesce_joins_runs_of_small_blocks_and_keeps_large_ones():
    big = _edges(_resolve.COALESCE_ROWS, 1000)
    blocks = [_edges(3, 0), _edges(2, 10), big, _edges(1, 20), _edges(4, 30)]
    joined = _resolve._coalesce(list(blocks))
    assert len(joined) == 3 and joined[1] is big
    for field in ("src", "dst", "axon_type", "delay"):
        expected = np.concatenate([getattr(b, field) for b in blocks])
        got = np.concatenate([getattr(b, field) for b in joined])
        assert np.array_equal(got, expected) and got.dtype == expected.dtype
    single = [_edges(3, 0)]
    assert _resolve._coalesce(single) == single


def test_a_loop_of_instances_has_each_instance_threshold_and_connection():
    net = elaborate(WIDE, G=50)
    assert [p.path for p in net.populations] == [f"cell[{g}].f" for g in range(50)]
    assert np.array_equal(net.params.threshold, np.repeat(np.arange(50) % 3 + 1, 4))
    pins = net.n_neurons + np.tile(np.arange(4), 50)
    assert np.array_equal(net.connections.src, pins[np.argsort(pins, kind="stable")])
    assert np.array_equal(net.output("y").neurons, np.arange(200))


def test_cached_template_fields_are_not_shared_writable():
    net = elaborate(WIDE, G=4)
    net2 = elaborate(WIDE, G=4)
    net.params.threshold[:] = 0  # the network's own arrays: a later network is unaffected
    assert np.array_equal(net2.params.threshold, np.repeat([1, 2, 3, 1], 4))


def test_an_output_driven_twice_in_a_loop_is_still_reported():
    assert first_error(CELL + """
corelet Top() {
    input x[4]
    output y[4]
    for g in 0..2 {
        cell[g] = Cell(k = 1)
        x -> cell[g].x
    }
    y = cell[0].y
    y = cell[1].y
}
""")[0] == "output `y[0]` is driven twice"


def test_elaboration_restores_the_collector_threshold():
    before = gc.get_threshold()
    elaborate(WIDE, G=3)
    assert gc.get_threshold() == before
