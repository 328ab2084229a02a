"""Train the S-LSTM networks in numpy and commit their weights (examples/slstm/data/weights.npz).

``python -m examples.slstm.train [--task parity|reber] [--units 2 4 10] [--epochs 30] [--tries 3]``
(the committed parity networks: ``--units 2 --epochs 25 --tries 3``, ``--units 4 --epochs 20
--tries 2`` and ``--units 10 --epochs 15 --tries 1``; Reber: ``--task reber --units 10 30`` and
``--task reber --units 50 --epochs 25 --tries 1``, see docs/results.md): for each size, the two
setups of seed 002: ``q`` (2-bit balanced weights rounded to one decimal, STE, the chip's integers
exact) and ``f`` (float weights in [-1, 1]; the chip gets them rounded to one decimal). Parity:
9000 training sequences up to length 20, 1000 validation; Reber: 5000 training strings up to 36
symbols, 500 validation. The epoch with the best accuracy on the validation sequences
(seed 3, not the test set) is kept (with ``--select-pl PL``: its accuracy in the spike-count
model at phase length PL), over ``--tries`` initialisations from seed ``--first-seed``
(3: the committed networks). Progress on stderr.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import numpy as np

from corelet.training import lstm
from examples.slstm import model, tasks

TRAIN_SEED, VALID_SEED, TEST_SEED = 1, 3, 2


def dataset(task: str, part: str):
    """(x, y, mask) of a task's training, validation or test sequences (the sizes of seed 002)."""
    seed = {"train": TRAIN_SEED, "valid": VALID_SEED, "test": TEST_SEED}[part]
    if task == "parity":
        return tasks.parity(9000 if part == "train" else 1000, seed=seed)
    return tasks.embedded_reber(5000 if part == "train" else 500, seed=seed)


def train_one(units: int, quantised: bool, epochs: int, tries: int, first: int = 3,
              task: str = "parity", lr: float = 0.02, select_pl: int | None = None) -> tuple[lstm.LSTMParams, float]:
    x, y, m = dataset(task, "train")
    xv, yv, mv = dataset(task, "valid")
    n_io = 1 if task == "parity" else len(tasks.SYMBOLS)
    best, best_acc = None, -1.0
    for attempt in range(first, first + tries):
        p = lstm.init(lstm.LSTMConfig(n_io, units, quantised=quantised, n_out=n_io), seed=attempt)

        def keep(epoch, value, p=p):
            nonlocal best, best_acc
            acc = lstm.accuracy(lstm.forward(p, xv)[0], yv, mv)
            if select_pl:                  # rank the epochs by the spike-count model instead
                chip = model.load_params(p)
                acc = model.accuracy(model.spiking_predict(chip, xv, select_pl), yv, mv)
            print(f"units {units} {'q' if quantised else 'f'} try {attempt} epoch {epoch}: "
                  f"loss {value:.4f} validation {acc:.4f}", file=sys.stderr, flush=True)
            if acc > best_acc:
                best, best_acc = copy.deepcopy(p), acc

        lstm.train(p, x, y, m, epochs=epochs, lr=lr, seed=attempt, log=keep)
        if best_acc == 1.0 and not select_pl:
            break
    return best, best_acc


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m examples.slstm.train")
    ap.add_argument("--task", choices=["parity", "reber"], default="parity")
    ap.add_argument("--units", type=int, nargs="+", default=[2])
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--select-pl", type=int, help="keep the epoch best in the spike-count model at this PL")
    ap.add_argument("--weights", type=Path, default=model.WEIGHTS, help="the weights file to add to")
    ap.add_argument("--setups", nargs="+", choices=["q", "f"], default=["q", "f"])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--tries", type=int, default=3)
    ap.add_argument("--first-seed", type=int, default=3)
    args = ap.parse_args(argv)
    nets = {}
    for units in args.units:
        for quantised in [s == "q" for s in args.setups]:
            p, acc = train_one(units, quantised, args.epochs, args.tries, args.first_seed, args.task, args.lr,
                               args.select_pl)
            name = f"{args.task}{units}_{'q' if quantised else 'f'}"
            nets[name] = p
            print(f"{name}: validation {acc:.4f}", file=sys.stderr)
    committed = {}                      # keep the other committed networks (read now, not at the start)
    if args.weights.exists():
        committed = {name: model.load(name, args.weights) for name in model.names(args.weights)}
    args.weights.parent.mkdir(exist_ok=True)
    model.save(args.weights, {**committed, **nets})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
