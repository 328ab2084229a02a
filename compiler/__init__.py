"""The compiler: turns a logical ``Network`` into a legal, placed ``ChipModel`` and reports its cost.

It runs nothing; it imports the ``Network`` (from corelets) and the ``ChipModel`` (from runtime).
"""

# Legalisation, placement and emission (compiler/compile.py and the stage modules).
from compiler.compile import (INPUT_FANOUTS, Compilation, Placement, __version__, compile_network,
                              estimate)
from compiler.errors import PlacementError
from compiler.lower import fabric_from_network
from compiler.placers import PLACERS

# Reports and inspection (compiler/report.py, power.py, show.py).
from compiler.power import PowerEstimate, StatsError  # noqa: E402
from compiler.report import ReportError, render_report, summary  # noqa: E402
from compiler.show import show  # noqa: E402
