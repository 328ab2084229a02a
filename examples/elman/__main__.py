"""``python -m examples.elman eval --sequences FILE.npz [--out results.csv]``: the committed spiking
Elman network on sentences from a file; prints the accuracy and writes one line per sentence.

File layout (numpy ``.npz``):

* ``inputs``: float (n, L_max, 48), each sentence's word vectors in [0, 1] (values outside are
  clipped: they are spike rates), words 0 .. lengths[i] - 1 used, the rest ignored; no
  end-of-sentence vector (the network appends its zero vector);
* ``lengths``: int (n,), 1 .. L_max words;
* ``labels``: int (n,), classes 0 .. 3 (optional: without them no accuracy is printed).

``examples/elman/data/test.npz`` is such a file (it also holds the generator's ``tokens``).
The per-sentence file (CSV) has: index, length, label (-1 if none), predicted class, whether
correct, the 4-bit-state model's prediction and the 16 hidden spike counts of the last window.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from corelet.chip.files import atomic_write


def load_sequences(path: Path):
    """(inputs, lengths, labels or None) from an eval file, checked; ValueError says what is wrong."""
    from examples.elman import model as m
    try:
        f = np.load(path)
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: cannot read as .npz ({e})") from None
    with f:
        for key in ("inputs", "lengths"):
            if key not in f.files:
                raise ValueError(f"{path}: no array '{key}' (has {', '.join(f.files) or 'none'})")
        x = np.asarray(f["inputs"], np.float64)
        lengths = np.asarray(f["lengths"])
        labels = np.asarray(f["labels"]) if "labels" in f.files else None
    if x.ndim != 3 or x.shape[2] != m.N_IN:
        raise ValueError(f"{path}: inputs must be (n, L_max, {m.N_IN}), got {x.shape}")
    if lengths.shape != (len(x),) or not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(f"{path}: lengths must be {len(x)} integers")
    if len(x) and (lengths.min() < 1 or lengths.max() > x.shape[1]):
        raise ValueError(f"{path}: lengths must be 1 .. {x.shape[1]}")
    if labels is not None and (labels.shape != (len(x),) or
                               (len(x) and (labels.min() < 0 or labels.max() >= m.N_CLASSES))):
        raise ValueError(f"{path}: labels must be {len(x)} classes 0 .. {m.N_CLASSES - 1}")
    return np.clip(x, 0.0, 1.0), lengths.astype(np.int64), labels


def evaluate(x, lengths, labels=None, weights: str = "w4h4"):
    """(predicted, counts, model predictions) of the committed network on the runtime."""
    from examples.elman import chip
    from examples.elman import model as m
    net = m.load_weights()[weights]
    steps = int(lengths.max()) + 1
    xs = m.right_to_left(x, lengths, steps)
    counts = chip.final_counts(chip.compile_net(net).model, xs)
    return chip.predict(net, counts), counts, m.predict(net, xs, "w4h4")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.elman",
                                     description="The spiking Elman network (seed 001) on the runtime")
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("eval", help="classify sentences from a file", description=__doc__,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    ev.add_argument("--sequences", required=True, type=Path, help=".npz: inputs, lengths[, labels]")
    ev.add_argument("--out", type=Path, default=Path("elman_results.csv"), help="per-sentence CSV")
    args = parser.parse_args(argv)
    try:
        x, lengths, labels = load_sequences(args.sequences)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if len(x) == 0:
        print(f"error: {args.sequences}: no sentences", file=sys.stderr)
        return 2
    predicted, counts, model_pred = evaluate(x, lengths, labels)
    lab = labels if labels is not None else np.full(len(x), -1)
    lines = ["index,length,label,predicted,correct,model_predicted," +
             ",".join(f"h{j}" for j in range(counts.shape[1]))]
    for i in range(len(x)):     # one line of text per sentence
        lines.append(f"{i},{lengths[i]},{lab[i]},{predicted[i]},{int(predicted[i] == lab[i])},"
                     f"{model_pred[i]}," + ",".join(str(int(c)) for c in counts[i]))
    try:
        atomic_write(args.out, "\n".join(lines) + "\n")
    except OSError as e:
        print(f"error: {args.out}: {e}", file=sys.stderr)
        return 2
    if labels is not None:
        acc = float((predicted == labels).mean())
        agree = float((model_pred == labels).mean())
        print(f"accuracy {acc:.4f} ({int((predicted == labels).sum())} / {len(x)} sentences) on the "
              f"runtime; 4-bit-state model {agree:.4f}")
    else:
        print(f"{len(x)} sentences classified (no labels in the file)")
    print(f"per-sentence results: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
