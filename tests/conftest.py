"""Test-wide settings: single-threaded BLAS, as the command line uses (see toolchain/__init__.py)."""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
