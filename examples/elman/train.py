"""Train the four setups of seed 001 and commit their weights (``python -m examples.elman.train``).

Float network by Adam (BPTT, weights clipped to [-1, 1]); the 4-bit-weight network fine-tuned from
it through the straight-through estimator with the threshold t that puts the largest weight at 7;
the 4-bit-state network fine-tuned from that one with the state counted over 16 ticks. Also writes
the generated test sentences (``data/test.npz``, in the eval file's layout, with their tokens;
inputs stored as float16 to keep the file small).
"""

from __future__ import annotations

import argparse

import numpy as np

from corelet.chip.files import atomic_savez
from examples.elman import model as m

TRAIN, TEST = 5000, 500          # the seed's question set sizes


def adam_train(net: m.Net, x, y, setup: str, epochs: int, lr: float, seed: int, log=print) -> m.Net:
    rng = np.random.default_rng(seed)
    params = [net.W, net.U, net.V]
    mom = [np.zeros_like(p) for p in params]
    var = [np.zeros_like(p) for p in params]
    step = 0
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        for b in range(0, len(y), 50):
            idx = order[b:b + 50]
            loss, *grads = m.loss_and_grads(net, x[idx], y[idx], setup)
            step += 1
            for p, g, mo, va in zip(params, grads, mom, var):
                mo *= 0.9; mo += 0.1 * g
                va *= 0.999; va += 0.001 * g * g
                p -= lr * (mo / (1 - 0.9 ** step)) / (np.sqrt(va / (1 - 0.999 ** step)) + 1e-8)
            np.clip(net.W, -1, 1, out=net.W)
            np.clip(net.U, -1, 1, out=net.U)
        if log and (epoch % 5 == 4 or epoch == epochs - 1):
            log(f"  {setup} epoch {epoch + 1}: loss {loss:.3f}, train accuracy {m.accuracy(net, x, y, setup):.3f}")
    return net


def datasets(vocab):
    steps = m.MAX_WORDS + 1
    tr = m.sentences(TRAIN, seed=10)
    te = m.sentences(TEST, seed=11)
    xtr = m.right_to_left(m.embed(tr[0], vocab, seed=12), tr[1], steps)
    xte = m.right_to_left(m.embed(te[0], vocab, seed=13), te[1], steps)
    return tr, te, xtr, xte


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.elman.train")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    vocab = m.vocabulary()
    tr, te, xtr, xte = datasets(vocab)
    rng = np.random.default_rng(args.seed)
    net = m.Net(rng.normal(0, 0.15, (m.N_IN, m.N_HID)), 0.5 * np.eye(m.N_HID) + rng.normal(0, 0.05, (m.N_HID, m.N_HID)),
                rng.normal(0, 0.3, (m.N_HID, m.N_CLASSES)))
    nets = {}
    net = adam_train(net, xtr, tr[2], "float", args.epochs, 3e-3, args.seed)
    nets["float"] = m.Net(net.W.copy(), net.U.copy(), net.V.copy(), 0)
    t = int(max(1, np.floor(7.0 / max(np.abs(net.W).max(), np.abs(net.U).max()))))
    net.t = t
    nets["w4_rounded"] = m.Net(net.W.copy(), net.U.copy(), net.V.copy(), t)
    net = adam_train(net, xtr, tr[2], "w4", args.epochs // 2, 1e-3, args.seed + 1)
    nets["w4"] = m.Net(net.W.copy(), net.U.copy(), net.V.copy(), t)
    net = adam_train(net, xtr, tr[2], "w4h4", args.epochs // 2, 1e-3, args.seed + 2)
    nets["w4h4"] = m.Net(net.W.copy(), net.U.copy(), net.V.copy(), t)
    for name, n in nets.items():
        setup = "float" if name == "float" else ("w4" if name.startswith("w4_") else name)
        print(f"{name}: test accuracy {m.accuracy(n, xte, te[2], setup):.3f} (t = {n.t})")
    print(f"order-blind bound on the test set: {m.order_blind_bound(te[0], te[2]):.3f}")
    m.save_weights(m.DATA / "weights.npz", nets)
    atomic_savez(m.DATA / "test.npz", {"inputs": m.embed(te[0], vocab, seed=13).astype(np.float16), "lengths": te[1],
                                       "labels": te[2], "tokens": te[0]})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
