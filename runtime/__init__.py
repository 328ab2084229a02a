"""The runtime: loads a ``ChipModel`` and executes it, tick by tick, exactly as the chip would.

It knows nothing of corelets or of the compiler. ``ChipModel`` (the JSON contract) is defined here
because it is what the runtime executes; the ``Fabric`` is the flat form the simulator runs.
"""

from runtime.encoders import burst_code, parse_encoder_spec, rate_code
from runtime.errors import SimulationError
from runtime.fabric import Fabric
from runtime.inputs import check_inputs, read_input_file
from runtime.lower import fabric_from_model, model_index_maps
from runtime.model import NO_TARGET, OUTPUT, ROLES, ChipInput, ChipModel, ChipOutput, Cores, ModelError
from runtime.raster import raster_svg
from runtime.result import SimResult
from runtime.simulator import simulate
from runtime.stats import run_stats

__all__ = ["ChipModel", "Cores", "ChipInput", "ChipOutput", "ModelError", "Fabric", "NO_TARGET",
           "OUTPUT", "ROLES", "fabric_from_model", "model_index_maps", "simulate", "SimResult",
           "SimulationError", "read_input_file", "check_inputs", "rate_code", "burst_code",
           "parse_encoder_spec", "run_stats", "raster_svg"]
