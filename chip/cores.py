"""The parts of a ``ChipModel``: its cores as a struct of arrays, its connectors, and its error.

See ``chip.model`` for the invariants the parts obey together.
"""

from __future__ import annotations

import attrs
import numpy as np

from corelet.chip.errors import ToolchainError
from corelet.chip.params import NeuronParams
from corelet.chip.profile import ChipProfile

NO_TARGET = -1
OUTPUT = -2
ROLES = ("original", "copy", "relay")


class ModelError(ToolchainError):
    """A chip model that cannot be loaded or executed, with the place that is wrong."""


@attrs.frozen(eq=False)
class Cores:
    """All cores of a model as a struct of arrays (see the module docstring)."""

    coords: np.ndarray  # (C, 3) int32: chip, row, column
    axon_type: np.ndarray  # (C, A) int8
    axon_path: np.ndarray  # (C, A) int32, -1 for an unused axon
    axon_index: np.ndarray  # (C, A) int32
    crossbar: np.ndarray  # (C, A, N/8) uint8, packed rows
    params: NeuronParams  # C * N rows
    neuron_path: np.ndarray  # (C, N) int32, -1 for an unused neuron
    neuron_index: np.ndarray  # (C, N) int32
    neuron_role: np.ndarray  # (C, N) int8, index into ROLES
    target_core: np.ndarray  # (C, N) int32: core, NO_TARGET or OUTPUT
    target_axon: np.ndarray  # (C, N) int16
    delay: np.ndarray  # (C, N) int8

    @property
    def n_cores(self) -> int:
        return len(self.coords)

    @classmethod
    def empty(cls, n_cores: int, profile: ChipProfile) -> "Cores":
        """``n_cores`` cores with nothing used: a starting point for the compiler to fill."""
        a, n = profile.axons_per_core, profile.neurons_per_core
        return cls(
            coords=np.zeros((n_cores, 3), np.int32),
            axon_type=np.zeros((n_cores, a), np.int8),
            axon_path=np.full((n_cores, a), -1, np.int32),
            axon_index=np.zeros((n_cores, a), np.int32),
            crossbar=np.zeros((n_cores, a, n // 8), np.uint8),
            params=NeuronParams.defaults(n_cores * n),
            neuron_path=np.full((n_cores, n), -1, np.int32),
            neuron_index=np.zeros((n_cores, n), np.int32),
            neuron_role=np.zeros((n_cores, n), np.int8),
            target_core=np.full((n_cores, n), NO_TARGET, np.int32),
            target_axon=np.zeros((n_cores, n), np.int16),
            delay=np.ones((n_cores, n), np.int8),
        )

    def synapses(self) -> np.ndarray:
        """The unpacked crossbars, bool (C, A, N)."""
        return np.unpackbits(self.crossbar, axis=2).astype(bool)


@attrs.frozen(eq=False)
class ChipInput:
    """Input connector: routes pin ``pin[k]`` to ``(core[k], axon[k])`` with ``delay[k]``."""

    name: str
    width: int
    pin: np.ndarray
    core: np.ndarray
    axon: np.ndarray
    delay: np.ndarray


@attrs.frozen(eq=False)
class ChipOutput:
    """Output connector: pin i is neuron ``neuron[i]`` of core ``core[i]``."""

    name: str
    core: np.ndarray
    neuron: np.ndarray

    @property
    def width(self) -> int:
        return len(self.core)
