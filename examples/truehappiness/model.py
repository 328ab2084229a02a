"""The TrueHappiness network in numpy: inputs, the DNN, its training, the mapping to chip integers
and thresholds, and a reference integrate-and-fire simulation of the spiking network.

Four variants, the rows of seed 000's Table 1:

| variant | inputs (rates 0..1) | weights |
|---|---|---|
| ``dnn`` | the vector doubled: ``[relu(z), relu(-z)]``, ``z = clip(x / s, -1, 1)`` | float |
| ``exp`` | ``min(1, exp(x) / s)`` | float |
| ``dnn4`` | doubled, as ``dnn`` | 4 bits, -7 .. 7 (the negated copy must fit too) |
| ``exp4`` | exponentiated, as ``exp`` | 4 bits, -8 .. 7 (library ``Dense``) |

``s`` is a per-dimension input scale (the 99.5th percentile over the training words), so that the
inputs are spike probabilities. The DNN is ``y = relu(u @ W1) @ w2`` with 64 hidden units and no
biases (the paper's), trained on the rate-coded inputs ``u`` themselves, so the DNN and the spiking
network compute the same function; for doubled inputs ``W1 = [W; -W]`` and ``u @ W1 = z @ W``. The
target is ``(rating - 1) / 8``, so ratings 1 .. 9 map to 0 .. 1 and the output neuron, which
cannot fire below 0, rarely has to.

Spiking version (``snn_counts``): hidden and output neurons integrate their weighted input spikes,
fire once a tick at most when the potential reaches the threshold, subtract it (linear reset) and
are held at ``-floor`` from below: the chip's neuron (docs/neuron-model.md) with leak 0. Inputs
reach the hidden layer one tick late (the compiler's splitter relays) and the hidden spikes reach
the output one tick later: the compiled chip, tick for tick. With the thresholds of
``thresholds`` (the largest activation over the training words, seed 000's adjustment of the
thresholds after Diehl et al. 2015) no neuron is driven beyond one spike a tick on the training
words, and ``count / ticks * decode_scale`` estimates the DNN's output.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np

from corelet.training import quantise
from corelet.training.activations import relu, relu_grad

DATA_DIR = Path(__file__).resolve().parent / "data"
DATA = DATA_DIR / "labmt_glove50.npz"
WEIGHTS = DATA_DIR / "weights.npz"
HIDDEN = 64
BITS = 4
INPUT_PERCENTILE = 99.5
RATING_OFFSET, RATING_SPAN = 1.0, 8.0
# negative potential kept over a window (the neurons' floor): deep enough that no realistic word
# reaches it, within the chip's negative threshold range (2^18 - 1)
DEEP_FLOOR = 2 ** 17


@attrs.frozen
class Variant:
    name: str
    label: str          # as in seed 000's Table 1
    exp: bool           # exponentiated inputs (else doubled)
    bits: int | None    # None: float weights

    @property
    def symmetric(self) -> bool:
        """Doubled inputs copy each weight negated, so its range must be symmetric (-7 .. 7)."""
        return not self.exp


VARIANTS = {v.name: v for v in [
    Variant("dnn", "Original DNN", exp=False, bits=None),
    Variant("exp", "Original DNN - exp", exp=True, bits=None),
    Variant("dnn4", "Original DNN - 4 bit", exp=False, bits=BITS),
    Variant("exp4", "Original DNN - exp, 4 bit", exp=True, bits=BITS),
]}


# -- data ----------------------------------------------------------------------------------------
@attrs.frozen
class Dataset:
    words: np.ndarray
    ratings: np.ndarray     # float64, 1 .. 9
    vectors: np.ndarray     # float64 (words, 50)
    split: np.ndarray       # 0 train, 1 evaluation, 2 test

    def part(self, which: str) -> np.ndarray:
        """Indices of the 'train', 'eval' or 'test' words."""
        return np.flatnonzero(self.split == {"train": 0, "eval": 1, "test": 2}[which])

    def index(self, word: str) -> int | None:
        hit = np.flatnonzero(self.words == word)
        return int(hit[0]) if hit.size else None


def load_dataset(path: Path = DATA) -> Dataset:
    with np.load(path) as d:
        return Dataset(words=d["words"], ratings=d["happs"].astype(np.float64),
                       vectors=d["vectors"].astype(np.float64), split=d["split"])


def targets(ratings) -> np.ndarray:
    return (np.asarray(ratings, dtype=np.float64) - RATING_OFFSET) / RATING_SPAN


def ratings_of(outputs) -> np.ndarray:
    return RATING_OFFSET + RATING_SPAN * np.asarray(outputs, dtype=np.float64)


def input_scale(vectors, exp: bool) -> np.ndarray:
    """Per-dimension scale that makes the training inputs spike probabilities (99.5th percentile)."""
    values = np.exp(vectors) if exp else np.abs(vectors)
    return np.percentile(values, INPUT_PERCENTILE, axis=0)


def rates(vectors, variant: Variant, scale) -> np.ndarray:
    """Input spike probabilities (words, pins): exponentiated, or doubled into two channels."""
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
    if variant.exp:
        return np.minimum(np.exp(vectors) / scale, 1.0)
    z = np.clip(vectors / scale, -1.0, 1.0)
    return np.concatenate([np.maximum(z, 0.0), np.maximum(-z, 0.0)], axis=1)


def pins_weights(W, variant: Variant) -> np.ndarray:
    """The hidden layer's weights per input pin: doubled inputs take ``[W; -W]``."""
    return np.asarray(W) if variant.exp else np.concatenate([W, -np.asarray(W)], axis=0)


def net_inputs(u, variant: Variant) -> np.ndarray:
    """What the trained ``W`` multiplies: the rates, or for doubled inputs ``z = pos - neg``."""
    if variant.exp:
        return u
    n = u.shape[1] // 2
    return u[:, :n] - u[:, n:]


# -- the DNN and its training --------------------------------------------------------------------
def forward(x, W1, w2) -> np.ndarray:
    """``relu(x @ W1) @ w2``: the network without biases; x the net inputs (``net_inputs``)."""
    return relu(x @ W1) @ np.asarray(w2).reshape(-1)


def pearson(a, b) -> float:
    return float(np.corrcoef(np.asarray(a, float), np.asarray(b, float))[0, 1])


@attrs.define
class Trained:
    W1: np.ndarray
    w2: np.ndarray
    epoch: int
    eval_r: float


def train(x, t, x_eval, t_eval, *, epochs: int = 200, lr: float = 1e-3, weight_decay: float = 1e-4,
          batch: int = 32, seed: int = 0, init=None, quant: dict | None = None) -> Trained:
    """Minibatch Adam on the squared error; keeps the epoch with the best evaluation correlation
    (seed 000 tunes on its 460 held-out words). With ``quant`` (``{"bits", "scales",
    "symmetric"}``) the forward pass uses the quantised weights and the gradient reaches the float
    copies through the straight-through estimator (``corelet.training.quantise``)."""
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    if init is None:
        W1 = rng.normal(0.0, np.sqrt(2.0 / d), (d, HIDDEN))
        w2 = rng.normal(0.0, np.sqrt(1.0 / HIDDEN), HIDDEN)
    else:
        W1, w2 = (np.array(a, dtype=np.float64) for a in init)
    params = [W1, w2]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, step = 0.9, 0.999, 0
    order = np.arange(len(x))

    def effective(params):
        if quant is None:
            return params, [np.ones(p.shape, bool) for p in params]
        pairs = [quantise.fake_quantise(p, quant["bits"], s, quant["symmetric"])
                 for p, s in zip(params, quant["scales"])]
        return [q for q, _ in pairs], [mask for _, mask in pairs]

    best = Trained(W1.copy(), w2.copy(), -1, -np.inf)
    for epoch in range(epochs):
        rng.shuffle(order)
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            (q1, q2), masks = effective(params)
            a = x[idx] @ q1
            h = relu(a)
            err = h @ q2 - t[idx]
            g2 = h.T @ err / len(idx)
            g1 = x[idx].T @ (np.outer(err, q2) * relu_grad(a)) / len(idx)
            grads = [quantise.ste_grad(g, mask) + weight_decay * p
                     for g, mask, p in zip((g1, g2), masks, params)]
            step += 1
            for p, g, mm, vv in zip(params, grads, m, v):
                mm *= b1
                mm += (1 - b1) * g
                vv *= b2
                vv += (1 - b2) * g * g
                p -= lr * (mm / (1 - b1 ** step)) / (np.sqrt(vv / (1 - b2 ** step)) + 1e-8)
        (q1, q2), _ = effective(params)
        r = pearson(forward(x_eval, q1, q2), t_eval)
        if r > best.eval_r:
            best = Trained(params[0].copy(), params[1].copy(), epoch, r)
    return best


def best_scale(w, bits: int, symmetric: bool) -> float:
    """The quantisation step that minimises the squared rounding error of ``w`` (clipping the
    largest weights when that pays), searched from the range-filling scale downwards."""
    full = quantise.fit_scale(w, bits, symmetric)
    candidates = full * np.linspace(0.3, 1.0, 71)
    errors = [np.sum((quantise.to_integers(w, bits, s, symmetric) * s - w) ** 2) for s in candidates]
    return float(candidates[int(np.argmin(errors))])


# -- the spiking network ---------------------------------------------------------------------------
@attrs.frozen
class SpikingNet:
    """Weights per input pin, thresholds and floors as the chip runs them, and the decoding."""

    W1: np.ndarray          # (pins, hidden): ints for 4-bit variants, floats otherwise
    W2: np.ndarray          # (hidden, 1)
    t1: float
    t2: float
    floor1: float
    floor2: float
    decode_scale: float     # DNN output = count / ticks * decode_scale

    def predict(self, counts, ticks: int) -> np.ndarray:
        """Ratings from output spike counts over ``ticks`` presentation ticks."""
        return ratings_of(np.asarray(counts, dtype=np.float64) / ticks * self.decode_scale)


def thresholds(u_train, W1, W2, integer: bool) -> tuple[float, float]:
    """Data-based normalisation: each layer's threshold is the largest activation it sees on the
    training words, so that no neuron needs more than one spike a tick (rates <= 1)."""
    a = u_train @ W1
    t1 = max(float(a.max()), 1e-12)
    t1 = float(np.ceil(t1)) if integer else t1
    out = relu(a) / t1 @ W2
    t2 = max(float(out.max()), 1e-12)
    return t1, (float(np.ceil(t2)) if integer else t2)


def snn_counts(raster, net: SpikingNet, ticks: int | None = None, input_delay: int = 1) -> np.ndarray:
    """Output spike counts of the spiking network over ``ticks`` ticks (default: the raster's
    ticks plus the two ticks of pipeline latency): a reference simulation, one vectorised step per
    tick. ``raster`` is bool (batch, ticks, pins); input row r is integrated in tick
    r + ``input_delay``; a hidden spike of tick t reaches the output in tick t + 1. The input
    currents are one matrix product per chunk of ticks (float32 is exact for integer weights:
    every sum stays below 2^24)."""
    raster = np.asarray(raster)
    batch, rows, _ = raster.shape
    ticks = rows + input_delay + 1 if ticks is None else ticks
    W1 = np.asarray(net.W1, dtype=np.float32)
    W2 = np.asarray(net.W2, dtype=np.float64).reshape(-1, 1)
    v1 = np.zeros((batch, W1.shape[1]))
    v2 = np.zeros((batch, 1))
    hidden = np.zeros((batch, W1.shape[1]))
    count = np.zeros(batch, np.int64)
    chunk, currents, first = 64, None, 0
    for tick in range(ticks):
        row = tick - input_delay
        v2 += hidden @ W2                      # last tick's hidden spikes
        if 0 <= row < rows:
            if currents is None or row >= first + chunk:
                first = row
                block = raster[:, first:first + chunk, :].astype(np.float32)
                currents = (block @ W1).astype(np.float64)   # (batch, chunk, hidden)
            v1 += currents[:, row - first, :]
        hidden = (v1 >= net.t1).astype(np.float64)
        v1 -= hidden * net.t1
        np.maximum(v1, -net.floor1, out=v1)
        fired = v2[:, 0] >= net.t2
        count += fired
        v2[fired, 0] -= net.t2
        np.maximum(v2, -net.floor2, out=v2)
    return count


# -- trained weights ---------------------------------------------------------------------------------
@attrs.frozen
class Weights:
    """One variant's trained network, as ``train`` writes it: the weights the DNN uses (the
    quantised ones for 4-bit variants), the input scale, and the spiking network for the chip."""

    variant: Variant
    W1: np.ndarray          # (inputs, hidden) on the net inputs, floats (4-bit: ints * scale1)
    w2: np.ndarray          # (hidden,)
    scale: np.ndarray       # the input scale per dimension
    spiking: SpikingNet

    def dnn(self, vectors) -> np.ndarray:
        """The DNN's predicted ratings."""
        return ratings_of(forward(net_inputs(rates(vectors, self.variant, self.scale), self.variant),
                                  self.W1, self.w2))


def spiking_net(variant: Variant, W1, w2, u_train, quant_scales=(1.0, 1.0)) -> SpikingNet:
    """The spiking network of trained weights: 4-bit variants as chip integers, thresholds from the
    training inputs (``thresholds``), deep floors."""
    if variant.bits is None:
        P1, P2 = pins_weights(W1, variant), np.asarray(w2, float).reshape(-1, 1)
    else:
        P1 = pins_weights(quantise.to_integers(W1, variant.bits, quant_scales[0], variant.symmetric), variant)
        P2 = quantise.to_integers(w2, variant.bits, quant_scales[1], variant.symmetric).reshape(-1, 1)
    t1, t2 = thresholds(u_train, P1, P2, integer=variant.bits is not None)
    return SpikingNet(W1=P1, W2=P2, t1=t1, t2=t2, floor1=DEEP_FLOOR, floor2=DEEP_FLOOR,
                      decode_scale=t1 * t2 * quant_scales[0] * quant_scales[1])


def save_weights(path: Path, all_weights: dict[str, Weights], extra: dict) -> None:
    from corelet.chip.files import atomic_savez

    arrays = dict(extra)
    for name, w in all_weights.items():
        s = w.spiking
        arrays.update({f"{name}_W1": w.W1, f"{name}_w2": w.w2, f"{name}_scale": w.scale,
                       f"{name}_pins_W1": s.W1, f"{name}_pins_W2": s.W2,
                       f"{name}_snn": np.array([s.t1, s.t2, s.floor1, s.floor2, s.decode_scale])})
    atomic_savez(path, arrays)


def load_weights(path: Path = WEIGHTS) -> dict[str, Weights]:
    out = {}
    with np.load(path) as d:
        for name, variant in VARIANTS.items():
            t1, t2, f1, f2, dec = d[f"{name}_snn"].tolist()
            pins1, pins2 = d[f"{name}_pins_W1"], d[f"{name}_pins_W2"]
            if variant.bits is not None:
                pins1, pins2 = pins1.astype(np.int64), pins2.astype(np.int64)
            out[name] = Weights(variant, d[f"{name}_W1"], d[f"{name}_w2"], d[f"{name}_scale"],
                                SpikingNet(pins1, pins2, t1, t2, f1, f2, dec))
    return out
