"""Every corelet shipped in ``library/`` (through its representative instance) and every example compiles
legally and runs like its network."""

from pathlib import Path

import numpy as np
import pytest

from corelet import compiler
from corelet import language
from corelet import runtime
from corelet.library.instances import INSTANCES
from .legality import check

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(ROOT.glob("examples/*.corelet"))
# Parameters for the examples whose top corelet needs them: a shipped example that cannot be
# compiled here fails this test rather than being skipped, so add its parameters when you add it.
PARAMS: dict[str, dict] = {}
# Every library corelet is compiled through its representative instance (a program that uses it);
# tests/library/test_library_docs.py checks that every corelet has one.
CASES = ([(p.name, lambda p=p: language.elaborate_file(p, params=PARAMS.get(p.name, {})))
          for p in EXAMPLES]
         + [(i.corelet, lambda i=i: language.elaborate_source(i.source, i.filename, params=i.params))
            for i in INSTANCES])


@pytest.mark.parametrize("build", [b for _, b in CASES], ids=[name for name, _ in CASES])
@pytest.mark.parametrize("fanout", ["host", "splitter"])
def test_shipped_corelet_compiles_and_matches(build, fanout):
    net = build()
    comp = compiler.compile_network(net, input_fanout=fanout)
    comp.model.validate()
    check(comp.model, net, comp.retimed)
    rng = np.random.default_rng(0)
    x = {i.name: rng.random((2, 40, i.width)) < 0.4 for i in net.inputs}
    both = runtime.run_equivalence(comp.model, comp.retimed, 60, x, seed=1)
    assert both.agree, both.difference.describe("chip", "network")
    chip, logical = both.chip, both.logical
    # the comparison is not between two silent runs
    assert any(chip.outputs[name].any() for name in chip.outputs), "no output spike"
    assert any(logical.outputs[name].any() for name in logical.outputs), "no output spike"
