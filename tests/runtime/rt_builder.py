"""Hand-built chip models for the runtime tests: a few neurons set field by field."""

from __future__ import annotations

import numpy as np

from corelet.chip import TRUENORTH
from corelet.runtime import OUTPUT, ChipInput, ChipModel, ChipOutput, Cores


class ModelBuilder:
    """Fill ``Cores.empty`` one neuron, axon and synapse at a time, then ``build()``."""

    def __init__(self, n_cores: int = 1, profile=TRUENORTH):
        self.profile = profile
        self.cores = Cores.empty(n_cores, profile)
        self.cores.coords[:, 2] = np.arange(n_cores)
        self.paths: list[str] = []
        self.inputs: list[ChipInput] = []
        self.outputs: list[ChipOutput] = []

    def path(self, name: str) -> int:
        if name not in self.paths:
            self.paths.append(name)
        return self.paths.index(name)

    def neuron(self, core: int, neuron: int, name: str, index: int, *, target=None, role=0,
               **params) -> "ModelBuilder":
        """A used neuron; ``target`` is (core, axon, delay), "output" or None."""
        c = self.cores
        c.neuron_path[core, neuron] = self.path(name)
        c.neuron_index[core, neuron] = index
        c.neuron_role[core, neuron] = role
        if target == "output":
            c.target_core[core, neuron] = OUTPUT
        elif target is not None:
            c.target_core[core, neuron], c.target_axon[core, neuron], c.delay[core, neuron] = target
        row = core * self.profile.neurons_per_core + neuron
        for field, value in params.items():
            getattr(c.params, field)[row] = value
        return self

    def axon(self, core: int, axon: int, axon_type: int = 0, source=None) -> "ModelBuilder":
        self.cores.axon_type[core, axon] = axon_type
        if source is not None:
            self.cores.axon_path[core, axon] = self.path(source[0])
            self.cores.axon_index[core, axon] = source[1]
        return self

    def synapse(self, core: int, axon: int, neuron: int) -> "ModelBuilder":
        self.cores.crossbar[core, axon, neuron // 8] |= np.uint8(0x80 >> (neuron % 8))
        return self

    def input(self, name: str, width: int, routes) -> "ModelBuilder":
        """``routes``: (pin, core, axon, delay) tuples."""
        pin, core, axon, delay = (np.array(col, np.int64) for col in zip(*routes))
        self.inputs.append(ChipInput(name, width, pin, core, axon, delay))
        return self

    def output(self, name: str, pins) -> "ModelBuilder":
        """``pins``: (core, neuron) tuples."""
        core, neuron = (np.array(col, np.int64) for col in zip(*pins))
        self.outputs.append(ChipOutput(name, core, neuron))
        return self

    def build(self, validate: bool = True) -> ChipModel:
        model = ChipModel(self.profile, self.cores, tuple(self.paths), tuple(self.inputs),
                          tuple(self.outputs))
        if validate:
            model.validate()
        return model


def relay_chain(delay: int, threshold: int = 1):
    """Input pin -> neuron a (delay ``delay`` to) -> neuron b -> output 'out' (pins a, b)."""
    b = ModelBuilder()
    b.axon(0, 0, 0, source=("x", 0)).axon(0, 1, 0, source=("n", 0))
    b.synapse(0, 0, 0).synapse(0, 1, 1)
    b.neuron(0, 0, "n", 0, target=(0, 1, delay), weights=[1, 0, 0, 0], threshold=threshold)
    b.neuron(0, 1, "n", 1, target="output", weights=[1, 0, 0, 0], threshold=threshold)
    b.input("x", 1, [(0, 0, 0, 1)])
    return b
