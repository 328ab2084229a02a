"""The Elman RNN of seed 001 in numpy: the task's data, the four setups' forward passes and
training by backpropagation through time.

**Task: the first keyword.** Seed 001's question classification data are not available. Ours keeps
its shape (a sentence of word vectors, an end-of-sentence zero vector, one class per sentence read
from the hidden state after the last word) with a generated language whose answer depends on word
order: a sentence of 4 .. 10 words holds 1 .. 3 keywords among filler words, and its class is the
class of the *first* keyword (4 classes, 3 synonyms each, 20 fillers). A sentence with keywords of
two classes is answered only by remembering which came first and ignoring the later one: a model
that sees the bag of words cannot beat `order_blind_bound` (about 75%), so the task has real
temporal dependence, like seed 001's "where ... is the ..." that must hold the "location" state
through the words after it. Word vectors are 48 non-negative numbers in [0, 1] (the seed's
projection layer is ReLU, 48 units): a class prototype plus word noise for keywords, so synonyms
are near each other, as word2vec's neighbours, and every occurrence of a word gets its own
Gaussian noise (standard deviation NOISE), so that words are read as imprecisely as the seed's
sentences are (without it every setup scores 98 .. 100%).

**Network.** h_t = relu(W x_t + U h_{t-1}), h_0 = 0, no biases, 48 inputs and 16 hidden units
(N_in + N_hid = 64 = 256 / 4); the class is argmax(V h_L) on the host (the seed's softmax layer,
not on the chip), h_L the state after the end-of-sentence step. The four setups of the seed:

* ``float``: float weights and state;
* ``w4``: 4-bit weights W = Wi / T, U = Ui / T (integers -8 .. 7, T the neurons' threshold),
  float state;
* ``w4h4``: and the state as the chip's neurons give it: a step's inputs rate-coded to 16 levels
  (x -> round(16 x) / 16) and the state counted over the 16-tick window, h = min(16, floor(16 a)) / 16;
* ``spiking``: the same integers on the runtime (``examples.elman.chip``).

Weights are bounded to [-1, 1] as the seed's; the 4-bit setups are fine-tuned from the float one
through the straight-through estimator (``corelet.training.quantise``; the floor of the state
through ``corelet.training.recurrent.ste_floor``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corelet.chip.files import atomic_savez
from corelet.training import quantise
from corelet.training.recurrent import count_state, count_state_grad

DATA = Path(__file__).resolve().parent / "data"
N_IN, N_HID, N_CLASSES = 48, 16, 4
SYNONYMS, FILLERS = 3, 20
MIN_WORDS, MAX_WORDS = 4, 10
WINDOW = 16            # ticks per step: the recurrent delay's window (docs/neuron-model.md section 4)
BITS = 4
NOISE = 0.35           # per-occurrence noise of a word vector: the float network reaches ~90%, not 100%
SETUPS = ("float", "w4", "w4h4", "spiking")


# ----------------------------------------------------------------------------- data

def vocabulary(seed: int = 1) -> np.ndarray:
    """(N_CLASSES * SYNONYMS + FILLERS, N_IN) word vectors in [0, 1]: keywords first (class c's
    synonyms at rows c * SYNONYMS ..), then fillers."""
    rng = np.random.default_rng(seed)
    proto = (rng.random((N_CLASSES, N_IN)) < 0.25) * rng.uniform(0.5, 1.0, (N_CLASSES, N_IN))
    keys = np.repeat(proto, SYNONYMS, axis=0) + 0.25 * rng.random((N_CLASSES * SYNONYMS, N_IN))
    fillers = (rng.random((FILLERS, N_IN)) < 0.25) * rng.uniform(0.2, 1.0, (FILLERS, N_IN))
    return np.clip(np.concatenate([keys, fillers]), 0.0, 1.0)


def keyword_class(tokens: np.ndarray) -> np.ndarray:
    """The class of each token, -1 for fillers and padding (token -1)."""
    tokens = np.asarray(tokens)
    return np.where((tokens >= 0) & (tokens < N_CLASSES * SYNONYMS), tokens // SYNONYMS, -1)


def sentences(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(tokens (n, MAX_WORDS) with -1 after the end, lengths, labels)``: n generated sentences."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(MIN_WORDS, MAX_WORDS + 1, n)
    tokens = np.full((n, MAX_WORDS), -1, np.int64)
    labels = np.empty(n, np.int64)
    for s in range(n):      # generation only, once: a loop per sentence is clear and cheap
        L = lengths[s]
        words = N_CLASSES * SYNONYMS + rng.integers(0, FILLERS, L)
        k = rng.integers(1, 4)
        where = np.sort(rng.choice(L, size=min(k, L), replace=False))
        words[where] = rng.integers(0, N_CLASSES * SYNONYMS, len(where))
        tokens[s, :L] = words
        labels[s] = words[where[0]] // SYNONYMS
    return tokens, lengths, labels


def embed(tokens: np.ndarray, vocab: np.ndarray, seed: int) -> np.ndarray:
    """(n, MAX_WORDS, N_IN) input vectors, zero after each sentence's last word: each occurrence
    of a word is its vector plus Gaussian noise (NOISE), clipped to [0, 1]."""
    noise = NOISE * np.random.default_rng(seed).normal(size=tokens.shape + (vocab.shape[1],))
    x = np.clip(vocab[np.maximum(tokens, 0)] + noise, 0.0, 1.0)
    x[tokens < 0] = 0.0
    return x


def order_blind_bound(tokens: np.ndarray, labels: np.ndarray) -> float:
    """The accuracy of the best classifier that sees only how many keywords of each class a
    sentence has (their order hidden), measured on these sentences themselves (so an upper bound):
    the majority label of each bag."""
    bags = np.stack([(keyword_class(tokens) == c).sum(axis=1) for c in range(N_CLASSES)], axis=1)
    _, group = np.unique(bags, axis=0, return_inverse=True)
    group = group.ravel()
    table = np.zeros((group.max() + 1, N_CLASSES), np.int64)
    np.add.at(table, (group, labels), 1)
    return float(table.max(axis=1).sum() / len(labels))


def right_to_left(x: np.ndarray, lengths: np.ndarray, steps: int) -> np.ndarray:
    """(n, steps, N_IN): each sentence followed by its end-of-sentence zero vector, placed so that
    it ends at the last step (zero steps before it: without biases a zero input on a zero state
    leaves the state 0, so the padding changes nothing)."""
    n = len(x)
    out = np.zeros((n, steps, x.shape[2]))
    for L in np.unique(lengths):        # one slice per sentence length
        rows = np.flatnonzero(lengths == L)
        out[rows, steps - 1 - L: steps - 1] = x[rows, :L]
    return out


# ----------------------------------------------------------------------------- the network

@dataclass
class Net:
    W: np.ndarray       # (N_IN, N_HID)
    U: np.ndarray       # (N_HID, N_HID)
    V: np.ndarray       # (N_HID, N_CLASSES), on the host
    t: int = 0          # threshold (4-bit setups): W = Wi / t, U = Ui / t

    def integers(self) -> tuple[np.ndarray, np.ndarray]:
        return (quantise.to_integers(self.W, BITS, 1.0 / self.t),
                quantise.to_integers(self.U, BITS, 1.0 / self.t))


def forward(net: Net, x: np.ndarray, setup: str):
    """Hidden states (n, steps + 1, N_HID) (h_0 = 0 first), pre-activations and the chip-side
    weights used. x: (n, steps, N_IN), already padded with ``right_to_left``."""
    W, U, mw, mu = net.W, net.U, None, None
    if setup != "float":
        W, mw = quantise.fake_quantise(net.W, BITS, 1.0 / net.t)
        U, mu = quantise.fake_quantise(net.U, BITS, 1.0 / net.t)
    if setup in ("w4h4", "spiking"):
        x = np.floor(WINDOW * x + 0.5) / WINDOW
    n, steps, _ = x.shape
    h = np.zeros((n, steps + 1, N_HID))
    a = np.zeros((n, steps, N_HID))
    for k in range(steps):              # one step of the RNN over the whole batch
        a[:, k] = x[:, k] @ W + h[:, k] @ U
        h[:, k + 1] = count_state(a[:, k], WINDOW) if setup in ("w4h4", "spiking") else np.maximum(a[:, k], 0)
    return h, a, (W, U, mw, mu, x)


def predict(net: Net, x: np.ndarray, setup: str) -> np.ndarray:
    h, _, _ = forward(net, x, setup)
    return np.argmax(h[:, -1] @ net.V, axis=1)


def loss_and_grads(net: Net, x: np.ndarray, y: np.ndarray, setup: str):
    """Cross-entropy of the softmax of V h_L and its gradients by backpropagation through time."""
    h, a, (W, U, mw, mu, xq) = forward(net, x, setup)
    z = h[:, -1] @ net.V
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.log(p[np.arange(n), y] + 1e-12).mean()
    dz = p
    dz[np.arange(n), y] -= 1
    dz /= n
    gV = h[:, -1].T @ dz
    dh = dz @ net.V.T
    gW, gU = np.zeros_like(W), np.zeros_like(U)
    for k in range(x.shape[1] - 1, -1, -1):
        if setup in ("w4h4", "spiking"):
            da = dh * count_state_grad(a[:, k], WINDOW)
        else:
            da = dh * (a[:, k] > 0)
        gW += xq[:, k].T @ da
        gU += h[:, k].T @ da
        dh = da @ U.T
    if mw is not None:
        gW, gU = quantise.ste_grad(gW, mw), quantise.ste_grad(gU, mu)
    return loss, gW, gU, gV


def accuracy(net: Net, x, y, setup: str) -> float:
    return float((predict(net, x, setup) == y).mean())


# ----------------------------------------------------------------------------- files

def save_weights(path: Path, nets: dict[str, Net]) -> None:
    arrays = {}
    for name, net in nets.items():
        arrays.update({f"{name}_W": net.W, f"{name}_U": net.U, f"{name}_V": net.V,
                       f"{name}_t": np.int64(net.t)})
    atomic_savez(path, arrays)


def load_weights(path: Path = DATA / "weights.npz") -> dict[str, Net]:
    with np.load(path) as f:
        names = sorted({k.rsplit("_", 1)[0] for k in f.files})
        return {n: Net(f[f"{n}_W"], f[f"{n}_U"], f[f"{n}_V"], int(f[f"{n}_t"])) for n in names}
