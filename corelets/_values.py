"""The values an elaborating corelet computes with, and the error that carries a diagnostic.

Plain numbers, bools and strings are Python values; arrays (and, inside a connection comprehension,
the index grids of the loop variables) are numpy arrays. The language's own kinds of value:

* ``Template``: a neuron template, a partial assignment of neuron fields (user-facing names already
  turned into ``NeuronParams`` fields), each value a scalar, a row of 4, or one value per neuron;
* ``Port``: an ordered set of connection endpoints (neurons, input pins, connector elements) as an
  array of node ids, with the roles it may play (source, target, which side of which corelet);
* ``Instance``: a sub-corelet instance, whose connectors are ports.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from corelet.chip.limits import active_limits
from corelet.language.diagnostics import ERROR, Diagnostic
from corelet.chip.source import Span


class ElaborationError(Exception):
    """Raised inside the elaborator with one diagnostic; collected per statement."""

    def __init__(self, message: str, span: Span | None, hint: str = ""):
        super().__init__(message)
        self.diagnostic = Diagnostic(ERROR, message, span, hint)


class Poisoned(Exception):
    """A name whose declaration already failed was used: stop quietly (no second error)."""


POISON = object()  # bound to a name whose declaration failed


@attrs.frozen(eq=False)
class Template:
    """A neuron template: NeuronParams field -> (value, span where it was set)."""

    name: str
    fields: dict = attrs.field(factory=dict)

    def with_fields(self, name: str, fields: dict) -> "Template":
        return Template(name, {**self.fields, **fields})


# Roles of the endpoints in a port, seen from the corelet whose body uses it.
NEURONS = "neurons"
OWN_INPUT = "input"  # an input connector of this corelet
OWN_OUTPUT = "output"  # an output connector of this corelet
SUB_INPUT = "instance input"  # an input connector of a sub-corelet instance
SUB_OUTPUT = "instance output"  # an output connector of a sub-corelet instance


@attrs.frozen(eq=False)
class Port:
    """Endpoints (``nodes``, node ids of any shape) with their ``roles`` and a name for messages."""

    nodes: np.ndarray
    roles: frozenset
    label: str

    @property
    def width(self) -> int:
        return int(self.nodes.size)

    @property
    def shape(self) -> tuple:
        return self.nodes.shape


@attrs.frozen(eq=False)
class Instance:
    """A sub-corelet instance: its path, its corelet's name, and its connectors as ports."""

    path: str
    corelet: str
    ports: dict
    span: Span


def check_limit(name: str, value: int, span, what: str = "") -> None:
    """Raise an ``ElaborationError`` at ``span`` before work over the limit ``name`` of the
    limits in force (``corelet.chip.limits``): it names the limit, the value and how to raise it."""
    limits = active_limits()
    if value > getattr(limits, name):
        raise ElaborationError(limits.message(name, value, what), span, limits.hint(name))


def check_array_size(size: int, span, what: str = "an array", ndim: int = 1) -> None:
    """Raise before allocating an array of ``size`` elements (``ndim`` dimensions) that is over
    the limits."""
    check_limit("array_dims", ndim, span, f"dimensions of {what}")
    check_limit("array_elements", size, span, f"elements of {what}")


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def check_int_size(value: int, e) -> None:
    """An integer computed in an expression must fit the limit ``int_bits``."""
    bits = value.bit_length()
    if bits > 63:  # (the common case returns here: loops evaluate this per iteration)
        check_limit("int_bits", bits, e.span, "bits of this integer")


def check_int_power(base: int, exponent: int, e) -> None:
    """``base ** exponent`` must fit ``int_bits``: checked before computing it (``10 ** 10 ** 10``
    would take hours and all the memory)."""
    if abs(base) > 1 and exponent > 0:
        bits = (abs(base).bit_length() - 1) * exponent + 1  # at least this many
        check_limit("int_bits", bits, e.span, "bits of this power")


def _bound(value) -> int:
    """The largest magnitude in ``value`` (a Python int)."""
    if not is_array(value):
        return abs(int(value))
    if value.size == 0:
        return 0
    return max(abs(int(value.min())), abs(int(value.max())))


def exact_int64(op: str, left, right, e) -> np.ndarray:
    """``left op right`` for integer arrays (a Python int may take one side) in int64, an error
    instead of a wrapped result: the arrays of the language never wrap silently. The exact test
    runs only when the operands' magnitudes say the result could leave int64."""
    a, b = _bound(left), _bound(right)
    if op == "**":
        exponent = _bound(right)
        if a > 1 and (a.bit_length() * exponent > 63):
            _overflow(op, e)
    for side in (left, right):
        if not is_array(side) and not INT64_MIN <= int(side) <= INT64_MAX:
            _overflow(op, e)  # a single value that int64 cannot hold
    with np.errstate(over="ignore"):
        result = _OPS_INT[op](np.asarray(left, np.int64), np.asarray(right, np.int64))
    safe = {"+": a + b, "-": a + b, "*": a * b, "//": a, "%": b, "**": 0}[op] <= INT64_MAX
    if safe:
        return result
    x, y = np.asarray(left, np.int64), np.asarray(right, np.int64)
    if op == "+":
        bad = ((x ^ result) & (y ^ result)) < 0
    elif op == "-":
        bad = ((x ^ y) & (x ^ result)) < 0
    elif op == "*":
        nonzero = y != 0
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            back = np.floor_divide(result, np.where(nonzero, y, 1))
        bad = (nonzero & (back != x)) | ((x == INT64_MIN) & (y == -1)) | \
            ((y == INT64_MIN) & (x == -1))
    elif op == "//":
        bad = (x == INT64_MIN) & (y == -1)
    else:
        bad = np.zeros((), bool)
    if np.any(bad):
        _overflow(op, e)
    return result


def _overflow(op: str, e):
    raise ElaborationError(f"`{op}` overflows: the arrays of the language hold integers in int64 "
                           f"(-2**63 .. 2**63 - 1) and do not wrap", e.span,
                           "keep array values small, or compute this value as a single integer")


_OPS_INT = {"+": np.add, "-": np.subtract, "*": np.multiply, "//": np.floor_divide,
            "%": np.remainder, "**": np.power}


FAMILY_KINDS = {"instance": "instances", "neurons": "populations", "group": "groups",
                "constant": "constants"}


@attrs.define(eq=False)
class Family:
    """A name declared with an index (``conv[g] = ...``): index tuple -> entry, all of one kind.

    ``extent`` is one more than the largest index declared in each dimension; indices must be
    declared before they are used, and a slice must not cover a hole."""

    name: str
    kind: str  # a key of FAMILY_KINDS
    ndim: int
    span: Span
    entries: dict = attrs.field(factory=dict)  # tuple -> (value, span)
    extent: list = attrs.field(factory=list)

    def add(self, key: tuple, value: Any, span) -> None:
        self.entries[key] = (value, span)
        if not self.extent:
            self.extent = [0] * self.ndim
        for axis, i in enumerate(key):
            if i >= self.extent[axis]:
                self.extent[axis] = i + 1

    def entry_name(self, key: tuple) -> str:
        return family_entry_name(self.name, key)


def family_entry_name(name: str, key: tuple) -> str:
    """``conv[2]``, ``grid[1,3]``: the name (and path part) of one entry."""
    return f"{name}[{','.join(str(i) for i in key)}]"


@attrs.frozen(eq=False)
class InstanceSlice:
    """Several instances of a family (``conv[0:4]``): ``.y`` joins their connectors ``y``."""

    instances: tuple
    label: str


def kind_name(value: Any) -> str:
    """How a value's type reads in a message: ``int``, ``float[3, 4]``, ``neuron template``..."""
    if isinstance(value, bool) or isinstance(value, np.bool_):
        return "bool"
    if isinstance(value, (int, np.integer)):
        return "int"
    if isinstance(value, (float, np.floating)):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, Template):
        return "neuron template"
    if isinstance(value, Port):
        return f"connector of width {value.width}"
    if isinstance(value, Instance):
        return f"instance of {value.corelet}"
    if isinstance(value, Family):
        return f"array of {FAMILY_KINDS[value.kind]} `{value.name}`"
    if isinstance(value, InstanceSlice):
        return f"slice of {len(value.instances)} instances `{value.label}`"
    if isinstance(value, np.ndarray):
        base = {"b": "bool", "i": "int", "u": "int", "f": "float"}.get(value.dtype.kind, "array")
        return f"{base}[{', '.join(str(d) for d in value.shape)}]"
    return type(value).__name__


# -- value kinds ----------------------------------------------------------------------------
def is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_number(value: Any) -> bool:
    return is_int(value) or isinstance(value, (float, np.floating))


def is_array(value: Any) -> bool:
    return isinstance(value, np.ndarray)


def is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def is_bools(value: Any) -> bool:
    """A bool or an array of bools."""
    return is_bool(value) or (is_array(value) and value.dtype.kind == "b")


def as_python(value: Any) -> Any:
    """numpy scalars -> Python scalars (so single values stay unbounded ints)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value


def concat_ports(ports: list[Port]) -> Port:
    nodes = np.concatenate([p.nodes.ravel() for p in ports])
    roles = frozenset().union(*(p.roles for p in ports))
    return Port(nodes, roles, "[" + ", ".join(p.label for p in ports) + "]")
