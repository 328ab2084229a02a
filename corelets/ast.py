"""The syntax tree of a ``.corelet`` file: frozen attrs classes, each with the ``Span`` it came from.

The parser (``corelets/_parser.py``) builds these from source text and the Python builder
(``corelets/builder.py``) builds them from calls; the elaborator (``corelets/elaborate.py``) reads
them and never changes them. Class names match the grammar's rule names (``neurons_decl`` ->
``NeuronsDecl``). ``Const`` is the one node that only the builder makes: a value given in Python.
"""

from __future__ import annotations

from typing import Any

import attrs

from corelet.chip.source import Span

# -- expressions ---------------------------------------------------------------------------------


@attrs.frozen
class IntLiteral:
    value: int
    span: Span


@attrs.frozen
class FloatLiteral:
    value: float
    span: Span


@attrs.frozen
class StringLiteral:
    value: str
    span: Span


@attrs.frozen
class BoolLiteral:
    value: bool
    span: Span


@attrs.frozen(eq=False)
class Const:
    """A value handed over from Python by the builder (a number, an array, a template)."""

    value: Any
    span: Span


@attrs.frozen
class Name:
    id: str
    span: Span


@attrs.frozen
class BinaryOp:
    """``left op right`` for arithmetic (``+ - * / // % **``), comparison, ``and`` and ``or``."""

    op: str
    left: "Expr"
    right: "Expr"
    span: Span


@attrs.frozen
class UnaryOp:
    """``-x``, ``+x`` or ``not x``."""

    op: str
    operand: "Expr"
    span: Span


@attrs.frozen
class Slice:
    start: "Expr | None"
    stop: "Expr | None"
    step: "Expr | None"
    span: Span


@attrs.frozen
class Index:
    """``value[s0, s1, ...]``; each subscript an expression or a ``Slice``."""

    value: "Expr"
    subscripts: tuple
    span: Span


@attrs.frozen
class Attribute:
    """``value.name``: a connector of a sub-corelet instance."""

    value: "Expr"
    name: str
    span: Span


@attrs.frozen
class Argument:
    """One argument of a call; ``name`` is None for a positional one."""

    name: str | None
    value: "Expr"
    span: Span


@attrs.frozen
class Call:
    """``func(args)``: a builtin function or a corelet instance."""

    func: str
    args: tuple[Argument, ...]
    span: Span
    func_span: Span


@attrs.frozen
class ArrayLiteral:
    """``[a, b, c]``: an array, or the concatenation of connectors."""

    items: tuple
    span: Span


@attrs.frozen
class FieldSetting:
    """``name = value`` inside a neuron template."""

    name: str
    value: "Expr"
    span: Span
    name_span: Span


@attrs.frozen
class TemplateLiteral:
    """``base { field = value ... }`` (``base`` None for ``neuron { ... }``)."""

    base: "Name | None"
    fields: tuple[FieldSetting, ...]
    span: Span


@attrs.frozen
class Conditional:
    """``a if condition else b`` (elementwise when the condition is an array)."""

    condition: "Expr"
    then: "Expr"
    orelse: "Expr"
    span: Span


@attrs.frozen
class ArrayComprehension:
    """``[element for v1 in a1..b1, v2 in a2..b2]``: an array of shape (b1 - a1, b2 - a2, ...)."""

    element: "Expr"
    loops: tuple  # of Loop
    span: Span


Expr = (IntLiteral | FloatLiteral | StringLiteral | BoolLiteral | Const | Name | BinaryOp | UnaryOp
        | Index | Attribute | Call | ArrayLiteral | TemplateLiteral | Conditional
        | ArrayComprehension)

# -- statements inside a corelet -----------------------------------------------------------------


@attrs.frozen
class InputDecl:
    """``input x[n]`` (no shape: width 1)."""

    name: str
    shape: tuple
    span: Span
    name_span: Span


@attrs.frozen
class OutputDecl:
    name: str
    shape: tuple
    span: Span
    name_span: Span


@attrs.frozen
class NeuronsDecl:
    """``neurons h[m] = template``; ``neurons f[g][m] = template``: entry ``index`` of ``f``."""

    name: str
    shape: tuple
    template: Expr
    span: Span
    name_span: Span
    index: tuple = ()


@attrs.frozen
class Assign:
    """``name = value``: a constant, a sub-corelet instance, or what drives an output connector.

    ``name[i, ...] = value`` (``index`` the subscripts): entry i of an array of instances or
    constants, or (for an output connector) what drives those elements."""

    name: str
    value: Expr
    span: Span
    name_span: Span
    index: tuple = ()


@attrs.frozen
class Loop:
    """``var in start..stop`` (stop excluded)."""

    var: str
    start: Expr
    stop: Expr
    span: Span


@attrs.frozen
class Connection:
    """``source -> target [type t] [delay d] [for loops [if condition]]``."""

    source: Expr
    target: Expr
    axon_type: Expr | None
    delay: Expr | None
    loops: tuple[Loop, ...]
    condition: Expr | None
    span: Span


@attrs.frozen
class AssertStmt:
    condition: Expr
    message: Expr | None
    span: Span


@attrs.frozen
class IfBranch:
    condition: Expr
    body: tuple
    span: Span


@attrs.frozen
class IfStmt:
    """``if c { } elif c { } else { }``: declarations inside belong to the corelet's scope."""

    branches: tuple[IfBranch, ...]
    orelse: tuple
    span: Span


@attrs.frozen
class GroupDecl:
    """``group name = neurons``: a placement hint, these neurons share one core.

    ``group name[v] = neurons for v in a..b`` declares one group ``name[v]`` per value of v."""

    name: str
    members: Expr
    span: Span
    name_span: Span
    index: str | None = None
    loop: "Loop | None" = None
    indices: tuple = ()  # ``group core[g] = ...`` inside a ``for`` block: entry g of ``core``


@attrs.frozen
class ForStmt:
    """``for v1 in a1..b1, v2 in a2..b2 { body }``: the body once per combination (last fastest).

    Constants of the body are local to one iteration; names declared with an index
    (``conv[g] = ...``) are entries of arrays that belong to the corelet."""

    loops: tuple  # of Loop
    body: tuple
    span: Span


Stmt = (InputDecl | OutputDecl | NeuronsDecl | Assign | Connection | AssertStmt | IfStmt
        | GroupDecl | ForStmt)

# -- definitions ---------------------------------------------------------------------------------


@attrs.frozen
class TypeExpr:
    """``int``, ``float``, ``bool``, ``str``, ``neuron``, or an array ``int[n, m]``.

    ``dims`` is None for a scalar; each dim is an expression (a bare new name binds it)."""

    base: str
    dims: tuple | None
    span: Span


@attrs.frozen
class ParamDecl:
    name: str
    type: TypeExpr | None
    default: Expr | None
    span: Span


@attrs.frozen
class CoreletDecl:
    name: str
    params: tuple[ParamDecl, ...]
    body: tuple
    doc: str
    span: Span
    name_span: Span


@attrs.frozen
class TemplateDecl:
    """``neuron name [= base] { fields }``."""

    name: str
    base: Name | None
    fields: tuple[FieldSetting, ...]
    doc: str
    span: Span
    name_span: Span


@attrs.frozen
class UseDecl:
    """``use "file"`` (``names`` None: everything) or ``use A, b from "file"``."""

    path: str
    names: tuple[Name, ...] | None
    span: Span
    path_span: Span


@attrs.frozen
class Module:
    """One parsed file."""

    file: str
    doc: str
    uses: tuple[UseDecl, ...]
    templates: tuple[TemplateDecl, ...]
    corelets: tuple[CoreletDecl, ...]
