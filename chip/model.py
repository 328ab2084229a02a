"""The ``ChipModel``: the contract between the compiler and the runtime.

A ``ChipModel`` is a placed, legal network: what the chip would be programmed with. Invariants
(``validate`` checks them all and names the core, neuron and field of the first problems):

* ``cores`` holds C cores of ``profile.axons_per_core`` axons and ``profile.neurons_per_core``
  neurons as arrays shaped ``(C, 256, ...)``; the neuron parameter table is flat, row
  ``core * 256 + neuron``.
* A neuron is used when ``neuron_path >= 0``; its hierarchical name is
  ``f"{paths[neuron_path]}[{neuron_index}]"`` and its logical id ``chip.logical_ids(path, index)``.
  Copies share the name and id of their original; ``neuron_role`` says original, copy or relay.
* Each used neuron has exactly one target: ``target_core >= 0`` with ``target_axon`` and a delay in
  the profile's range, ``OUTPUT`` (an output pin; the spike is recorded in the tick it fires), or
  ``NO_TARGET``.
* Axon i of core c has the type ``axon_type[c, i]`` and the logical source
  ``(axon_path, axon_index)`` whose id keys its stochastic-synapse draws (``axon_path = -1``: unused).
* ``crossbar[c, i]`` is axon i's row, packed with ``numpy.packbits`` (bit order 'big': neuron 0 is
  the high bit of byte 0). In JSON a row is hex with its trailing zeros dropped ("" is empty).
* Input connectors route pin p to (core, axon) with a delay: a spike in raster row t is integrated
  in tick t + delay - 1. Output connectors list (core, neuron) per pin.

The JSON form (``save``/``load``) is documented in ``docs/chip-model.md``. It is deterministic: the
same model gives the same bytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import attrs

from corelet.chip import display
from corelet.chip.files import atomic_write, gc_paused, loads_json
from corelet.chip.errors import Location
from corelet.chip.limits import active_limits
from corelet.chip.cores import NO_TARGET, OUTPUT, ROLES, ChipInput, ChipOutput, Cores, ModelError
from corelet.chip.ids import element_name
from corelet.chip.model_json import FORMAT, VERSION, dump_json, parse_json
from corelet.chip.profile import ChipProfile
from corelet.chip.validate import validate_model

__all__ = ["ChipModel", "Cores", "ChipInput", "ChipOutput", "ModelError", "NO_TARGET", "OUTPUT",
           "ROLES", "FORMAT", "VERSION"]


@attrs.frozen(eq=False)
class ChipModel:
    """A placed network; see the module docstring for its invariants."""

    profile: ChipProfile
    cores: Cores
    paths: tuple[str, ...]
    inputs: tuple[ChipInput, ...] = ()
    outputs: tuple[ChipOutput, ...] = ()
    seed: int = 0
    provenance: dict = attrs.field(factory=dict)

    @property
    def n_cores(self) -> int:
        return self.cores.n_cores

    # -- display ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<ChipModel: {self.describe()}>"

    def describe(self) -> str:
        """One line of counts: cores, chips, neurons, connectors, seed (``corelet.chip.display``)."""
        used = (self.cores.neuron_path >= 0)
        cores_used = int(used.any(axis=1).sum())
        chips = len({int(c) for c in self.cores.coords[used.any(axis=1), 0]})
        return (f"{display.plural(cores_used, 'core')} on {display.plural(chips, 'chip')}, "
                f"{display.plural(int(used.sum()), 'neuron')}; "
                f"{display.connectors('inputs', ((c.name, c.width) for c in self.inputs))}; "
                f"{display.connectors('outputs', ((c.name, c.width) for c in self.outputs))}; "
                f"seed {self.seed}")

    def _repr_html_(self) -> str | None:
        """The report's summary and core grid in a notebook (registered by ``corelet.reports``)."""
        return display.html("model", self)

    def neuron_name(self, core: int, neuron: int) -> str:
        path = int(self.cores.neuron_path[core, neuron])
        if path < 0:
            return "(unused)"
        return element_name(self.paths[path], self.cores.neuron_index[core, neuron])

    def validate(self) -> None:
        """Raise ``ModelError`` naming the first problems found; return quietly when legal."""
        validate_model(self)

    # -- JSON ------------------------------------------------------------------------------
    def to_json(self) -> str:
        return dump_json(self)

    def save(self, path: str | os.PathLike) -> None:
        """Write the JSON form atomically."""
        atomic_write(path, self.to_json())

    @classmethod
    def from_json(cls, text: str, source: str = "<string>") -> "ChipModel":
        with gc_paused():
            try:
                data = loads_json(text)
            except json.JSONDecodeError as err:
                raise ModelError(f"{source}: not a JSON chip model: {err}",
                                 locations=[Location(file=source)]) from None
            return cls(**parse_json(data, source))

    @classmethod
    def load(cls, path: str | os.PathLike, validate: bool = True) -> "ChipModel":
        """Read and (by default) validate a chip model file."""
        path = Path(path)
        try:
            active_limits().check("file_bytes", path.stat().st_size, f"{path}: bytes of this file",
                                  Location(file=str(path)), ModelError)
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ModelError(f"{path}: no such file", locations=[Location(file=str(path))]) from None
        except (OSError, UnicodeDecodeError) as err:
            raise ModelError(f"{path}: cannot read: {err}",
                             locations=[Location(file=str(path))]) from None
        model = cls.from_json(text, str(path))
        if validate:
            try:
                model.validate()
            except ModelError as err:
                raise err.in_file(str(path)) from None
        return model
