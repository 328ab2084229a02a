"""A chip model written by hand, lowered with ``runtime.fabric_from_model``, checked against the doc.

Independent of the lowering code, the expectations use only what docs/neuron-model.md and the
chip model's docstring promise: the crossbar bit order (neuron 0 is the high bit of byte 0), a route
of delay 15 integrated 15 ticks later, an input delay d integrated in row + d - 1, output pins that
record the tick of firing, and stochastic-synapse draws keyed by the logical ids of the neuron and of
the axon's source, ``chip.logical_ids(path, index)``, whatever core and slot they were placed in
(two placements of the same network must give the same, predicted, spikes).
"""

from __future__ import annotations

import numpy as np
import pytest

from corelet.chip import TRUENORTH, logical_ids
from corelet.chip.model import OUTPUT, ChipInput, ChipModel, ChipOutput, Cores
from corelet.runtime.random import SYNAPSE, draw

from . import refsim
from .conftest import run_runtime

SEED, T = 77, 60
PATHS = ("in", "a", "b")
IN, A, B = 0, 1, 2


def _connect(cores: Cores, core: int, axon: int, neuron: int) -> None:
    cores.crossbar[core, axon, neuron // 8] |= np.uint8(0x80 >> (neuron % 8))


def _neuron(cores: Cores, core: int, slot: int, path: int, index: int, **params) -> None:
    row = core * TRUENORTH.neurons_per_core + slot
    for name, value in params.items():
        getattr(cores.params, name)[row] = value
    cores.neuron_path[core, slot], cores.neuron_index[core, slot] = path, index


# two placements of one logical network: (core, slot) of each neuron and (core, axon) of each axon
PLACEMENTS = {
    "first": dict(a0=(0, 5), a1=(0, 9), b0=(1, 250), in0=(0, 3), in1=(0, 7), from_a0=(1, 200)),
    "moved": dict(a0=(1, 17), a1=(0, 255), b0=(1, 0), in0=(1, 30), in1=(0, 0), from_a0=(1, 31)),
}


def hand_model(placement: str = "first") -> ChipModel:
    """in[0] -> a[0] -> delay 15 -> b[0] -> out pin 1;
    in[1] (input delay 2) -> stochastic synapse, weight 100 -> a[1] -> out pin 0."""
    at = PLACEMENTS[placement]
    cores = Cores.empty(2, TRUENORTH)
    cores.coords[1] = (0, 0, 1)
    for axon, typ, path, index in (("in0", 1, IN, 0), ("in1", 2, IN, 1), ("from_a0", 0, A, 0)):
        c, i = at[axon]
        cores.axon_type[c, i] = typ
        cores.axon_path[c, i], cores.axon_index[c, i] = path, index
    _neuron(cores, *at["a0"], A, 0, weights=[0, 1, 0, 0])
    _neuron(cores, *at["a1"], A, 1, weights=[0, 0, 100, 0], stochastic_weights=[0, 0, 1, 0])
    _neuron(cores, *at["b0"], B, 0, weights=[1, 0, 0, 0])
    for axon, neuron in (("in0", "a0"), ("in1", "a1"), ("from_a0", "b0")):
        assert at[axon][0] == at[neuron][0]  # a crossbar joins an axon and a neuron of one core
        _connect(cores, at[axon][0], at[axon][1], at[neuron][1])
    (c, j), (tc, ta) = at["a0"], at["from_a0"]
    cores.target_core[c, j], cores.target_axon[c, j], cores.delay[c, j] = tc, ta, 15
    for neuron in ("a1", "b0"):
        cores.target_core[at[neuron]] = OUTPUT
    i64 = lambda *v: np.array(v, np.int64)  # noqa: E731
    pins = [at["in0"], at["in1"]]
    inputs = (ChipInput("in", 2, i64(0, 1), i64(*(c for c, _ in pins)),
                        i64(*(i for _, i in pins)), i64(1, 2)),)
    outs = [at["a1"], at["b0"]]
    outputs = (ChipOutput("out", i64(*(c for c, _ in outs)), i64(*(j for _, j in outs))),)
    model = ChipModel(TRUENORTH, cores, PATHS, inputs, outputs)
    model.validate()
    return model


@pytest.mark.parametrize("placement", sorted(PLACEMENTS))
@pytest.mark.parametrize("via_json", [False, True])
@pytest.mark.parametrize("backend", ["reference", "runtime"])
def test_hand_built_chip_model(backend, via_json, placement, kernel):
    from corelet.runtime.lower import fabric_from_model  # the submodule: see conftest.run_runtime

    model = hand_model(placement)
    if via_json:
        model = ChipModel.from_json(model.to_json())
    fabric = fabric_from_model(model)
    inp = np.zeros((T, 2), bool)
    inp[[2, 10, 30], 0] = True
    inp[:, 1] = True
    run_fn = refsim.simulate if backend == "reference" else run_runtime
    out = run_fn(fabric, T, {"in": inp}, seed=SEED).outputs["out"][0]

    assert np.flatnonzero(out[:, 1]).tolist() == [2 + 15, 10 + 15, 30 + 15]
    a1 = int(logical_ids("a", 1))
    in1 = int(logical_ids("in", 1))
    # pin 1 row r (delay 2) reaches the axon in tick r + 1: nothing arrives in tick 0
    expected = [t >= 1 and (draw(SEED, a1, t, SYNAPSE, in1, 2) & 0xFF) <= 100 for t in range(T)]
    assert out[:, 0].tolist() == expected
