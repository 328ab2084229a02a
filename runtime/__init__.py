"""The runtime: executes a ``ChipModel``, tick by tick, as the chip would (``docs/neuron-model.md``):
exactly for deterministic neurons, and in distribution (not spike for spike) for stochastic ones,
whose random draws are our placement-independent hashes rather than the chip's per-core generator.

It knows nothing of corelets or of the compiler; it imports only the shared layer. A chip model
(``fabric_from_model``) and, as the reference a compiled chip must match, a logical network
(``fabric_from_network``) both lower to a ``Fabric``, the flat form the simulator runs.
``ChipModel`` and its parts are re-exported from ``corelet.chip`` for convenience.
"""

from corelet.chip.model import NO_TARGET, OUTPUT, ROLES, ChipInput, ChipModel, ChipOutput, Cores, ModelError
from corelet.runtime.compare import OutputDifference, first_difference, run_equivalence
from corelet.runtime.encoders import burst_code, burst_window, parse_encoder_spec, rate_code
from corelet.runtime.errors import SimulationError
from corelet.runtime.fabric import Fabric
from corelet.runtime.inputs import check_inputs, read_input_file
from corelet.runtime.lower import fabric_from_model, fabric_from_network, model_index_maps
from corelet.runtime.raster import raster_svg
from corelet.runtime import notebook as _notebook  # noqa: F401 (registers a run's HTML)
from corelet.runtime.result import SimResult
from corelet.runtime.simulator import check_ticks, simulate
from corelet.runtime._compiled import active as active_kernel
from corelet.runtime.stats import run_stats

__all__ = ["active_kernel", "check_ticks", "ChipModel", "Cores", "ChipInput", "ChipOutput", "ModelError", "Fabric", "NO_TARGET",
           "OUTPUT", "ROLES", "fabric_from_model", "fabric_from_network", "model_index_maps",
           "simulate", "SimResult", "SimulationError", "read_input_file", "check_inputs",
           "rate_code", "burst_code", "burst_window", "parse_encoder_spec", "run_stats", "raster_svg",
           "OutputDifference", "first_difference", "run_equivalence"]
