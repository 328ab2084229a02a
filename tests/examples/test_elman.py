"""The Elman example (seed 001) on a small setting: committed data and weights only.

Checks the task's order-blind bound on a hand case, the BPTT gradient against finite differences, the compiled
layer's recurrence timing and resets against hand-worked spike times, the committed network's
geometry (one core, 256 axons) and its spiking accuracy beside its 4-bit-state model on sentences
of the committed test set, and the command line.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import corelet
from examples.elman import chip
from examples.elman import model as m

ROOT = Path(__file__).resolve().parents[2]
TEST = ROOT / "examples" / "elman" / "data" / "test.npz"


@pytest.fixture(scope="module")
def nets():
    return m.load_weights()


@pytest.fixture(scope="module")
def test_set():
    with np.load(TEST) as f:
        return f["inputs"], f["lengths"], f["labels"], f["tokens"]


def test_order_blind_bound_hand_case():
    k0, k1, f = 0, m.SYNONYMS, m.N_CLASSES * m.SYNONYMS        # a class-0 and a class-1 keyword, a filler
    tokens = np.array([[k0, k1, f], [k1, k0, f], [f, k0, f], [k1, f, f]])
    labels = np.array([0, 1, 0, 1])
    # the first two share a bag and differ in label: one of them is lost; the others are alone
    assert m.order_blind_bound(tokens, labels) == 0.75


def test_left_padding_changes_nothing(nets):
    rng = np.random.default_rng(3)
    x = rng.random((5, 4, m.N_IN))
    lengths = np.full(5, 4)
    for setup in ("float", "w4h4"):
        h_short, _, _ = m.forward(nets[setup], m.right_to_left(x, lengths, 5), setup)
        h_long, _, _ = m.forward(nets[setup], m.right_to_left(x, lengths, 9), setup)
        assert np.array_equal(h_short[:, -1], h_long[:, -1])


def test_bptt_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    net = m.Net(rng.normal(0, 0.2, (m.N_IN, m.N_HID)), rng.normal(0, 0.2, (m.N_HID, m.N_HID)),
                rng.normal(0, 0.5, (m.N_HID, m.N_CLASSES)))
    x = rng.random((6, 4, m.N_IN))
    y = rng.integers(0, m.N_CLASSES, 6)
    _, gW, gU, gV = m.loss_and_grads(net, x, y, "float")
    eps = 1e-6
    for P, G in ((net.W, gW), (net.U, gU), (net.V, gV)):
        for idx in [(0, 0), (3, 2), (1, 3)]:
            old = P[idx]
            P[idx] = old + eps
            lp = m.loss_and_grads(net, x, y, "float")[0]
            P[idx] = old - eps
            lm = m.loss_and_grads(net, x, y, "float")[0]
            P[idx] = old
            assert G[idx] == pytest.approx((lp - lm) / (2 * eps), rel=1e-4, abs=1e-8)


def hand_layer(delay=15):
    # one input, two hidden neurons, threshold 1: x -> h0 (weight 1), h0 -> h1 (weight 1) after `delay`
    WU = np.array([[1, 0], [0, 1], [0, 0]])
    net = corelet.load(chip.CORELET, params={"WU": WU, "n_in": 1, "t": 1, "floor": 0, "d": delay})
    return corelet.compile(net).model


@pytest.mark.parametrize("delay", [15, 4])
def test_recurrent_spike_arrives_delay_ticks_later(delay):
    x = np.zeros((40, 1), bool)
    x[3] = True
    spikes = corelet.run(hand_layer(delay), 40, {"x": x}).outputs["h"][0]
    assert np.flatnonzero(spikes[:, 0]).tolist() == [3]
    assert np.flatnonzero(spikes[:, 1]).tolist() == [3 + delay]


def test_reset_drops_the_state_in_flight():
    x = np.zeros((40, 1), bool)
    x[3] = True
    x[25] = True
    spikes = corelet.run(hand_layer(), 40, {"x": x}, reset_at=[10]).outputs["h"][0]
    assert np.flatnonzero(spikes[:, 0]).tolist() == [3, 25]
    assert np.flatnonzero(spikes[:, 1]).tolist() == []       # 18 was dropped, 40 is past the end


def test_committed_network_fills_one_core(nets):
    Wi, Ui = nets["w4h4"].integers()
    assert Wi.min() >= -8 and Wi.max() <= 7 and Ui.min() >= -8 and Ui.max() <= 7
    model = chip.compile_net(nets["w4h4"]).model
    assert model.n_cores == 1
    assert (m.N_IN + m.N_HID) * 4 == 256


def test_spiking_within_five_points_of_the_4bit_state_model(nets, test_set):
    x, lengths, labels, _ = test_set
    n = 120
    xs = m.right_to_left(x[:n], lengths[:n], m.MAX_WORDS + 1)
    net = nets["w4h4"]
    model_acc = float((m.predict(net, xs, "w4h4") == labels[:n]).mean())
    counts = chip.final_counts(chip.compile_net(net).model, xs)
    spiking_acc = float((chip.predict(net, counts) == labels[:n]).mean())
    assert model_acc >= 0.85
    assert spiking_acc >= model_acc - 0.05
    assert counts.min() >= 0 and counts.max() <= m.WINDOW       # one spike a tick at most


def test_short_training_learns_beyond_the_order_blind_bound(test_set):
    from examples.elman.train import adam_train
    x, lengths, labels, tokens = test_set
    xs = m.right_to_left(x, lengths, m.MAX_WORDS + 1)
    tok, tl, ty = m.sentences(2000, seed=10)
    xtr = m.right_to_left(m.embed(tok, m.vocabulary(), seed=12), tl, m.MAX_WORDS + 1)
    rng = np.random.default_rng(1)
    net = m.Net(rng.normal(0, 0.15, (m.N_IN, m.N_HID)), 0.5 * np.eye(m.N_HID),
                rng.normal(0, 0.3, (m.N_HID, m.N_CLASSES)))
    before = m.loss_and_grads(net, xs, labels, "float")[0]
    adam_train(net, xtr, ty, "float", 12, 3e-3, 0, log=None)
    assert m.loss_and_grads(net, xs, labels, "float")[0] < before
    # only a network that uses word order can pass the best order-blind classifier
    assert m.accuracy(net, xs, labels, "float") > m.order_blind_bound(tokens, labels)


def test_cli_eval(tmp_path, test_set):
    x, lengths, labels, _ = test_set
    f = tmp_path / "s.npz"
    np.savez(f, inputs=x[:12], lengths=lengths[:12], labels=labels[:12])
    out = tmp_path / "r.csv"
    r = subprocess.run([sys.executable, "-m", "examples.elman", "eval", "--sequences", str(f),
                        "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "accuracy" in r.stdout
    rows = out.read_text().splitlines()
    assert len(rows) == 13 and rows[0].startswith("index,length,label,predicted,correct")
    assert [int(row.split(",")[2]) for row in rows[1:]] == labels[:12].tolist()
    bad = tmp_path / "bad.npz"
    np.savez(bad, inputs=x[:3, :, :10], lengths=lengths[:3])
    r = subprocess.run([sys.executable, "-m", "examples.elman", "eval", "--sequences", str(bad)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "inputs must be" in r.stderr and "Traceback" not in r.stderr
