"""Writes examples/eedn/data/digits.npz from scikit-learn's handwritten digits (8 x 8 images,
pixel values 0 .. 16, 1797 images; UCI "Optical Recognition of Handwritten Digits", test part),
so that the example and its test run without scikit-learn. Needs the `examples` extra.

    python -m examples.eedn.make_data

The split is fixed (seed 0): 1438 training images, 359 test images.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corelet.chip.files import atomic_savez

DATA = Path(__file__).parent / "data" / "digits.npz"
TEST_FRACTION = 0.2


def main() -> None:
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = digits.images.astype(np.uint8)           # (1797, 8, 8), 0 .. 16
    labels = digits.target.astype(np.uint8)
    order = np.random.default_rng(0).permutation(len(labels))
    n_test = int(round(TEST_FRACTION * len(labels)))
    test, train = np.sort(order[:n_test]), np.sort(order[n_test:])
    atomic_savez(DATA, dict(images=images, labels=labels, train=train.astype(np.int16),
                            test=test.astype(np.int16)))
    print(f"wrote {DATA}: {len(train)} training and {len(test)} test images")


if __name__ == "__main__":
    main()
