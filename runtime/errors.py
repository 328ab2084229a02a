"""The runtime's error for a run that cannot start: bad inputs, probes, encoder specs or options.

(``ModelError``, for a chip model that cannot be loaded, lives with the model in ``corelet.chip``.)
"""

from corelet.chip import ToolchainError


class SimulationError(ToolchainError):
    """A simulation request the user can fix; the message says what was expected.

    Its ``locations`` carry what the runtime knows of the place: the input connector
    (``Location(connector="x")``), the file an input or encoder value came from, the option
    (``field="ticks"``)."""
