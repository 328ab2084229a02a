"""The programs in docs/language.md elaborate, not only parse (test_lang_docs.py parses them).

A program block is picked exactly as test_lang_docs.py picks it. Each is elaborated with the
parameter values in ``PARAMS`` (keyed by its top corelet, the last one of the block); a block that
defines templates or imports but no corelet gets a small corelet appended that uses what it defines,
so its templates and imports are checked by the elaborator too.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from corelet import language

from .test_lang_docs import BLOCKS, PROGRAMS

RNG = np.random.default_rng(8)

# top corelet -> parameter values (a documented program whose top corelet is missing here is
# elaborated without parameters: add it here when it needs some)
PARAMS = {
    "TrueHappiness": {"W1": RNG.integers(-8, 8, (64, 64)), "W2": RNG.integers(-8, 8, (64, 1))},
    "Biased": {"B": np.array([1, -2, 3])},
    "Chain": {"n": 3},
    "WideSum": {"n": 300, "m": 2},   # two blocks: more inputs than one core has axons
    "Pool": {"L": np.ones((2, 4, 4), int), "H": 6},   # parameters in any order
    "Gates": {"cell": "and2"},   # a template by name, as -p cell=and2 gives it
    "Signed": {"W": RNG.random((8, 3)) < 0.5},   # axon types chosen by the caller
}

# Appended to a block that defines no corelet, keyed by its first word.
USES = {
    # the template block: one population per template it defines
    "neuron": """
corelet UsesTemplates() {
    input x[2]; output y[3]
    neurons a = relu; neurons b = fast; neurons c = gate
    x[0] -> a; x[1] -> b; x[0] -> c type 1
    y = cat(a, b, c)
}
""",
    # the import block: Dense and relu come from dense.corelet (the doc's first program)
    "use": """
corelet UsesDense(W: int[2, 1]) {
    input x[2]; output y[1]
    d = Dense(W = W, cell = relu)
    x -> d.x; d.y -> y
}
""",
}
USE_PARAMS = {"use": {"W": np.array([[3], [-5]])}}


def top_of(program: str) -> str | None:
    names = re.findall(r"^corelet (\w+)\(", program, flags=re.M)
    return names[-1] if names else None


def dense_program() -> str:
    return next(b for b in PROGRAMS if top_of(b) == "TrueHappiness")


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.splitlines()[0][:40] for p in PROGRAMS])
def test_documented_programs_elaborate(program, tmp_path):
    top = top_of(program)
    if top is None:
        first = program.split()[0]
        assert first in USES, f"a documented program defines no corelet and USES has no user for it:\n{program}"
        source, params = program + USES[first], USE_PARAMS.get(first, {})
        # the import block imports the doc's dense.corelet
        (tmp_path / "dense.corelet").write_text(dense_program(), encoding="utf-8")
    else:
        source, params = program, PARAMS.get(top, {})
    net = language.elaborate_source(source, str(tmp_path / "language.corelet"), params=params)
    assert net.n_neurons > 0
    assert net.connections.src.size > 0


def test_every_parameterised_program_is_known():
    tops = {top_of(p) for p in PROGRAMS}
    assert set(PARAMS) <= tops, f"PARAMS names corelets the docs no longer define: {set(PARAMS) - tops}"
    assert len(BLOCKS) > len(PROGRAMS)
