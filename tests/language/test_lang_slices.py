"""Slices of connectors and populations stay inside them: one that runs past the end is an error at
its bound (a silently shortened slice would be a miswired network), while negative bounds count
from the end as in Python."""

from __future__ import annotations

import pytest

from .lang_helpers import edges, elaborate, first_error

PROGRAM = """
neuron pass {{ weights = [1, 0, 0, 0] }}
corelet B() {{
    input x[4]; output y[4]
    neurons h[4] = pass
    {connection}
    y = h
}}
"""

HINT = "a slice of a connector or population stays within 0..4 (negative bounds count from the end)"


@pytest.mark.parametrize("connection, message, column", [
    ("x[3:7] -> h", "slice bound 7 is outside `x`, which has 4 element(s)", 9),
    ("x[-5:] -> h", "slice bound -5 is outside `x`, which has 4 element(s)", 7),
    ("x -> h[0:5]", "slice bound 5 is outside `h`, which has 4 element(s)", 14),
])
def test_a_slice_past_the_end_is_an_error_at_its_bound(connection, message, column):
    assert first_error(PROGRAM.format(connection=connection)) == (message, 6, column, HINT)


def test_slices_within_bounds_and_negative_bounds_pick_what_python_would():
    net = elaborate(PROGRAM.format(connection="x[-2:] -> h[0:2]; x[0:4:2] -> h[2:4]"))
    assert edges(net) == {("x[2]", "h[0]", 0, 1), ("x[3]", "h[1]", 0, 1),
                          ("x[0]", "h[2]", 0, 1), ("x[2]", "h[3]", 0, 1)}
