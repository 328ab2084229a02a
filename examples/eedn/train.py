"""Trains the Eedn digit network (examples/eedn/model.py) in numpy and writes
examples/eedn/data/weights.npz: the host's transduction layer (float weights and batch-norm
constants) and, per chip layer, trinary weights K<i> and integer leaks L<i>.

    python -m examples.eedn.train [--epochs 60] [--seed 0]

As seed 003 trains: binary neurons with the approximate derivative max(0, 1 - |r|), trinary weights
by rounding clipped hidden weights with hysteresis h = 0.1 (corelet.training.trinary), batch norm
on every layer during training (batch statistics), then statistics over the whole training set
folded into integer leaks. The loss is the softmax cross-entropy of the class votes. Adam on the
hidden weights, the learning rate dropped 10x twice (seed 003 drops it twice too; it uses momentum
SGD). One to two minutes on one core; the result is deterministic for a seed (rerunning it
with the defaults rewrites the committed weights byte for byte).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from corelet.chip.files import atomic_savez
from corelet.training.trinary import BN_EPS, HysteresisTrinary, binary, binary_grad, fold_batch_norm

from .model import (CHIP_LAYERS, CLASSES, PIXEL_MAX, TRANSDUCTION, WEIGHTS, classify,
                    conv, conv_backward, load_digits, predict_votes, transduce, votes_of)

VOTE_SCALE = 0.5     # logits = votes * VOTE_SCALE (20 votes a class)


def bn_forward(s):
    mu = s.mean(axis=(0, 2, 3))
    sigma = s.std(axis=(0, 2, 3))
    xhat = (s - mu[None, :, None, None]) / (sigma[None, :, None, None] + BN_EPS)
    return xhat, mu, sigma


def bn_backward(dxhat, s, mu, sigma):
    """Gradient of xhat = (s - mu) / (sigma + eps) (batch mean and standard deviation) w.r.t. s."""
    m = s.shape[0] * s.shape[2] * s.shape[3]
    k = 1.0 / (sigma + BN_EPS)
    c = s - mu[None, :, None, None]
    proj = (dxhat * c).sum(axis=(0, 2, 3))
    return (k[None, :, None, None] * (dxhat - dxhat.mean(axis=(0, 2, 3))[None, :, None, None])
            - (k ** 2 * proj / (m * np.maximum(sigma, 1e-12)))[None, :, None, None] * c)


class Adam:
    def __init__(self, shapes, lr):
        self.lr, self.t = lr, 0
        self.m = [np.zeros(s) for s in shapes]
        self.v = [np.zeros(s) for s in shapes]

    def steps(self, grads):
        self.t += 1
        out = []
        for m, v, g in zip(self.m, self.v, grads):
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            mh, vh = m / (1 - 0.9 ** self.t), v / (1 - 0.999 ** self.t)
            out.append(-self.lr * mh / (np.sqrt(vh) + 1e-8))
        return out


class Trainer:
    def __init__(self, seed: int):
        rng = np.random.default_rng(seed)
        self.rng = rng
        self.T_w = rng.normal(0, 1, (TRANSDUCTION.features, 1, 3, 3))
        self.T_b = np.zeros(TRANSDUCTION.features)
        channels = TRANSDUCTION.features
        self.K, self.b = [], []
        for layer in CHIP_LAYERS:
            cg = channels // layer.groups
            self.K.append(HysteresisTrinary(rng.uniform(-1, 1, (layer.features, cg, layer.kernel,
                                                                 layer.kernel))))
            self.b.append(np.zeros(layer.features))
            channels = layer.features
        shapes = [self.T_w.shape, self.T_b.shape] + [k.hidden.shape for k in self.K] + \
                 [b.shape for b in self.b]
        self.opt = Adam(shapes, lr=0.01)

    def batch(self, images, labels):
        """One step on a batch; returns (loss, accuracy) under batch statistics."""
        x = images.astype(np.float64)[:, None] / PIXEL_MAX
        cache = []
        s, P = conv(x, self.T_w, TRANSDUCTION)
        xhat, mu, sg = bn_forward(s)
        r = xhat + self.T_b[None, :, None, None]
        cache.append((x.shape, s, P, mu, sg, r))
        h = binary(r)
        for i, layer in enumerate(CHIP_LAYERS):
            K = self.K[i].value.astype(np.float64)
            s, P = conv(h, K, layer)
            xhat, mu, sg = bn_forward(s)
            r = xhat + self.b[i][None, :, None, None]
            cache.append((h.shape, s, P, mu, sg, r))
            h = binary(r)
        votes = votes_of(h).astype(np.float64)
        logits = VOTE_SCALE * votes
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        n = len(labels)
        loss = -np.log(p[np.arange(n), labels] + 1e-12).mean()
        acc = (classify(votes) == labels).mean()
        dlog = p.copy()
        dlog[np.arange(n), labels] -= 1
        dlog *= VOTE_SCALE / n
        dy = np.tile(dlog, h.shape[1] // CLASSES).reshape(h.shape)  # feature f votes for f % 10
        gK, gb = [None] * len(CHIP_LAYERS), [None] * len(CHIP_LAYERS)
        for i in reversed(range(len(CHIP_LAYERS))):
            in_shape, s, P, mu, sg, r = cache[i + 1]
            dr = dy * binary_grad(r)
            gb[i] = dr.sum(axis=(0, 2, 3))
            ds = bn_backward(dr, s, mu, sg)
            gK[i], dy = conv_backward(ds, P, self.K[i].value.astype(np.float64), CHIP_LAYERS[i],
                                      in_shape)
        in_shape, s, P, mu, sg, r = cache[0]
        dr = dy * binary_grad(r)
        gTb = dr.sum(axis=(0, 2, 3))
        ds = bn_backward(dr, s, mu, sg)
        gTw, _ = conv_backward(ds, P, self.T_w, TRANSDUCTION, in_shape)
        steps = self.opt.steps([gTw, gTb] + gK + gb)
        self.T_w += steps[0]
        self.T_b += steps[1]
        for i in range(len(CHIP_LAYERS)):
            self.K[i].step(steps[2 + i])
            self.b[i] += steps[2 + len(CHIP_LAYERS) + i]
        return loss, acc

    def deploy(self, images) -> dict:
        """Batch-norm statistics over all of `images` (the training set), layer by layer through
        the deployed layers before it, folded into integer leaks."""
        x = images.astype(np.float64)[:, None] / PIXEL_MAX
        s, _ = conv(x, self.T_w, TRANSDUCTION)
        params = {"T_w": self.T_w.copy(), "T_b": self.T_b.copy(),
                  "T_mu": s.mean(axis=(0, 2, 3)), "T_sigma": s.std(axis=(0, 2, 3))}
        h = transduce(images, params).astype(np.int64)
        channels = TRANSDUCTION.features
        for i, layer in enumerate(CHIP_LAYERS):
            K = self.K[i].value.astype(np.int64)
            s, _ = conv(h, K, layer)
            fan_in = channels // layer.groups * layer.kernel ** 2
            params[f"K{i}"] = K.astype(np.int8)
            params[f"L{i}"] = fold_batch_norm(s.mean(axis=(0, 2, 3)), s.std(axis=(0, 2, 3)),
                                              self.b[i], fan_in=fan_in)
            h = (s + params[f"L{i}"][None, :, None, None] >= 1).astype(np.int64)
            channels = layer.features
        return params


def train(epochs: int, seed: int, batch: int = 64, log=print) -> dict:
    images, labels, train_idx, test_idx = load_digits()
    labels = labels.astype(np.int64)
    tr = Trainer(seed)
    drops = {int(epochs * 0.6), int(epochs * 0.85)}
    t0 = time.time()
    for epoch in range(epochs):
        if epoch in drops:
            tr.opt.lr /= 10
        order = tr.rng.permutation(train_idx)
        losses, accs = [], []
        for a in range(0, len(order), batch):
            idx = order[a:a + batch]
            loss, acc = tr.batch(images[idx], labels[idx])
            losses.append(loss)
            accs.append(acc)
        if epoch % 5 == 4 or epoch == epochs - 1:
            log(f"epoch {epoch + 1}: loss {np.mean(losses):.3f}, batch accuracy {np.mean(accs):.3f}"
                f" ({time.time() - t0:.0f} s)")
    params = tr.deploy(images[train_idx])
    for name, idx in (("training", train_idx), ("test", test_idx)):
        acc = (classify(predict_votes(images[idx], params)) == labels[idx]).mean()
        log(f"deployed network, {name} accuracy {acc:.4f}")
    params["seed"] = np.array(seed)
    params["epochs"] = np.array(epochs)
    return params


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    params = train(args.epochs, args.seed)
    atomic_savez(WEIGHTS, params)
    print(f"wrote {WEIGHTS}")


if __name__ == "__main__":
    main()
