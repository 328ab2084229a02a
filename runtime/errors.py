"""The runtime's error for a run that cannot start: bad inputs, probes, encoder specs or options.

(``ModelError``, for a chip model that cannot be loaded, lives with the model in ``runtime.model``.)
"""

from corelet.chip import ToolchainError


class SimulationError(ToolchainError):
    """A simulation request the user can fix; the message says what was expected."""
