"""``chip.arrays``: popcount and the grouping helpers, against simple reference implementations."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from corelet.chip import arrays
from corelet.chip.arrays import (group_min, rank_in_runs, ranges, run_ids, run_lengths, run_starts,
                                 unique_rows)

SMALL = st.integers(-3, 3)
KEYS = st.lists(st.integers(0, 3), max_size=40)
COUNTS = st.lists(st.integers(0, 5), max_size=20)


@pytest.mark.parametrize("native", [True, False])
@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.int64, np.uint64])
def test_popcount_counts_set_bits(native, dtype, monkeypatch):
    if not native:  # numpy < 2.0 has no bitwise_count: the byte table must give the same
        monkeypatch.delattr(np, "bitwise_count", raising=False)
    high = np.iinfo(dtype).max
    values = np.random.default_rng(1).integers(0, high, (3, 50), dtype=dtype, endpoint=True)
    values[0, :3] = [0, 1, high]
    got = arrays.popcount(values)
    assert got.shape == values.shape
    assert got.tolist() == [[bin(int(v)).count("1") for v in row] for row in values]


# -- references: the obvious loops ------------------------------------------------------------------
def starts_reference(*keys):
    rows = list(zip(*(k.tolist() for k in keys)))
    return [i for i in range(len(rows)) if i == 0 or rows[i] != rows[i - 1]]


def runs_reference(counts):
    """(run of each element, rank within its run) for runs of ``counts`` laid end to end."""
    return ([r for r, c in enumerate(counts) for _ in range(c)],
            [i for c in counts for i in range(c)])


@given(KEYS)
def test_run_starts_of_one_key(keys):
    k = np.array(keys, np.int64)
    got = run_starts(k)
    assert got.tolist() == starts_reference(k) and got.dtype == np.int64


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 1)), max_size=40))
def test_run_starts_of_several_keys(rows):
    keys = [np.array(col, dt) for col, dt in zip(zip(*rows), (np.int64, np.int8, np.int32))] \
        if rows else [np.zeros(0, np.int64)] * 3
    assert run_starts(*keys).tolist() == starts_reference(*keys)


@given(KEYS)
def test_run_lengths_add_up_and_match_the_runs(keys):
    k = np.array(keys, np.int64)
    starts = run_starts(k)
    lengths = run_lengths(starts, len(k))
    assert lengths.sum() == len(k) and (lengths > 0).all()
    assert [len(set(k[s:s + n].tolist())) for s, n in zip(starts, lengths)] == [1] * len(starts)
    # and back: the runs of the lengths are the original runs
    assert run_ids(lengths).tolist() == (np.cumsum(np.isin(np.arange(len(k)), starts)) - 1).tolist()


@given(COUNTS)
def test_run_ids_and_rank_in_runs(counts):
    which, rank = runs_reference(counts)
    assert run_ids(np.array(counts, np.int64)).tolist() == which
    assert rank_in_runs(np.array(counts, np.int64)).tolist() == rank
    assert rank_in_runs(counts).dtype == run_ids(np.array(counts, np.int64)).dtype == np.int64


@given(st.lists(st.tuples(st.integers(-50, 50), st.integers(0, 5)), max_size=20))
def test_ranges_concatenate_aranges(pairs):
    starts = np.array([s for s, _ in pairs], np.int64)
    counts = np.array([c for _, c in pairs], np.int64)
    expected = [v for s, c in pairs for v in range(s, s + c)]
    got = ranges(starts, counts)
    assert got.tolist() == expected and got.dtype == np.int64


@given(st.lists(st.tuples(st.integers(0, 4), SMALL), max_size=40), st.booleans())
def test_group_min(pairs, presorted):
    if presorted:
        pairs = sorted(pairs, key=lambda p: p[0])  # the no-sort path
    keys = np.array([k for k, _ in pairs], np.int64)
    values = np.array([v for _, v in pairs], np.int64)
    expected = {}
    for k, v in pairs:
        expected[k] = min(v, expected.get(k, v))
    got_keys, got_min = group_min(keys, values)
    assert got_keys.tolist() == sorted(expected)
    assert got_min.tolist() == [expected[k] for k in sorted(expected)]


@settings(deadline=None)
@given(hnp.arrays(np.int64, st.tuples(st.integers(0, 30), st.integers(1, 4)), elements=SMALL))
def test_unique_rows_in_order_of_first_appearance(rows):
    seen = []
    for row in map(tuple, rows.tolist()):
        if row not in seen:
            seen.append(row)
    unique, index = unique_rows(rows)
    assert [tuple(r) for r in unique.tolist()] == seen
    assert index.tolist() == [seen.index(tuple(r)) for r in rows.tolist()]


def test_unique_rows_survive_a_hash_collision(monkeypatch):
    # every row hashed alike: the exact 2-D unique must take over
    monkeypatch.setattr(arrays, "mix64", lambda x: np.zeros_like(np.asarray(x, np.uint64)))
    rows = np.array([[5, 1], [2, 2], [5, 1], [0, 9], [2, 2]])
    unique, index = unique_rows(rows)
    assert unique.tolist() == [[5, 1], [2, 2], [0, 9]]
    assert index.tolist() == [0, 1, 0, 2, 1]
