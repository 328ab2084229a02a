"""Checking a parameter value against its declared type, and binding named array dimensions.

``W: int[n, m]`` accepts a two-dimensional integer array and binds ``n`` and ``m`` (as constants of
the corelet) to its shape; a dimension that is not a new name is evaluated and must match. An
``int`` array also accepts floats that are whole numbers (JSON often has them); a ``float`` accepts
ints. A parameter without a type takes the kind of its default.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from corelet.language import ast
from corelet.language._values import (ElaborationError, Template, as_python, is_bool, is_int,
                                      is_number, kind_name)


def check_param(p: ast.ParamDecl, value: Any, span, scope, corelet: str, given: bool = False
                ) -> Any:
    """The value converted to the parameter's type; dims bound in ``scope``."""
    where = f"parameter `{p.name}` of `{corelet}`"
    value = _from_python(value)
    type_ = p.type or _inferred_type(p, scope)
    if type_ is None:
        return value
    if type_.dims is None:
        return _scalar(type_.base, value, where, span, given)
    return _array(type_, value, where, span, scope, given)


def _from_python(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        try:
            array = np.array(value)
        except ValueError:
            return value
        return array if array.dtype != object else value
    return as_python(value) if isinstance(value, (np.generic,)) or (
        isinstance(value, np.ndarray) and value.ndim == 0) else value


def _inferred_type(p: ast.ParamDecl, scope) -> ast.TypeExpr | None:
    if p.default is None:
        return None
    default = scope.evaluator.eval(p.default)
    base = _scalar_kind(default)
    return ast.TypeExpr(base, None, p.span) if base else None


def _scalar_kind(value: Any) -> str | None:
    if is_bool(value):
        return "bool"
    if is_int(value):
        return "int"
    if is_number(value):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, Template):
        return "neuron"
    return None


def _fail(where: str, expected: str, value: Any, span, given: bool) -> ElaborationError:
    origin = " (the value given for the top corelet)" if given else ""
    shown = kind_name(value)
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        shown += f" {value!r}"
    return ElaborationError(f"{where} expects {expected}, got {shown}{origin}", span)


def _scalar(base: str, value: Any, where: str, span, given: bool) -> Any:
    ok = {"int": is_int(value), "float": is_number(value), "bool": is_bool(value),
          "str": isinstance(value, str), "neuron": isinstance(value, Template)}[base]
    if not ok:
        raise _fail(where, "a neuron template" if base == "neuron" else base, value, span, given)
    if base == "float":
        return float(value)
    return int(value) if base == "int" else value


def _array(type_: ast.TypeExpr, value: Any, where: str, span, scope, given: bool) -> np.ndarray:
    expected = f"{type_.base}[{', '.join(_dim_text(d) for d in type_.dims)}]"
    if is_number(value) or is_bool(value):
        raise _fail(where, expected, value, span, given)
    if not isinstance(value, np.ndarray) or type_.base not in ("int", "float", "bool"):
        raise _fail(where, expected, value, span, given)
    array = _converted(type_.base, value)
    if array is None:
        raise _fail(where, expected, value, span, given)
    if array.ndim != len(type_.dims):
        raise _fail(where, expected, value, span, given)
    for axis, (dim, size) in enumerate(zip(type_.dims, array.shape)):
        _bind_dim(dim, size, axis, where, array, span, scope)
    return array


def _converted(base: str, value: np.ndarray) -> np.ndarray | None:
    kind = value.dtype.kind
    if base == "bool":
        return value if kind == "b" else None
    if base == "float":
        return value.astype(np.float64) if kind in "iuf" else None
    if kind in "iu":
        return value.astype(np.int64)
    if kind == "f" and np.all(np.isfinite(value)) and np.all(value == np.round(value)):
        return value.astype(np.int64)
    return None


def _dim_text(dim) -> str:
    if dim is None:
        return ""
    from corelet.language._expressions import unparse

    return unparse(dim)


def _bind_dim(dim, size: int, axis: int, where: str, array, span, scope) -> None:
    if dim is None:
        return
    if isinstance(dim, ast.Name) and dim.id not in scope.names and \
            dim.id not in scope.elab.constants:
        scope.bind(dim.id, size, dim.span)
        return
    want = scope.evaluator.eval_int(dim, "an array dimension")
    if want != size:
        shape = ", ".join(str(s) for s in array.shape)
        raise ElaborationError(
            f"{where} has shape [{shape}], but dimension {axis} (`{_dim_text(dim)}`) must be "
            f"{want}", span)
