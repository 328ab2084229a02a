"""``python -m examples.slstm``: evaluate the committed S-LSTM networks on sequences from a file.

    python -m examples.slstm make --task parity --count 100 --out seqs.npz [--max-len 20] [--seed 7]
    python -m examples.slstm eval --task parity --sequences seqs.npz [--net parity2_q] [--pl 64]
                                  [--engine runtime|counts|float] [--out results.npz] [--seed 0]

A sequence file is an .npz with ``x`` (N, T, 1) inputs, ``y`` (N, T) labels 0/1 and ``mask`` (N, T),
1 on each sequence's steps and 0 on its padding (see examples/slstm/tasks.py); parity's label is the
running parity of the bits so far. ``eval`` prints the accuracy over the masked steps and over whole
sequences, and writes per-sequence results to ``--out``: ``pred`` (N, T), ``step_correct`` (N, T),
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
    if engine == "counts":
        return model.spiking_predict(params, x, PL, seed=seed)
    from examples.slstm import chip
    return chip.predict(params, x, PL, seed=seed)[0].astype(np.int64)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m examples.slstm", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    mk = sub.add_parser("make", help="write a file of generated sequences")
    mk.add_argument("--task", choices=["parity"], required=True)
    mk.add_argument("--count", type=int, default=100)
    mk.add_argument("--max-len", type=int, default=20)
    mk.add_argument("--seed", type=int, default=7)
    mk.add_argument("--out", required=True)
    ev = sub.add_parser("eval", help="evaluate a committed network on a sequence file")
    ev.add_argument("--task", choices=["parity"], required=True)
    ev.add_argument("--sequences", required=True)
    ev.add_argument("--net", default="parity2_q")
    ev.add_argument("--pl", type=int, default=64, help="phase length in ticks (default 64)")
    ev.add_argument("--engine", choices=["runtime", "counts", "float"], default="runtime")
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--out", help="per-sequence results (.npz)")
    args = ap.parse_args(argv)
    if args.command == "make":
        if args.count < 1 or args.max_len < 1:
            ap.error("--count and --max-len must be 1 or more")
        x, y, mask = tasks.parity(args.count, args.max_len, seed=args.seed)
        atomic_savez(args.out, {"x": x, "y": y, "mask": mask})
        print(f"{args.out}: {args.count} sequences, up to {args.max_len} steps")
        return 0
    try:
        with np.load(args.sequences) as z:
            x, y, mask = (np.asarray(z[k], np.float64) for k in ("x", "y", "mask"))
    except (OSError, KeyError, ValueError) as err:
        print(f"{args.sequences}: error: cannot read x, y and mask ({err})", file=sys.stderr)
        return 2
    tasks.check_sequences(x, y, mask, 1, args.sequences)
    try:
        model.encoding(args.pl)
    except ValueError as err:
        ap.error(str(err))
    pred = evaluate(args.net, x, y, mask, args.engine, args.pl, args.seed)
    right = (pred == y) & (mask > 0)
    seq_right = (right | (mask == 0)).all(axis=1)
    where = args.engine if args.engine == "float" else f"{args.engine}, PL {args.pl}"
    print(f"{args.net} on {args.sequences} ({where}): "
          f"steps {right.sum() / mask.sum():.4f}, whole sequences {seq_right.mean():.4f} "
          f"({len(x)} sequences)")
    if args.out:
        atomic_savez(args.out, {"pred": pred, "step_correct": right, "sequence_correct": seq_right,
                                "sequence_accuracy": right.sum(1) / np.maximum(mask.sum(1), 1)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
