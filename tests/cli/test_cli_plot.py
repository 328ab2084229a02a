"""``corelet plot rates`` and ``corelet plot transfer``: pictures written from a run file and a model,
their numbers read back through the axes (tests/reports/test_plots.py's ``axes``)."""

import numpy as np

from tests.cli.conftest import ROOT
from tests.reports.test_plots import RELAY, axes, lines_of, points_of


def test_plot_rates_of_a_run_file(corelet, tmp_path):
    assert corelet("compile", ROOT / "examples/skeleton.corelet", "-o", "m.json").returncode == 0
    assert corelet("run", "m.json", "--ticks", 10, "--input", ROOT / "examples/skeleton_input.npz",
                   "-o", "out.npz").returncode == 0
    proc = corelet("plot", "rates", "out.npz", "--window", 5, "--connector", "y", "-o", "rates.svg")
    assert proc.returncode == 0, proc.stderr
    root, to_x, to_y = axes((tmp_path / "rates.svg").read_text())
    # y[1] fires once, at tick 4 (examples/skeleton.corelet): 0.2 then 0 spikes per tick
    assert np.allclose(to_y(lines_of(root)[1][:, 1]), [0.2, 0.0], atol=0.005)
    proc = corelet("plot", "rates", "out.npz", "--window", 5, "--connector", "q", "-o", "r.svg")
    assert proc.returncode == 1 and "no output connector or probe 'q'" in proc.stderr
    assert not (tmp_path / "r.svg").exists()


def test_plot_transfer_of_a_relay_lies_on_its_ideal_identity(corelet, tmp_path):
    (tmp_path / "relay.corelet").write_text(RELAY)
    assert corelet("compile", "relay.corelet", "-o", "relay.json").returncode == 0
    proc = corelet("plot", "transfer", "relay.json", "--input", "x", "--output", "y",
                   "--levels", "0:1:5", "--ticks", 40, "--ideal", "1", "-o", "t.svg")
    assert proc.returncode == 0, proc.stderr
    root, to_x, to_y = axes((tmp_path / "t.svg").read_text())
    pts = np.array([(to_x(x), to_y(y)) for x, y, _ in points_of(root)[:-2]])  # 2 legend marks
    assert len(pts) == 10  # 5 levels x 2 output pins
    assert np.allclose(pts[:, 0], pts[:, 1], atol=0.01)
    assert np.allclose(sorted(set(np.round(pts[:, 0], 2))), [0, 0.25, 0.5, 0.75, 1])
    proc = corelet("plot", "transfer", "relay.json", "--input", "x", "--output", "y",
                   "--levels", "0:2:5", "--ticks", 40, "-o", "t2.svg")
    assert proc.returncode == 1 and "rates lie in 0..1" in proc.stderr
