"""The chip profile: every hard limit of the chip, in one place.

A ``ChipProfile`` is plain data. The language exposes its constants to corelets as read-only names,
the compiler places against it, the chip model carries it, and the runtime validates against it.
The defaults describe a TrueNorth chip (Merolla et al., Science 2014; Cassidy et al., IJCNN 2013).

Most fields the chip holds in a range; the reset value it holds as a sign and an exponent,
R = sigma_VR * (2^VR - 1) (docs/neuron-model.md section 2), so only 0, +-1, +-3, ..., +-(2^17 - 1)
exist on the chip (``reset_value_encoding = "sign_exponent"``). ``IDEAL`` is the same chip with
any reset value in range (``"any"``), for research on values no chip holds: a model compiled
against it runs, but cannot be exported to the chip's own format.
"""

from __future__ import annotations

import attrs
import numpy as np

RESET_ENCODINGS = ("sign_exponent", "any")


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
    # how R is stored: "sign_exponent" (sigma_VR * (2^VR - 1), VR 0..17: the chip) or "any"
    reset_value_encoding: str = attrs.field(default="sign_exponent",
                                            validator=attrs.validators.in_(RESET_ENCODINGS))
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

    def reset_values_held(self, values) -> np.ndarray:
        """Which reset values (already in ``reset_value_range``) this chip can store (bool array):
        with the sign-and-exponent encoding, those with |R| + 1 a power of two."""
        values = np.abs(np.asarray(values, dtype=np.int64))
        if self.reset_value_encoding == "any":
            return np.ones(values.shape, bool)
        return (values & (values + 1)) == 0

    def round_reset_values(self, values) -> np.ndarray:
        """Each integer reset value moved to the nearest value this chip holds (int64; a tie goes
        toward 0): for importers that quantise, such as NIR's."""
        values = np.asarray(values, dtype=np.int64)
        if self.reset_value_encoding == "any":
            return values
        size = np.abs(values)
        below = (np.int64(1) << np.floor(np.log2(size + 1)).astype(np.int64)) - 1  # held, <= size
        above = 2 * below + 1
        held = np.where(size - below <= above - size, below, above)
        return np.sign(values) * held

    def nearest_reset_values(self, value: int) -> tuple[int, ...]:
        """The values this chip holds nearest to ``value`` (one, or the two either side)."""
        value = int(value)
        if bool(self.reset_values_held(value)):
            return (value,)
        sign = 1 if value > 0 else -1
        k = abs(value).bit_length()  # 2^(k-1) <= |value| < 2^k
        below, above = sign * (2 ** (k - 1) - 1), sign * (2 ** k - 1)
        low, high = self.reset_value_range
        return tuple(v for v in sorted((below, above)) if low <= v <= high)

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
        """The profile as JSON data; the reset encoding only when it is not the chip's, so files
        written before the field existed read back to the same bytes."""
        data = {k: (list(v) if isinstance(v, tuple) else v) for k, v in attrs.asdict(self).items()}
        if data["reset_value_encoding"] == "sign_exponent":
            del data["reset_value_encoding"]
        return data

    @classmethod
    def from_json(cls, data: dict) -> "ChipProfile":
        names = {f.name for f in attrs.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown chip profile field(s): {', '.join(sorted(unknown))}")
        return cls(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items()})


TRUENORTH = ChipProfile()
# TrueNorth with any reset value in range: for research; its models cannot be exported (export-tn)
IDEAL = ChipProfile(name="ideal", reset_value_encoding="any")
PROFILES = {p.name: p for p in (TRUENORTH, IDEAL)}


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
