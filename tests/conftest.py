"""Test-wide settings: single-threaded BLAS, as the command line uses (``corelet.blas``), and the
runtime kernels to run the equivalence suites on (numpy always; numba when it is installed)."""

from corelet.blas import limit_blas_threads

limit_blas_threads()

import contextlib  # noqa: E402
import importlib.util  # noqa: E402

import pytest  # noqa: E402

# the numpy kernel is the reference; the compiled one (the ``.[fast]`` extra) must match it exactly
KERNELS = ["numpy"] + (["numba"] if importlib.util.find_spec("numba") else [])


@contextlib.contextmanager
def using_kernel(name: str):
    """Runs started inside use runtime kernel ``name`` (``corelet.runtime._compiled.use``)."""
    from corelet.runtime import _compiled

    previous = _compiled.use(name)
    try:
        yield name
    finally:
        _compiled.use(previous)


@pytest.fixture(params=KERNELS)
def kernel(request):
    """Run the test with each runtime kernel in turn."""
    with using_kernel(request.param):
        yield request.param
