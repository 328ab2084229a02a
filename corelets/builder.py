"""The Python builder: corelets from Python calls, elaborated by the same elaborator as the DSL.

Each call builds the AST node the parser would have built (with the Python caller's file and line
as its span), so the builder and the ``.corelet`` text cannot drift apart::

    from corelet.language import builder as cb

    relu = cb.template("relu", weights=[1, 2, 4, -8], threshold=16, reset="linear", floor=0)

    dense = cb.Corelet("Dense", W="int[n, m]", cell=relu)
    x, y = dense.input("x", "n"), dense.output("y", "m")
    h = dense.neurons("h", "m", dense.param("cell"))
    i, j, k = cb.var("i"), cb.var("j"), cb.var("k")
    dense.connect(x[i], h[j], type=k, loops={i: "n", j: "m", k: 4},
                  where=cb.bit(dense.param("W")[i, j], k))
    dense.connect(h, y)

    happy = cb.Corelet("TrueHappiness", W1="int[64, 64]", W2="int[64, 1]")
    word, score = happy.input("word", 64), happy.output("score", 1)
    hid = happy.instance("hid", dense, W=happy.param("W1"))
    out = happy.instance("out", dense, W=happy.param("W2"))
    happy.connect(word, hid.x); happy.connect(hid.y, out.x); happy.connect(out.y, score)
    net = happy.elaborate(W1=w1, W2=w2)

Expressions: ``cb.var(name)`` and ``corelet.param(name)`` (any name visible in the corelet: a
parameter, a bound dimension, a connector, a population, an instance) give ``Expr`` objects
that combine with Python operators (``+ - * / // % **``, comparisons, ``&`` for and, ``|`` for or,
``~`` for not), indexing and slicing (``x[0:32]``, ``W[i, j]``) and attribute access (``hid.x``);
plain Python numbers, lists and numpy arrays are constants. ``cb.call(name, *args)`` calls any
builtin (``cb.bit``, ``cb.cat``, ``cb.minimum``... are shortcuts). A string where a size or
bound is expected is a name (``"n"``); parameter types are written as in the language
(``"int[n, m]"``, ``"float"``, ``"neuron"``).
"""

from __future__ import annotations

import contextlib
import linecache
import re
import sys
from typing import Any, Mapping, Sequence

import numpy as np

from corelet.chip import TRUENORTH, ChipProfile
from corelet.language import ast
from corelet.language._loader import Definition, Program
from corelet.chip.network import Network
from corelet.chip.source import Span

_THIS_FILE = __file__


def _caller_span() -> Span:
    """The line of the first caller outside this module (what a builder error points at)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == _THIS_FILE:
        frame = frame.f_back
    if frame is None:
        return Span("<builder>", 1, 1, 1, 1)
    file, line = frame.f_code.co_filename, frame.f_lineno
    text = linecache.getline(file, line).rstrip()
    indent = len(text) - len(text.lstrip())
    return Span(file, line, indent + 1, line, max(len(text), indent + 1) + 1)


class Expr:
    """An expression of the language built with Python operators."""

    __slots__ = ("node",)
    __hash__ = object.__hash__  # usable as a `loops` key; `==` builds an expression

    def __init__(self, node):
        object.__setattr__(self, "node", node)

    def _bin(self, op, other, reflected=False):
        left, right = (expr(other), self) if reflected else (self, expr(other))
        return Expr(ast.BinaryOp(op, left.node, right.node, _caller_span()))

    def __add__(self, o): return self._bin("+", o)
    def __radd__(self, o): return self._bin("+", o, True)
    def __sub__(self, o): return self._bin("-", o)
    def __rsub__(self, o): return self._bin("-", o, True)
    def __mul__(self, o): return self._bin("*", o)
    def __rmul__(self, o): return self._bin("*", o, True)
    def __truediv__(self, o): return self._bin("/", o)
    def __rtruediv__(self, o): return self._bin("/", o, True)
    def __floordiv__(self, o): return self._bin("//", o)
    def __rfloordiv__(self, o): return self._bin("//", o, True)
    def __mod__(self, o): return self._bin("%", o)
    def __rmod__(self, o): return self._bin("%", o, True)
    def __pow__(self, o): return self._bin("**", o)
    def __rpow__(self, o): return self._bin("**", o, True)
    def __lt__(self, o): return self._bin("<", o)
    def __le__(self, o): return self._bin("<=", o)
    def __gt__(self, o): return self._bin(">", o)
    def __ge__(self, o): return self._bin(">=", o)
    def __eq__(self, o): return self._bin("==", o)  # type: ignore[override]
    def __ne__(self, o): return self._bin("!=", o)  # type: ignore[override]
    def __and__(self, o): return self._bin("and", o)
    def __rand__(self, o): return self._bin("and", o, True)
    def __or__(self, o): return self._bin("or", o)
    def __ror__(self, o): return self._bin("or", o, True)

    def __neg__(self):
        return Expr(ast.UnaryOp("-", self.node, _caller_span()))

    def __invert__(self):
        return Expr(ast.UnaryOp("not", self.node, _caller_span()))

    def __getitem__(self, key):
        keys = key if isinstance(key, tuple) else (key,)
        span = _caller_span()
        subs = tuple(_slice(k, span) if isinstance(k, slice) else expr(k).node for k in keys)
        return Expr(ast.Index(self.node, subs, span))

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return Expr(ast.Attribute(self.node, name, _caller_span()))

    def __bool__(self):
        raise TypeError("a builder expression has no truth value; use & | ~ for and, or, not")

    def __repr__(self) -> str:
        from corelet.language._expressions import unparse

        return f"Expr({unparse(self.node)})"


def _slice(key: slice, span: Span) -> ast.Slice:
    parts = [None if p is None else expr(p).node for p in (key.start, key.stop, key.step)]
    return ast.Slice(*parts, span)


def expr(value: Any) -> Expr:
    """Any value as an expression: an ``Expr`` stays, a ``Template`` is its name, else a constant."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, Template):
        return Expr(ast.Name(value.name, _caller_span()))
    if isinstance(value, (list, tuple)) and any(isinstance(v, Expr) for v in value):
        return Expr(ast.ArrayLiteral(tuple(expr(v).node for v in value), _caller_span()))
    if isinstance(value, (list, tuple)):
        value = np.array(value)
    return Expr(ast.Const(value, _caller_span()))


def _size(value: Any) -> ast.Expr:
    """A size or bound: an int, an ``Expr``, or a string naming a parameter or dimension."""
    if isinstance(value, str):
        return ast.Name(value, _caller_span())
    return expr(value).node


def var(name: str) -> Expr:
    """A loop variable for ``Corelet.connect(..., loops={var: stop})``."""
    return Expr(ast.Name(name, _caller_span()))


def call(func: str, *args: Any) -> Expr:
    """A call of the builtin ``func``."""
    span = _caller_span()
    arguments = tuple(ast.Argument(None, expr(a).node, span) for a in args)
    return Expr(ast.Call(func, arguments, span, span))


def bit(x, k) -> Expr:
    return call("bit", x, k)


def cat(*ports) -> Expr:
    return call("cat", *ports)


def minimum(*args) -> Expr:
    return call("min", *args)


def maximum(*args) -> Expr:
    return call("max", *args)


def length(x) -> Expr:
    return call("len", x)


def where(c, a, b) -> Expr:
    return call("where", c, a, b)


def zeros(*shape) -> Expr:
    return call("zeros", *shape)


def ones(*shape) -> Expr:
    return call("ones", *shape)


def full(shape, value) -> Expr:
    return call("full", shape, value)


def arange(*bounds) -> Expr:
    return call("arange", *bounds)


def repeat(a, k, *axis) -> Expr:
    return call("repeat", a, k, *axis)


def reshape(a, shape) -> Expr:
    return call("reshape", a, shape)


def transpose(a, *axes) -> Expr:
    return call("transpose", a, *axes)


def if_else(condition, then, orelse) -> Expr:
    """``then if condition else orelse`` (elementwise when the condition is an array)."""
    return Expr(ast.Conditional(expr(condition).node, expr(then).node, expr(orelse).node,
                                _caller_span()))


def array(element, loops: Mapping | Sequence) -> Expr:
    """``[element for v in a..b, ...]``: ``loops`` as in ``Corelet.connect`` (``{var: stop}`` or
    ``{var: (start, stop)}``)."""
    span = _caller_span()
    items = loops.items() if isinstance(loops, Mapping) else loops
    return Expr(ast.ArrayComprehension(expr(element).node,
                                       tuple(Corelet._loop(v, b, span) for v, b in items), span))


def _decl_name(name: Any, span: Span) -> tuple[str, tuple]:
    """A declaration's name: ``"h"``, or an entry of an array: ``("h", g)``, ``("grid", i, j)``,
    or an ``Expr`` such as ``c.param("h")[g]``."""
    if isinstance(name, str):
        return name, ()
    if isinstance(name, tuple) and name and isinstance(name[0], str):
        return name[0], tuple(expr(i).node for i in name[1:])
    if isinstance(name, Expr):
        node = name.node
        if isinstance(node, ast.Name):
            return node.id, ()
        if isinstance(node, ast.Index) and isinstance(node.value, ast.Name):
            return node.value.id, node.subscripts
    raise TypeError(f"a declaration's name is a string, or (name, index, ...): got {name!r}")


def _named(name: str, index: tuple, span: Span) -> Expr:
    node = ast.Name(name, span)
    return Expr(ast.Index(node, index, span) if index else node)


class Template:
    """A named neuron template (``neuron name [= base] { fields }``)."""

    def __init__(self, name: str, base: "Template | None", fields: Mapping[str, Any]):
        span = _caller_span()
        self.name, self.base = name, base
        base_name = ast.Name(base.name, span) if base is not None else None
        self.decl = ast.TemplateDecl(name, base_name, _fields(fields, span), "", span, span)

    def override(self, **fields) -> Expr:
        """``name { field = value ... }``: this template with some fields changed."""
        span = _caller_span()
        return Expr(ast.TemplateLiteral(ast.Name(self.name, span), _fields(fields, span), span))


def template(name: str, base: Template | None = None, **fields) -> Template:
    """``neuron name [= base] { fields }``; field names as in the language."""
    return Template(name, base, fields)


def _fields(fields: Mapping[str, Any], span: Span) -> tuple[ast.FieldSetting, ...]:
    return tuple(ast.FieldSetting(k, expr(v).node, span, span) for k, v in fields.items())


_TYPE = re.compile(r"^\s*(int|float|bool|str|neuron)\s*(?:\[(.*)\])?\s*$")


def _param(name: str, spec: Any, span: Span) -> ast.ParamDecl:
    """``"int[n, m]"`` (a type) or any other value (a default)."""
    if isinstance(spec, str):
        match = _TYPE.match(spec)
        if match:
            base, dims = match.groups()
            dims_ast = None
            if dims is not None:
                dims_ast = tuple(_dim(d.strip(), span) for d in dims.split(",")) \
                    if dims.strip() else (None,)
            return ast.ParamDecl(name, ast.TypeExpr(base, dims_ast, span), None, span)
    return ast.ParamDecl(name, None, expr(spec).node, span)


def _dim(text: str, span: Span) -> ast.Expr:
    return ast.IntLiteral(int(text), span) if text.isdigit() else ast.Name(text, span)


class Corelet:
    """A corelet definition built statement by statement; ``decl`` is its AST node."""

    def __init__(self, name: str, doc: str = "", **params: Any):
        self.name, self.doc = name, doc
        self.span = _caller_span()
        self.params = tuple(_param(n, spec, self.span) for n, spec in params.items())
        self.body: list = []
        self.uses: dict[str, Any] = {}  # corelets and templates this one refers to
        for value in params.values():
            if isinstance(value, Template):  # a template default travels with the corelet
                self._use(value)

    # -- names
    def param(self, name: str) -> Expr:
        """A name visible in this corelet's body, as an expression."""
        return Expr(ast.Name(name, _caller_span()))

    # -- declarations
    def input(self, name: str, *shape) -> Expr:
        span = _caller_span()
        self.body.append(ast.InputDecl(name, tuple(_size(s) for s in shape), span, span))
        return Expr(ast.Name(name, span))

    def output(self, name: str, *shape) -> Expr:
        span = _caller_span()
        self.body.append(ast.OutputDecl(name, tuple(_size(s) for s in shape), span, span))
        return Expr(ast.Name(name, span))

    def neurons(self, name: Any, shape, template_value: Any, **overrides) -> Expr:
        """``neurons name[shape] = template { overrides }``; ``name`` ``("f", g)``:
        ``neurons f[g][shape] = ...`` (an entry of an array of populations)."""
        span = _caller_span()
        name, index = _decl_name(name, span)
        shape = shape if isinstance(shape, tuple) else (shape,)
        node = self._template_node(template_value, overrides, span)
        if index and not shape:
            shape = (1,)
        self.body.append(ast.NeuronsDecl(name, tuple(_size(s) for s in shape), node, span, span,
                                         index))
        return _named(name, index, span)

    def _template_node(self, value: Any, overrides: Mapping, span: Span):
        if isinstance(value, Template):
            self._use(value)
            base = ast.Name(value.name, span)
        elif isinstance(value, str):
            base = ast.Name(value, span)
        elif value is None:
            base = None
        else:
            base = expr(value).node
            if not overrides:
                return base
            if not isinstance(base, ast.Name):
                raise TypeError("overrides need a template or a template's name")
        if not overrides and base is not None:
            return base
        return ast.TemplateLiteral(base, _fields(overrides, span), span)

    def instance(self, name: Any, corelet: "Corelet", *args: Any, **kwargs: Any) -> Expr:
        """``name = Corelet(args)``; ``name`` ``("conv", g)``: ``conv[g] = Corelet(args)``."""
        span = _caller_span()
        name, index = _decl_name(name, span)
        self._use(corelet)
        arguments = tuple(ast.Argument(None, expr(a).node, span) for a in args) + \
            tuple(ast.Argument(k, expr(v).node, span) for k, v in kwargs.items())
        self.body.append(ast.Assign(name, ast.Call(corelet.name, arguments, span, span), span,
                                    span, index))
        return _named(name, index, span)

    def let(self, name: Any, value: Any) -> Expr:
        """``name = value`` (a constant, or what drives the output connector ``name``);
        ``name`` ``("K2", g)``: ``K2[g] = value``."""
        span = _caller_span()
        name, index = _decl_name(name, span)
        self.body.append(ast.Assign(name, expr(value).node, span, span, index))
        return _named(name, index, span)

    @contextlib.contextmanager
    def for_(self, loops: Mapping | Sequence = (), **named: Any):
        """``for v in a..b, ... { body }``: the statements made inside the ``with`` block form the
        body. Loops as in ``connect`` (``{var: stop}``, ``{var: (start, stop)}``) or by keyword
        (``for_(g=4)``); yields the loop variable (a tuple of them when there are several)::

            with top.for_(g="G") as g:
                top.instance(("conv", g), Conv, K=top.param("K")[g])
                top.connect(x, top.param("conv")[g].x)
        """
        span = _caller_span()
        items = list(loops.items() if isinstance(loops, Mapping) else loops) + list(named.items())
        loop_nodes = tuple(self._loop(v, bounds, span) for v, bounds in items)
        variables = tuple(Expr(ast.Name(n.var, span)) for n in loop_nodes)
        outer, self.body = self.body, []
        try:
            yield variables[0] if len(variables) == 1 else variables
        finally:
            inner, self.body = self.body, outer
        self.body.append(ast.ForStmt(loop_nodes, tuple(inner), span))

    def connect(self, source: Any, target: Any, *, type: Any = None, delay: Any = None,
                loops: Mapping | Sequence = (), where: Any = None) -> None:
        """``source -> target [type t] [delay d] [for v in a..b, ... [if where]]``.

        ``loops``: ``{var: stop}`` or ``{var: (start, stop)}`` (or a list of such pairs).
        ``type`` may also be given on a connection into an instance's input
        (``c.connect(x, dense.x, type=1)``): the caller chooses the type of the connections the
        instance makes from that input without a type; where both set one they must agree."""
        span = _caller_span()
        items = loops.items() if isinstance(loops, Mapping) else loops
        loop_nodes = tuple(self._loop(v, bounds, span) for v, bounds in items)
        self.body.append(ast.Connection(
            expr(source).node, expr(target).node,
            None if type is None else expr(type).node, None if delay is None else expr(delay).node,
            loop_nodes, None if where is None else expr(where).node, span))

    @staticmethod
    def _loop(variable: Any, bounds: Any, span: Span) -> ast.Loop:
        name = variable if isinstance(variable, str) else variable.node.id
        start, stop = bounds if isinstance(bounds, tuple) else (0, bounds)
        return ast.Loop(name, _size(start), _size(stop), span)

    def check(self, condition: Any, message: str | None = None) -> None:
        """``assert condition, message``."""
        span = _caller_span()
        msg = None if message is None else ast.StringLiteral(message, span)
        self.body.append(ast.AssertStmt(expr(condition).node, msg, span))

    def group(self, name: Any, members: Any) -> None:
        """``group name = members``: a placement hint; ``name`` ``("core", g)``:
        ``group core[g] = members``."""
        span = _caller_span()
        name, index = _decl_name(name, span)
        self.body.append(ast.GroupDecl(name, expr(members).node, span, span, indices=index))

    def _use(self, item: Any) -> None:
        self.uses[item.name] = item

    # -- results
    @property
    def decl(self) -> ast.CoreletDecl:
        return ast.CoreletDecl(self.name, self.params, tuple(self.body), self.doc, self.span,
                               self.span)

    def elaborate(self, params: Mapping | None = None, *, profile: ChipProfile = TRUENORTH,
                  warnings: list | None = None, **kwargs: Any) -> Network:
        """This corelet as the top of a ``Network`` (parameters by dict or keywords)."""
        return elaborate(self, {**(params or {}), **kwargs}, profile=profile, warnings=warnings)


def elaborate(top: Corelet, params: Mapping | None = None, *, templates: Sequence[Template] = (),
              profile: ChipProfile = TRUENORTH, warnings: list | None = None) -> Network:
    """Elaborate a builder corelet with the shared elaborator."""
    from corelet.language.elaborate import elaborate_program

    program = _program(top, templates)
    return elaborate_program(program, "<builder>", top=top.name, params=dict(params or {}),
                             profile=profile, warnings=warnings)


def _program(top: Corelet, templates: Sequence[Template]) -> Program:
    """One namespace holding ``top`` and everything it refers to, transitively."""
    found: dict[str, Any] = {}
    pending: list[Any] = [top, *templates]
    while pending:
        item = pending.pop()
        if item.name in found:
            if found[item.name] is not item:
                raise ValueError(f"two different definitions are named {item.name!r}")
            continue
        found[item.name] = item
        if isinstance(item, Corelet):
            pending.extend(item.uses.values())
        elif item.base is not None:
            pending.append(item.base)
    namespace = {name: Definition(item.decl, "<builder>") for name, item in found.items()}
    corelets = tuple(d.node for d in namespace.values() if isinstance(d.node, ast.CoreletDecl))
    temps = tuple(d.node for d in namespace.values() if isinstance(d.node, ast.TemplateDecl))
    module = ast.Module("<builder>", "", (), temps, corelets)
    return Program(sources={}, modules={"<builder>": module}, namespaces={"<builder>": namespace})
