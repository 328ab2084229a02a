"""Test-wide settings: single-threaded BLAS, as the command line uses (``corelet.blas``)."""

from corelet.blas import limit_blas_threads

limit_blas_threads()
