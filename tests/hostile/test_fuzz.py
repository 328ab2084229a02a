"""Property-based fuzzing (issue 12): mutated valid programs through the parser and elaborator,
mutated chip models through the loader, validation, lowering and a short run, and mutated array
files through the one array reader. The property: every input either works or ends in the
stage's documented error (a ``ToolchainError``); anything else (an IndexError, a MemoryError, a
RecursionError...) is a bug.

CI runs ``CORELET_FUZZ_EXAMPLES`` examples per test (default 60); the longer run of
docs/reliability.md sets it higher. Small limits keep every example quick: a mutation that asks
for a billion neurons is refused by the limit, which is the behaviour under test.
"""

from __future__ import annotations

import io
import json
import os
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from corelet import language, runtime
from corelet.chip import ChipModel, ToolchainError
from corelet.chip.files import load_arrays
from corelet.chip.limits import Limits, using_limits

EXAMPLES = int(os.environ.get("CORELET_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get(
    "CORELET_FUZZ_RANDOM"), suppress_health_check=list(HealthCheck), database=None)
SMALL = Limits(neurons=200_000, connections=2_000_000, grid_points=5_000_000, instances=2_000,
               array_elements=1_000_000, delay=1_000, file_bytes=50_000_000)
ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = [ROOT / "examples/skeleton.corelet", ROOT / "tests/data/deterministic_v1.corelet",
            ROOT / "tests/data/stochastic_v1.corelet",
            *sorted((ROOT / "library").glob("*.corelet"))]
TOKENS = ["{", "}", "(", ")", "[", "]", ",", ";", "->", "=", "..", "for", "in", "if", "else",
          "0", "1", "-1", "255", "2**63", "10**9", "1e309", '"\\x"', "x", "h", "y", "neurons",
          "corelet", "delay", "type", "use", "**", "//", "%", ":", "\n", "\x00", "\ufeff"]


def mutate_text(text: str, rng: random.Random, edits: int) -> str:
    chars = list(text)
    for _ in range(edits):
        kind = rng.randrange(4)
        at = rng.randrange(len(chars) + 1)
        if kind == 0 and chars:  # delete a span
            del chars[at:at + rng.randint(1, 8)]
        elif kind == 1:  # insert a token
            chars[at:at] = list(rng.choice(TOKENS))
        elif kind == 2 and chars:  # duplicate a span elsewhere
            start = rng.randrange(len(chars))
            piece = chars[start:start + rng.randint(1, 40)]
            chars[at:at] = piece
        elif chars:  # replace a digit run with a large or odd number
            chars[at:at + 1] = list(rng.choice(["9" * rng.randint(1, 30), "0", "-7", "4096"]))
    return "".join(chars)


@FUZZ
@given(st.sampled_from(PROGRAMS), st.integers(0, 2**32), st.integers(1, 6))
def test_mutated_programs_end_in_language_errors(path, seed, edits):
    text = mutate_text(path.read_text(encoding="utf-8"), random.Random(seed), edits)
    with using_limits(SMALL):
        try:
            language.elaborate_source(text, f"{path.stem}.corelet")
        except ToolchainError:
            pass


MODEL = json.loads((ROOT / "tests/compiler/data/skeleton_splitter_v1.json").read_text())
ODD_VALUES = st.one_of(st.integers(-2**70, 2**70), st.sampled_from(
    [0, -1, 1, 255, 256, 2**31, 2**63, -2**63, 10**30]), st.floats(allow_nan=True),
    st.none(), st.booleans(), st.text(max_size=5), st.just([]), st.just({}),
    st.just({"runs": [0, 0, 10**9]}), st.just({"runs": [0, 1]}), st.just([1, 2, 3]),
    st.lists(st.integers(-3, 300), max_size=300))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for k, v in enumerate(value[:3]):
            yield from _paths(v, prefix + (k,))


MODEL_PATHS = [p for p in _paths(MODEL) if p]


def _set(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(MODEL_PATHS), ODD_VALUES), min_size=1, max_size=3))
def test_mutated_models_end_in_model_errors(mutations):
    data = json.loads(json.dumps(MODEL))
    for path, value in mutations:
        try:
            _set(data, path, json.loads(json.dumps(value)))  # a copy: no shared (cyclic) parts
        except (KeyError, IndexError, TypeError):
            pass  # the path went away with an earlier mutation
    text = json.dumps(data)
    with using_limits(SMALL):
        try:
            model = ChipModel.from_json(text, "m.json")
            model.validate()
            fabric = runtime.fabric_from_model(model)
            inputs = {c.name: np.ones((3, c.width), bool) for c in model.inputs}
            runtime.simulate(fabric, 3, inputs)
        except ToolchainError:
            pass


def _array_files() -> list[tuple[str, bytes]]:
    npy, npz = io.BytesIO(), io.BytesIO()
    np.save(npy, np.arange(24, dtype=np.int64).reshape(4, 6))
    np.savez_compressed(npz, a=np.eye(3), b=np.array([True, False]))
    np.savez(buf := io.BytesIO(), w=np.arange(10, dtype=np.int16))
    return [(".npy", npy.getvalue()), (".npz", npz.getvalue()), (".npz", buf.getvalue()),
            (".json", b'{"W": [[1, 2], [3, 4]], "b": 3}'), (".json", b"[[1.5, 2], [3, 4e300]]")]


ARRAY_FILES = _array_files()


@FUZZ
@given(st.sampled_from(ARRAY_FILES), st.lists(st.tuples(st.integers(0, 10**6),
                                                       st.integers(0, 255)), max_size=8),
       st.integers(0, 10**6))
def test_mutated_array_files_end_in_array_file_errors(tmp_path_factory, original, flips, cut):
    suffix, raw = original
    data = bytearray(raw)
    for at, byte in flips:
        if data:
            data[at % len(data)] = byte
    if cut % 3 == 0:
        data = data[:cut % (len(data) + 1)]
    path = tmp_path_factory.mktemp("arrays") / f"a{suffix}"
    path.write_bytes(bytes(data))
    with using_limits(SMALL):
        try:
            load_arrays(path)
        except ToolchainError:
            pass


# -- encoder specs (--rate / --burst NAME=VALUE[:OPTION...]) ---------------------------------------
_ENCODER_FABRIC = runtime.fabric_from_network(language.elaborate_source(
    "corelet T() { input x[3]; output y; neurons h = neuron { }; x -> h; y = h }"))
_SPEC_PARTS = st.sampled_from(["x", "y", "=", ":", "0.5", "2", "-1", "1e999", "nan", "inf", "", "a",
                               "even", "mode=even", "mode=x", "window=3", "window=0", "window=a",
                               "w.npz", "w.npy", "w.json", "key", "0x10", "3.5", " "])


@FUZZ
@given(kind=st.sampled_from(["rate", "burst"]), parts=st.lists(_SPEC_PARTS, max_size=8),
       batch=st.sampled_from([None, 1, 2]))
def test_encoder_specs_give_a_raster_or_a_simulation_error(kind, parts, batch):
    """Any spec text either encodes a (batch, ticks, 3) raster of 0/1 or is a SimulationError."""
    spec = "".join(parts)
    try:
        name, raster = runtime.parse_encoder_spec(kind, spec, _ENCODER_FABRIC, 6, batch, 0)
    except runtime.SimulationError:
        return
    assert name == "x" and raster.shape == ((batch or 1), 6, 3)
    assert set(np.unique(raster).tolist()) <= {0, 1}
