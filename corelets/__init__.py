"""The .corelet language: grammar, AST, elaboration into a logical ``Network``, and a Python builder.

It knows nothing of cores, placement or simulation.
"""

from corelets.network import (Connections, CoreGroup, InputConnector, Network, OutputConnector,
                              Population)
from corelets.source import Span

__all__ = ["Network", "Population", "Connections", "InputConnector", "OutputConnector", "CoreGroup",
           "Span"]
