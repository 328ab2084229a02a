"""Source text -> ``corelets.ast.Module``. The only module that imports lark.

The grammar lives in ``grammar.lark`` next to this file. lark's exceptions (unexpected characters,
tokens or end of input, and errors raised inside the transformer) become ``LanguageError`` with a
position, a message in the language's words and a hint; the transformer only builds the AST.
"""

from __future__ import annotations

import ast as pyast
import functools
from pathlib import Path

import lark
from lark import Token, Transformer, v_args

from corelet.language import ast
from corelet.language.diagnostics import ERROR, Diagnostic, LanguageError
from corelet.chip.source import Span

GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")

# How the parser's terminal names read in a message.
_TERMINAL_WORDS = {
    "NAME": "a name", "INT": "an integer", "FLOAT": "a number", "STRING": "a string",
    "DOCSTRING": "a doc string", "COMPARE_OP": "a comparison", "ADD_OP": "`+` or `-`",
    "MUL_OP": "`*`, `/`, `//` or `%`", "TYPE_NAME": "a type", "_SEMI": "`;`", "$END": "end of file",
}


@functools.lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    return lark.Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), start="module", parser="lalr",
                     propagate_positions=True, maybe_placeholders=True)


def parse(text: str, filename: str = "<string>") -> ast.Module:
    """Parse one file's text; raise ``LanguageError`` on a syntax error."""
    try:
        tree = _lark().parse(text)
        return _ToAst(filename).transform(tree)
    except lark.exceptions.UnexpectedInput as err:
        raise LanguageError([_syntax_diagnostic(err, text, filename)], {filename: text}) from None
    except lark.exceptions.VisitError as err:
        inner = err.orig_exc
        if isinstance(inner, _TransformError):
            raise LanguageError([Diagnostic(ERROR, inner.message, inner.span)],
                                {filename: text}) from None
        raise


class _TransformError(Exception):
    def __init__(self, message: str, span: Span):
        super().__init__(message)
        self.message, self.span = message, span


# -- syntax errors ---------------------------------------------------------------------------------

def _syntax_diagnostic(err: lark.exceptions.UnexpectedInput, text: str, filename: str) -> Diagnostic:
    if isinstance(err, lark.exceptions.UnexpectedCharacters):
        return _unexpected_character(err, text, filename)
    token = getattr(err, "token", None)
    expected = sorted(getattr(err, "expected", None) or getattr(err, "allowed", None) or ())
    if token is None or token.type == "$END":
        return _unexpected_end(text, filename, expected)
    span = _token_span(token, filename)
    shown = str(token).splitlines()[0] if str(token) else token.type
    hint = _expected_hint(expected)
    if shown == ">" and text[max(token.start_pos - 1, 0)] == "=":
        hint = "a connection is written `->`"
    elif shown == "else" and " if " in _line_before(text, token.start_pos):
        hint = ("at statement level a conditional expression needs parentheses: "
                "`(a if c else b)`")
    elif shown == "{" and _after_comprehension(text, token.start_pos):
        hint = ("an `if` right after a comprehension reads as its filter; end the connection "
                "with `;` to start an `if` statement")
    return Diagnostic(ERROR, f"unexpected `{shown}`", span, hint=hint)


def _line_before(text: str, position: int) -> str:
    return text[text.rfind("\n", 0, position) + 1:position]


def _after_comprehension(text: str, position: int) -> bool:
    """Whether the line before ``position`` holds a comprehension (``... for v in a..b``)."""
    line_start = text.rfind("\n", 0, position) + 1
    previous_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1
    before = text[previous_start:position]
    return " for " in before and ".." in before and text[line_start:position].lstrip(
        ).startswith("if")


def _unexpected_character(err, text: str, filename: str) -> Diagnostic:
    line, column = err.line, err.column
    char = text[err.pos_in_stream] if err.pos_in_stream < len(text) else ""
    span = Span(filename, line, column, line, column + 1)
    if char == '"':
        end = len(text.splitlines()[line - 1]) + 1
        return Diagnostic(ERROR, "unterminated string", Span(filename, line, column, line, end),
                          hint='a string ends with `"` on the same line')
    return Diagnostic(ERROR, f"unexpected character `{char}`", span,
                      hint=_expected_hint(sorted(err.allowed or ())))


def _unexpected_end(text: str, filename: str, expected: list[str]) -> Diagnostic:
    brace = _unclosed_brace(text)
    if brace is not None:
        line, column = brace
        return Diagnostic(ERROR, "missing `}`: this `{` is never closed",
                          Span(filename, line, column, line, column + 1),
                          hint="the file ends before the matching `}`")
    lines = text.splitlines() or [""]
    line, column = len(lines), len(lines[-1]) + 1
    return Diagnostic(ERROR, "unexpected end of file", Span(filename, line, column, line, column + 1),
                      hint=_expected_hint(expected))


def _unclosed_brace(text: str) -> tuple[int, int] | None:
    """(line, column) of the last ``{`` left open, skipping strings and comments."""
    stack: list[tuple[int, int]] = []
    line, column, i = 1, 0, 0
    in_string = False
    while i < len(text):
        c = text[i]
        column += 1
        if c == "\n":
            line, column, in_string = line + 1, 0, False
        elif in_string:
            if c == "\\":
                i, column = i + 1, column + 1
            elif c == '"':
                in_string = False
        elif c == "#":  # a comment runs to the end of the line
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif c == '"':
            in_string = True
        elif c == "{":
            stack.append((line, column))
        elif c == "}" and stack:
            stack.pop()
        i += 1
    return stack[-1] if stack else None


def _expected_hint(expected: list[str]) -> str:
    words = []
    for name in expected:
        word = _terminal_word(name)
        if word not in words:
            words.append(word)
    if not words:
        return ""
    if len(words) > 6:  # a long list helps nobody; the caret says enough
        return ""
    return "expected " + (words[0] if len(words) == 1 else "one of " + ", ".join(words))


def _terminal_word(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    for term in _lark().terminals:
        if term.name == name and term.pattern.type == "str":
            return f"`{term.pattern.value}`"
    return name.lower()


# -- tree -> AST -----------------------------------------------------------------------------------

def _token_span(token: Token, filename: str) -> Span:
    return Span(filename, token.line, token.column, token.end_line, token.end_column)


@v_args(meta=True)
class _ToAst(Transformer):
    """Builds ``corelets.ast`` nodes; each rule method is named after its grammar rule."""

    def __init__(self, filename: str):
        super().__init__()
        self.file = filename

    def _span(self, meta) -> Span:
        if getattr(meta, "empty", False):
            return Span(self.file, 1, 1, 1, 1)
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tspan(self, token: Token) -> Span:
        return _token_span(token, self.file)

    # -- module and definitions
    def module(self, meta, children):
        doc = ""
        if children and isinstance(children[0], Token) and children[0].type == "DOCSTRING":
            doc = _docstring(children.pop(0))
        items = [c for c in children if c is not None]
        return ast.Module(
            file=self.file, doc=doc,
            uses=tuple(i for i in items if isinstance(i, ast.UseDecl)),
            templates=tuple(i for i in items if isinstance(i, ast.TemplateDecl)),
            corelets=tuple(i for i in items if isinstance(i, ast.CoreletDecl)))

    def use_decl(self, meta, children):
        *names, path = children
        return ast.UseDecl(path=_string(path), names=names[0] if names else None,
                           span=self._span(meta), path_span=self._tspan(path))

    def name_list(self, meta, children):
        return tuple(ast.Name(str(t), self._tspan(t)) for t in children)

    def template_decl(self, meta, children):
        name, *rest = children
        base = ast.Name(str(rest[0]), self._tspan(rest[0])) if len(rest) == 2 else None
        doc, fields = rest[-1]
        return ast.TemplateDecl(name=str(name), base=base, fields=fields, doc=doc,
                                span=self._span(meta), name_span=self._tspan(name))

    def field_block(self, meta, children):
        doc = ""
        if children and isinstance(children[0], Token) and children[0].type == "DOCSTRING":
            doc = _docstring(children.pop(0))
        return doc, tuple(c for c in children if c is not None)

    def field_setting(self, meta, children):
        name, value = children
        return ast.FieldSetting(str(name), value, self._span(meta), self._tspan(name))

    def corelet_decl(self, meta, children):
        name, *params, (doc, body) = children
        return ast.CoreletDecl(name=str(name), params=tuple(p for p in params if p is not None),
                               body=body, doc=doc, span=self._span(meta),
                               name_span=self._tspan(name))

    def param_decl(self, meta, children):
        if len(children) == 3:
            name, type_, default = children
        else:
            (name, default), type_ = children, None
        return ast.ParamDecl(str(name), type_, default, self._span(meta))

    def type_expr(self, meta, children):
        base, dims = children
        return ast.TypeExpr(str(base), dims, self._span(meta))

    def dims(self, meta, children):
        # `int[]` (one None): a one-dimensional array of any length
        return tuple(children)

    def body(self, meta, children):
        doc = ""
        if children and isinstance(children[0], Token) and children[0].type == "DOCSTRING":
            doc = _docstring(children.pop(0))
        return doc, _statements(children)

    def block(self, meta, children):
        return _statements(children)

    # -- statements
    def input_decl(self, meta, children):
        name, shape = children
        return ast.InputDecl(str(name), shape or (), self._span(meta), self._tspan(name))

    def output_decl(self, meta, children):
        name, shape = children
        return ast.OutputDecl(str(name), shape or (), self._span(meta), self._tspan(name))

    def neurons_decl(self, meta, children):
        if len(children) == 4:  # neurons f[g][m] = template: entry g of the array f
            name, index, shape, template = children
            return ast.NeuronsDecl(str(name), shape, template, self._span(meta),
                                   self._tspan(name), index)
        name, shape, template = children
        return ast.NeuronsDecl(str(name), shape or (), template, self._span(meta),
                               self._tspan(name))

    def shape(self, meta, children):
        return tuple(children)

    def assign(self, meta, children):
        target, value = children
        if isinstance(target, ast.Name):
            return ast.Assign(target.id, value, self._span(meta), target.span)
        if isinstance(target, ast.Index) and isinstance(target.value, ast.Name):
            return ast.Assign(target.value.id, value, self._span(meta), target.value.span,
                              target.subscripts)
        raise _TransformError("cannot assign to this: the left of `=` is a name or a name with "
                              "an index (`conv[g]`)", target.span)

    def connection(self, meta, children):
        source, target, (axon_type, delay), comprehension = children
        loops, condition = comprehension or ((), None)
        return ast.Connection(source, target, axon_type, delay, loops, condition,
                              self._span(meta))

    def connection_then_for(self, meta, children):
        """``x -> y`` followed by a ``for`` block: two statements (the parser reads them as one)."""
        source, target, (axon_type, delay), loop = children
        span = _span_until(self.file, meta, target, axon_type, delay)
        return _Statements((ast.Connection(source, target, axon_type, delay, (), None, span),
                            loop))

    def for_stmt(self, meta, children):
        loops, body = children
        return ast.ForStmt(loops, body, self._span(meta))

    def loops(self, meta, children):
        return tuple(children)

    def decl_index(self, meta, children):
        return tuple(children)

    def connection_options(self, meta, children):
        return tuple(children)

    def comprehension(self, meta, children):
        loops, condition = children
        return loops, condition

    def loop(self, meta, children):
        var, start, stop = children
        return ast.Loop(str(var), start, stop, self._span(meta))

    def assert_stmt(self, meta, children):
        condition, message = children
        return ast.AssertStmt(condition, message, self._span(meta))

    def if_stmt(self, meta, children):
        condition, body, *rest = children
        orelse = rest.pop() if rest and not isinstance(rest[-1], ast.IfBranch) else ()
        first = ast.IfBranch(condition, body, self._span(meta))
        return ast.IfStmt((first, *rest), orelse or (), self._span(meta))

    def elif_branch(self, meta, children):
        condition, body = children
        return ast.IfBranch(condition, body, self._span(meta))

    def group_decl(self, meta, children):
        name, indices, members, loops = children
        if loops is None:
            return ast.GroupDecl(str(name), members, self._span(meta), self._tspan(name),
                                 indices=indices or ())
        loop = loops[0]
        if len(loops) > 1:
            raise _TransformError("a group takes one loop; use a `for` block for more",
                                  loops[1].span)
        index = indices[0] if indices and len(indices) == 1 else None
        if not isinstance(index, ast.Name):
            raise _TransformError(f"the group must be indexed by the loop variable: "
                                  f"`{name}[{loop.var}]`", self._tspan(name))
        if loop.var != index.id:
            raise _TransformError(f"the group is indexed by `{index.id}` but the loop runs over "
                                  f"`{loop.var}`", loop.span)
        return ast.GroupDecl(str(name), members, self._span(meta), self._tspan(name),
                             index.id, loop)

    def group_then_for(self, meta, children):
        name, indices, members, loop = children
        span = _span_until(self.file, meta, members)
        return _Statements((ast.GroupDecl(str(name), members, span, self._tspan(name),
                                          indices=indices or ()), loop))

    # -- values and expressions
    def template_literal(self, meta, children):
        base, (_doc, fields) = children if len(children) == 2 else (None, children[0])
        base_name = ast.Name(str(base), self._tspan(base)) if base is not None else None
        return ast.TemplateLiteral(base_name, fields, self._span(meta))

    def conditional(self, meta, children):
        then, condition, orelse = children
        return ast.Conditional(condition, then, orelse, self._span(meta))

    def array_comprehension(self, meta, children):
        element, loops = children
        return ast.ArrayComprehension(element, loops, self._span(meta))

    def or_op(self, meta, children):
        return ast.BinaryOp("or", children[0], children[1], self._span(meta))

    def and_op(self, meta, children):
        return ast.BinaryOp("and", children[0], children[1], self._span(meta))

    def not_op(self, meta, children):
        return ast.UnaryOp("not", children[0], self._span(meta))

    def binary_op(self, meta, children):
        left, op, right = children
        return ast.BinaryOp(str(op), left, right, self._span(meta))

    def power_op(self, meta, children):
        return ast.BinaryOp("**", children[0], children[1], self._span(meta))

    def unary_op(self, meta, children):
        op, operand = children
        return ast.UnaryOp(str(op), operand, self._span(meta))

    def index(self, meta, children):
        value, *subscripts = children
        return ast.Index(value, tuple(subscripts), self._span(meta))

    def slice(self, meta, children):
        start, stop, step = (list(children) + [None, None, None])[:3]
        return ast.Slice(start, stop, step, self._span(meta))

    def attribute(self, meta, children):
        value, name = children
        return ast.Attribute(value, str(name), self._span(meta))

    def call(self, meta, children):
        func, *args = children
        args = tuple(a for a in args if a is not None)
        return ast.Call(str(func), args, self._span(meta), self._tspan(func))

    def argument(self, meta, children):
        if len(children) == 2:
            return ast.Argument(str(children[0]), children[1], self._span(meta))
        return ast.Argument(None, children[0], self._span(meta))

    def int_literal(self, meta, children):
        text = str(children[0])
        base = 16 if text[:2] in ("0x", "0X") else 2 if text[:2] in ("0b", "0B") else 10
        return ast.IntLiteral(int(text, base), self._span(meta))

    def float_literal(self, meta, children):
        return ast.FloatLiteral(float(str(children[0])), self._span(meta))

    def string_literal(self, meta, children):
        return ast.StringLiteral(_string(children[0]), self._span(meta))

    def true_literal(self, meta, children):
        return ast.BoolLiteral(True, self._span(meta))

    def false_literal(self, meta, children):
        return ast.BoolLiteral(False, self._span(meta))

    def name(self, meta, children):
        return ast.Name(str(children[0]), self._span(meta))

    def array_literal(self, meta, children):
        return ast.ArrayLiteral(tuple(c for c in children if c is not None), self._span(meta))


class _Statements(tuple):
    """Two statements the parser read as one (a statement, then a ``for`` block)."""


def _statements(children) -> tuple:
    result = []
    for child in children:
        if isinstance(child, _Statements):
            result.extend(child)
        elif child is not None:
            result.append(child)
    return tuple(result)


def _span_until(file: str, meta, *nodes) -> Span:
    """From the start of ``meta`` to the end of the last of ``nodes`` that is not None."""
    last = [n for n in nodes if n is not None][-1].span
    return Span(file, meta.line, meta.column, last.end_line, last.end_column)


def _string(token: Token) -> str:
    """The value of a ``"..."`` literal, with Python's escapes."""
    return pyast.literal_eval(str(token))


def _docstring(token: Token) -> str:
    import inspect

    return inspect.cleandoc(str(token)[3:-3])
