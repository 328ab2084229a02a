"""The Eedn digit network in numpy: its structure, the training forward and backward passes, and the
deployed forward pass that the chip must match vote for vote.

Structure (seed 003's constraints): a transduction layer on the host turns the 8 x 8 image (pixel
values 0 .. 16) into binary channels with 3 x 3 filters (float weights, batch norm, the binary
neuron); the chip layers are convolutions of binary neurons with trinary weights, each feature
group's filter at most 128 pixels (2 axons a pixel: one core's 256 axons), batch norm folded into
an integer leak at deployment. The last layer's features vote for the classes (feature f for class
f % 10); the class with most votes wins, ties to the lowest class.

Training uses ``corelet.training.trinary``: hidden weights clipped to -1 .. 1, trinary weights by
rounding with hysteresis h = 0.1, the binary neuron with the approximate derivative
max(0, 1 - |r|).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corelet.training.decode import class_votes, predict_class
from corelet.training.trinary import BN_EPS

HERE = Path(__file__).parent
DATA = HERE / "data" / "digits.npz"
WEIGHTS = HERE / "data" / "weights.npz"
CLASSES = 10
PIXEL_MAX = 16.0


@dataclass(frozen=True)
class Layer:
    """One convolution layer: F features in `groups` groups, k x k filters, stride, zero padding."""

    features: int
    groups: int = 1
    kernel: int = 3
    stride: int = 1
    pad: int = 0

    def out_size(self, size: int) -> int:
        return (size + 2 * self.pad - self.kernel) // self.stride + 1


IMAGE = 8
TRANSDUCTION = Layer(features=8, kernel=3, pad=1)       # host: 8 x 8 x 1 -> 8 x 8 x 8 spikes
CHIP_LAYERS = (
    Layer(features=32, groups=1, kernel=3, pad=1),       # S-32:   8x8x8   -> 8x8x32  (72 pixels)
    Layer(features=64, groups=1, kernel=2, stride=2),    # P-64:   8x8x32  -> 4x4x64  (128)
    Layer(features=128, groups=2, kernel=2, stride=2),   # P-128(2): 4x4x64 -> 2x2x128 (128)
    Layer(features=200, groups=4, kernel=2, stride=2),   # P-200(4): 2x2x128 -> 1x1x200 (128), 20 votes a class
)


def load_digits():
    """(images uint8 (N, 8, 8), labels uint8 (N,), train indices, test indices)."""
    with np.load(DATA) as d:
        return d["images"], d["labels"], d["train"].astype(np.int64), d["test"].astype(np.int64)


# -- convolution by patches (im2col), grouped ------------------------------------------------------

def patches(x: np.ndarray, layer: Layer) -> np.ndarray:
    """x (N, C, H, W) -> (N, Ho, Wo, C, k, k), the zero-padded input under every filter position."""
    p, k, s = layer.pad, layer.kernel, layer.stride
    if p:
        x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    n, c, h, w = x.shape
    ho, wo = (h - k) // s + 1, (w - k) // s + 1
    st = x.strides
    view = np.lib.stride_tricks.as_strided(
        x, (n, ho, wo, c, k, k), (st[0], st[2] * s, st[3] * s, st[1], st[2], st[3]), writeable=False)
    return np.ascontiguousarray(view)


def conv(x: np.ndarray, weights: np.ndarray, layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """Grouped convolution: x (N, C, H, W), weights (F, Cg, k, k) -> sums (N, F, Ho, Wo) and the
    patches (kept for the backward pass). Group g's features read channels g Cg .. (g + 1) Cg - 1."""
    P = patches(x, layer)
    n, ho, wo, c, k, _ = P.shape
    g = layer.groups
    cg, fg = c // g, layer.features // g
    # (g, m, i): one matrix product per group (batched matmul, BLAS)
    Pg = np.ascontiguousarray(P.reshape(n * ho * wo, g, cg * k * k).transpose(1, 0, 2))
    Wg = weights.reshape(g, fg, cg * k * k)
    s = np.matmul(Pg, Wg.transpose(0, 2, 1))                       # (g, m, fg)
    return s.transpose(1, 0, 2).reshape(n, ho, wo, layer.features).transpose(0, 3, 1, 2), Pg


def conv_backward(ds: np.ndarray, Pg: np.ndarray, weights: np.ndarray, layer: Layer,
                  in_shape: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of the weights and of the input from ds (N, F, Ho, Wo)."""
    n, c, h, w = in_shape
    g, k, s, p = layer.groups, layer.kernel, layer.stride, layer.pad
    cg, fg = c // g, layer.features // g
    ho, wo = ds.shape[2], ds.shape[3]
    dsg = np.ascontiguousarray(ds.transpose(0, 2, 3, 1).reshape(n * ho * wo, g, fg).transpose(1, 0, 2))
    dW = np.matmul(dsg.transpose(0, 2, 1), Pg).reshape(weights.shape)
    Wg = weights.reshape(g, fg, cg * k * k)
    dP = np.matmul(dsg, Wg).transpose(1, 0, 2).reshape(n, ho, wo, c, k, k)
    dx = np.zeros((n, c, h + 2 * p, w + 2 * p))
    for dr in range(k):          # one step per filter offset, vectorised over everything else
        for dq in range(k):
            dx[:, :, dr:dr + s * (ho - 1) + 1:s, dq:dq + s * (wo - 1) + 1:s] += \
                dP[:, :, :, :, dr, dq].transpose(0, 3, 1, 2)
    return dW, dx[:, :, p:p + h, p:p + w]


def votes_of(y_last: np.ndarray) -> np.ndarray:
    """Class votes (N, 10) from the last layer's binary outputs (N, F, 1, 1) or (N, F): feature f
    votes for class f % 10."""
    y = y_last.reshape(len(y_last), -1)
    return class_votes(y, np.arange(y.shape[1]) % CLASSES, CLASSES)


classify = predict_class   # the class with most votes, ties to the lowest class


# -- the deployed network ------------------------------------------------------------------------

def transduce(images: np.ndarray, params: dict) -> np.ndarray:
    """The host's transduction layer: binary channels (N, 8, 8, 8) uint8 from images (N, 8, 8).
    Float weights and batch-norm constants; computed once, the same spikes go to the chip and to
    the numpy model."""
    x = images.astype(np.float64)[:, None] / PIXEL_MAX
    s, _ = conv(x, params["T_w"], TRANSDUCTION)
    r = (s - params["T_mu"][None, :, None, None]) / (params["T_sigma"][None, :, None, None] + BN_EPS) \
        + params["T_b"][None, :, None, None]
    return (r >= 0).astype(np.uint8)


def chip_forward(spikes: np.ndarray, params: dict, layers=CHIP_LAYERS) -> list[np.ndarray]:
    """The deployed chip layers in integer arithmetic: y = [K * x + L >= 1] layer after layer,
    from the transduction's spikes (N, C, H, W). Returns every layer's binary output (int64)."""
    x = spikes.astype(np.int64)
    outs = []
    for i, layer in enumerate(layers):
        s, _ = conv(x, params[f"K{i}"].astype(np.int64), layer)
        x = (s + params[f"L{i}"][None, :, None, None] >= 1).astype(np.int64)
        outs.append(x)
    return outs


def predict_votes(images: np.ndarray, params: dict) -> np.ndarray:
    """Class votes of the deployed network for images (N, 8, 8)."""
    return votes_of(chip_forward(transduce(images, params), params)[-1])


def load_params(path: Path = WEIGHTS) -> dict:
    with np.load(path) as d:
        return {k: d[k] for k in d.files}
