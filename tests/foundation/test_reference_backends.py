"""The reference suite's runtime back-end fails loudly when the runtime cannot be imported."""

from __future__ import annotations

import sys

import pytest

from tests.reference import conftest


def test_a_runtime_that_cannot_be_imported_fails_instead_of_skipping(monkeypatch):
    monkeypatch.setitem(sys.modules, "corelet.runtime.simulator", None)  # makes the import raise
    with pytest.raises(BaseException) as err:  # BaseException: pytest's Skipped is one too
        conftest.run_runtime(None, 3)
    assert isinstance(err.value, ImportError)
