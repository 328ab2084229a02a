"""The logical Network contract: canonical connections, names, ids and invariants."""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corelet.chip import NeuronParams, logical_ids
from corelet.language import Connections, InputConnector, Network, OutputConnector, Population


def small_network(**overrides):
    fields = dict(
        name="top",
        params=NeuronParams.from_fields(5, threshold=[1, 2, 3, 4, 5]),
        populations=(Population("h", 0, 3), Population("sub.g", 3, 2, corelet="Sub")),
        connections=Connections.canonical([5, 5, 0], [0, 0, 3], [0, 0, 1], [1, 1, 2]),
        inputs=(InputConnector("x", 2, 0),),
        outputs=(OutputConnector("y", np.array([3, 4])),),
    )
    fields.update(overrides)
    return Network(**fields)


def test_connections_are_sorted_and_merged():
    c = Connections.canonical([3, 1, 1, 1], [0, 2, 2, 2], [0, 1, 1, 0], [1, 4, 4, 4])
    rows = list(zip(c.src.tolist(), c.dst.tolist(), c.axon_type.tolist(), c.delay.tolist()))
    assert rows == [(1, 2, 0, 4), (1, 2, 1, 4), (3, 0, 0, 1)]


def test_sources_number_neurons_then_input_pins():
    net = small_network()
    assert (net.n_neurons, net.n_inputs, net.n_sources) == (5, 2, 7)
    assert net.source_name(5) == "x[0]" and net.source_name(6) == "x[1]"
    assert net.neuron_name(4) == "sub.g[1]"
    assert net.populations[1].instance == "sub"


def test_ids_follow_names():
    net = small_network()
    ids = net.source_ids()
    assert ids[4] == logical_ids("sub.g", 1)
    assert ids[6] == logical_ids("x", 1)
    assert len(set(ids.tolist())) == 7


def test_ids_do_not_depend_on_position():
    a = small_network()
    b = small_network(populations=(Population("sub.g", 0, 2), Population("h", 2, 3)))
    assert set(a.neuron_ids().tolist()) == set(b.neuron_ids().tolist())


@pytest.mark.parametrize("change, message", [
    (dict(connections=Connections.canonical([9], [0], [0], [1])), "source out of range"),
    (dict(connections=Connections.canonical([0], [5], [0], [1])), "target out of range"),
    (dict(connections=Connections.canonical([0], [1], [0], [0])), "delay below 1"),
    (dict(connections=Connections.canonical([0], [1], [4], [1])), "axon type"),
    (dict(populations=(Population("h", 0, 3), Population("h", 3, 2))), "duplicate"),
    (dict(populations=(Population("h", 0, 4),)), "cover 4 neurons"),
    (dict(outputs=(OutputConnector("y", np.array([7])),)), "out of range"),
])
def test_invariants_are_checked(change, message):
    with pytest.raises(ValueError, match=message):
        small_network(**change)


def test_with_delays_keeps_everything_else():
    net = small_network()
    later = net.with_delays(net.connections.delay + 3)
    assert (later.connections.delay == net.connections.delay + 3).all()
    assert later.n_neurons == net.n_neurons and later.inputs == net.inputs


# -- connections must be canonical: unique and sorted on (src, dst, axon_type, delay) --------------
def rows_of(c):
    return list(zip(c.src.tolist(), c.dst.tolist(), c.axon_type.tolist(), c.delay.tolist()))


def raw(rows):
    """``Connections`` exactly as given (no sort, no merge)."""
    src, dst, axon_type, delay = (np.array(col, dt) for col, dt in
                                  zip(zip(*rows), (np.int64, np.int64, np.int8, np.int32)))
    return Connections(src, dst, axon_type, delay)


def test_the_canonical_form_is_accepted():
    rows = [(0, 1, 0, 1), (0, 1, 0, 2), (0, 1, 1, 1), (0, 2, 0, 1), (5, 0, 3, 1), (6, 4, 0, 9)]
    assert rows_of(small_network(connections=raw(rows)).connections) == rows
    small_network(connections=raw(rows[:1]))
    small_network(connections=Connections.canonical([], [], [], []))


@pytest.mark.parametrize("rows, at, what", [
    ([(0, 1, 0, 1), (0, 2, 0, 1), (0, 1, 0, 2)], 2, "sorts before"),  # dst goes back
    ([(1, 1, 0, 1), (0, 2, 0, 1)], 1, "sorts before"),  # src goes back
    ([(0, 1, 1, 1), (0, 1, 0, 5)], 1, "sorts before"),  # type goes back
    ([(0, 1, 0, 3), (0, 1, 0, 2)], 1, "sorts before"),  # delay goes back
    ([(0, 1, 0, 1), (5, 0, 1, 2), (5, 0, 1, 2)], 2, "duplicates"),
])
def test_unsorted_or_duplicated_connections_are_refused(rows, at, what):
    message = rf"connection {at} \({', '.join(map(str, rows[at]))}\) {what} connection {at - 1}"
    with pytest.raises(ValueError, match=message):
        small_network(connections=raw(rows))


def test_connection_arrays_of_different_lengths_are_refused():
    c = Connections(np.array([0, 1]), np.array([0]), np.zeros(2, np.int8), np.ones(2, np.int32))
    with pytest.raises(ValueError, match="differ in length"):
        small_network(connections=c)


def test_huge_source_numbers_are_checked_lexicographically():
    # 2**61 input pins: the packed key does not fit in 63 bits, so rows are compared column-wise
    inputs = (InputConnector("x", 2**61, 0),)
    fine = raw([(0, 1, 0, 1), (2**61, 0, 0, 1)])
    assert len(small_network(inputs=inputs, connections=fine).connections) == 2
    with pytest.raises(ValueError, match="connection 1 .* duplicates connection 0"):
        small_network(inputs=inputs, connections=raw([(2**61, 0, 0, 1)] * 2))


ROW = st.tuples(st.integers(0, 6), st.integers(0, 4), st.integers(0, 3), st.integers(1, 3))


@settings(max_examples=60, deadline=None)
@given(st.sets(ROW, min_size=2, max_size=40), st.integers(0, 2**32 - 1), st.booleans())
def test_shuffled_or_repeated_canonical_sets_are_refused(rows, seed, repeat):
    rows = sorted(rows)  # the canonical form of the set
    rnd = random.Random(seed)
    assert rows_of(small_network(connections=raw(rows)).connections) == rows
    bad = list(rows)
    if repeat:
        i = rnd.randrange(len(bad))
        bad.insert(i, bad[i])
    else:
        while bad == rows:
            rnd.shuffle(bad)
    first = next(i for i in range(1, len(bad)) if not bad[i] > bad[i - 1])
    with pytest.raises(ValueError, match=rf"connection {first} "):
        small_network(connections=raw(bad))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3),
                          st.integers(1, 4)), min_size=0, max_size=30),
       st.integers(1, 7), st.integers(2, 4))
def test_survey_matches_a_row_by_row_comparison(rows, step, src_limit):
    # src_limit 2 or 3 leaves some slices out of the limits: those are compared column by column
    from corelet.chip import canonical

    expected = next((i for i in range(1, len(rows)) if not rows[i] > rows[i - 1]), None)
    dtypes = (np.int64, np.int64, np.int8, np.int32)
    cols = [np.array(c, dt) for c, dt in zip(zip(*rows), dtypes)] if rows else \
        [np.zeros(0, dt) for dt in dtypes]
    packed = canonical.survey(*cols, (src_limit, 3, 4), step=step)
    by_columns = canonical.survey(*cols, None, step=step)
    assert packed.disorder == by_columns.disorder == expected
    if rows:
        assert packed.lows == by_columns.lows == tuple(min(c) for c in zip(*rows))
        assert packed.highs == by_columns.highs == tuple(max(c) for c in zip(*rows))
