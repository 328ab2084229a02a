"""Every corelet shipped in ``library/`` and ``examples/`` compiles legally and runs like its network."""

from pathlib import Path

import numpy as np
import pytest

from corelet import compiler
from corelet import language
from corelet import runtime
from .legality import check

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*ROOT.glob("library/*.corelet"), *ROOT.glob("examples/*.corelet")])
# Parameters for the files whose top corelet needs them: a shipped corelet that cannot be compiled
# here fails this test rather than being skipped, so add its parameters when you add it.
PARAMS: dict[str, dict] = {}


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
@pytest.mark.parametrize("fanout", ["host", "splitter"])
def test_shipped_corelet_compiles_and_matches(path, fanout):
    net = language.elaborate_file(path, params=PARAMS.get(path.name, {}))
    comp = compiler.compile_network(net, input_fanout=fanout)
    comp.model.validate()
    check(comp.model, net, comp.retimed)
    rng = np.random.default_rng(0)
    x = {i.name: rng.random((2, 40, i.width)) < 0.4 for i in net.inputs}
    chip = runtime.simulate(runtime.fabric_from_model(comp.model), 60, x, seed=1)
    logical = runtime.simulate(runtime.fabric_from_network(comp.retimed), 60, x, seed=1)
    for name in chip.outputs:
        assert (chip.outputs[name] == logical.outputs[name]).all(), name
    # the comparison is not between two silent runs
    assert any(chip.outputs[name].any() for name in chip.outputs), "no output spike"
    assert any(logical.outputs[name].any() for name in logical.outputs), "no output spike"
