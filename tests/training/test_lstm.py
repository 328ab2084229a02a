"""The constrained LSTM: gradients against finite differences, the weight constraints, a hand step."""

import numpy as np
import pytest

from corelet.training import lstm


def _problem(quantised=False, seed=0, n_out=1):
    rng = np.random.default_rng(seed)
    cfg = lstm.LSTMConfig(n_in=2, n_hidden=3, quantised=quantised, n_out=n_out)
    p = lstm.init(cfg, seed)
    p.W[:] = rng.uniform(-0.4, 0.4, p.W.shape)   # inside the linear ranges, away from the kinks
    x = rng.integers(0, 2, (4, 5, 2)).astype(float)
    y = rng.integers(0, 2, (4, 5) if n_out == 1 else (4, 5, n_out)).astype(float)
    mask = np.ones((4, 5))
    mask[0, 3:] = 0
    return p, x, y, mask


@pytest.mark.parametrize("n_out", [1, 3])
def test_gradients_match_finite_differences(n_out):
    p, x, y, mask = _problem(n_out=n_out)
    value, dW, dV = lstm.grads(p, x, y, mask)
    eps = 1e-6
    for target, grad in ((p.W, dW), (p.V, dV)):
        for idx in np.ndindex(target.shape):
            old = target[idx]
            target[idx] = old + eps
            up = lstm.loss(lstm.forward(p, x)[0], y, mask)
            target[idx] = old - eps
            down = lstm.loss(lstm.forward(p, x)[0], y, mask)
            target[idx] = old
            assert abs((up - down) / (2 * eps) - grad[idx]) < 1e-6, idx
    assert value == lstm.loss(lstm.forward(p, x)[0], y, mask)


def test_one_step_by_hand():
    # one unit, one input: W rows i, f, o, c' over [x, h, 1]
    cfg = lstm.LSTMConfig(n_in=1, n_hidden=1, quantised=False)
    W = np.array([[0.2, 0, 0], [0, 0, 0.5], [0.1, 0, 0.1], [0.3, 0, 0]])
    p = lstm.LSTMParams(W, np.array([[1.0, 0.0]]), cfg)
    probs, cache = lstm.forward(p, np.ones((1, 1, 1)))
    i, f, o, g = 0.7, 1.0, 0.7, 0.6          # hard_sigmoid(a) = a + 0.5; hard_tanh(0.3, 2) = 0.6
    C = f * 0 + i * g                        # 0.42
    h = o * min(1.0, 2 * C)                  # 0.7 * 0.84
    assert np.isclose(cache["C"][1][0, 0], C)
    assert np.isclose(cache["h"][1][0, 0], h)
    assert np.isclose(probs[0, 0], 1 / (1 + np.exp(-h)))


def test_quantised_weights_are_tenths_in_range_with_at_most_four_levels():
    p, *_ = _problem(quantised=True, seed=3)
    p.W *= 3                                  # beyond [-1, 1] before the clip of the quantiser
    W, V = p.effective()
    ints, _ = p.chip_integers()
    assert np.abs(W).max() <= 1.0
    assert np.array_equal(ints, np.round(W * 10))
    assert np.allclose(ints / 10, W)
    assert len(np.unique(W)) <= 4             # 2-bit balanced levels (rounding may merge some)


def test_training_keeps_weights_in_range_and_lowers_the_loss():
    p, x, y, mask = _problem(quantised=True)
    before = lstm.loss(lstm.forward(p, x)[0], y, mask)
    lstm.train(p, x, y, mask, epochs=30, batch=4, lr=0.05)
    assert np.abs(p.W).max() <= 1.0 and np.abs(p.V).max() <= 1.0
    assert lstm.loss(lstm.forward(p, x)[0], y, mask) < before


def test_multi_output_loss_sums_the_outputs_cross_entropies():
    p, x, y, mask = _problem(n_out=2)
    probs = lstm.forward(p, x)[0]
    assert probs.shape == (4, 5, 2)
    by_hand = 0.0
    for b, t in zip(*np.nonzero(mask)):
        for k in range(2):
            q = probs[b, t, k]
            by_hand -= np.log(q) if y[b, t, k] else np.log(1 - q)
    assert np.isclose(lstm.loss(probs, y, mask), by_hand / mask.sum())


def test_set_accuracy_by_hand():
    # targets {0}, {0, 1}, {2}, {1}; predictions {0}, {1}, {} (empty: wrong), {1, 2} (2 not allowed)
    y = np.array([[[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 0]]], float)
    pred = np.array([[[1, 0, 0], [0, 1, 0], [0, 0, 0], [0, 1, 1]]], bool)
    assert lstm.set_accuracy(pred, y, np.ones((1, 4))) == 0.5
    assert lstm.set_accuracy(pred, y, np.array([[1, 1, 0, 0]])) == 1.0
