"""The shared layer: the chip's vocabulary and the two contracts between the stages.

Nothing here knows about corelets, placement or simulation. It holds the chip profile (the hard
limits, in one place), the neuron parameter table (one struct of arrays, the same in a logical
``Network`` and in a ``ChipModel``), the logical ids that key every random draw, the root error,
all-or-nothing file writes, and the contracts: the logical ``Network`` (language -> compiler) and
the ``ChipModel`` with its JSON form (compiler -> runtime, reports).
"""

from corelet.chip.errors import Location, ToolchainError
from corelet.chip.files import atomic_savez, atomic_write
from corelet.chip.ids import element_name, logical_ids, path_hash
from corelet.chip.params import NEURON_FIELDS, NeuronParams, RangeViolation
from corelet.chip.profile import IDEAL, PROFILES, TRUENORTH, ChipProfile
from corelet.chip.source import Span
from corelet.chip.network import (Connections, CoreGroup, InputConnector, Network,  # noqa: E402
                                  OutputConnector, Population)
from corelet.chip.model import (NO_TARGET, OUTPUT, ROLES, ChipInput, ChipModel,  # noqa: E402
                                ChipOutput, Cores, ModelError)

__all__ = [
    "ChipProfile", "TRUENORTH", "IDEAL", "PROFILES", "NeuronParams", "NEURON_FIELDS", "RangeViolation",
    "logical_ids", "element_name", "path_hash", "ToolchainError", "Location", "atomic_write",
    "atomic_savez",
    "Span", "Network", "Population", "Connections", "InputConnector", "OutputConnector", "CoreGroup",
    "ChipModel", "Cores", "ChipInput", "ChipOutput", "ModelError", "NO_TARGET", "OUTPUT", "ROLES",
]
