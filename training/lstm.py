"""Seed 002's constrained LSTM in numpy: hard sigmoid gates, hard tanh, one-decimal balanced weights.

One LSTM layer and a logistic readout per step (seed 002's parity task answers at every step):

    z_t = [x_t, h_{t-1}, 1]                      (the 1 is the bias input)
    i, f, o = hard_sigmoid(W_{i,f,o} z_t, m_sig)  c' = hard_tanh(W_c z_t, m_tanh)
    C_t = f C_{t-1} + i c'                       h_t = o hard_tanh(C_t, m_tanh)
    p_t = sigmoid(V [h_t, 1])                    (the probability of class 1)

With ``n_out`` > 1 the readout has n_out independent sigmoids (multi-label: seed 002's embedded
Reber grammar predicts the set of possible next symbols), V is (n_out, H + 1), the targets and
probabilities are (batch, T, n_out) and the loss sums the n_out cross-entropies per step.

Weights live in [-1, 1] (clipped after every update). With ``quantised`` the forward pass uses
seed 002's RQ_bal (equations 9 and 10): ``round_decimals(balanced(w, bits), decimals)``, and the
straight-through estimator hands its gradient to the float weights (inside [-1, 1]; the clip
keeps them there). The chip integers are then ``decimal_integers(wq, decimals)`` with
sf = 10^decimals. Training is full backpropagation through time with Adam; ``grads`` is checked
against finite differences in tests/training/test_lstm.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from corelet.training import activations as act
from corelet.training import quantise


@dataclass
class LSTMConfig:
    n_in: int
    n_hidden: int
    m_sig: float = 1.0
    m_tanh: float = 2.0
    quantised: bool = True
    bits: int = 2
    decimals: int = 1
    n_out: int = 1


@dataclass
class LSTMParams:
    W: np.ndarray            # (4 H, n_in + H + 1): rows i, f, o, c'
    V: np.ndarray            # (1, H + 1): the readout
    config: LSTMConfig = field(repr=False)

    def effective(self) -> tuple[np.ndarray, np.ndarray]:
        """The weights the forward pass uses: RQ_bal of W and V when quantised, else W and V."""
        if not self.config.quantised:
            return self.W, self.V
        return rq_bal(self.W, self.config), rq_bal(self.V, self.config)

    def chip_integers(self) -> tuple[np.ndarray, np.ndarray]:
        """The effective weights times sf = 10^decimals, as int64 (exact when quantised)."""
        W, V = self.effective()
        d = self.config.decimals
        return quantise.decimal_integers(W, d), quantise.decimal_integers(V, d)


def rq_bal(w, config: LSTMConfig) -> np.ndarray:
    """Seed 002's RQ_bal: balanced k-bit quantisation rounded to n decimals, inside [-1, 1]."""
    q = quantise.round_decimals(quantise.balanced(w, config.bits), config.decimals)
    return np.clip(q, -1.0, 1.0)


def init(config: LSTMConfig, seed: int = 0) -> LSTMParams:
    rng = np.random.default_rng(seed)
    H, n = config.n_hidden, config.n_in + config.n_hidden + 1
    W = rng.uniform(-0.5, 0.5, (4 * H, n))
    W[H:2 * H, -1] = 0.5            # forget gates start open
    V = rng.uniform(-0.5, 0.5, (config.n_out, H + 1))
    return LSTMParams(W, V, config)


def forward(params: LSTMParams, x: np.ndarray, W=None, V=None) -> tuple[np.ndarray, dict]:
    """x: (batch, T, n_in). Returns the class-1 probabilities (batch, T), or (batch, T, n_out) when
    n_out > 1, and the cache for grads."""
    cfg = params.config
    if W is None:
        W, V = params.effective()
    B, T, _ = x.shape
    H = cfg.n_hidden
    h = np.zeros((B, H))
    C = np.zeros((B, H))
    ones = np.ones((B, 1))
    cache = {"z": [], "a": [], "gates": [], "C": [C], "hC": [], "h": [h], "W": W, "V": V}
    probs = np.empty((B, T, V.shape[0]))
    for t in range(T):
        z = np.concatenate([x[:, t], h, ones], axis=1)
        a = z @ W.T
        i = act.hard_sigmoid(a[:, :H], cfg.m_sig)
        f = act.hard_sigmoid(a[:, H:2 * H], cfg.m_sig)
        o = act.hard_sigmoid(a[:, 2 * H:3 * H], cfg.m_sig)
        g = act.hard_tanh(a[:, 3 * H:], cfg.m_tanh)
        C = f * C + i * g
        hC = act.hard_tanh(C, cfg.m_tanh)
        h = o * hC
        probs[:, t] = 1.0 / (1.0 + np.exp(-(np.concatenate([h, ones], axis=1) @ V.T)))
        for key, value in (("z", z), ("a", a), ("gates", (i, f, o, g)), ("C", C), ("hC", hC), ("h", h)):
            cache[key].append(value)
    return (probs[:, :, 0] if cfg.n_out == 1 else probs), cache


def loss(probs, y, mask) -> float:
    """Binary cross-entropy (summed over the outputs when n_out > 1), mean over the masked steps."""
    p = np.clip(probs, 1e-12, 1 - 1e-12)
    ce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    if ce.ndim == 3:
        ce = ce.sum(axis=2)
    return float((ce * mask).sum() / mask.sum())


def grads(params: LSTMParams, x, y, mask) -> tuple[float, np.ndarray, np.ndarray]:
    """Loss and its gradients with respect to the effective weights (backpropagation through time)."""
    cfg = params.config
    probs, c = forward(params, x)
    W, V = c["W"], c["V"]
    B, T, _ = x.shape
    H = cfg.n_hidden
    n = mask.sum()
    dW = np.zeros_like(W)
    dV = np.zeros_like(V)
    dh_next = np.zeros((B, H))
    dC_next = np.zeros((B, H))
    ones = np.ones((B, 1))
    for t in reversed(range(T)):
        dlogit = (probs[:, t] - y[:, t]).reshape(B, -1) * (mask[:, t] / n)[:, None]
        dV += dlogit.T @ np.concatenate([c["h"][t + 1], ones], axis=1)
        dh = dlogit @ V[:, :H] + dh_next
        i, f, o, g = c["gates"][t]
        a = c["a"][t]
        do = dh * c["hC"][t]
        dC = dh * o * act.hard_tanh_grad(c["C"][t + 1], cfg.m_tanh) + dC_next
        di, df, dg = dC * g, dC * c["C"][t], dC * i
        da = np.concatenate([di * act.hard_sigmoid_grad(a[:, :H], cfg.m_sig),
                             df * act.hard_sigmoid_grad(a[:, H:2 * H], cfg.m_sig),
                             do * act.hard_sigmoid_grad(a[:, 2 * H:3 * H], cfg.m_sig),
                             dg * act.hard_tanh_grad(a[:, 3 * H:], cfg.m_tanh)], axis=1)
        dW += da.T @ c["z"][t]
        dz = da @ W
        dh_next = dz[:, cfg.n_in:cfg.n_in + H]
        dC_next = dC * f
    return loss(probs, y, mask), dW, dV


def train(params: LSTMParams, x, y, mask, *, epochs: int, batch: int = 100, lr: float = 0.01,
          seed: int = 0, log=None) -> LSTMParams:
    """Adam on the float weights, gradients through the quantiser by the STE, weights kept in [-1, 1]."""
    rng = np.random.default_rng(seed)
    state = [(np.zeros_like(p), np.zeros_like(p)) for p in (params.W, params.V)]
    step = 0
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        total = 0.0
        for s in range(0, len(x), batch):
            k = order[s:s + batch]
            value, dW, dV = grads(params, x[k], y[k], mask[k])
            total += value * len(k)
            step += 1
            for j, (p, g) in enumerate(((params.W, dW), (params.V, dV))):
                m, v = state[j]
                m[:] = 0.9 * m + 0.1 * g
                v[:] = 0.999 * v + 0.001 * g * g
                p -= lr * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
                np.clip(p, -1.0, 1.0, out=p)
        if log is not None:
            log(epoch, total / len(x))
    return params


def accuracy(probs, y, mask) -> float:
    """The fraction of masked steps whose thresholded probability matches the label; with n_out
    outputs, ``set_accuracy``."""
    if probs.ndim == 3:
        return set_accuracy(probs > 0.5, y, mask)
    return float((((probs > 0.5) == (y > 0.5)) * mask).sum() / mask.sum())


def set_accuracy(pred, y, mask) -> float:
    """Multi-label steps (batch, T, n_out): a step is right when the predicted set is not empty and
    inside the target set (seed 002's Reber criterion: "correct if it predicts either one or both
    possible symbols")."""
    right = pred.any(axis=2) & ~(pred & (y < 0.5)).any(axis=2)
    return float((right * mask).sum() / mask.sum())
