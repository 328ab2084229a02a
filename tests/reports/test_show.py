"""``show``: what sits where, for a core, a neuron with copies, a population and unknown names."""

from __future__ import annotations

import pytest

from corelet.chip import logical_ids
from corelet.reports.report import ReportError
from corelet.reports.show import show
from .report_models import small_model


def test_show_core_lists_axon_runs_and_neurons():
    text = show(small_model(), core=0)
    lines = text.splitlines()
    assert lines[0] == "core 0: chip 0, row 0, column 0"
    assert lines[1] == "  6 neurons, 5 axons, 10 synapses"
    assert "  0-3       type 0  from in[0..3]" in lines
    assert "  4         type 3  from layer1.sub.k[1]" in lines
    assert "  5-255     unused" in lines
    rows = [line.split() for line in lines[lines.index("neurons:") + 2:]]
    assert [r[:4] for r in rows] == [[str(n), f"layer1.h[{n}]", "original", str(fan)]
                                     for n, fan in enumerate([2, 2, 1, 1, 2])] + \
        [["5", "layer1.h[0]", "copy", "2"]]
    assert rows[5][4:8] == ["core", "2", "axon", "0"]
    assert "w=[1,-2,0,0] th=3" in lines[-1]


def test_show_core_names_output_pins():
    text = show(small_model(), core=1)
    assert "output out[1]" in text
    assert "core 1 axon 5 d1" in text  # bias feeds back into its own core


def test_show_neuron_finds_the_original_and_its_copy():
    text = show(small_model(), neuron="layer1.h[0]")
    lines = text.splitlines()
    assert lines[0] == (f"layer1.h[0]: 2 instance(s) (1 original, 1 copy); logical id "
                        f"0x{int(logical_ids('layer1.h', 0)):016x}")
    rows = [line.split() for line in lines[2:4]]
    assert rows[0] == ["layer1.h[0]", "0", "0,0,0", "0", "original", "2", "core", "1", "axon", "0", "1"]
    assert rows[1] == ["layer1.h[0]", "0", "0,0,0", "5", "copy", "2", "core", "2", "axon", "0", "1"]
    assert lines[4:] == ["parameters:", "  w=[1,-2,0,0] th=3 reset=0 beta=0 saturate"]


def test_show_population_lists_every_neuron_with_delays():
    rows = [line.split() for line in show(small_model(), neuron="layer1.sub.k").splitlines()[2:5]]
    assert [(r[0], r[4], r[-1]) for r in rows] == [
        ("layer1.sub.k[0]", "original", "2"), ("layer1.sub.k[1]", "relay", "3"),
        ("layer1.sub.k[2]", "original", "-")]


def test_show_without_arguments_lists_used_cores():
    lines = show(small_model()).splitlines()
    assert lines[0] == "3 used cores of 4"
    assert [line.split()[:2] for line in lines[2:]] == [["0", "0,0,0"], ["1", "0,2,3"], ["2", "1,0,1"]]


def test_unknown_neuron_suggests_a_close_name():
    with pytest.raises(ReportError, match=r"no neuron 'layer1.hh\[0\]'.*did you mean 'layer1.h\[0\]'"):
        show(small_model(), neuron="layer1.hh[0]")


def test_missing_index_names_the_range():
    with pytest.raises(ReportError, match=r"population 'layer1.h' has indices 0..4"):
        show(small_model(), neuron="layer1.h[9]")


@pytest.mark.parametrize("core", [4, -1])
def test_unknown_core_is_an_error(core):
    with pytest.raises(ReportError, match=rf"core {core} does not exist: the model has 4 cores \(0..3\)"):
        show(small_model(), core=core)


def test_empty_model_reports_and_refuses_names():
    from corelet.chip import TRUENORTH
    from corelet.reports.report import render_report, summary
    from corelet.chip.model import ChipModel, Cores

    model = ChipModel(TRUENORTH, Cores.empty(2, TRUENORTH), ())
    assert "cores       0 used (2 in the model)" in render_report(model, fmt="text")
    assert "<svg" not in render_report(model, fmt="html")
    assert "power     0 W = 0 W active + 0 W leakage" in summary(model)
    with pytest.raises(ReportError, match="the model has no used neurons"):
        show(model, neuron="x[0]")


def test_axon_runs_break_on_type_source_and_index_gaps():
    from corelet.chip import TRUENORTH
    from corelet.reports.show import axon_runs
    from corelet.chip.model import ChipModel, Cores

    cores = Cores.empty(1, TRUENORTH)
    cores.axon_path[0, :4] = [0, 0, 0, 0]
    cores.axon_index[0, :4] = [5, 3, 4, 5]
    cores.axon_type[0, :4] = [0, 0, 0, 1]
    assert axon_runs(ChipModel(TRUENORTH, cores, ("p",)), 0) == [
        ("0", "type 0  from p[5]"), ("1-2", "type 0  from p[3..4]"), ("3", "type 1  from p[5]"),
        ("4-255", "unused")]
