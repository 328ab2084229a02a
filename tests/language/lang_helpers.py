"""Helpers for the language tests: elaborate a program, read its connections and diagnostics."""

from __future__ import annotations

import numpy as np
import pytest

import corelets


def elaborate(source: str, **params):
    """Elaborate ``source`` (a program written flush left) with ``params``."""
    return corelets.elaborate_source(source, "test.corelet", params=params)


def edges(net) -> set[tuple[str, str, int, int]]:
    """Connections as readable tuples (source name, target name, axon type, delay)."""
    c = net.connections
    return {(net.source_name(int(s)), net.neuron_name(int(d)), int(t), int(dl))
            for s, d, t, dl in zip(c.src, c.dst, c.axon_type, c.delay)}


def error_of(source: str, filename: str = "test.corelet", **kwargs) -> corelets.LanguageError:
    with pytest.raises(corelets.LanguageError) as info:
        corelets.elaborate_source(source, filename, **kwargs)
    return info.value


def first_error(source: str, **kwargs) -> tuple[str, int, int, str]:
    """(message, line, column, hint) of the first diagnostic."""
    d = error_of(source, **kwargs).diagnostics[0]
    return d.message, d.span.line, d.span.column, d.hint


def row(net, neuron: int) -> dict:
    return net.params.row(neuron)


__all__ = ["elaborate", "edges", "error_of", "first_error", "row", "np"]
