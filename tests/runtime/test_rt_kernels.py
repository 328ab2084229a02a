"""The integration kernels (numpy, and numba when installed) against a dense matrix product.

For random fabrics whose axons either stay inside one aligned block of 256 neurons (as on a chip,
the compiled kernel's block tables) or spread over several (its event fallback), with weights up to
+-255, zero-weight synapses, a neuron count that is not a multiple of 256, batches of 1 and 3, and
many or few axons active (more than one group of 64 of the compiled one-sample sums, or less),
the current of every (sample, neuron) equals ``active @ W`` with ``W[axon, neuron]`` the synapse's
weight, computed here from the fabric directly.
"""

from __future__ import annotations

import attrs
import numpy as np
import pytest

from corelet.chip import NeuronParams
from corelet.runtime import Fabric
from corelet.runtime._kernel import Synapses
from tests.conftest import using_kernel


def random_fabric(rng, n_neurons: int, n_axons: int, spread: float) -> Fabric:
    """Axons with 0..40 synapses; a fraction ``spread`` of them reach neurons anywhere, the rest
    only neurons of one aligned block of 256."""
    axon, neuron = [], []
    for a in range(n_axons):  # test data, built once; the kernels are what is timed elsewhere
        count = int(rng.integers(0, 41))
        if rng.random() < spread:
            targets = rng.choice(n_neurons, min(count, n_neurons), replace=False)
        else:
            block = int(rng.integers(0, -(-n_neurons // 256)))
            lo, hi = block * 256, min(block * 256 + 256, n_neurons)
            targets = rng.choice(np.arange(lo, hi), min(count, hi - lo), replace=False)
        axon += [a] * len(targets)
        neuron += sorted(targets.tolist())
    weights = rng.integers(-255, 256, (n_neurons, 4))
    weights[rng.random((n_neurons, 4)) < 0.1] = 0
    params = NeuronParams.from_fields(n_neurons, weights=weights)
    return Fabric(
        params=params, neuron_ids=np.arange(n_neurons, dtype=np.uint64),
        neuron_role=np.zeros(n_neurons, np.int8), paths=("n",),
        name_path=np.zeros(n_neurons, np.int32), name_index=np.arange(n_neurons, dtype=np.int32),
        axon_type=rng.integers(0, 4, n_axons).astype(np.int8),
        axon_source_id=np.arange(n_axons, dtype=np.uint64),
        syn_axon=np.array(axon, np.int64), syn_neuron=np.array(neuron, np.int64),
        route_neuron=np.zeros(0, np.int64), route_axon=np.zeros(0, np.int64),
        route_delay=np.zeros(0, np.int32), input_route_pin=np.zeros(0, np.int64),
        input_route_axon=np.zeros(0, np.int64), input_route_delay=np.zeros(0, np.int32),
        inputs=(), outputs=())


def dense_currents(fabric: Fabric, active: np.ndarray) -> np.ndarray:
    W = np.zeros((fabric.n_axons, fabric.n_neurons), np.int64)
    W[fabric.syn_axon, fabric.syn_neuron] = fabric.params.weights[
        fabric.syn_neuron, fabric.axon_type[fabric.syn_axon]]
    return active.astype(np.int64) @ W


@pytest.mark.parametrize("spread", [0.0, 0.3])
@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("n_neurons", [512, 700])
@pytest.mark.parametrize("activity", [0.3, 0.01])
def test_integration_equals_a_dense_product(kernel, spread, batch, n_neurons, activity):
    rng = np.random.default_rng(n_neurons + batch + int(spread * 10) + int(activity * 100))
    fabric = random_fabric(rng, n_neurons, 300, spread)
    synapses = Synapses(fabric, np.zeros(batch, np.uint64), batch, current_dtype=np.int32)
    if kernel == "numba":  # the chip-shaped axons take the block tables, the others the events
        assert synapses.block_tables is not None
        with_synapses = synapses.ends > synapses.starts
        assert ((synapses.block_tables[0] < 0) & with_synapses).any() == (spread > 0)
    for tick in range(3):
        active = rng.random((batch, fabric.n_axons)) < activity
        current, _ = synapses.integrate(active, tick)
        assert current.shape == (batch, n_neurons)
        assert np.array_equal(current, dense_currents(fabric, active))


@pytest.mark.parametrize("n_cores", [1, 5])
def test_lowering_finds_every_set_crossbar_bit_onto_a_used_neuron(kernel, n_cores):
    """``lower._synapses`` (unpacking chunks in numpy, or counting and filling in numba) against
    the bits read one by one: a synapse for each set bit whose neuron is used, in (core, axon,
    neuron) order, named through the lookup tables."""
    from corelet.runtime import lower

    rng = np.random.default_rng(n_cores)
    bits = rng.random((n_cores, 256, 256)) < 0.2
    used = rng.random((n_cores, 256)) < 0.7
    axon_of = rng.permutation(n_cores * 256).astype(np.int64)
    neuron_of = rng.permutation(n_cores * 256).astype(np.int64)
    expected_axon, expected_neuron = [], []
    for c, a, n in zip(*np.nonzero(bits)):  # reference: the bits one by one, in C order
        if used[c, n]:
            expected_axon.append(axon_of[c * 256 + a])
            expected_neuron.append(neuron_of[c * 256 + n])
    axon, neuron = lower._synapses(np.packbits(bits, axis=2), used, axon_of, neuron_of)
    assert axon.tolist() == expected_axon and neuron.tolist() == expected_neuron


def test_lowering_of_wholly_used_cores_in_order_and_out_of_order(kernel):
    """The fill's shortcut for a core whose 256 neurons are all used and numbered in order (a
    bit's neuron is the core's first plus its place), beside a wholly used core numbered out of
    order and partly used cores; int32 indices, as ``fabric_from_model`` makes them."""
    from corelet.runtime import lower

    rng = np.random.default_rng(7)
    n_cores = 4
    bits = rng.random((n_cores, 256, 256)) < 0.3
    used = rng.random((n_cores, 256)) < 0.6
    used[[0, 2, 3]] = True
    neuron_of = np.full(n_cores * 256, -1, np.int64)
    neuron_of[used.ravel()] = np.arange(int(used.sum()))  # in order, as lower numbers them
    core3 = slice(3 * 256, 4 * 256)
    neuron_of[core3] = rng.permutation(neuron_of[core3])  # wholly used, out of order
    axon_of = np.arange(n_cores * 256)
    expected_axon, expected_neuron = [], []
    for c, a, n in zip(*np.nonzero(bits)):
        if used[c, n]:
            expected_axon.append(axon_of[c * 256 + a])
            expected_neuron.append(neuron_of[c * 256 + n])
    axon, neuron = lower._synapses(np.packbits(bits, axis=2), used, axon_of, neuron_of)
    assert axon.dtype == neuron.dtype == np.int32
    assert axon.tolist() == expected_axon and neuron.tolist() == expected_neuron


def block_fabric(rng, n_blocks: int, axon_block: np.ndarray) -> Fabric:
    """Axon a's 0..40 synapses all in block ``axon_block[a]`` of 256 neurons, as on a chip."""
    axon, neuron = [], []
    for a, block in enumerate(axon_block):
        targets = rng.choice(256, int(rng.integers(0, 41)), replace=False) + 256 * int(block)
        axon += [a] * len(targets)
        neuron += sorted(targets.tolist())
    fabric = random_fabric(rng, n_blocks * 256, 0, 0.0)
    return attrs.evolve(fabric, syn_axon=np.array(axon, np.int64),
                        syn_neuron=np.array(neuron, np.int64),
                        axon_type=rng.integers(0, 4, len(axon_block)).astype(np.int8),
                        axon_source_id=np.arange(len(axon_block), dtype=np.uint64))


@pytest.mark.parametrize("order", ["by block", "shuffled"])
@pytest.mark.parametrize("activity", [0.3, 0.02])
def test_one_sample_on_several_threads_equals_a_dense_product(monkeypatch, order, activity):
    """One sample's ``block_sums`` shared out over threads (active axons cut where the block
    changes) when the blocks never decrease along the axons, as on a chip; on one thread when
    they do (two parts could then add into one block). Both against the dense product."""
    numba = pytest.importorskip("numba")
    from corelet.runtime._compiled import PARALLEL_MIN_BLOCKS, THREADS_VARIABLE

    monkeypatch.setenv(THREADS_VARIABLE, "2")
    rng = np.random.default_rng(11)
    n_blocks = PARALLEL_MIN_BLOCKS + 8
    axon_block = np.sort(rng.integers(0, n_blocks, 3000))
    if order == "shuffled":
        axon_block = rng.permutation(axon_block)
    fabric = block_fabric(rng, n_blocks, axon_block)
    with using_kernel("numba"):
        synapses = Synapses(fabric, np.zeros(1, np.uint64), 1, current_dtype=np.int32)
        threaded = order == "by block" and numba.config.NUMBA_NUM_THREADS >= 2
        assert synapses._group_scratch.ndim == (3 if threaded else 2)
        for tick in range(3):
            active = rng.random((1, fabric.n_axons)) < activity
            current, _ = synapses.integrate(active, tick)
            assert np.array_equal(current, dense_currents(fabric, active))


def test_parts_of_the_active_axons_never_share_a_block():
    """``block_parts`` cuts the sorted active axons for the threads of ``block_sums_parallel``:
    never between two axons of one block, also when axons without synapses (block field 0:
    every synapse of weight 0) lie between them, or fill a whole part."""
    pytest.importorskip("numba")
    from corelet.runtime._compiled import BLOCK_FIELD
    from corelet.runtime._tick_kernel import block_parts

    rng = np.random.default_rng(3)
    for case in range(300):
        m = int(rng.integers(1, 60))
        blocks = np.sort(rng.integers(0, int(rng.integers(1, 6)), m)) + 1  # fields: block + 1
        blocks[rng.random(m) < rng.random()] = 0  # axons without synapses, anywhere
        records = np.zeros((m, 2), np.int64)
        records[:, 1] = blocks | (7 << 32)  # fanout and type bits above the field
        parts = int(rng.integers(2, 5))
        bounds = block_parts(np.arange(m), records, parts)
        assert bounds[0] == 0 and bounds[-1] == m and (np.diff(bounds) >= 0).all()
        owner = np.repeat(np.arange(parts), np.diff(bounds))
        fields = records[:, 1] & BLOCK_FIELD
        for field in set(fields[fields > 0].tolist()):
            assert len(set(owner[fields == field].tolist())) == 1, (case, fields, bounds)


def test_ids_of_many_paths_are_the_logical_ids_of_each_name():
    """``logical_ids_of`` (one pass over all paths, as lowering names neurons and axons) gives
    each element the logical id of its name, and 0 to an element without one (path -1), for
    paths in any order."""
    from corelet.chip import logical_ids
    from corelet.chip.ids import logical_ids_of

    rng = np.random.default_rng(5)
    paths = tuple(f"net.layer{k}.n" for k in range(7))
    path = rng.integers(-1, len(paths), 500)
    index = rng.integers(0, 10_000, 500)
    ids = logical_ids_of(paths, path, index)
    for p, i, got in zip(path, index, ids):
        assert got == (0 if p < 0 else logical_ids(paths[p], int(i)))
    assert len(set(ids[path >= 0].tolist())) == len({(p, i) for p, i in zip(path, index) if p >= 0})
