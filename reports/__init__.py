"""Reports: what a compiled model costs and where everything landed, read from a ``ChipModel`` alone.

``render_report`` (HTML or text, jinja2 templates), ``summary`` (the lines ``corelet compile``
prints), ``show`` (one core or one neuron in detail), the power estimates and the cost of spikes
between chips (``crossing_estimate`` with a stated ``ChipLink`` model), optionally with the
statistics of a run (``corelet run --stats``, a plain JSON object); in a notebook a ``ChipModel``
shows its summary and core grid (``notebook``), and ``plots`` draws transfer curves and rates. It
imports only the shared layer.
"""

from corelet.reports.power import CHIP_LINK, ChipLink, PowerEstimate, StatsError, crossing_estimate
from corelet.reports.report import ReportError, render_report, summary
from corelet.reports.show import show
from corelet.reports import notebook as _notebook  # noqa: F401 (registers the notebook HTML)

__all__ = ["render_report", "summary", "show", "ReportError", "PowerEstimate", "StatsError",
           "ChipLink", "CHIP_LINK", "crossing_estimate"]
