"""The run-length strings of the original format's per-neuron columns."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from corelet.interop.tn_runs import RunError, expand_item, format_column, parse_column


@pytest.mark.parametrize("item, values", [
    (7, [7]), ("7", [7]), ("3:6", [3, 4, 5, 6]), ("18:2:22", [18, 20, 22]), ("-32x3", [-32] * 3),
    ("0x1", [0]), ("-3:-1", [-3, -2, -1]), ("5:5", [5]),
])
def test_items(item, values):
    assert expand_item(item) == values


@pytest.mark.parametrize("item, words", [
    ("3-6", "does not parse"), ("1:x", "does not parse"), ("6:3", "backwards"),
    ("0:0:4", "step 0"), ("0:3:10", "does not reach 10"), ("5x0", "at least one"),
    (1.5, "neither"), (True, "neither"), ("", "does not parse"),
])
def test_bad_items(item, words):
    with pytest.raises(RunError, match=words):
        expand_item(item)


def test_columns_must_add_up_to_one_value_per_neuron():
    assert parse_column(["0:199", "0x56"], 256).tolist() == list(range(200)) + [0] * 56
    with pytest.raises(RunError, match="only 255, not 256"):
        parse_column(["0:254"], 256)
    with pytest.raises(RunError, match="more than 256"):
        parse_column(["0:255", 1], 256)
    with pytest.raises(RunError, match="list"):
        parse_column("0:255", 256)


def test_format_picks_the_short_forms():
    assert format_column(np.arange(256)) == ["0:255"]
    assert format_column(np.full(256, -32)) == ["-32x256"]
    assert format_column([0, 2, 4, 6, 9]) == ["0:2:6", 9]
    assert format_column([5, 3, 1]) == [5, 3, 1]  # no descending runs: readers differ on them
    assert format_column([1, 1, 2, 3, 4]) == ["1x2", "2:4"]


@given(st.lists(st.integers(-40, 300), min_size=1, max_size=80))
def test_format_then_parse_gives_the_values(values):
    assert parse_column(format_column(np.array(values)), len(values)).tolist() == values


def test_comments_are_blanked_but_not_inside_strings():
    from corelet.interop.tn_model import _strip_comments
    text = '{"a/*b": 1, /* c "x" */ "d": "/*", /* two\nlines */ "e": "q\\"/*"}'
    out = _strip_comments(text, "f.json")
    assert out.count("\n") == 1 and len(out) == len(text)
    import json
    assert json.loads(out) == {"a/*b": 1, "d": "/*", "e": 'q"/*'}
