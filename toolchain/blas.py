"""The one place the toolchain chooses how many threads BLAS may use.

The runtime multiplies many small per-core matrices; a multithreaded BLAS spends more time waking
threads than computing (7x slower measured on 2 cores). BLAS libraries read their thread count from
the environment once, when numpy is first imported, so the choice must be made before that. The
``corelet`` command line makes it at its entry point; importing ``corelet`` changes nothing.

API users who want the same: call ``corelet.blas.limit_blas_threads()`` before anything imports
numpy, or set ``OPENBLAS_NUM_THREADS=1`` (and ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``) in the
environment, or use ``threadpoolctl.threadpool_limits(1)`` around a run.
"""

from __future__ import annotations

import os
import sys

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def limit_blas_threads(threads: int = 1, *, override: bool = False) -> bool:
    """Ask BLAS for ``threads`` threads; a variable the user already set wins unless ``override``.

    Returns whether the setting can still take effect (numpy not imported yet)."""
    for var in THREAD_VARIABLES:
        if override:
            os.environ[var] = str(threads)
        else:
            os.environ.setdefault(var, str(threads))
    return "numpy" not in sys.modules
