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


SIGMOID = """use "store_release"
use "activations"
corelet Sig() {
    input xp[1]; input xn[1]; output y[1]
    c = SRClock(PL = 32)
    s = HardSigmoid(n = 1, nS = 32); xp -> s.x_pos; xn -> s.x_neg; y = s.y
    c.store -> s.store; c.precharge -> s.precharge; c.release -> s.release
}"""
# cycles of 2 PL = 64 ticks: the store window opens at tick 3 of each cycle (its pre-charge), the
# release phase is ticks 33 .. 64 (library/activations.corelet, SRGate's timing)
BURST = ["--input", "xp", "--negative", "xn", "--output", "y", "--mode", "burst",
         "--levels=-24:24:7", "--period", 64, "--at", 3, "--measure", "33:32", "--ticks", 513,
         "--seed", 3]


def test_plot_transfer_of_a_hard_sigmoid_follows_its_ideal_curve(corelet, tmp_path):
    """HardSigmoid(nS = 32) fires in its release phase at clip(0.5 + AMP / 32, 0, 1) per tick, AMP
    the count stored; 8 cycles x 32 release ticks = 256 draws per level (sd at most 0.031)."""
    (tmp_path / "sig.corelet").write_text(SIGMOID)
    assert corelet("compile", "sig.corelet", "-o", "sig.json").returncode == 0
    proc = corelet("plot", "transfer", "sig.json", *BURST, "--ideal", "0.03125:0.5", "-o", "t.svg")
    assert proc.returncode == 0, proc.stderr
    root, to_x, to_y = axes((tmp_path / "t.svg").read_text())
    pts = np.array([(to_x(x), to_y(y)) for x, y, _ in points_of(root)[:-1]])
    amp = np.arange(-24, 25, 8)
    assert np.allclose(pts[:, 0], amp, atol=0.1)
    assert np.abs(pts[:, 1] - np.clip(0.5 + amp / 32, 0, 1)).max() < 0.12
    (ideal,) = lines_of(root)
    assert np.allclose(to_y(ideal[:, 1]), np.clip(0.5 + amp / 32, 0, 1), atol=0.01)
    # the same measurement from Python, with the same seed: the same numbers
    from corelet import plots
    measured = plots.measure_transfer(tmp_path / "sig.json", "xp", "y", amp, 513, mode="burst",
                                      negative="xn", period=64, at=3, measure=(33, 32), seed=3)
    assert np.allclose(measured[:, 0], pts[:, 1], atol=0.005)
    proc = corelet("plot", "transfer", "sig.json", *BURST[:8], "--levels=-24:24:6", *BURST[9:],
                   "-o", "u.svg")
    assert proc.returncode == 1 and "burst levels are spike counts" in proc.stderr
    proc = corelet("plot", "transfer", "sig.json", *BURST[:2], *BURST[4:], "-o", "u.svg")
    assert proc.returncode == 1 and "negative burst levels need a negative input" in proc.stderr
