"""parse_param: every bad -p value is a ParamError naming the parameter, never a traceback."""

from __future__ import annotations

import json

import numpy as np
import pytest

from corelet import language
from corelet.language.params import ParamError


@pytest.mark.parametrize("arg, message", [
    ("W=[[1,2],[3]]", "parameter W: a list parameter must be rectangular and hold numbers or "
                      "bools: the nested lists are ragged"),
    ("W=[1,2", "parameter W: '[1,2' is not a valid JSON value"),
    ("W={\"a\": ", "parameter W: '{\"a\":' is not a valid JSON value"),
    ("n=16x", "parameter n: '16x' is not a valid JSON value"),
    ("d=-", "parameter d: '-' is not a valid JSON value"),
    ('s="open', "parameter s: '\"open' is not a valid JSON value"),
    ('W=["a", "b"]', "parameter W: a list parameter must be rectangular and hold numbers"),
    ("W=[1, null]", "parameter W: a list parameter must be rectangular and hold numbers"),
])
def test_bad_literals_name_the_parameter(arg, message):
    with pytest.raises(ParamError) as err:
        language.parse_param(arg)
    assert message in str(err.value)


def test_json_like_literals_still_parse_and_bare_words_stay_strings():
    assert language.parse_param("d=-3") == ("d", -3)
    assert language.parse_param("x=1e3") == ("x", 1000.0)
    assert language.parse_param("mode=linear") == ("mode", "linear")
    assert language.parse_param("W=[]")[1].shape == (0,)
    assert language.parse_param("W=[true, false]")[1].tolist() == [True, False]


def test_files_are_read_by_the_shared_reader_with_the_parameter_named(tmp_path):
    base = str(tmp_path)
    (tmp_path / "rag.json").write_text("[[1, 2], [3]]")
    (tmp_path / "five.json").write_text("5")
    (tmp_path / "named.json").write_text(json.dumps({"A": [1, 2], "B": [[3]]}))
    np.save(tmp_path / "five.npy", np.int64(5))
    np.save(tmp_path / "obj.npy", np.array([None], dtype=object), allow_pickle=True)
    (tmp_path / "junk.npz").write_bytes(b"definitely not a zip")
    assert language.parse_param("n=five.json", base) == ("n", 5)  # a number, not a 0-d array
    assert language.parse_param("n=five.npy", base) == ("n", 5)
    assert language.parse_param("W=named.json:B", base)[1].tolist() == [[3]]
    for arg, message in [
        ("W=rag.json", "parameter W: .*rag.json: the value is not an array: the nested lists are "
                       "ragged"),
        ("W=obj.npy", "parameter W: .*obj.npy: the array holds pickled Python objects"),
        ("W=junk.npz", "parameter W: .*junk.npz: not a .npz file"),
        ("W=named.json", r"parameter W: .*named.json: holds 2 arrays \('A', 'B'\)"),
    ]:
        with pytest.raises(ParamError, match=message):
            language.parse_param(arg, base)
