"""The command line and the one-call API: the only code that imports more than one stage.

``load`` (source -> Network), ``compile`` (Network -> Compilation with its ChipModel) and ``run``
(ChipModel -> SimResult) chain the language, the compiler and the runtime; ``toolchain.cli`` is the
``corelet`` program. Nothing in ``chip``, ``corelets``, ``compiler`` or ``runtime`` imports this.
"""

from toolchain.api import compile, load, run

__version__ = "0.1.0"

__all__ = ["load", "compile", "run", "__version__"]
