"""The .corelet language: grammar, AST, elaboration into a logical ``Network``, and a Python builder.

It knows nothing of cores, placement or simulation. Entry points: ``elaborate_file`` and
``elaborate_source`` (text -> ``Network``), ``parse_param`` (a command-line ``NAME=VALUE``), the
``builder`` module (the same ``Network`` from Python calls), and ``LanguageError``, whose ``str()``
is the rendered diagnostics. ``Network`` and its parts are re-exported from ``corelet.chip``.
"""

from corelet.chip.network import (Connections, CoreGroup, InputConnector, Network, OutputConnector,
                                  Population)
from corelet.chip.source import Span
from corelet.language.diagnostics import Diagnostic, LanguageError
from corelet.language.elaborate import elaborate_file, elaborate_source
from corelet.language.params import ParamError, parse_param
from corelet.language import builder  # noqa: E402  (uses the names above)

__all__ = ["Network", "Population", "Connections", "InputConnector", "OutputConnector", "CoreGroup",
           "Span", "elaborate_file", "elaborate_source", "parse_param", "ParamError",
           "LanguageError", "Diagnostic", "builder"]
