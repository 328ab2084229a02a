"""The compile pipeline (index -> place -> legalise -> emit) and the typed provenance it builds.

The pipeline, not the placer, chooses among the placer's candidates; it must choose what the packer
chose when it scored them itself (the placements below were recorded before the change), and the
model must be built once, with its provenance complete.
"""

import hashlib
import json
from pathlib import Path

import attrs
import numpy as np
import pytest

from corelet import compiler
from corelet.chip import TRUENORTH, ChipModel
from corelet.chip.provenance import CompileRecord, Hops, PopulationUsage, Provenance
from corelet.compiler import compile as compile_module
from corelet.compiler.compile import _Pipeline
from corelet.compiler.legalise import legalise
from corelet.compiler.placers import PLACERS, Candidates
from .compiler_nets import build, elman, random_network, seed000
from .test_compiler_placement import BENCHMARKS

DATA = Path(__file__).parent / "data"

NETS = {**BENCHMARKS, "seed000": seed000, "elman": elman,
        **{f"random{s}": (lambda s=s: random_network(s, groups=True)) for s in range(4)}}

# (network, input fan-out) -> (cores, hash of the placement's neuron_core and neuron_slot), recorded
# with the packer scoring its own candidates through a callback (before the pipeline chose)
BEFORE = {
    ('dense 4x256, binary synapses', 'host'): (4, '3815d59fc5b2'),
    ('dense 4x256, binary synapses', 'splitter'): (4, '3815d59fc5b2'),
    ('dense 64-64-64-32, 4-bit', 'host'): (4, 'defb8edd8048'),
    ('dense 64-64-64-32, 4-bit', 'splitter'): (5, '0110e037f5c3'),
    ('dense 3x128, 2-bit', 'host'): (3, '3667c053ea08'),
    ('dense 3x128, 2-bit', 'splitter'): (4, '23cee45ca9c1'),
    ('IC 300 inputs x 20 units', 'host'): (8, '15dc17b29f1a'),
    ('IC 300 inputs x 20 units', 'splitter'): (12, 'fed354d15f1c'),
    ('IC 150 inputs x 32 units', 'host'): (7, '6288e1140207'),
    ('IC 150 inputs x 32 units', 'splitter'): (9, '383bbb6f0ac8'),
    ('conv 8x8x32, groups', 'host'): (42, '80f25a1fdafa'),
    ('conv 8x8x32, groups', 'splitter'): (71, '845e14b7d5a3'),
    ('conv 6x6x16, no groups', 'host'): (10, 'bef4240eccbc'),
    ('conv 6x6x16, no groups', 'splitter'): (19, '49ef0f9e6f92'),
    ('seed000', 'host'): (2, 'f317a730019a'),
    ('seed000', 'splitter'): (3, 'f317a730019a'),
    ('elman', 'host'): (1, '90d7a78faf8c'),
    ('elman', 'splitter'): (2, '90d7a78faf8c'),
    ('random0', 'host'): (1, 'f4804c03ea5e'),
    ('random0', 'splitter'): (1, 'f4804c03ea5e'),
    ('random1', 'host'): (3, 'bf435df161dc'),
    ('random1', 'splitter'): (3, '6435684dcc0e'),
    ('random2', 'host'): (1, '2976cdf65ccd'),
    ('random2', 'splitter'): (2, '2976cdf65ccd'),
    ('random3', 'host'): (1, 'fd4d1d2c5bf8'),
    ('random3', 'splitter'): (1, 'fd4d1d2c5bf8'),
}


def fingerprint(comp) -> tuple[int, str]:
    p = comp.placement
    both = np.concatenate([p.neuron_core, p.neuron_slot]).astype("<i8")
    return comp.model.n_cores, hashlib.sha256(both.tobytes()).hexdigest()[:12]


@pytest.mark.parametrize("name, fanout", sorted(BEFORE))
def test_the_pipeline_chooses_the_placement_the_packer_chose(name, fanout):
    assert fingerprint(compiler.compile_network(NETS[name](), input_fanout=fanout)) == \
        BEFORE[name, fanout]


def legalised_candidates(net, fanout):
    """Every candidate of the packer, legalised by hand and scored (cores, demands delayed)."""
    pipeline = _Pipeline("packer", fanout, TRUENORTH, None)
    index, candidates = pipeline.place(pipeline.index(net))
    fillings = [candidates.first] + [make() for make in candidates.alternatives]
    scored = []
    for filling in fillings:
        legal = legalise(index, TRUENORTH, filling, fanout)
        scored.append((legal.n_cores, int((legal.demand_latency > 0).sum())))
    return pipeline, index, candidates, fillings, scored


@pytest.mark.parametrize("name, fanout", [("conv 6x6x16, no groups", "host"),
                                          ("random1", "splitter"), ("IC 300 inputs x 20 units", "host")])
def test_the_pipeline_keeps_the_best_candidate_by_cores_then_delays(name, fanout):
    pipeline, index, candidates, fillings, scored = legalised_candidates(NETS[name](), fanout)
    assert len(candidates) == 5 and (candidates.lower_bound, 0) < scored[0]
    chosen = pipeline.legalise((index, candidates))
    best = fillings[scored.index(min(scored))]  # the first of equals
    assert np.array_equal(chosen.filling.order, best.order)
    assert np.array_equal(chosen.filling.starts, best.starts)
    assert (chosen.legal.n_cores, int((chosen.legal.demand_latency > 0).sum())) == min(scored)


def spied(candidates, made):
    return Candidates(candidates.first, tuple(lambda m=m: made.append(1) or m()
                                              for m in candidates.alternatives),
                      candidates.lower_bound)


def test_alternatives_are_made_only_when_the_first_is_not_good_enough():
    pipeline = _Pipeline("packer", "host", TRUENORTH, None)
    made = []  # seed000 needs 2 cores, the bound says 1: every alternative is tried
    index, candidates = pipeline.place(pipeline.index(seed000()))
    pipeline.legalise((index, spied(candidates, made)))
    assert len(made) == len(candidates.alternatives) == 4
    made = []  # the dense layers reach the bound: nothing else is made
    index, candidates = pipeline.place(pipeline.index(NETS["dense 4x256, binary synapses"]()))
    assert pipeline.legalise((index, spied(candidates, made))).filling is candidates.first
    assert made == []


def test_alg1_and_alg2_propose_one_candidate():
    pipeline = _Pipeline("alg1", "host", TRUENORTH, None)
    index = pipeline.index(seed000())
    for name in ("alg1", "alg2"):
        assert len(PLACERS[name](index, TRUENORTH)) == 1


def test_the_record_is_complete_before_the_model_is_built(monkeypatch):
    seen = []
    real_emit = compile_module.emit

    def spy(index, profile, filling, layout, seed, provenance):
        seen.append(json.dumps(provenance))
        return real_emit(index, profile, filling, layout, seed, provenance)

    monkeypatch.setattr(compile_module, "emit", spy)
    comp = compiler.compile_network(random_network(1), input_fanout="splitter",
                                    provenance={"source": "r.corelet", "sha256": "ab12"})
    assert len(seen) == 1 and seen[0] == json.dumps(comp.model.provenance)
    record = json.loads(seen[0])["compile"]
    assert {"hops", "populations", "added_latency"} <= set(record) and record["added_latency"]
    assert comp.provenance.to_json() == comp.model.provenance
    assert isinstance(comp.provenance.compile, CompileRecord)
    assert comp.provenance.compile.to_json() == comp.record
    assert comp.provenance.compile.hops == Hops(**record["hops"])
    assert isinstance(comp.provenance.compile.populations[0], PopulationUsage)


def test_provenance_keys_keep_their_order():
    """``{**network's, **caller's, "compiler", "compile"}``, as before: the model's bytes depend on it."""
    net = attrs.evolve(random_network(2),
                       provenance={"corelet": "R", "zeta": 1, "sources": {"r.corelet": "00"}})
    comp = compiler.compile_network(net, provenance={"sha256": "ab", "source": "r.corelet",
                                                     "corelet": "Mine", "parameters": {"n": 3}})
    prov = comp.model.provenance
    assert list(prov) == ["corelet", "zeta", "sources", "sha256", "source", "parameters", "compiler",
                          "compile"]
    assert prov["corelet"] == "Mine" and prov["zeta"] == 1
    assert comp.provenance.corelet == "Mine" and comp.provenance.extra == {"zeta": 1, "sha256": "ab"}


@pytest.mark.parametrize("name", ["skeleton_splitter_v1", "partial_fan_in_v1"])
def test_version_1_models_written_before_read_back_to_the_same_bytes(name):
    text = (DATA / f"{name}.json").read_text(encoding="utf-8")
    model = ChipModel.from_json(text)
    model.validate()
    assert model.to_json() == text
    typed = Provenance.of(model)
    assert typed.compile is not None and typed.extra == {}
    assert json.dumps(typed.to_json()) == json.dumps(model.provenance)
    assert CompileRecord.from_json(typed.compile.to_json()) == typed.compile
    assert Provenance.from_json(typed.to_json()) == typed


def test_the_skeleton_compiles_to_the_bytes_written_before(monkeypatch):
    from corelet.api import compile as api_compile
    text = (DATA / "skeleton_splitter_v1.json").read_text(encoding="utf-8")
    monkeypatch.chdir(Path(__file__).resolve().parents[2])  # the source path is relative to here
    comp = api_compile("examples/skeleton.corelet", input_fanout="splitter")
    old = ChipModel.from_json(text)
    if old.provenance["compiler"] != comp.provenance.compiler:  # only the version may say otherwise
        text = attrs.evolve(old, provenance={**old.provenance,
                                             "compiler": comp.provenance.compiler}).to_json()
    assert comp.model.to_json() == text


@pytest.mark.parametrize("provenance", [
    {},
    {"source": "a", "compile": {"placer": "x"}},  # not a record this compiler writes: kept raw
    {"compile": 3, "corelet": None, "sources": {"a": 1}, "other": [1, 2], "source": "s"},
    {"partial": "why", "source": "s", "compile": {
        "placer": "packer", "input_fanout": "host", "cores": 1, "chips": 1,
        "neurons": {"original": 1, "copy": 0, "relay": 0}, "copies": 0, "relays": 0, "hubs": 0,
        "splitters": 0, "axons": 1, "synapses": 1, "connections": 1, "added_latency": []}},
])
def test_provenance_from_json_is_lossless(provenance):
    typed = Provenance.from_json(provenance)
    assert json.dumps(typed.to_json()) == json.dumps(provenance)
    if "partial" in provenance:  # an old record without hops and populations is still typed
        assert typed.compile.hops is None and typed.compile.populations is None
        assert typed.partial == "why"


def test_compile_record_rejects_what_it_would_not_write_back():
    record = compiler.compile_network(seed000()).record
    for bad in ({**record, "cores": 1.0}, {**record, "extra": 1},
                dict(reversed(list(record.items()))), {**record, "hops": {"routes": 1}}):
        with pytest.raises(ValueError):
            CompileRecord.from_json(bad)


def test_estimate_and_partial_still_work():
    net = seed000()
    est = compiler.estimate(net)
    comp = compiler.compile_network(net)
    assert est["cores"] == comp.record["cores"] and est["neurons"] == comp.record["neurons"]
    assert set(est["seconds"]) == {"index", "place", "legalise"}
    wide = build("wide", [("top.sum", 1, "S"), ("top.other", 1, "S")], [("x", 300)],
                 (np.arange(300) + 2, np.zeros(300, int), np.zeros(300, int), np.ones(300, int)),
                 [("y", [0, 1])])
    with pytest.raises(compiler.PlacementError) as info:
        compiler.compile_network(wide, provenance={"source": "w"})
    partial = info.value.partial
    assert partial.provenance.partial == partial.model.provenance["partial"]
    assert list(partial.model.provenance) == ["source", "partial", "compiler", "compile"]
