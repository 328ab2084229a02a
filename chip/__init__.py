"""The chip's vocabulary, shared by the language, the compiler and the runtime.

Nothing here knows about corelets, placement or simulation: it holds the chip profile (the hard
limits, in one place), the neuron parameter table (one struct of arrays, the same in a logical
``Network`` and in a ``ChipModel``) and the logical ids that key every random draw.
"""

from chip.errors import ToolchainError
from chip.files import atomic_savez, atomic_write
from chip.ids import element_name, logical_ids, path_hash
from chip.params import NEURON_FIELDS, NeuronParams, RangeViolation
from chip.profile import TRUENORTH, ChipProfile

__all__ = [
    "ChipProfile",
    "TRUENORTH",
    "NeuronParams",
    "NEURON_FIELDS",
    "RangeViolation",
    "logical_ids",
    "element_name",
    "path_hash",
    "ToolchainError",
    "atomic_write",
    "atomic_savez",
]
