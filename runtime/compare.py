"""Does a compiled chip compute what its logical network says? Both run on the same inputs through
the same simulator (``fabric_from_model`` and ``fabric_from_network``, the equivalence oracle), and
their output rasters are compared tick for tick; the first difference says where.

Used by ``corelet verify`` on a user's inputs and by the compiler's equivalence tests on random
ones. The network given must be the one the chip was compiled from *after retiming* (the
compiler's ``Compilation.retimed``: each connection's delay plus the ticks legalisation added).
"""

from __future__ import annotations

from typing import Mapping

import attrs
import numpy as np

from corelet.chip.model import ChipModel
from corelet.chip.network import Network
from corelet.runtime.lower import fabric_from_model, fabric_from_network
from corelet.runtime.result import SimResult
from corelet.runtime.simulator import simulate

__all__ = ["OutputDifference", "Equivalence", "first_difference", "run_equivalence"]


@attrs.frozen
class OutputDifference:
    """The first place two runs' outputs differ: earliest tick, then sample, connector (in the
    first run's order) and pin; the spike each run had there. ``pin`` is -1 when the connector is
    missing from one run or has another width."""

    output: str
    sample: int
    tick: int
    pin: int
    first: bool
    second: bool
    why: str = ""

    def describe(self, first: str = "first", second: str = "second") -> str:
        if self.pin < 0:
            return f"output {self.output}: {self.why}"
        fired = lambda spiked: "fired" if spiked else "did not fire"  # noqa: E731
        return (f"tick {self.tick}, output {self.output}[{self.pin}], sample {self.sample}: "
                f"{first} {fired(self.first)}, {second} {fired(self.second)}")


def first_difference(a: Mapping[str, np.ndarray],
                     b: Mapping[str, np.ndarray]) -> OutputDifference | None:
    """The earliest difference between two runs' outputs (bool ``(batch, ticks, width)`` per
    connector), or ``None`` when they are equal."""
    best = None
    for name in [*a, *(n for n in b if n not in a)]:
        if name not in a or name not in b:
            return OutputDifference(name, 0, 0, -1, name in a, name in b,
                                    "only in the " + ("first" if name in a else "second") + " run")
        x, y = np.asarray(a[name]), np.asarray(b[name])
        if x.shape != y.shape:
            return OutputDifference(name, 0, 0, -1, False, False,
                                    f"shapes {x.shape} and {y.shape} (batch, ticks, width)")
        diff = np.argwhere(x != y)  # row-major: sample, tick, pin
        if not len(diff):
            continue
        ticks = diff[:, 1]
        sample, tick, pin = (int(v) for v in diff[np.argmin(ticks)])  # earliest tick, then sample
        if best is None or tick < best.tick:
            best = OutputDifference(name, sample, tick, pin, bool(x[sample, tick, pin]),
                                    bool(y[sample, tick, pin]))
    return best


@attrs.frozen(eq=False)
class Equivalence:
    """The two runs and their first difference (``None``: the chip computes what the network
    says on these inputs)."""

    chip: SimResult
    logical: SimResult
    difference: OutputDifference | None

    @property
    def agree(self) -> bool:
        return self.difference is None


def run_equivalence(model: ChipModel, retimed: Network, ticks: int,
                    inputs: Mapping[str, np.ndarray], *, progress=None, **options) -> Equivalence:
    """Run ``model`` and the retimed logical network on the same ``inputs`` (``options`` as
    ``simulate`` takes them: seed, batch, reset_at) and compare their outputs. ``progress`` is
    called as ``progress(stage, done, total)`` with stage "chip" then "network"."""
    def staged(stage):
        return None if progress is None else (lambda done, total: progress(stage, done, total))

    chip = simulate(fabric_from_model(model), ticks, dict(inputs), progress=staged("chip"),
                    **options)
    logical = simulate(fabric_from_network(retimed), ticks, dict(inputs),
                       progress=staged("network"), **options)
    return Equivalence(chip, logical, first_difference(chip.outputs, logical.outputs))
