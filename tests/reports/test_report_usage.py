"""Counts and utilisation per core and per corelet, against hand-counted models and a loop reference."""

from __future__ import annotations

import re

import numpy as np
import pytest

from corelet.chip import TRUENORTH
from corelet.reports import report
from corelet.reports.report import core_usage, corelet_usage, render_report, summary
from .report_models import COMPILE_RECORD, small_model
from corelet.chip.model import ChipModel, Cores


def test_core_counts_match_the_hand_count():
    usage = core_usage(small_model())
    assert usage.used.tolist() == [True, True, True, False]
    assert usage.neurons.tolist() == [6, 3, 3, 0]
    assert usage.axons.tolist() == [5, 6, 1, 0]
    assert usage.synapses.tolist() == [10, 11, 2, 0]
    assert usage.copies.tolist() == [1, 0, 0, 0]
    assert usage.relays.tolist() == [0, 0, 1, 0]
    assert usage.row_synapses[0, :5].tolist() == [6, 2, 1, 0, 1]


def test_text_report_states_the_totals():
    text = render_report(small_model(), fmt="text")
    assert "cores       3 used (4 in the model)" in text
    assert "chips       2 chips used (chips 0, 1) of the 64 the profile allows" in text
    assert "neurons     12 of 768 (1.6%); 1 copy, 1 relay" in text  # 3 used cores x 256
    assert "axons       12 of 768 (1.6%)" in text
    assert "synapses    23 of 196608 (<0.1%)" in text  # 3 x 256 x 256
    assert "input       in[4]: 4 route(s) to axons" in text


def _table(text: str, title: str) -> list[list[str]]:
    """The whitespace-split data rows of a text-report table (after its notes and header line)."""
    block = text.split(f"\n{title}\n")[1].split("\n\n")[0].splitlines()[1:]  # past the underline
    notes = [line for line in block if line.startswith("(") and line.endswith(")")]
    return [line.split() for line in block[len(notes) + 1:] if not line.startswith("...")]


def test_text_report_per_core_rows():
    rows = _table(render_report(small_model(), fmt="text"), "PER CORE")
    assert rows == [
        ["0", "0,0,0", "6", "2.3%", "5", "2.0%", "10", "<0.1%", "1", "0", "layer1"],
        ["1", "0,2,3", "3", "1.2%", "6", "2.3%", "11", "<0.1%", "0", "0", "layer2", "+1"],
        ["2", "1,0,1", "3", "1.2%", "1", "0.4%", "2", "<0.1%", "0", "1", "layer1.sub"],
    ]


def test_corelets_group_by_instance_path():
    c = corelet_usage(small_model())
    got = {name: (int(c.neurons[g]), int(c.copies[g]), int(c.relays[g]), int(c.cores[g]),
                  int(c.axons[g]), int(c.synapses[g])) for g, name in enumerate(c.names)}
    # "in" and "bias" are top-level: both belong to the top corelet (''); only bias has neurons.
    assert got == {
        "": (1, 0, 0, 1, 0, 0),
        "layer1": (6, 1, 0, 1, 4, 10),  # axons 0, 1, 2 and 4 of core 0 reach layer1.h
        "layer1.sub": (3, 0, 1, 1, 1, 2),
        "layer2": (2, 0, 0, 1, 6, 11),
    }
    names = list(c.names)
    assert c.dominant.tolist() == [names.index("layer1"), names.index("layer2"),
                                   names.index("layer1.sub"), -1]
    assert c.per_core.tolist() == [1, 2, 1, 0]


def test_text_report_per_corelet_rows():
    rows = _table(render_report(small_model(), fmt="text"), "PER CORELET")
    # classes: the top corelet's from provenance["corelet"], layer1's from the compile record
    assert rows == [
        ["(top)", "Demo", "1", "1", "0.4%", "0", "0.0%", "0", "0.0%", "0", "0"],
        ["layer1", "Layer", "1", "6", "2.3%", "4", "1.6%", "10", "<0.1%", "1", "0"],
        ["layer1.sub", "-", "1", "3", "1.2%", "1", "0.4%", "2", "<0.1%", "0", "1"],
        ["layer2", "-", "1", "2", "0.8%", "6", "2.3%", "11", "<0.1%", "0", "0"],
    ]


def random_model(seed: int, n_cores: int = 5) -> ChipModel:
    """Several corelets sharing cores, random crossbars, unused slots and copies."""
    rng = np.random.default_rng(seed)
    cores = Cores.empty(n_cores, TRUENORTH)
    paths = ("top_pop", "a.x", "a.y", "a.b.z", "c.w")
    used = rng.random((n_cores, 256)) < 0.6
    cores.neuron_path[:] = np.where(used, rng.integers(0, len(paths), (n_cores, 256)), -1)
    cores.neuron_role[:] = rng.integers(0, 3, (n_cores, 256))
    cores.axon_path[:] = np.where(rng.random((n_cores, 256)) < 0.7, 0, -1)
    cores.crossbar[:] = rng.integers(0, 256, cores.crossbar.shape, dtype=np.uint8) & \
        rng.integers(0, 256, cores.crossbar.shape, dtype=np.uint8)
    return ChipModel(TRUENORTH, cores, paths)


def reference_corelets(model: ChipModel) -> dict[str, tuple[int, int, int, int]]:
    """Neurons, cores, axons, synapses per instance by plain loops over cores, corelets and bits."""
    out: dict[str, list[int]] = {}
    for core in range(model.n_cores):
        bits = np.unpackbits(model.cores.crossbar[core], axis=1)
        owners: dict[str, list[int]] = {}
        for n in range(256):
            path = int(model.cores.neuron_path[core, n])
            if path >= 0:
                owners.setdefault(model.paths[path].rpartition(".")[0], []).append(n)
        for name, neurons in owners.items():
            entry = out.setdefault(name, [0, 0, 0, 0])
            entry[0] += len(neurons)
            entry[1] += 1
            entry[2] += sum(1 for row in bits if row[neurons].any())
            entry[3] += int(bits[:, neurons].sum())
    return {k: tuple(v) for k, v in out.items()}


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("masks_per_core", [1000, 0], ids=["by-masks", "by-columns"])
def test_corelet_counts_equal_a_loop_reference(seed, masks_per_core, monkeypatch):
    # both ways of counting (chosen by how many corelets share a core) must agree with the loops
    monkeypatch.setattr(report, "_MASKS_PER_CORE", masks_per_core)
    model = random_model(seed)
    c = corelet_usage(model)
    got = {name: (int(c.neurons[g]), int(c.cores[g]), int(c.axons[g]), int(c.synapses[g]))
           for g, name in enumerate(c.names) if c.cores[g]}
    assert got == reference_corelets(model)
    # every synapse reaches exactly one used or unused neuron: the used ones split among corelets
    used_columns = np.unpackbits(model.cores.crossbar, axis=2).astype(bool) & \
        (model.cores.neuron_path >= 0)[:, None, :]
    assert c.synapses.sum() == used_columns.sum()


def test_summary_fits_one_screen_and_states_the_numbers():
    text = summary(small_model())
    lines = text.splitlines()
    assert len(lines) <= 24 and max(map(len, lines)) <= 160
    assert lines[0].startswith("cores     3 used on 2 chips (4 in the model); placer packer")
    assert "neurons   12 of 768 on the used cores (1.6%)" in lines
    assert "inserted  1 copy, 1 relay (0 splitters)" in lines
    assert "latency   3 connection(s) delayed, in 2 group(s), by at most 2 tick(s)" in lines
    assert re.search(r"hops +mean 24\.33 over 9 connections \(total 219, max 65, 3 across chips\)", text)


def test_report_regenerates_from_the_json_file():
    model = small_model()
    again = ChipModel.from_json(model.to_json())
    assert render_report(again, fmt="text") == render_report(model, fmt="text")


def test_text_report_lists_latency_records_and_relays():
    text = render_report(small_model(), fmt="text")
    legal = text.split("\nLEGALISATION\n")[1].split("\n\n")[0].splitlines()
    assert legal[1:] == [
        "copies      1  (neurons duplicated on chip to give a neuron more targets; no latency)",
        "relays      1  (0 splitters)",
        "latency     3 connection(s) delayed, in 2 group(s), by at most 2 tick(s)",
        "  source           axon_type  delay  latency  connections  targets",
        "  layer1.sub.k[1]  3          3      2        1            layer1.h[1]",
        "  in[2]            0          1      1        2            layer1.h[4], layer1.h[0]",
        "relay neurons (name, core/neuron, target, delay):",
        "  layer1.sub.k[1]                   2/1    core 0 axon 4          3",
        "placer      packer",
        "input_fanout host",
        "hubs        0",
    ]


def test_model_without_compiler_records_still_counts_copies_and_relays():
    text = render_report(small_model(compile_record=None), fmt="text")
    assert "relays      1\n" in text and "copies      1 " in text
    assert "latency     no latency added" in text
    assert "1 copy, 1 relay" in summary(small_model(compile_record=None))


def test_partial_model_is_marked_as_such():
    model = small_model()
    model.provenance["partial"] = "neuron a.h[3] needs 300 distinct input axons; a core has 256"
    assert "PARTIAL     placement failed; this report shows only what did fit:\n" \
           "            neuron a.h[3] needs 300" in render_report(model, fmt="text")
    assert "<b>Partial model.</b>" in render_report(model, fmt="html")
    assert summary(model).startswith("PARTIAL   placement failed; only what did fit: neuron a.h[3]")


@pytest.mark.parametrize("change, field", [
    ({"added_latency": [{"source": "in[2]", "ticks": 1, "connections": 2}]}, "added_latency[0].latency"),
    ({"added_latency": [{"source": "in[2]", "latency": 1, "connections": "2"}]},
     "added_latency[0].connections"),
    ({"added_latency": "in[2] by 1 tick"}, "added_latency"),
    ({"splitters": [0, 1]}, "splitters"),
])
def test_compile_record_fields_are_read_exactly_as_the_compiler_writes_them(change, field):
    # the compiler writes "latency", "connections" and an integer "splitters"; anything else is
    # refused with the field named, not guessed at
    model = small_model(compile_record={**COMPILE_RECORD, **change})
    with pytest.raises(report.ReportError, match=re.escape(field)):
        render_report(model, fmt="text")
