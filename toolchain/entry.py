"""The ``corelet`` program's entry point: makes the process-wide choices, then runs the command line.

Kept apart from ``corelet.cli`` because the BLAS thread count must be chosen before numpy loads, and
the command line's modules load numpy.
"""

from __future__ import annotations

from corelet.blas import limit_blas_threads


def entry_point() -> None:
    limit_blas_threads()
    from corelet.cli import main

    raise SystemExit(main())
