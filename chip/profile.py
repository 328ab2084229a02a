"""The chip profile: every hard limit of the chip, in one place.

A ``ChipProfile`` is plain data. The language exposes its constants to corelets as read-only names,
the compiler places against it, the chip model carries it, and the runtime validates against it.
The defaults describe a TrueNorth chip (Merolla et al., Science 2014; Cassidy et al., IJCNN 2013).
"""

from __future__ import annotations

import attrs
import numpy as np


@attrs.frozen
class ChipProfile:
    """Limits of one kind of chip. Ranges are inclusive ``(low, high)`` pairs."""

    name: str = "truenorth"
    grid: tuple[int, int] = (64, 64)  # cores per chip, (rows, columns)
    max_chips: int = 64
    axons_per_core: int = 256
    neurons_per_core: int = 256
    axon_types: int = 4
    weight_range: tuple[int, int] = (-255, 255)
    leak_range: tuple[int, int] = (-255, 255)
    threshold_range: tuple[int, int] = (1, 2**18 - 1)  # alpha, 18-bit unsigned
    neg_threshold_range: tuple[int, int] = (0, 2**18 - 1)  # beta, 18-bit unsigned magnitude
    threshold_mask_range: tuple[int, int] = (0, 17)  # TM: bits of the stochastic threshold
    reset_value_range: tuple[int, int] = (-(2**17), 2**17 - 1)  # R, signed 18-bit
    membrane_range: tuple[int, int] = (-(2**19), 2**19 - 1)  # V, signed 20-bit, saturating
    delay_range: tuple[int, int] = (1, 15)
    # Power (compiler reports). 65 mW for 4096 cores in real time, Merolla et al. 2014 -> about
    # 16 uW per core; 26 pJ per synaptic event, same source.
    core_power_w: float = 65e-3 / 4096
    synaptic_event_energy_j: float = 26e-12
    tick_hz: float = 1000.0

    @property
    def cores_per_chip(self) -> int:
        return self.grid[0] * self.grid[1]

    def constants(self) -> dict[str, int]:
        """The read-only names a corelet sees (``AXONS_PER_CORE``, ``MAX_DELAY`` ...)."""
        return {
            "AXONS_PER_CORE": self.axons_per_core,
            "NEURONS_PER_CORE": self.neurons_per_core,
            "AXON_TYPES": self.axon_types,
            "MIN_WEIGHT": self.weight_range[0],
            "MAX_WEIGHT": self.weight_range[1],
            "MIN_LEAK": self.leak_range[0],
            "MAX_LEAK": self.leak_range[1],
            "MAX_THRESHOLD": self.threshold_range[1],
            "MAX_THRESHOLD_MASK": self.threshold_mask_range[1],
            "MIN_DELAY": self.delay_range[0],
            "MAX_DELAY": self.delay_range[1],
            "CORES_PER_CHIP": self.cores_per_chip,
        }

    def to_json(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in attrs.asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict) -> "ChipProfile":
        names = {f.name for f in attrs.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown chip profile field(s): {', '.join(sorted(unknown))}")
        return cls(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items()})


TRUENORTH = ChipProfile()


def hop_distances(coords: np.ndarray, profile: ChipProfile, src_core: np.ndarray,
                  dst_core: np.ndarray) -> np.ndarray:
    """Hop distance (int64) of each route ``src_core -> dst_core``: the Manhattan distance between
    the cores' (row, global column), chip k's column c being global column ``k * columns + c``."""
    coords = np.asarray(coords, np.int64)
    row = coords[:, 1]
    glob_col = coords[:, 0] * profile.grid[1] + coords[:, 2]
    return np.abs(row[src_core] - row[dst_core]) + np.abs(glob_col[src_core] - glob_col[dst_core])



def chip_crossings(coords: np.ndarray, src_core: np.ndarray, dst_core: np.ndarray) -> np.ndarray:
    """Chip boundaries (int64) each route ``src_core -> dst_core`` crosses: with the chips side by
    side along the columns (as in :func:`hop_distances`), ``|chip of src - chip of dst|``."""
    chip = np.asarray(coords, np.int64)[:, 0]
    return np.abs(chip[src_core] - chip[dst_core])
