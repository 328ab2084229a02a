"""The emitted model: deterministic bytes, provenance, layout, and a legality checker that bites."""

import json

import attrs
import numpy as np
import pytest

import corelet
from corelet import compiler
from corelet.chip import ChipProfile
from .compiler_nets import build, dense_layers, random_network, seed000
from .legality import check


def test_same_input_same_bytes():
    net = random_network(3)
    a = compiler.compile_network(net, provenance={"source": "x.corelet", "sha256": "ab12"})
    b = compiler.compile_network(random_network(3), provenance={"source": "x.corelet", "sha256": "ab12"})
    assert a.model.to_json() == b.model.to_json()


def test_provenance_records_what_legalisation_did():
    net = seed000()
    comp = compiler.compile_network(net, input_fanout="splitter",
                                    provenance={"source": "th.corelet", "sha256": "ab12"})
    prov = json.loads(comp.model.to_json())["provenance"]
    assert prov["source"] == "th.corelet" and prov["sha256"] == "ab12"
    assert prov["compiler"] == corelet.__version__
    rec = prov["compile"]
    assert rec["placer"] == "packer" and rec["input_fanout"] == "splitter"
    assert rec["cores"] == 3 and rec["splitters"] == 64 and rec["relays"] == 256
    first = rec["added_latency"][0]
    assert first["source"].startswith("word[") and first["latency"] == 1 and first["delay"] == 1
    assert first["connections"] == len(first["targets"])
    assert rec["hops"]["routes"] == int((comp.model.cores.target_core >= 0).sum())
    pops = {p["path"]: p for p in rec["populations"]}
    assert pops["hid.h"]["neurons"] == 64 and len(pops["hid.h"]["cores"]) == 1
    assert not any(k in json.dumps(prov) for k in ("time", "date"))


def test_layout_puts_a_chain_of_cores_next_to_each_other():
    net = dense_layers([256] * 6, 0.1, 0, inputs=256, types=1)  # six cores in a chain
    comp = compiler.compile_network(net)
    hops = comp.record["hops"]
    assert comp.model.n_cores == 6
    assert hops["max"] == 1 and hops["mean"] == 1.0
    assert hops["total"] == hops["routes"] == 5 * 256


def test_placement_map_locates_every_instance():
    net = seed000()
    comp = compiler.compile_network(net)
    pl = comp.placement
    cores = comp.model.cores
    for k in range(len(pl.core)):
        name = comp.model.neuron_name(int(pl.core[k]), int(pl.neuron[k]))
        assert name == net.source_name(int(pl.source[k]))
        assert cores.neuron_role[pl.core[k], pl.neuron[k]] == pl.role[k]
    assert len(pl.instances(0)) >= 1 and pl.instances(0)[0][2] == 0


def _corrupt(model, **changes):
    cores = attrs.evolve(model.cores, **{k: v for k, v in changes.items()})
    return attrs.evolve(model, cores=cores)


def test_legality_checker_catches_broken_models():
    net = seed000()
    comp = compiler.compile_network(net, input_fanout="splitter")
    model = comp.model
    check(model, net, comp.retimed)
    xb = model.cores.crossbar.copy()
    used = np.argwhere(np.unpackbits(xb, axis=2))
    c, a, n = used[0]
    flipped = np.unpackbits(xb, axis=2)
    flipped[c, a, n] = 0
    bad_models = {
        "a synapse dropped": _corrupt(model, crossbar=np.packbits(flipped, axis=2)),
        "a delay changed": _corrupt(model, delay=np.where(model.cores.target_core >= 0,
                                                          model.cores.delay + 1, 1).astype(np.int8)),
        "an axon type changed": _corrupt(model, axon_type=((model.cores.axon_type + 1) % 4)
                                         .astype(np.int8)),
    }
    for what, bad in bad_models.items():
        with pytest.raises(AssertionError):
            check(bad, net, comp.retimed)
    with pytest.raises(AssertionError):  # the delayed chip is not the undelayed network
        check(model, net, net)


def test_edge_cases_empty_and_unconnected():
    empty = compiler.compile_network(build("empty", [], [], ([], [], [], []), []))
    assert empty.model.n_cores == 0
    lonely_net = build("lonely", [("a", 3, "A")], [("x", 2)], ([], [], [], []), [("y", [0, 2])])
    lonely = compiler.compile_network(lonely_net)
    lonely.model.validate()
    check(lonely.model, lonely_net)
    assert lonely.model.n_cores == 1 and lonely.model.inputs[0].pin.size == 0


def test_progress_and_estimate():
    seen = []
    net = random_network(1)
    comp = compiler.compile_network(net, progress=lambda stage, done, total: seen.append(
        (stage, done, total)))
    assert seen == [("index", 0, 4), ("place", 1, 4), ("legalise", 2, 4), ("emit", 3, 4),
                    ("done", 4, 4)]
    est = compiler.estimate(net)
    assert est["cores"] == comp.model.n_cores and est["fits"]
    assert 0 < est["utilisation"]["neurons"] <= 1 and 0 < est["utilisation"]["axons"] <= 1


def test_estimate_counts_the_synapses_the_crossbars_hold():
    # on tiny cores the random network needs copies (which repeat their original's column) and
    # relays (one synapse each); the estimate must count what the compiled model's crossbars hold
    tiny = ChipProfile(
        name="tiny", grid=(4, 4), max_chips=16, axons_per_core=32, neurons_per_core=32)
    net = random_network(2, max_fan_in=32)
    est = compiler.estimate(net, input_fanout="splitter", profile=tiny)
    comp = compiler.compile_network(net, input_fanout="splitter", profile=tiny)
    assert comp.record["copies"] > 0 and comp.record["relays"] > 0
    in_crossbars = int(np.unpackbits(comp.model.cores.crossbar).sum())
    assert est["synapses"] == comp.record["synapses"] == in_crossbars > len(net.connections)
    assert est["connections"] == comp.record["connections"] == len(net.connections)
