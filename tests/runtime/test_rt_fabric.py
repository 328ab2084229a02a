"""The ``Fabric`` checks the invariants its docstring lists when it is built."""

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corelet.chip import NeuronParams
from corelet.runtime import Fabric


def fabric(**changes) -> Fabric:
    """3 neurons, 3 axons, one input connector of 2 pins; valid unless ``changes`` break it."""
    fields = dict(
        params=NeuronParams.from_fields(3, threshold=1), neuron_ids=np.arange(3, dtype=np.uint64),
        neuron_role=np.zeros(3, np.int8), paths=("n",), name_path=np.zeros(3, np.int32),
        name_index=np.arange(3, dtype=np.int32), axon_type=np.array([0, 1, 3], np.int8),
        axon_source_id=np.arange(3, dtype=np.uint64),
        syn_axon=np.array([0, 0, 1, 2], np.int64), syn_neuron=np.array([0, 1, 2, 2], np.int64),
        route_neuron=np.array([0], np.int64), route_axon=np.array([2], np.int64),
        route_delay=np.array([1], np.int32),
        input_route_pin=np.array([0, 1], np.int64), input_route_axon=np.array([0, 1], np.int64),
        input_route_delay=np.array([1, 4], np.int32),
        inputs=(("x", 2),), outputs=(("y", np.array([1, 2])),),
    )
    fields.update(changes)
    return Fabric(**fields)


def test_a_valid_fabric_is_accepted():
    f = fabric()
    assert (f.n_neurons, f.n_axons, f.max_delay) == (3, 3, 4)
    # unsorted synapses are fine as long as no pair repeats
    fabric(syn_axon=np.array([2, 0, 1, 0]), syn_neuron=np.array([2, 1, 2, 0]))


@pytest.mark.parametrize("change, message", [
    (dict(syn_axon=np.array([0, 1, 0, 2]), syn_neuron=np.array([1, 2, 1, 2])),
     r"synapse \(axon 0, neuron 1\) appears twice"),
    (dict(syn_axon=np.array([0, 0, 1, 1]), syn_neuron=np.array([0, 1, 2, 2])),
     r"synapse \(axon 1, neuron 2\) appears twice"),
    (dict(route_delay=np.array([0], np.int32)), r"route_delay holds 0\.\.0, expected 1\.\."),
    (dict(input_route_delay=np.array([1, 0], np.int32)), r"input_route_delay holds 0\.\.1"),
    (dict(syn_axon=np.array([0, 0, 1, 3])), r"syn_axon holds 0\.\.3, expected 0\.\.2"),
    (dict(syn_neuron=np.array([-1, 1, 2, 2])), r"syn_neuron holds -1\.\.2, expected 0\.\.2"),
    (dict(route_neuron=np.array([3])), r"route_neuron holds 3\.\.3"),
    (dict(route_axon=np.array([5])), r"route_axon holds 5\.\.5"),
    (dict(input_route_pin=np.array([0, 2])), r"input_route_pin holds 0\.\.2, expected 0\.\.1"),
    (dict(input_route_axon=np.array([0, 3])), r"input_route_axon holds 0\.\.3"),
    (dict(outputs=(("y", np.array([1, 3])),)), r"output 'y' holds 1\.\.3"),
    (dict(axon_type=np.array([0, 4, 1], np.int8)), r"axon_type holds 0\.\.4, expected 0\.\.3"),
    (dict(axon_type=np.array([0, -1, 1], np.int8)), r"axon_type holds -1\.\.1"),
    (dict(name_path=np.array([0, 1, 0], np.int32)), r"name_path holds 0\.\.1, expected 0\.\.0"),
    (dict(neuron_role=np.array([0, 9, 0], np.int8)), r"neuron_role holds 0\.\.9"),
    (dict(neuron_ids=np.arange(4, dtype=np.uint64)), r"neuron_ids has shape \(4,\), expected \(3,\)"),
    (dict(axon_source_id=np.arange(2, dtype=np.uint64)), r"axon_source_id has shape \(2,\)"),
    (dict(syn_neuron=np.array([0, 1, 2])), r"syn_neuron has shape \(3,\), expected \(4,\)"),
    (dict(route_delay=np.array([1, 1], np.int32)), r"route_delay has shape \(2,\), expected \(1,\)"),
    (dict(input_route_axon=np.array([0])), r"input_route_axon has shape \(1,\), expected \(2,\)"),
    (dict(name_index=np.zeros((3, 1), np.int32)), r"name_index has shape \(3, 1\)"),
])
def test_broken_invariants_are_named(change, message):
    with pytest.raises(ValueError, match=message):
        fabric(**change)


def test_evolve_checks_again():
    with pytest.raises(ValueError, match="appears twice"):
        attrs.evolve(fabric(), syn_axon=np.array([0, 0, 0, 2]), syn_neuron=np.array([0, 1, 0, 2]))


def test_huge_axon_and_neuron_counts_use_the_general_path():
    # axon * N + neuron would overflow int64: the duplicate check sorts the pairs instead
    from corelet.runtime.fabric import _check_synapses

    big = 2**40
    axon = np.array([big, 5, big], np.int64)
    neuron = np.array([big - 1, 0, big - 1], np.int64)
    with pytest.raises(ValueError, match=rf"axon {big}, neuron {big - 1}\) appears twice"):
        _check_synapses(axon, neuron, big + 1, big)
    _check_synapses(axon[:2], neuron[:2], big + 1, big)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), max_size=30), st.booleans(),
       st.integers(1, 5))
def test_synapse_check_matches_a_set(pairs, presorted, step):
    from corelet.runtime.fabric import _check_synapses

    if presorted:
        pairs = sorted(pairs)
    axon = np.array([a for a, _ in pairs], np.int64)
    neuron = np.array([b for _, b in pairs], np.int64)
    repeated = sorted(p for p in set(pairs) if pairs.count(p) > 1)
    if repeated:
        a, b = repeated[0]
        with pytest.raises(ValueError, match=rf"\(axon {a}, neuron {b}\) appears twice"):
            _check_synapses(axon, neuron, 4, 5, step=step)
    else:
        _check_synapses(axon, neuron, 4, 5, step=step)
    with pytest.raises(ValueError, match="syn_axon holds"):
        _check_synapses(np.r_[axon, 4], np.r_[neuron, 0], 4, 5, step=step)
