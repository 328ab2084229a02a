"""Write skeleton_input.npz: the 8-tick input raster that examples/skeleton.corelet explains."""

from pathlib import Path

import numpy as np

RASTER = np.array([[1, 0], [1, 0], [1, 1], [0, 1], [1, 1], [1, 0], [1, 0], [0, 0]], dtype=bool)

if __name__ == "__main__":
    np.savez(Path(__file__).with_name("skeleton_input.npz"), x=RASTER)
