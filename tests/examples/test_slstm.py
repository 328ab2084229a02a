"""The spike-based LSTM example (seed 002): tasks, encoding, the network from library corelets on the
runtime against hand-designed networks whose answers are known, the committed networks, the CLI."""

from __future__ import annotations

import re

import numpy as np
import pytest

from corelet.training import lstm
from examples.slstm import __main__ as cli
from examples.slstm import chip, model, tasks


def test_parity_labels_are_the_running_parity():
    x, y, mask = tasks.parity(50, max_len=12, seed=4)
    for seq, labels, m in zip(x[:, :, 0], y, mask):
        n = int(m.sum())
        assert 1 <= n <= 12 and m[:n].all() and not m[n:].any()
        running = 0
        for t in range(n):
            running ^= int(seq[t])
            assert labels[t] == running
        assert not seq[n:].any()


@pytest.mark.parametrize("PL, rthr, scale, nS, cell, relay", [
    (10, 2, 10, 2.0, 4, 8),         # RThR floor 2; 10 PL / (5 RThR) = 10
    (25, 4, 12, 4.8, 8, 16),        # 25 / 6 -> 4; 250 / 20 = 12.5 -> 12; cell 12.5 -> 8
    (50, 8, 12, 9.6, 16, 32),
    (64, 8, 16, 12.8, 32, 64),      # powers of two: cell RThR PL / 2, relay PL, no thinning
    (200, 32, 12, 38.4, 64, 128),   # 200 / 6 -> 32; 2000 / 160 = 12.5 -> 12; relay capped at 128
])
def test_encoding_keeps_the_random_threshold_ranges_powers_of_two(PL, rthr, scale, nS, cell, relay):
    enc = model.encoding(PL, mx=5)
    assert (enc["rthr_sigmoid"], enc["scale"], enc["rthr_cell_tanh"], enc["rthr_relay"]) == (rthr, scale, cell, relay)
    assert enc["nS"] == pytest.approx(nS) and enc["mx"] == pytest.approx(PL / nS)
    assert enc["rthr_tanh"] == max(1, rthr // 2)
    # scaled activation: a unit is nS spikes, sf nS units of the IC's sum, sf nS / scale = RThR spikes
    assert enc["nS"] * model.SF == pytest.approx(rthr * scale)
    assert 6 * rthr <= PL or rthr == 2          # a channel of 6 RThR spikes fits the store window
    # thinning makes the expected input of the cell's tanh 2 C / PL and of o's relay o PL / relay
    assert enc["cell_thin"] * PL / 2 == pytest.approx(cell) and enc["relay_thin"] * PL == pytest.approx(relay)
    with pytest.raises(ValueError, match="8 or more"):
        model.encoding(7)


def test_encoding_default_mx_and_scaled_input():
    enc = model.encoding(200)                   # mx 1.25: 2000 / (1.25 * 32) = 50 units a spike
    assert (enc["rthr_sigmoid"], enc["scale"], enc["nS"], enc["mx"]) == (32, 50, 160.0, 1.25)
    si = model.encoding(200, mx=5, scaled_input=True)   # nS = 200 / (5 * 10) = 4 -> RThR 32, s 1
    assert (si["rthr_sigmoid"], si["scale"], si["nS"]) == (32, 1, 3.2)
    assert si["mx"] == pytest.approx(200 / (3.2 * 10))


def test_input_rasters_carry_round_x_nS_spikes_in_each_store_window():
    PL = 50                                      # mx 1.25: nS = 8 * 50 / 10 = 40 (RThR 8, scale 50)
    x = np.array([[[1.0], [0.0], [0.5], [-0.3]]])
    inputs, ticks = chip.rasters(x, PL, seed=0)
    assert ticks == 2 * PL * 5 + 2
    for k, (pos, neg) in enumerate([(40, 0), (0, 0), (20, 0), (0, 12)]):
        rows = slice(2 * PL * k + 2, 2 * PL * k + PL)        # rows 2 .. PL - 1 of step k's I/O phase
        assert (inputs["x_pos"][0, rows, 0].sum(), inputs["x_neg"][0, rows, 0].sum()) == (pos, neg)
        assert inputs["one"][0, rows, 0].sum() == 40
        assert not inputs["x_pos"][0, 2 * PL * k + PL:2 * PL * (k + 1) + 2].any()   # none elsewhere
    assert np.flatnonzero(inputs["x_pos"][0, 2 * PL * 2 + 2:2 * PL * 2 + PL, 0]).tolist() == \
        [j * 48 // 20 for j in range(20)]           # evenly: spike j at floor(j * 48 / 20)


# the Reber grammar as a regular expression, derived by hand from its graph: after B T, S* X, then
# node 3's language A; after B P, T* V, then node 4's: V | P A; A = (X T* V P)* (S | X T* V V)
_A = "(XT*VP)*(S|XT*VV)"
_REBER = f"B(TS*X{_A}|PT*V(V|P{_A}))E"
_EMBEDDED = re.compile(f"B(T{_REBER}T|P{_REBER}P)E")


def test_embedded_reber_strings_follow_the_grammar_and_targets_are_the_next_symbols():
    x, y, mask = tasks.embedded_reber(2000, seed=5)
    assert x.shape == y.shape == (2000, 35, 7) and mask.shape == (2000, 35)
    seen = 0
    followers, targets = {}, {}
    for xs, ys, m in zip(x, y, mask):
        n = int(m.sum())
        assert m[:n].all() and not m[n:].any() and not xs[n:].any()
        assert (xs[:n].sum(axis=1) == 1).all()                     # one-hot symbols
        text = "".join(tasks.SYMBOLS[i] for i in xs[:n].argmax(axis=1))
        assert _EMBEDDED.fullmatch(text + "E"), text               # the final E is not an input
        nexts = ["".join(tasks.SYMBOLS[j] for j in np.flatnonzero(ys[t])) for t in range(n)]
        # the last step predicts E; the one before, the branch symbol that opened the string
        assert nexts[-1] == "E" and nexts[-2] == text[1]
        if text == "BTBPVVET":                                     # by hand, symbol by symbol
            assert nexts == ["TP", "B", "TP", "TV", "PV", "E", "T", "E"]
            seen += 1
        for t in range(n):
            followers.setdefault(text[:t + 1], set()).add((text + "E")[t + 1])
            targets.setdefault(text[:t + 1], set()).add(nexts[t])
    assert seen > 0
    # a prefix always has the same targets, and what follows it in the strings is among them
    for prefix, symbols in followers.items():
        assert len(targets[prefix]) == 1 and symbols <= set(next(iter(targets[prefix]))), prefix
    assert 8 <= mask.sum(axis=1).min() and mask.sum(axis=1).max() <= 35


def _hand_net(rows, V):
    """One unit, one input: rows i, f, o, c' over [x, h, 1] (tenths), readout V over [h, 1]."""
    return lstm.LSTMParams(np.array(rows, float), np.array([V], float),
                           lstm.LSTMConfig(1, 1, quantised=False))


# i = 1, f = 0, o = 1, c' = +1 when x = 1 and -1 when x = 0 (bias -0.3): h follows x
COPY = _hand_net([[0, 0, 1.0], [0, 0, -1.0], [0, 0, 1.0], [1.0, 0, -0.3]], [1.0, -0.1])
# i = 1, f = 1, o = 1, c' = +1 when x = 1 and 0 when x = 0: C (so h) stays up once a 1 has come
SEEN = _hand_net([[0, 0, 1.0], [0, 0, 1.0], [0, 0, 1.0], [1.0, 0, 0]], [1.0, -0.1])


@pytest.mark.parametrize("net, answer", [(COPY, lambda bits: bits),
                                         (SEEN, lambda bits: np.maximum.accumulate(bits, axis=1))])
def test_the_network_on_the_runtime_computes_hand_designed_lstms(net, answer):
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2, (12, 6))
    x = bits[:, :, None].astype(float)
    pred, compiled = chip.predict(net, x, PL=32, seed=3)
    assert compiled.model.n_cores == 1
    expected = answer(bits)
    # errors come from the bias stream's count noise (a short bias count lets f leak), not the logic
    assert (pred == expected).mean() >= 0.9
    assert (pred[expected == 0] == 0).mean() >= 0.8   # not just a constant answer
    # and the non-spiking model agrees exactly (its gates saturate)
    probs = lstm.forward(net, x)[0]
    assert np.array_equal(probs > 0.5, expected.astype(bool))


def test_the_compiled_network_matches_its_logical_network():
    from corelet import compiler, runtime

    net = chip.network(model.load("parity2_q"), 16)
    comp = compiler.compile_network(net)
    x, _, _ = tasks.parity(3, max_len=3, seed=9)
    inputs, ticks = chip.rasters(x, 16, seed=1)
    rng = np.random.default_rng(2)
    inputs.update(thin=rng.random((3, ticks, 2)) < 0.2, cthin=rng.random((3, ticks, 4)) < 0.7,
                  othin=rng.random((3, ticks, 2)) < 0.7)
    a = runtime.simulate(runtime.fabric_from_model(comp.model), ticks, inputs, seed=5)
    b = runtime.simulate(runtime.fabric_from_network(comp.retimed), ticks, inputs, seed=5)
    for name in a.outputs:
        assert np.array_equal(a.outputs[name], b.outputs[name]), name


@pytest.mark.parametrize("name, least", [("parity2_q", 0.99), ("parity2_f", 0.99), ("parity10_q", 0.97),
                                         ("parity10_f", 0.99), ("reber10_q", 0.9), ("reber30_q", 0.9),
                                         ("reber30_f", 0.95)])
def test_committed_networks_are_one_decimal_in_range_and_solve_their_task(name, least):
    params = model.load(name)
    assert np.abs(params.W).max() <= 1.0 and np.abs(params.V).max() <= 1.0
    if name.endswith("_q"):                      # one decimal, 2-bit balanced: at most four levels
        for w in (params.W, params.V):
            assert np.allclose(w * 10, np.round(w * 10)) and len(np.unique(w)) <= 4
    else:                                        # float weights: the chip gets them rounded
        params.W, params.V = np.round(params.W, 1), np.round(params.V, 1)
    if name.startswith("parity"):
        x, y, mask = tasks.parity(300, seed=11)      # sequences the training never saw
    else:
        x, y, mask = tasks.embedded_reber(300, seed=11)
    assert lstm.accuracy(lstm.forward(params, x)[0], y, mask) >= least


def test_cli_makes_and_evaluates_sequence_files(tmp_path, capsys):
    seqs, out = tmp_path / "s.npz", tmp_path / "r.npz"
    assert cli.main(["make", "--task", "parity", "--count", "4", "--max-len", "4", "--out", str(seqs)]) == 0
    assert cli.main(["eval", "--task", "parity", "--sequences", str(seqs), "--engine", "float",
                     "--out", str(out)]) == 0
    assert "steps 1.0000, whole sequences 1.0000 (4 sequences)" in capsys.readouterr().out
    assert cli.main(["eval", "--task", "parity", "--sequences", str(seqs), "--pl", "16",
                     "--out", str(out)]) == 0
    with np.load(out) as r, np.load(seqs) as s:
        assert r["pred"].shape == s["y"].shape
        assert np.array_equal(r["step_correct"], (r["pred"] == s["y"]) & (s["mask"] > 0))


def test_cli_evaluates_reber_files_on_each_engine(tmp_path, capsys):
    seqs, out = tmp_path / "r.npz", tmp_path / "o.npz"
    assert cli.main(["make", "--task", "reber", "--count", "3", "--out", str(seqs)]) == 0
    for engine in ("float", "counts", "runtime"):
        assert cli.main(["eval", "--task", "reber", "--sequences", str(seqs), "--net", "reber10_q",
                         "--engine", engine, "--pl", "16", "--out", str(out)]) == 0
        assert "reber10_q on" in capsys.readouterr().out
        with np.load(out) as r, np.load(seqs) as s:
            assert r["pred"].shape == s["y"].shape == (3, 35, 7)
            pred, y, mask = r["pred"], s["y"], s["mask"]
            # a step is right when the predicted set is not empty and inside the possible symbols
            by_hand = np.array([[mask[n, t] > 0 and pred[n, t].any() and not (pred[n, t] & (y[n, t] == 0)).any()
                                 for t in range(35)] for n in range(3)])
            assert np.array_equal(r["step_correct"], by_hand)
    with pytest.raises(SystemExit):                        # a parity network on Reber strings
        cli.main(["eval", "--task", "reber", "--sequences", str(seqs), "--net", "parity2_q"])


def test_cli_rejects_bad_files_without_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.zeros((2, 3)), y=np.zeros((2, 3)), mask=np.ones((2, 3)))
    with pytest.raises(SystemExit, match="x must be"):
        cli.main(["eval", "--task", "parity", "--sequences", str(bad)])
    assert cli.main(["eval", "--task", "parity", "--sequences", str(tmp_path / "none.npz")]) == 2
    assert "error: cannot read" in capsys.readouterr().err


def test_report_pipeline_on_a_small_setting(monkeypatch, tmp_path):
    from examples.slstm import report

    written = {}
    monkeypatch.setattr(report, "write_section", lambda name, text: written.update({name: text}))
    results = tmp_path / "results.json"
    assert report.main(["--task", "parity", "--nets", "parity2_q", "--pl", "16", "--count", "20",
                        "--runtime-count", "2", "--runtime-pl", "16", "--table-nets", "parity2_q",
                        "--table-pl", "16", "--table-count", "2", "--results", str(results)]) == 0
    text = written["slstm"]
    # PL 200, mx 1.25: RThR 32 (<= 200 / 6), scale 2000 / (1.25 * 32) = 50, nS 160; the cell's
    # tanh RThR 64 fed at 2 * 64 / 200 = 0.64, o's relay RThR 128 fed at 128 / 200 = 0.64
    assert "| 200 | SA | 1.25 | 160 | 50 | 32 | 16 | 64 (0.64) | 128 (0.64) |" in text
    assert "| parity2_q | WWQ-SA | 16 | 2 |" in text            # the runtime row
    assert "| parity2_q | 16 | 32 | " in text                   # the table line: 2 PL ticks a step
    assert "| 10 units (parity10_q) | WWQ-SA | - |" in text      # not measured: shown as such
    # the results file keeps what was measured, and a render-only run reproduces the section
    assert "parity2_q|WWQ-SA|counts|16" in report.load_results(results)
    assert report.main(["--render-only", "--results", str(results)]) == 0
    assert written["slstm"] == text
