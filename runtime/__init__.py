"""The runtime: loads a ``ChipModel`` and executes it, tick by tick, exactly as the chip would.

It knows nothing of corelets or of the compiler. ``ChipModel`` (the JSON contract) is defined here
because it is what the runtime executes; the ``Fabric`` is the flat form the simulator runs.
"""

from runtime.fabric import Fabric
from runtime.model import NO_TARGET, OUTPUT, ROLES, ChipInput, ChipModel, ChipOutput, Cores, ModelError

__all__ = ["ChipModel", "Cores", "ChipInput", "ChipOutput", "ModelError", "Fabric", "NO_TARGET",
           "OUTPUT", "ROLES"]
