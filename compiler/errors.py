"""The compiler's error: a network that cannot be placed on the chip as written.

``PlacementError`` carries ``partial``: a ``Compilation`` of what did fit (or ``None``), so the command
line can still write a report when placement fails. Like every ``ToolchainError`` it carries the
places it blames as ``locations``: the ``neurons`` declaration (span) of the population, its corelet
instance and name, and the neuron, group or core, so the message renders with the source line and a
caret under the declaration, as a language error does.
"""

from __future__ import annotations

from typing import Iterable

from corelet.chip import Location, ToolchainError


class PlacementError(ToolchainError):
    """A placement or legalisation failure the user can fix; ``partial`` is what did fit."""

    def __init__(self, message: str, partial=None, *, kind: str = "other", neurons=None,
                 locations: Iterable[Location] = (), hint: str = "", notes: Iterable[str] = ()):
        super().__init__(message, locations=locations, hint=hint, notes=notes)
        self.partial = partial
        self.kind = kind  # "fan_in", "group", "chips" or "other": what the partial result leaves out
        self.neurons = neurons  # for "fan_in": the neurons whose inputs do not fit

    @staticmethod
    def neuron_location(net, neuron: int, **parts) -> Location:
        """Where neuron ``neuron`` of the ``Network`` ``net`` was declared: its population's span
        (the ``neurons`` declaration), corelet instance and corelet name, and the neuron's name;
        ``parts`` add to it (``core=3``, ``label=...``)."""
        pop = net.populations[int(net.population_of([int(neuron)])[0])]
        return Location(span=pop.span, instance=pop.instance, corelet=pop.corelet,
                        neuron=net.neuron_name(int(neuron)), **parts)

    @staticmethod
    def pin_location(net, pin: int, **parts) -> Location:
        """Where input pin ``pin`` of ``net`` (in the pin space of all its input connectors) was
        declared: its connector's span and name, and the pin within it."""
        for conn in net.inputs:
            if conn.offset <= pin < conn.offset + conn.width:
                return Location(span=conn.span, connector=conn.name, pin=pin - conn.offset, **parts)
        return Location(**parts)
