"""The neuron parameter table: one struct of arrays with a row per neuron.

The same table describes the neurons of a logical ``Network`` and of a ``ChipModel``, so a neuron's
parameters never change shape between the language, the compiler and the runtime. Field meanings
follow ``docs/neuron-model.md``:

==================  =========  ===========================================================
field               dtype      meaning (symbol in the published model)
==================  =========  ===========================================================
weights             int16 x4   weight per axon type, s[G]
stochastic_weights  bool  x4   stochastic-synapse flag per axon type, b[G]
leak                int16      leak, lambda
stochastic_leak     bool       stochastic-leak flag, c
leak_reversal       bool       leak follows the sign of V, epsilon
threshold           int32      positive threshold, alpha
neg_threshold       int32      negative threshold magnitude, beta
threshold_mask      int8       bits of the stochastic threshold, TM
reset_mode          int8       0 reset to ``reset_value``, 1 linear (subtract), 2 none (gamma)
neg_mode            int8       1 saturate at -beta, 0 reset (kappa)
reset_value         int32      reset potential, R
initial             int32      initial potential, V0
==================  =========  ===========================================================
"""

from __future__ import annotations

from typing import Iterator

import attrs
import numpy as np

from corelet.chip.profile import ChipProfile

RESET_VALUE, RESET_LINEAR, RESET_NONE = 0, 1, 2
NEG_RESET, NEG_SATURATE = 0, 1

# field -> (dtype, trailing shape, default)
NEURON_FIELDS: dict[str, tuple[type, tuple[int, ...], int]] = {
    "weights": (np.int16, (4,), 0),
    "stochastic_weights": (np.bool_, (4,), 0),
    "leak": (np.int16, (), 0),
    "stochastic_leak": (np.bool_, (), 0),
    "leak_reversal": (np.bool_, (), 0),
    "threshold": (np.int32, (), 1),
    "neg_threshold": (np.int32, (), 0),
    "threshold_mask": (np.int8, (), 0),
    "reset_mode": (np.int8, (), RESET_VALUE),
    "neg_mode": (np.int8, (), NEG_SATURATE),
    "reset_value": (np.int32, (), 0),
    "initial": (np.int32, (), 0),
}


@attrs.frozen
class RangeViolation:
    """One out-of-range value: the row, the field and what was allowed."""

    row: int
    field: str
    value: int
    low: int
    high: int
    held: tuple[int, ...] | None = None  # in range but not storable: the nearest values that are

    def __str__(self) -> str:
        return f"{self.field} = {self.value} {self.problem()}"

    def problem(self) -> str:
        """What is wrong with the value, after ``field = value``."""
        if self.held is None:
            return f"is outside [{self.low}, {self.high}]"
        nearest = " or ".join(str(v) for v in self.held)
        return ("cannot be held by the chip, which stores it as sign * (2^k - 1), k = 0..17 "
                f"(0, +-1, +-3, +-7, ..., +-{self.high}); nearest: {nearest}")


def _ranges(profile: ChipProfile) -> dict[str, tuple[int, int]]:
    return {
        "weights": profile.weight_range,
        "stochastic_weights": (0, 1),
        "leak": profile.leak_range,
        "stochastic_leak": (0, 1),
        "leak_reversal": (0, 1),
        "threshold": profile.threshold_range,
        "neg_threshold": profile.neg_threshold_range,
        "threshold_mask": profile.threshold_mask_range,
        "reset_mode": (0, 2),
        "neg_mode": (0, 1),
        "reset_value": profile.reset_value_range,
        "initial": profile.membrane_range,
    }


@attrs.frozen(eq=False)
class NeuronParams:
    """Neuron parameters as a struct of arrays; every array has ``len(self)`` rows."""

    weights: np.ndarray
    stochastic_weights: np.ndarray
    leak: np.ndarray
    stochastic_leak: np.ndarray
    leak_reversal: np.ndarray
    threshold: np.ndarray
    neg_threshold: np.ndarray
    threshold_mask: np.ndarray
    reset_mode: np.ndarray
    neg_mode: np.ndarray
    reset_value: np.ndarray
    initial: np.ndarray

    def __attrs_post_init__(self) -> None:
        n = len(self.threshold)
        for name, (dtype, shape, _) in NEURON_FIELDS.items():
            arr = getattr(self, name)
            if arr.dtype != dtype or arr.shape != (n, *shape):
                raise ValueError(f"NeuronParams.{name}: expected {np.dtype(dtype)} {(n, *shape)}, "
                                 f"got {arr.dtype} {arr.shape}")

    def __len__(self) -> int:
        return len(self.threshold)

    @classmethod
    def defaults(cls, n: int) -> "NeuronParams":
        """``n`` neurons with every field at its default."""
        return cls(**{name: np.full((n, *shape), default, dtype=dtype)
                      for name, (dtype, shape, default) in NEURON_FIELDS.items()})

    @classmethod
    def from_fields(cls, n: int, **values) -> "NeuronParams":
        """``n`` neurons, each field broadcast from a scalar, a row, or a full array."""
        unknown = set(values) - set(NEURON_FIELDS)
        if unknown:
            raise KeyError(f"unknown neuron field(s): {', '.join(sorted(unknown))}")
        arrays = {}
        for name, (dtype, shape, default) in NEURON_FIELDS.items():
            value = np.asarray(values.get(name, default))
            arrays[name] = np.ascontiguousarray(np.broadcast_to(value, (n, *shape)).astype(dtype))
        return cls(**arrays)

    def arrays(self) -> Iterator[tuple[str, np.ndarray]]:
        for name in NEURON_FIELDS:
            yield name, getattr(self, name)

    def take(self, rows: np.ndarray) -> "NeuronParams":
        """The rows ``rows``, in that order (copies included when a row repeats)."""
        return NeuronParams(**{name: arr[rows] for name, arr in self.arrays()})

    @staticmethod
    def concat(tables: list["NeuronParams"]) -> "NeuronParams":
        if not tables:
            return NeuronParams.defaults(0)
        return NeuronParams(**{name: np.concatenate([getattr(t, name) for t in tables])
                               for name in NEURON_FIELDS})

    def row(self, i: int) -> dict:
        """Row ``i`` as plain Python values (for messages and reports)."""
        return {name: (arr[i].tolist()) for name, arr in self.arrays()}

    def violations(self, profile: ChipProfile, limit: int = 20) -> list[RangeViolation]:
        """Values outside the profile's ranges, at most ``limit`` of them, by row then field."""
        found: list[RangeViolation] = []
        for name, (low, high) in _ranges(profile).items():
            arr = getattr(self, name)  # compared in its own dtype: no int64 copy of a large table
            bad = (arr < low) | (arr > high)
            if bad.ndim > 1:
                bad = bad.any(axis=tuple(range(1, bad.ndim)))
            for row in np.flatnonzero(bad)[:limit]:
                vals = np.atleast_1d(arr[row]).astype(np.int64)
                value = int(vals[(vals < low) | (vals > high)][0])
                found.append(RangeViolation(int(row), name, value, low, high))
        # in range but without an encoding (the chip's R = sign * (2^k - 1)); 0 always has one
        rows = np.flatnonzero(self.reset_value)
        reset = self.reset_value[rows].astype(np.int64)
        low, high = profile.reset_value_range
        odd = (reset >= low) & (reset <= high) & ~profile.reset_values_held(reset)
        for row, value in zip(rows[odd][:limit].tolist(), reset[odd][:limit].tolist()):
            found.append(RangeViolation(row, "reset_value", value, low, high,
                                        held=profile.nearest_reset_values(value)))
        found.sort(key=lambda v: (v.row, list(NEURON_FIELDS).index(v.field)))
        return found[:limit]

    def equals(self, other: "NeuronParams") -> bool:
        return len(self) == len(other) and all(
            np.array_equal(a, getattr(other, name)) for name, a in self.arrays())
