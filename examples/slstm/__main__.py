"""``python -m examples.slstm``: evaluate the committed S-LSTM networks on sequences from a file.

    python -m examples.slstm make --task parity|reber --count 100 --out seqs.npz [--max-len 20] [--seed 7]
    python -m examples.slstm eval --task parity|reber --sequences seqs.npz [--net parity10_q] [--pl 200]
                                  [--engine runtime|counts|float] [--out results.npz] [--seed 0]

A sequence file is an .npz with ``x`` (N, T, n_in) inputs, ``y`` labels 0/1 and ``mask`` (N, T), 1
on each sequence's steps and 0 on its padding (see examples/slstm/tasks.py). Parity: n_in = 1, ``y``
(N, T), the running parity of the bits so far. Reber: n_in = 7, the one-hot symbols B T P S X V E,
``y`` (N, T, 7) the possible next symbols (a step is right when the predicted set is not empty and
inside them). ``eval`` prints the accuracy over the masked steps and over whole sequences, and
writes per-sequence results to ``--out``: ``pred`` ((N, T) or (N, T, 7)), ``step_correct`` (N, T),
``sequence_correct`` (N,), the fraction of each sequence's steps right (``sequence_accuracy``).
Engines: ``runtime`` compiles slstm.corelet and runs it on the runtime (the default), ``counts`` is
the spike-count model of model.py, ``float`` the non-spiking network.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from corelet.chip.files import atomic_savez
from corelet.training import lstm
from examples.slstm import model, tasks


def evaluate(net: str, x, y, mask, engine: str, PL: int, seed: int) -> np.ndarray:
    """Per-step predictions (N, T) of committed network ``net``."""
    params = model.load(net)
    if engine == "float":
        return (lstm.forward(params, x)[0] > 0.5).astype(np.int64)
    enc = model.encoding(PL, cell_range=model.CELL_RANGE[model.task_of(net)])
    if engine == "counts":
        return model.spiking_predict(params, x, PL, seed=seed, enc=enc)
    from examples.slstm import chip
    return chip.predict(params, x, PL, seed=seed, enc=enc)[0].astype(np.int64)


def step_correct(pred, y, mask) -> np.ndarray:
    """(N, T): the masked steps predicted right (multi-label: a non-empty subset of the targets)."""
    if pred.ndim == 3:
        right = pred.any(axis=2) & ~(pred & (y < 0.5)).any(axis=2)
    else:
        right = pred == y
    return right & (mask > 0)


DEFAULT_NET = {"parity": "parity10_q", "reber": "reber30_q"}
N_IN = {"parity": 1, "reber": 7}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m examples.slstm", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    mk = sub.add_parser("make", help="write a file of generated sequences")
    mk.add_argument("--task", choices=["parity", "reber"], required=True)
    mk.add_argument("--count", type=int, default=100)
    mk.add_argument("--max-len", type=int, help="longest sequence (parity 20, reber 36 symbols)")
    mk.add_argument("--seed", type=int, default=7)
    mk.add_argument("--out", required=True)
    ev = sub.add_parser("eval", help="evaluate a committed network on a sequence file")
    ev.add_argument("--task", choices=["parity", "reber"], required=True)
    ev.add_argument("--sequences", required=True)
    ev.add_argument("--net", help="a committed network (default parity10_q, reber30_q)")
    ev.add_argument("--pl", type=int, default=200, help="phase length in ticks (default 200)")
    ev.add_argument("--engine", choices=["runtime", "counts", "float"], default="runtime")
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--out", help="per-sequence results (.npz)")
    args = ap.parse_args(argv)
    if args.command == "make":
        max_len = args.max_len or (20 if args.task == "parity" else 36)
        if args.count < 1 or max_len < (1 if args.task == "parity" else 9):
            ap.error("--count must be 1 or more, --max-len 1 or more (reber: 9, its shortest string)")
        if args.task == "parity":
            x, y, mask = tasks.parity(args.count, max_len, seed=args.seed)
        else:
            x, y, mask = tasks.embedded_reber(args.count, max_len, seed=args.seed)
        atomic_savez(args.out, {"x": x, "y": y, "mask": mask})
        print(f"{args.out}: {args.count} sequences, up to {max_len} {'steps' if args.task == 'parity' else 'symbols'}")
        return 0
    try:
        with np.load(args.sequences) as z:
            x, y, mask = (np.asarray(z[k], np.float64) for k in ("x", "y", "mask"))
    except (OSError, KeyError, ValueError) as err:
        print(f"{args.sequences}: error: cannot read x, y and mask ({err})", file=sys.stderr)
        return 2
    tasks.check_sequences(x, y, mask, N_IN[args.task], args.sequences)
    if (y.ndim == 3) != (args.task == "reber"):
        raise SystemExit(f"{args.sequences}: y must be (sequences, steps{', 7' if args.task == 'reber' else ''})")
    try:
        model.encoding(args.pl)
    except ValueError as err:
        ap.error(str(err))
    net = args.net or DEFAULT_NET[args.task]
    if not net.startswith(args.task):
        ap.error(f"--net {net} is not a {args.task} network")
    pred = evaluate(net, x, y, mask, args.engine, args.pl, args.seed)
    right = step_correct(pred, y, mask)
    seq_right = (right | (mask == 0)).all(axis=1)
    where = args.engine if args.engine == "float" else f"{args.engine}, PL {args.pl}"
    print(f"{net} on {args.sequences} ({where}): "
          f"steps {right.sum() / mask.sum():.4f}, whole sequences {seq_right.mean():.4f} "
          f"({len(x)} sequences)")
    if args.out:
        atomic_savez(args.out, {"pred": pred, "step_correct": right, "sequence_correct": seq_right,
                                "sequence_accuracy": right.sum(1) / np.maximum(mask.sum(1), 1)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
