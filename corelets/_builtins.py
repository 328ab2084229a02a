"""The language's builtin functions. Each works on single values and, elementwise, on arrays and
comprehension grids; each gets the evaluated arguments and the ``Call`` node (for positions)."""

from __future__ import annotations

import math

import numpy as np

from corelet.language._values import (INT64_MAX, INT64_MIN, check_int_size)
from corelet.language._values import (ElaborationError, Family, Port, as_python, check_array_size,
                                      concat_ports, is_array, is_bool, is_bools, is_int,
                                      is_number, kind_name)


def _arity(args, e, low: int, high: int | None = None) -> None:
    high = low if high is None else high
    if not low <= len(args) <= high:
        want = str(low) if low == high else f"{low} to {high}" if high < 99 else f"at least {low}"
        raise ElaborationError(f"`{e.func}` takes {want} argument(s), got {len(args)}", e.span)


def _numeric(value, e, i: int):
    if is_number(value) or (is_array(value) and value.dtype.kind in "iuf"):
        return value
    raise ElaborationError(f"`{e.func}` needs numbers, got {kind_name(value)}", e.args[i].span)


def _integer(value, e, i: int):
    if is_int(value) or (is_array(value) and value.dtype.kind in "iu"):
        return value
    raise ElaborationError(f"`{e.func}` needs integers, got {kind_name(value)}", e.args[i].span)


def _scalarise(value):
    return value if is_array(value) else as_python(value)


def bit(args, e):
    """``bit(x, k)``: bit k of x in two's complement (so bit(-8, 3) == 1)."""
    _arity(args, e, 2)
    x, k = _integer(args[0], e, 0), _integer(args[1], e, 1)
    if np.any(np.asarray(k) < 0) or np.any(np.asarray(k) > 62):
        raise ElaborationError("`bit` position must be in 0..62", e.args[1].span)
    result = (np.asarray(x, dtype=np.int64) >> np.asarray(k, dtype=np.int64)) & 1
    return (result == 1) if is_array(result) and result.ndim else bool(result == 1)


def _abs(args, e):
    _arity(args, e, 1)
    return _scalarise(np.abs(_numeric(args[0], e, 0)))


def _reduce_or_elementwise(func_reduce, func_pair):
    def builtin(args, e):
        _arity(args, e, 1, 99)
        if len(args) == 1:
            value = _numeric(args[0], e, 0)
            if not is_array(value) or value.size == 0:
                raise ElaborationError(f"`{e.func}` of one argument needs a non-empty array",
                                       e.args[0].span)
            return as_python(func_reduce(value))
        result = _numeric(args[0], e, 0)
        for i, arg in enumerate(args[1:], 1):
            result = func_pair(result, _numeric(arg, e, i))
        return _scalarise(result)
    return builtin


def _len(args, e):
    _arity(args, e, 1)
    value = args[0]
    if isinstance(value, Port):
        return value.width
    if is_array(value):
        return int(value.shape[0]) if value.ndim else 1
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Family):  # entries declared along the first index
        return value.extent[0] if value.extent else 0
    raise ElaborationError(f"`len` needs an array, a string or a connector, got {kind_name(value)}",
                           e.args[0].span)


def _size(args, e):
    _arity(args, e, 1)
    value = args[0]
    if isinstance(value, Port):
        return value.width
    if is_array(value):
        return int(value.size)
    raise ElaborationError(f"`size` needs an array or a connector, got {kind_name(value)}",
                           e.args[0].span)


def _sum(args, e):
    _arity(args, e, 1)
    value = args[0]
    if is_array(value) and value.dtype.kind == "b":
        return int(value.sum())
    value = _numeric(value, e, 0)
    if is_array(value) and value.dtype.kind in "iu" and value.size and \
            max(abs(int(value.min())), abs(int(value.max()))) * value.size > INT64_MAX:
        return int(np.sum(value.astype(object)))  # exact: the sum is a single value (unbounded)
    return as_python(np.sum(value))


def _int(args, e):
    """``int(x)``: rounds toward zero, like Python."""
    _arity(args, e, 1)
    value = _numeric(args[0], e, 0)
    return _to_int(value, np.trunc, int, e)


def _to_int(value, np_func, py_func, e):
    """A float (array) rounded to int: an infinity or NaN has no integer, and an array element
    outside int64 does not wrap."""
    if is_array(value):
        if value.dtype.kind in "iu":
            return value.astype(np.int64)
        if not np.all(np.isfinite(value)):
            raise ElaborationError(f"`{e.func}` of an infinity or NaN has no integer value",
                                   e.args[0].span)
        rounded = np_func(value)
        if rounded.size and (rounded.min() < -(2.0**63) or rounded.max() >= 2.0**63):
            raise ElaborationError(f"`{e.func}`: a value does not fit the int64 of arrays",
                                   e.args[0].span)
        return rounded.astype(np.int64)
    try:
        result = int(py_func(value))
    except (OverflowError, ValueError):
        raise ElaborationError(f"`{e.func}` of {value!r} has no integer value",
                               e.args[0].span) from None
    check_int_size(result, e)
    return result


def _float(args, e):
    _arity(args, e, 1)
    value = _numeric(args[0], e, 0)
    return value.astype(np.float64) if is_array(value) else float(value)


def _rounding(np_func, py_func):
    def builtin(args, e):
        _arity(args, e, 1)
        value = _numeric(args[0], e, 0)
        return _to_int(value, np_func, py_func, e)
    return builtin


def _clip(args, e):
    _arity(args, e, 3)
    x, low, high = (_numeric(a, e, i) for i, a in enumerate(args))
    return _scalarise(np.clip(x, low, high))


def _all_any(np_func):
    def builtin(args, e):
        _arity(args, e, 1)
        value = args[0]
        if not is_bools(value):
            raise ElaborationError(f"`{e.func}` needs bools, got {kind_name(value)}",
                                   e.args[0].span)
        return bool(np_func(value))
    return builtin


def _cat(args, e):
    """``cat(a, b, ...)``: connectors joined end to end (or arrays, flattened)."""
    _arity(args, e, 1, 99)
    if all(isinstance(a, Port) for a in args):
        return concat_ports(list(args))
    if all(is_array(a) or is_number(a) for a in args):
        return np.concatenate([np.atleast_1d(a).ravel() for a in args])
    raise ElaborationError("`cat` joins connectors, or arrays, not a mix", e.span)


def _log2(args, e):
    """``log2(x)``: for sizes; ``ceil(log2(x))`` is the bits needed."""
    _arity(args, e, 1)
    value = _numeric(args[0], e, 0)
    if np.any(np.asarray(value) <= 0):
        raise ElaborationError("`log2` needs positive numbers", e.args[0].span)
    return _scalarise(np.log2(value))


# -- building arrays ------------------------------------------------------------------------------

def _shape_of(args, e, first: int = 0) -> tuple:
    """A shape: integers (``zeros(3, 4)``) or one array of integers (``zeros([3, 4])``)."""
    if len(args) == 1 and is_array(args[0]):
        values, spans = [as_python(v) for v in args[0].ravel()], [e.args[first].span] * args[0].size
        if args[0].ndim != 1:
            raise ElaborationError(f"`{e.func}` needs a shape: integers or a list of integers",
                                   e.args[first].span)
    else:
        values, spans = [as_python(a) for a in args], [a.span for a in e.args[first:]]
    shape = []
    for value, span in zip(values, spans):
        if not is_int(value):
            raise ElaborationError(f"`{e.func}` needs a shape of integers, got {kind_name(value)}",
                                   span)
        if value < 0:
            raise ElaborationError(f"a size cannot be negative, got {value}", span)
        shape.append(int(value))
    check_array_size(math.prod(shape), e.span, f"`{e.func}`", len(shape))
    return tuple(shape)


def _zeros_ones(fill: int):
    def builtin(args, e):
        _arity(args, e, 1, 99)
        return np.full(_shape_of(args, e), fill, dtype=np.int64)
    return builtin


def _full(args, e):
    """``full(shape, value)``: shape an integer or a list of integers."""
    _arity(args, e, 2)
    shape = _shape_of(args[:1], e)
    value = as_python(args[1])
    if not (is_number(value) or is_bool(value)):
        raise ElaborationError(f"`full` fills with a number or a bool, got {kind_name(value)}",
                               e.args[1].span)
    dtype = bool if is_bool(value) else np.int64 if is_int(value) else np.float64
    if dtype is np.int64 and not INT64_MIN <= value <= INT64_MAX:
        raise ElaborationError(f"`full`: {value} does not fit the int64 of arrays", e.args[1].span)
    return np.full(shape, value, dtype=dtype)


def _arange(args, e):
    """``arange(n)``: 0 .. n-1; ``arange(a, b)``: a .. b-1 (integers)."""
    _arity(args, e, 1, 2)
    bounds = [as_python(a) for a in args]
    for value, arg in zip(bounds, e.args):
        if not is_int(value):
            raise ElaborationError(f"`arange` needs integers, got {kind_name(value)}", arg.span)
    start, stop = (0, bounds[0]) if len(bounds) == 1 else bounds
    check_array_size(max(0, stop - start), e.span, "`arange`")
    return np.arange(start, stop, dtype=np.int64)


def _array_arg(value, e, i: int) -> np.ndarray:
    if is_array(value):
        return value
    if is_number(value) or is_bool(value):
        return np.asarray(value)
    raise ElaborationError(f"`{e.func}` needs an array, got {kind_name(value)}", e.args[i].span)


def _int_arg(value, e, i: int, what: str) -> int:
    value = as_python(value)
    if not is_int(value):
        raise ElaborationError(f"`{e.func}` needs an integer {what}, got {kind_name(value)}",
                               e.args[i].span)
    return int(value)


def _axis(array: np.ndarray, axis: int, e, i: int) -> int:
    if not -array.ndim <= axis < max(array.ndim, 1):
        raise ElaborationError(f"axis {axis} is out of range for an array of {array.ndim} "
                               f"dimension(s)", e.args[i].span)
    return axis


def _repeat(args, e):
    """``repeat(a, k)``: every element k times, flattened; ``repeat(a, k, axis)``: along an axis."""
    _arity(args, e, 2, 3)
    array = _array_arg(args[0], e, 0)
    k = _int_arg(args[1], e, 1, "count")
    if k < 0:
        raise ElaborationError(f"`repeat` count cannot be negative, got {k}", e.args[1].span)
    check_array_size(array.size * k, e.span, "`repeat`")
    if len(args) == 2:
        return np.repeat(array, k)
    return np.repeat(array, k, axis=_axis(array, _int_arg(args[2], e, 2, "axis"), e, 2))


def _reshape(args, e):
    """``reshape(a, shape)``: the same elements (row-major) in a new shape; one size may be -1."""
    _arity(args, e, 2)
    array = _array_arg(args[0], e, 0)
    shape = args[1]
    dims = [as_python(v) for v in (shape.ravel() if is_array(shape) else [shape])]
    if not all(is_int(d) for d in dims):
        raise ElaborationError("`reshape` needs a shape of integers", e.args[1].span)
    try:
        return np.reshape(array, tuple(int(d) for d in dims))
    except ValueError:
        raise ElaborationError(f"cannot reshape {kind_name(array)} to "
                               f"[{', '.join(str(d) for d in dims)}]", e.span) from None


def _transpose(args, e):
    """``transpose(a)``: axes reversed; ``transpose(a, axes)``: axes in that order."""
    _arity(args, e, 1, 2)
    array = _array_arg(args[0], e, 0)
    if len(args) == 1:
        return np.transpose(array)
    axes = args[1]
    order = [as_python(v) for v in (axes.ravel() if is_array(axes) else [axes])]
    if sorted(order) != list(range(array.ndim)):
        raise ElaborationError(f"`transpose` needs the axes 0..{array.ndim - 1} in some order, "
                               f"got {order}", e.args[1].span)
    return np.transpose(array, order)


def _where(args, e):
    """``where(c, a, b)``: a where c is true, else b (elementwise, with broadcasting)."""
    _arity(args, e, 3)
    cond = args[0]
    if not is_bools(cond):
        raise ElaborationError(f"`where` needs bools as its condition, got {kind_name(cond)}",
                               e.args[0].span)
    for i in (1, 2):
        value = args[i]
        if not (is_number(value) or is_bool(value) or
                (is_array(value) and value.dtype.kind in "iufb")):
            raise ElaborationError(f"`where` chooses between numbers or bools, got "
                                   f"{kind_name(value)}", e.args[i].span)
    try:
        return _scalarise(np.where(cond, args[1], args[2]))
    except ValueError:
        shapes = ", ".join(f"[{', '.join(map(str, np.shape(a)))}]" for a in args)
        raise ElaborationError(f"the arguments of `where` do not broadcast together: shapes "
                               f"{shapes}", e.span) from None


BUILTINS = {
    "bit": bit,
    "abs": _abs,
    "min": _reduce_or_elementwise(np.min, np.minimum),
    "max": _reduce_or_elementwise(np.max, np.maximum),
    "len": _len,
    "size": _size,
    "sum": _sum,
    "int": _int,
    "float": _float,
    "floor": _rounding(np.floor, math.floor),
    "ceil": _rounding(np.ceil, math.ceil),
    "round": _rounding(np.rint, round),
    "clip": _clip,
    "all": _all_any(np.all),
    "any": _all_any(np.any),
    "cat": _cat,
    "log2": _log2,
    "zeros": _zeros_ones(0),
    "ones": _zeros_ones(1),
    "full": _full,
    "arange": _arange,
    "repeat": _repeat,
    "reshape": _reshape,
    "transpose": _transpose,
    "where": _where,
}
