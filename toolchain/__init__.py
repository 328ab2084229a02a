"""The command line and the one-call API: the only code that imports more than one stage.

``load`` (source -> Network), ``compile`` (Network -> Compilation with its ChipModel) and ``run``
(ChipModel -> SimResult) chain the language, the compiler and the runtime; ``toolchain.cli`` is the
``corelet`` program. Nothing in ``chip``, ``corelets``, ``compiler`` or ``runtime`` imports this.
"""

import os

# The runtime multiplies many small per-core matrices; a multithreaded BLAS spends more time
# waking threads than computing (7x slower measured on 2 cores). Must be set before numpy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from toolchain.api import compile, load, run  # noqa: E402

__version__ = "0.1.0"

__all__ = ["load", "compile", "run", "__version__"]
