"""Checking a parameter value against its declared type, and binding named array dimensions.

``W: int[n, m]`` accepts a two-dimensional integer array and binds ``n`` and ``m`` (as constants of
the corelet) to its shape; a dimension that is not a new name is evaluated and must match. An
``int`` array also accepts floats that are whole numbers (JSON often has them); a ``float`` accepts
ints. A parameter without a type takes the kind of its default. A ``neuron`` parameter of the top
corelet given a string (``-p cell=and2``) takes the template of that name visible from the top
corelet's file.

Parameters may use each other in any order: ``param_order`` binds them in dependency order and
reports a cycle (``parameters n -> m -> n depend on each other``).
"""

from __future__ import annotations

from typing import Any

import attrs
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
    if given and type_.base == "neuron" and type_.dims is None and isinstance(value, str):
        value = scope.elab.template_named(value, scope, span, where)  # -p cell=and2
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


# -- the order parameters are bound in ----------------------------------------------------------
def param_order(params, given, constants) -> tuple[list, list]:
    """The parameters in an order that binds every name before it is used, and the cycles.

    A parameter depends on the parameters its type's dimensions and its default use (the default
    only where it is evaluated: the value is not given, or the type is inferred from it), and on
    the parameter that binds a dimension name it uses (the first one declared with that bare name
    as a dimension). The order is declaration order wherever dependencies allow. Returns
    ``(order, cycles)``: each cycle an ``ElaborationError`` (``parameters n -> m -> n depend on
    each other``, at the parameter the cycle is first reached from) with the names in it; those
    parameters are left out of ``order``."""
    params = tuple(params)
    by_name: dict = {}
    repeated: dict = {}  # a name declared twice: the later ones follow the first (the error)
    for p in params:
        if p.name in by_name:
            repeated.setdefault(p.name, []).append(p)
        by_name.setdefault(p.name, p)
    index = {name: i for i, name in enumerate(by_name)}
    binders: dict[str, str] = {}
    for p in params:
        for dim in _dims(p):
            if isinstance(dim, ast.Name) and dim.id not in by_name and dim.id not in constants:
                binders.setdefault(dim.id, p.name)

    def depends_on(p) -> list[str]:
        used: set[str] = set()
        for dim in _dims(p):
            if isinstance(dim, ast.Name) and binders.get(dim.id) == p.name:
                continue  # the dimension this parameter binds
            used |= free_names(dim)
        if p.default is not None and (p.name not in given or p.type is None):
            used |= free_names(p.default)
        deps = {n for n in used if n in by_name}
        deps |= {binders[n] for n in used if n in binders and binders[n] != p.name}
        return sorted(deps, key=index.__getitem__)

    order: list = []
    cycles: list = []
    done: set[str] = set()
    stack: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        if name in stack:
            cycle = stack[stack.index(name):] + [name]
            first = by_name[cycle[0]]
            message = (f"parameter {name} depends on itself" if len(cycle) == 2 else
                       f"parameters {' -> '.join(cycle)} depend on each other")
            cycles.append((ElaborationError(message, first.span), cycle[:-1]))
            done.update(cycle)
            for member in cycle[:-1]:
                order.extend(repeated.get(member, ()))
            return
        stack.append(name)
        for dep in depends_on(by_name[name]):
            visit(dep)
        stack.pop()
        if name not in done:
            done.add(name)
            order.append(by_name[name])
            order.extend(repeated.get(name, ()))

    for p in params:
        visit(p.name)
    return order, cycles


def _dims(p: ast.ParamDecl) -> tuple:
    if p.type is None or p.type.dims is None:
        return ()
    return tuple(d for d in p.type.dims if d is not None)


def free_names(node) -> set[str]:
    """The names an expression refers to, less the variables of the loops inside it."""
    names: set[str] = set()
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, ast.Name):
            names.add(item.id)
        elif isinstance(item, (tuple, list)):
            pending.extend(item)
        elif attrs.has(type(item)) and not isinstance(item, ast.Const):
            parts = [getattr(item, f.name) for f in attrs.fields(type(item))
                     if f.name not in ("span", "name_span", "func_span")]
            loops = getattr(item, "loops", None)
            if isinstance(loops, tuple) and loops and all(hasattr(l, "var") for l in loops):
                bound = {l.var for l in loops}  # `[W[i] for i in 0..n]` uses W and n, not i
                names |= free_names(tuple(p for p in parts if p is not loops)) - bound
                names |= free_names(tuple((l.start, l.stop) for l in loops)) - bound
            else:
                pending.extend(parts)
    return names
