"""Every corelet shipped in ``library/`` and ``examples/`` compiles legally and runs like its network."""

from pathlib import Path

import numpy as np
import pytest

import compiler
import corelets
import runtime
from legality import check

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*ROOT.glob("library/*.corelet"), *ROOT.glob("examples/*.corelet")])


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
@pytest.mark.parametrize("fanout", ["host", "splitter"])
def test_shipped_corelet_compiles_and_matches(path, fanout):
    try:
        net = corelets.elaborate_file(path)
    except corelets.LanguageError as err:
        if "parameter" in str(err):
            pytest.skip(f"{path.name} needs parameters: {str(err).splitlines()[0]}")
        raise
    comp = compiler.compile_network(net, input_fanout=fanout)
    comp.model.validate()
    check(comp.model, net, comp.retimed)
    rng = np.random.default_rng(0)
    x = {i.name: rng.random((2, 40, i.width)) < 0.4 for i in net.inputs}
    chip = runtime.simulate(runtime.fabric_from_model(comp.model), 60, x, seed=1)
    logical = runtime.simulate(compiler.fabric_from_network(comp.retimed), 60, x, seed=1)
    for name in chip.outputs:
        assert (chip.outputs[name] == logical.outputs[name]).all(), name
