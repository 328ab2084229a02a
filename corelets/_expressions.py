"""Expression evaluation: numbers, arrays, ports, builtins, with the language's int/float rules.

Semantics (stated in docs/language.md): ``int`` is a whole number (unbounded for single values,
int64 inside arrays), ``float`` is IEEE double; ``+ - * %  //`` of two ints give an int (``//`` and
``%`` round toward minus infinity, as in Python), ``/`` always gives a float, an int mixed with a
float gives a float, ``**`` of ints with a non-negative exponent gives an int. Comparisons give
bools; ``and``/``or``/``not`` take bools. A bool is not a number.

Inside a connection comprehension the loop variables are integer index grids that broadcast against
each other (``i`` has shape ``(n, 1, 1)``, ``j`` ``(1, m, 1)`` ...), so every expression is evaluated
once for the whole grid. ``domain`` is the part of the grid that matters (the comprehension's filter
so far): indices out of range outside it are not errors, so ``if y + dy < H`` guards ``x[y + dy]``.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from corelet.language import ast
from corelet.language._builtins import BUILTINS
from corelet.language._values import (FAMILY_KINDS, POISON, ElaborationError, Family, Instance,
                                      InstanceSlice, Poisoned, Port, as_python,
                                      check_array_size, check_int_power, check_int_size,
                                      exact_int64, concat_ports, is_array, is_bool, is_bools,
                                      is_int, is_number, kind_name)
from corelet.language.diagnostics import did_you_mean


class Evaluator:
    """Evaluates expressions against ``lookup`` (a name -> value function of the scope)."""

    def __init__(self, lookup: Callable[[ast.Name], Any]):
        self.lookup = lookup
        self.domain: np.ndarray | None = None
        self.grid: dict[str, np.ndarray] = {}  # variables of the array comprehensions being built

    # -- entry points -------------------------------------------------------------------------
    _methods: dict = {}  # node type -> _eval_ function, one table per class

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._methods = {}

    def eval(self, expr) -> Any:
        try:
            method = self._methods[type(expr)]
        except KeyError:
            method = getattr(type(self), "_eval_" + type(expr).__name__)
            self._methods[type(expr)] = method
        return method(self, expr)

    def eval_int(self, expr, what: str) -> int:
        value = as_python(self.eval(expr))
        if not is_int(value):
            hint = "use int(...) to round a float" if isinstance(value, float) else ""
            raise ElaborationError(f"{what} must be an integer, got {_show(value)}",
                                   expr.span, hint)
        return int(value)

    def eval_bool(self, expr, what: str) -> bool:
        value = as_python(self.eval(expr))
        if not is_bool(value):
            raise ElaborationError(f"{what} must be a bool, got {_show(value)}", expr.span)
        return bool(value)

    # -- atoms --------------------------------------------------------------------------------
    def _eval_IntLiteral(self, e):
        return e.value

    def _eval_FloatLiteral(self, e):
        return e.value

    def _eval_StringLiteral(self, e):
        return e.value

    def _eval_BoolLiteral(self, e):
        return e.value

    def _eval_Const(self, e):
        return e.value

    def _eval_Name(self, e):
        if e.id in self.grid:
            return self.grid[e.id]
        return self.lookup(e)

    def _eval_ArrayLiteral(self, e):
        items = [self.eval(item) for item in e.items]
        if items and all(isinstance(i, Port) for i in items):
            return concat_ports(items)
        for item, node in zip(items, e.items):
            if not (is_number(item) or is_bool(item) or is_array(item)):
                raise ElaborationError(f"an array holds numbers, got {kind_name(item)}", node.span)
        deepest = max((item.ndim for item in items if is_array(item)), default=0)
        check_array_size(sum(np.size(i) for i in items), e.span, "this array", deepest + 1)
        try:
            array = np.array(items)
        except OverflowError:  # a Python int beside others that int64 cannot hold
            raise ElaborationError("an integer of this array does not fit int64", e.span) from None
        except ValueError:
            raise ElaborationError("the rows of this array have different lengths", e.span) from None
        if array.dtype == object:
            raise ElaborationError("this array mixes values that do not fit one array", e.span)
        return array if items else np.zeros(0, dtype=np.int64)

    def _eval_TemplateLiteral(self, e):
        raise ElaborationError("a neuron template is not allowed here", e.span)

    def _eval_ArrayComprehension(self, e):
        """``[element for v in a..b, ...]``: the element evaluated once over the whole index grid
        (each variable an integer array along its own axis), broadcast to the grid's shape."""
        ranges = []
        for loop in e.loops:
            if loop.var in self.grid or any(loop.var == r[0] for r in ranges):
                raise ElaborationError(f"loop variable `{loop.var}` is used twice", loop.span)
            ranges.append((loop.var, self.eval_int(loop.start, "a range start"),
                           self.eval_int(loop.stop, "a range end")))
        shape = tuple(max(0, stop - start) for _, start, stop in ranges)
        size = 1
        for n in shape:
            size *= n
        check_array_size(size, e.span, "an array comprehension")
        saved_grid, saved_domain = self.grid, self.domain
        self.grid, self.domain = dict(saved_grid), None
        try:
            for axis, (var, start, _stop) in enumerate(ranges):
                grid_shape = [1] * len(ranges)
                grid_shape[axis] = shape[axis]
                self.grid[var] = np.arange(start, start + shape[axis],
                                           dtype=np.int64).reshape(grid_shape)
            value = self.eval(e.element)
        finally:
            self.grid, self.domain = saved_grid, saved_domain
        if not (is_number(value) or is_bool(value) or
                (is_array(value) and value.dtype.kind in "iufb")):
            raise ElaborationError(f"an array comprehension builds numbers or bools, got "
                                   f"{kind_name(value)}", e.element.span)
        array = np.asarray(value)
        try:
            fits = np.broadcast_shapes(array.shape, shape) == shape
        except ValueError:
            fits = False
        if not fits:
            raise ElaborationError(
                f"the element of an array comprehension must be one value per grid point: the "
                f"grid has shape [{', '.join(map(str, shape))}], the element has shape "
                f"[{', '.join(map(str, array.shape))}]", e.element.span)
        return np.broadcast_to(array, shape).copy()

    def _eval_Conditional(self, e):
        """``a if c else b``: only the chosen side when c is one bool; elementwise for an array
        of bools (each side evaluated where it is chosen, so a condition can guard an index)."""
        cond = self.eval(e.condition)
        _require_bool(cond, e.condition, "`if ... else`")
        if not is_array(cond):
            return self.eval(e.then if cond else e.orelse)
        saved = self.domain
        sides = []
        for mask, node in ((cond, e.then), (np.logical_not(cond), e.orelse)):
            self.domain = mask if saved is None else np.logical_and(saved, mask)
            try:
                value = self.eval(node)
            finally:
                self.domain = saved
            if not (is_number(value) or is_bool(value) or
                    (is_array(value) and value.dtype.kind in "iufb")):
                raise ElaborationError(f"an elementwise `if ... else` chooses between numbers or "
                                       f"bools, got {kind_name(value)}", node.span)
            sides.append(value)
        try:
            return np.where(cond, sides[0], sides[1])
        except ValueError:
            shapes = ", ".join(f"[{', '.join(map(str, np.shape(v)))}]"
                               for v in (cond, *sides))
            raise ElaborationError(f"the condition and the sides of `if ... else` do not "
                                   f"broadcast together: shapes {shapes}", e.span) from None

    # -- operators ----------------------------------------------------------------------------
    def _eval_UnaryOp(self, e):
        value = self.eval(e.operand)
        if e.op == "not":
            _require_bool(value, e.operand, "`not`")
            return np.logical_not(value) if is_array(value) else not value
        _require_number(value, e.operand, f"unary `{e.op}`")
        if e.op == "-" and is_array(value) and value.dtype.kind in "iu":
            return exact_int64("-", 0, value, e)
        return -value if e.op == "-" else value

    def _eval_BinaryOp(self, e):
        if e.op in ("and", "or"):
            return self._logical(e)
        left, right = self.eval(e.left), self.eval(e.right)
        if e.op in ("==", "!=") and isinstance(left, str) and isinstance(right, str):
            return (left == right) == (e.op == "==")
        if e.op == "+" and isinstance(left, str) and isinstance(right, str):
            return left + right
        _require_number(left, e.left, f"`{e.op}`")
        _require_number(right, e.right, f"`{e.op}`")
        return _arith(e.op, left, right, e)

    def _logical(self, e):
        left = self.eval(e.left)
        _require_bool(left, e.left, f"`{e.op}`")
        if not is_array(left) and self.domain is None:
            if (e.op == "and") != bool(left):  # short-circuit, as in Python
                return bool(left)
            right = self.eval(e.right)
            _require_bool(right, e.right, f"`{e.op}`")
            return right
        # On a grid the right side only matters where the left side did not decide.
        saved = self.domain
        undecided = left if e.op == "and" else np.logical_not(left)
        self.domain = undecided if saved is None else np.logical_and(saved, undecided)
        try:
            right = self.eval(e.right)
        finally:
            self.domain = saved
        _require_bool(right, e.right, f"`{e.op}`")
        return np.logical_and(left, right) if e.op == "and" else np.logical_or(left, right)

    # -- indexing and attributes ----------------------------------------------------------------
    def _eval_Index(self, e):
        value = self.eval(e.value)
        if isinstance(value, Family):
            return self._family_index(value, e)
        if isinstance(value, Port):
            nodes = self._subscript(value.nodes, e, value.label, within=True)
            return Port(np.asarray(nodes), value.roles, _label(e, value.label))
        if is_array(value):
            return self._subscript(value, e, "array")
        if isinstance(value, str):
            return self._subscript(np.array(list(value)), e, "string")
        raise ElaborationError(f"cannot index a {kind_name(value)}", e.value.span)

    def _subscript(self, array: np.ndarray, e, what: str, within: bool = False):
        """``array[subscripts]``; ``within``: a slice must stay inside the array (connectors and
        populations: a slice that runs past the end is a wiring mistake, not a shorter slice)."""
        if len(e.subscripts) > array.ndim:
            raise ElaborationError(f"too many indices: {_name_of(e.value, what)} has "
                                   f"{array.ndim} dimension(s), got {len(e.subscripts)} indices",
                                   e.span)
        keys = []
        for axis, sub in enumerate(e.subscripts):
            if isinstance(sub, ast.Slice):
                keys.append(self._slice(sub, array.shape[axis] if within else None, e, axis))
            else:
                keys.append(self._index(sub, array.shape[axis], axis, e, what))
        grids = [k.shape for k in keys if isinstance(k, np.ndarray)]
        if (len(keys) == array.ndim > 1 and grids and array.size and array.flags.c_contiguous
                and not any(isinstance(k, slice) for k in keys)
                and np.prod(np.broadcast_shapes(*grids), dtype=np.float64) >= 1 << 16):
            # Every axis indexed by an int or an index grid (in range, checked above): one flat
            # index built by broadcasting (one grid-sized sum), then one gather, into the index's
            # own buffer when the dtypes agree. The same values as ``array[keys]``, faster and
            # with one grid-sized temporary instead of several.
            terms, stride = [], 1
            for axis in reversed(range(array.ndim)):
                size, k = array.shape[axis], keys[axis]
                k = k.astype(np.intp, copy=False) if isinstance(k, np.ndarray) else int(k) % size
                terms.append(k * stride if stride != 1 else k)
                stride *= size
            terms.sort(key=np.size)
            flat = terms[0]
            for term in terms[1:]:  # smallest first: only the last sum is grid-sized
                flat = flat + term
            flat = np.asarray(flat, dtype=np.intp)
            out = flat if array.dtype == flat.dtype and flat.flags.owndata else None
            return np.take(array.reshape(-1), flat, mode="clip", out=out)
        result = array[tuple(keys)]
        return result if isinstance(result, np.ndarray) else as_python(result)

    def _slice(self, s: ast.Slice, size: int | None = None, e=None, axis: int = 0) -> slice:
        """The slice ``s``; with ``size``, each bound must lie in -size..size."""
        parts = [None if p is None else self.eval_int(p, "a slice bound")
                 for p in (s.start, s.stop, s.step)]
        if parts[2] == 0:
            raise ElaborationError("slice step cannot be 0", s.step.span)
        if size is not None:
            for bound, node in zip(parts[:2], (s.start, s.stop)):
                if bound is not None and not -size <= bound <= size:
                    dim = f" in dimension {axis}" if axis else ""
                    raise ElaborationError(
                        f"slice bound {bound} is outside {_name_of(e.value, 'this connector')}"
                        f"{dim}, which has {size} element(s)", node.span,
                        f"a slice of a connector or population stays within 0..{size} "
                        "(negative bounds count from the end)")
        return slice(*parts)

    def _index(self, sub, size: int, axis: int, e, what: str):
        index = self.eval(sub)
        if is_array(index) and index.dtype.kind in "iu":
            bad = (index < 0) | (index >= size)
            if bad.any() and self.domain is not None:  # only the filtered grid points count
                bad = np.logical_and(bad, self.domain)
            if bad.any():
                value = int(np.broadcast_to(index, bad.shape)[bad].flat[0])
                raise _out_of_range(value, size, axis, e, sub, what)
            return np.clip(index, 0, size - 1) if bad.size and (index.min() < 0 or
                                                                index.max() >= size) else index
        index = as_python(index)
        if not is_int(index):
            raise ElaborationError(f"an index must be an integer, got {_show(index)}", sub.span)
        if not -size <= index < size:
            raise _out_of_range(index, size, axis, e, sub, what)
        return index

    def _family_index(self, family: Family, e):
        """``conv[2]`` (one entry), ``conv[0:4]`` (entries joined), ``f[2, 5]`` (= ``f[2][5]``)."""
        subs = e.subscripts
        what = FAMILY_KINDS[family.kind]
        if len(subs) < family.ndim:
            raise ElaborationError(f"`{family.name}` is an array of {what} with {family.ndim} "
                                   f"indices, got {len(subs)}", e.span)
        extent = family.extent or [0] * family.ndim
        axes: list = []
        for axis in range(family.ndim):
            sub, size = subs[axis], extent[axis]
            if isinstance(sub, ast.Slice):
                axes.append(range(size)[self._slice(sub)])
                continue
            index = self.eval(sub)
            if is_array(index):
                raise ElaborationError(
                    f"an entry of `{family.name}` is picked by one integer, not by a "
                    f"comprehension variable", sub.span,
                    f"join the entries with a slice, e.g. `{family.name}[0:{size}]`")
            index = as_python(index)
            if not is_int(index):
                raise ElaborationError(f"an index must be an integer, got {_show(index)}",
                                       sub.span)
            if not -size <= index < size:
                err = _out_of_range(index, size, axis, e, sub, what)
                raise ElaborationError(err.diagnostic.message, sub.span,
                                       "only the entries declared so far exist: an entry can be "
                                       "used after the declaration that makes it (in a later "
                                       "iteration, or after the loop)") from None
            axes.append(index + size if index < 0 else index)
        if not any(isinstance(a, range) for a in axes):
            key = tuple(axes)
            value = self._family_entry(family, key, e)
            rest = subs[family.ndim:]
            if not rest:
                return value
            inner = ast.Index(e.value, rest, e.span)
            if isinstance(value, Port):
                return Port(np.asarray(self._subscript(value.nodes, inner, value.label)),
                            value.roles, unparse(e))
            if is_array(value):
                return self._subscript(value, inner, "array")
            raise ElaborationError(f"cannot index a {kind_name(value)}", e.span)
        if len(subs) > family.ndim:
            joined = unparse(ast.Index(e.value, subs[:family.ndim], e.span))
            raise ElaborationError(f"index the joined entries of `{family.name}` in a second "
                                   f"bracket: `{joined}[...]`", subs[family.ndim].span)
        keys = [()]
        for a in axes:
            keys = [k + (i,) for k in keys for i in (a if isinstance(a, range) else (a,))]
        if not keys:
            raise ElaborationError(f"`{unparse(e)}` selects no entry of `{family.name}`", e.span)
        values = [self._family_entry(family, key, e) for key in keys]
        label = unparse(e)
        if family.kind == "instance":
            return InstanceSlice(tuple(values), label)
        if family.kind in ("neurons", "group") or all(isinstance(v, Port) for v in values):
            joined = concat_ports(values)
            return Port(joined.nodes, joined.roles, label)
        try:
            array = np.array([np.asarray(v) for v in values])
        except ValueError:
            array = None
        if array is None or array.dtype.kind not in "iufb":
            raise ElaborationError(f"the entries of `{family.name}` do not stack into one array",
                                   e.span)
        return array

    @staticmethod
    def _family_entry(family: Family, key: tuple, e):
        entry = family.entries.get(key)
        if entry is None:
            raise ElaborationError(f"`{family.entry_name(key)}` is not declared", e.span,
                                   f"`{family.name}` is declared for "
                                   f"{len(family.entries)} indices")
        if entry[0] is POISON:
            raise Poisoned()
        return entry[0]

    def _eval_Attribute(self, e):
        value = self.eval(e.value)
        if isinstance(value, InstanceSlice):
            ports = []
            for instance in value.instances:
                if e.name not in instance.ports:
                    raise ElaborationError(f"`{instance.corelet}` has no connector `{e.name}`",
                                           e.span, did_you_mean(e.name, instance.ports))
                ports.append(instance.ports[e.name])
            joined = concat_ports(ports)
            return Port(joined.nodes, joined.roles, f"{value.label}.{e.name}")
        if isinstance(value, Family):
            raise ElaborationError(f"`{value.name}` is an array of {FAMILY_KINDS[value.kind]}: "
                                   f"pick an entry or a slice first", e.span,
                                   f"e.g. `{value.name}[0].{e.name}` or "
                                   f"`{value.name}[:].{e.name}`")
        if isinstance(value, Instance):
            if e.name not in value.ports:
                raise ElaborationError(
                    f"`{value.corelet}` has no connector `{e.name}`", e.span,
                    did_you_mean(e.name, value.ports) or
                    f"its connectors are {', '.join(f'`{p}`' for p in value.ports) or 'none'}")
            return value.ports[e.name]
        raise ElaborationError(f"a {kind_name(value)} has no attribute `{e.name}`", e.span)

    # -- calls ----------------------------------------------------------------------------------
    def _eval_Call(self, e):

        if e.func not in BUILTINS:
            raise ElaborationError(f"unknown function `{e.func}`", e.func_span,
                                   did_you_mean(e.func, BUILTINS))
        for arg in e.args:
            if arg.name is not None:
                raise ElaborationError(f"`{e.func}` takes no named arguments", arg.span)
        args = [self.eval(a.value) for a in e.args]
        return BUILTINS[e.func](args, e)


def _arith(op: str, left, right, e):
    vector = is_array(left) or is_array(right)
    if op in ("/", "//", "%") and _has_zero(right):
        raise ElaborationError("division by zero", e.right.span)
    try:
        if vector and op in ("+", "-", "*", "//", "%", "**") and _int_kind(left) and \
                _int_kind(right) and \
                not (op == "**" and np.any(np.asarray(right) < 0)):
            return exact_int64(op, left, right, e)
        if op == "/":
            return np.true_divide(left, right) if vector else left / right
        if op == "**":
            if not vector and is_int(left) and is_int(right):
                if right < 0:
                    return float(left) ** right
                check_int_power(left, right, e)
            if vector and _int_kind(right) and np.any(np.asarray(right) < 0):
                return np.power(np.asarray(left, dtype=float), right)
            return np.power(left, right) if vector else left ** right
        func = _OPS[op]
        result = func(left, right)
    except OverflowError:  # a float too large for a double, or an int too large for a float
        raise ElaborationError(f"`{e.op}`: the result is too large for a float", e.span) from None
    if vector:
        return result
    result = as_python(result)
    if is_int(result):
        check_int_size(result, e)
    return result


def _int_kind(value) -> bool:
    return is_int(value) or (is_array(value) and value.dtype.kind in "iu")


def _has_zero(value) -> bool:
    if not is_array(value):  # one value: no numpy round trip (loops evaluate this per iteration)
        return value == 0
    return bool(np.any(value == 0))


_OPS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "//": lambda a, b: a // b, "%": lambda a, b: a % b,
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _require_number(value, node, what: str) -> None:
    if is_number(value) or (is_array(value) and value.dtype.kind in "iuf"):
        return
    hint = ""
    if kind_name(value).startswith("connector") or kind_name(value).startswith("neurons"):
        hint = ("neurons and connectors are no values to compare or compute with; connect them "
                "with `x -> h`, or compare their sizes: `size(x) == size(h)`")
    raise ElaborationError(f"{what} needs numbers, got {kind_name(value)}", node.span, hint)


def _require_bool(value, node, what: str) -> None:
    if is_bools(value):
        return
    raise ElaborationError(f"{what} needs a bool, got {kind_name(value)}", node.span)


def _show(value) -> str:
    value = as_python(value)
    if isinstance(value, (int, float, bool, str)):
        return f"{kind_name(value)} {value!r}" if not isinstance(value, str) else f"str {value!r}"
    return kind_name(value)


def _name_of(expr, fallback: str) -> str:
    return f"`{expr.id}`" if isinstance(expr, ast.Name) else fallback


def _label(e: ast.Index, base: str) -> str:
    return unparse(e)


_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
               "+": 5, "-": 5, "*": 6, "/": 6, "//": 6, "%": 6, "**": 8}
_UNARY_PRECEDENCE = 7  # -x, +x (``not`` has its own, lower)


def _precedence(expr) -> int:
    """How tightly an expression binds, as the grammar parses it (atoms bind tightest)."""
    if isinstance(expr, ast.BinaryOp):
        return _PRECEDENCE.get(expr.op, 0)
    if isinstance(expr, ast.UnaryOp):
        return _PRECEDENCE["not"] if expr.op == "not" else _UNARY_PRECEDENCE
    if isinstance(expr, ast.Conditional):
        return 0
    return 9


def _operand(expr, parent: int, strict: bool) -> str:
    """``expr`` as an operand of an operator of precedence ``parent``, in parentheses when it
    binds more loosely (or as loosely, on the side where the grammar would regroup it)."""
    text = unparse(expr)
    mine = _precedence(expr)
    return f"({text})" if mine < parent or (strict and mine == parent) else text


def unparse(expr) -> str:
    """Source-like text of an expression, for messages."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, (ast.IntLiteral, ast.FloatLiteral, ast.BoolLiteral)):
        return str(expr.value).lower() if isinstance(expr.value, bool) else str(expr.value)
    if isinstance(expr, ast.StringLiteral):
        return repr(expr.value)
    if isinstance(expr, ast.Attribute):
        return f"{unparse(expr.value)}.{expr.name}"
    if isinstance(expr, ast.Index):
        return f"{unparse(expr.value)}[{', '.join(unparse(s) for s in expr.subscripts)}]"
    if isinstance(expr, ast.Slice):
        text = ":".join("" if p is None else unparse(p) for p in (expr.start, expr.stop))
        return text + (f":{unparse(expr.step)}" if expr.step is not None else "")
    if isinstance(expr, ast.BinaryOp):
        own = _precedence(expr)
        right_assoc = expr.op == "**"
        left = _operand(expr.left, own, strict=right_assoc)
        right = _operand(expr.right, own, strict=not right_assoc)
        return f"{left} {expr.op} {right}"
    if isinstance(expr, ast.UnaryOp):
        operand = _operand(expr.operand, _precedence(expr), strict=False)
        return f"not {operand}" if expr.op == "not" else expr.op + operand
    if isinstance(expr, ast.Call):
        return f"{expr.func}({', '.join(unparse(a.value) for a in expr.args)})"
    if isinstance(expr, ast.ArrayLiteral):
        return "[" + ", ".join(unparse(i) for i in expr.items) + "]"
    if isinstance(expr, ast.Conditional):
        return f"{unparse(expr.then)} if {unparse(expr.condition)} else {unparse(expr.orelse)}"
    if isinstance(expr, ast.ArrayComprehension):
        loops = ", ".join(f"{l.var} in {unparse(l.start)}..{unparse(l.stop)}" for l in expr.loops)
        return f"[{unparse(expr.element)} for {loops}]"
    return "..."


def _out_of_range(value: int, size: int, axis: int, e, sub, what: str) -> ElaborationError:
    name = _name_of(e.value, what)
    dim = f" in dimension {axis}" if axis else ""
    return ElaborationError(f"index {value} is out of range for {name}{dim}: valid 0..{size - 1}",
                            sub.span)
