"""The compiler's error: a network that cannot be placed on the chip as written.

``PlacementError`` carries ``partial``: a ``Compilation`` of what did fit (or ``None``), so the command
line can still write a report when placement fails.
"""

from __future__ import annotations

from corelet.chip import ToolchainError


class PlacementError(ToolchainError):
    """A placement or legalisation failure the user can fix; ``partial`` is what did fit."""

    def __init__(self, message: str, partial=None, *, kind: str = "other", neurons=None):
        super().__init__(message)
        self.partial = partial
        self.kind = kind  # "fan_in", "group", "chips" or "other": what the partial result leaves out
        self.neurons = neurons  # for "fan_in": the neurons whose inputs do not fit
