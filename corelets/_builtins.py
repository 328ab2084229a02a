"""The language's builtin functions. Each works on single values and, elementwise, on arrays and
comprehension grids; each gets the evaluated arguments and the ``Call`` node (for positions)."""

from __future__ import annotations

import math

import numpy as np

from corelet.language._values import (ElaborationError, Port, as_python, concat_ports, is_array,
                                      is_bool, is_int, is_number, kind_name)


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
    return as_python(np.sum(_numeric(value, e, 0)))


def _int(args, e):
    """``int(x)``: rounds toward zero, like Python."""
    _arity(args, e, 1)
    value = _numeric(args[0], e, 0)
    if is_array(value):
        return np.trunc(value).astype(np.int64)
    return int(value)


def _float(args, e):
    _arity(args, e, 1)
    value = _numeric(args[0], e, 0)
    return value.astype(np.float64) if is_array(value) else float(value)


def _rounding(np_func, py_func):
    def builtin(args, e):
        _arity(args, e, 1)
        value = _numeric(args[0], e, 0)
        if is_array(value):
            return np_func(value).astype(np.int64)
        return int(py_func(value))
    return builtin


def _clip(args, e):
    _arity(args, e, 3)
    x, low, high = (_numeric(a, e, i) for i, a in enumerate(args))
    return _scalarise(np.clip(x, low, high))


def _all_any(np_func):
    def builtin(args, e):
        _arity(args, e, 1)
        value = args[0]
        if not (is_bool(value) or (is_array(value) and value.dtype.kind == "b")):
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
}
