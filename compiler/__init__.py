"""The compiler: turns a logical ``Network`` into a legal, placed ``ChipModel``.

It runs nothing and reports nothing; it imports only the shared layer (``corelet.chip``), where both
contracts live.
"""

from corelet.compiler.compile import (DEFAULT_INPUT_FANOUT, INPUT_FANOUTS, Compilation, Placement,
                                      compile_network, estimate)
from corelet.compiler.errors import PlacementError
from corelet.compiler.placers import DEFAULT_PLACER, PLACERS

__all__ = ["compile_network", "estimate", "Compilation", "Placement", "PlacementError", "PLACERS",
           "DEFAULT_PLACER", "INPUT_FANOUTS", "DEFAULT_INPUT_FANOUT"]
