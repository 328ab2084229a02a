"""The root of the project's error family. Each stage defines its own subclass.

``LanguageError`` (corelets), ``PlacementError`` (compiler), ``ModelError`` and ``SimulationError``
(runtime) all derive from ``ToolchainError``; the command line catches this one class, prints the
message and exits 1, with no traceback.
"""


class ToolchainError(Exception):
    """An error the user can act on; ``str(err)`` is the full, rendered message."""
