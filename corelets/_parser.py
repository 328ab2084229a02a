"""Source text -> ``corelets.ast.Module``. The only module that imports lark.

The grammar lives in ``grammar.lark`` next to this file. lark's exceptions (unexpected characters,
tokens or end of input, and errors raised inside the transformer) become ``LanguageError`` with a
position, a message in the language's words and a hint (for a construct of another language, what
to write instead); the transformer only builds the AST. After a syntax error the parse recovers
(lark's LALR ``on_error``, ``_Recovery``) and reports up to ``MAX_SYNTAX_ERRORS`` per file.
"""

from __future__ import annotations

import ast as pyast
import functools
import re
from copy import copy
from pathlib import Path

import attrs
import lark
from lark import Token, Transformer, v_args

from corelet.chip.limits import active_limits
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
    """Parse one file's text; raise ``LanguageError`` on syntax errors (up to ``MAX_SYNTAX_ERRORS``
    of them: after each the parser recovers at the next statement, see ``_Recovery``)."""
    if text.startswith("\ufeff"):  # a byte order mark: not part of the program
        text = " " + text[1:]  # (a space keeps every column where the file's editor shows it)
    recovery = _Recovery(text, filename)
    try:
        tree = _lark().parse(text, on_error=recovery)
    except lark.exceptions.UnexpectedInput as err:
        recovery.record(err)
        tree = None
    if recovery.diagnostics:
        diagnostics = recovery.diagnostics
        if recovery.capped:
            last = max(diagnostics, key=Diagnostic.sort_key)
            capped = attrs.evolve(last, notes=last.notes + (
                f"stopped after {MAX_SYNTAX_ERRORS} syntax errors; the rest of "
                f"{filename} was not read",))
            diagnostics = [capped if d is last else d for d in diagnostics]
        raise LanguageError(diagnostics, {filename: text})
    _check_nesting(tree, filename, text)
    try:
        return _ToAst(filename).transform(tree)
    except lark.exceptions.VisitError as err:
        inner = err.orig_exc
        if isinstance(inner, _TransformError):
            raise LanguageError([Diagnostic(ERROR, inner.message, inner.span, inner.hint)],
                                {filename: text}) from None
        raise


def _check_nesting(tree, filename: str, text: str) -> None:
    """Nesting deeper than the limit ``nesting`` is an error at its deepest point, found without
    recursion (the steps after parsing recurse once per level, and Python's stack is short)."""
    limit = active_limits().nesting
    stack = [(tree, 1, tree)]
    while stack:
        node, depth, statement = stack.pop()
        if depth > limit:  # blamed on the statement (or definition) that holds it
            meta = statement.meta
            span = Span(filename, meta.line, meta.column, meta.end_line, meta.end_column) \
                if not getattr(meta, "empty", True) else Span(filename, 1, 1, 1, 1)
            raise LanguageError([Diagnostic(
                ERROR, active_limits().message("nesting", depth, "nesting depth"), span,
                active_limits().hint("nesting"))], {filename: text})
        stack.extend((child, depth + 1, child if node.data in _BLOCKS else statement)
                     for child in node.children if isinstance(child, lark.Tree))


_BLOCKS = frozenset({"module", "body", "field_block"})  # their children are statements


class _TransformError(Exception):
    def __init__(self, message: str, span: Span, hint: str = ""):
        super().__init__(message)
        self.message, self.span, self.hint = message, span, hint


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
    else:
        foreign = _foreign_construct(token, text, filename)
        if foreign is not None:
            return foreign
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


# Constructs of other languages that the language lacks: what to write instead.
_FOREIGN_CHARACTERS = {
    "&": "write `and` for `&&`", "|": "write `or` for `||`",
    "!": "write `not x` for `!x` (`!=` compares)", "~": "write `not x` for `~x`",
    "?": "a conditional expression is written `(a if c else b)`",
    "'": 'a string is written in double quotes: `"text"`',
}
_FOREIGN_STATEMENTS = {
    **dict.fromkeys(("while", "loop", "until", "do"),
                    "there is no `{word}` loop; a loop runs over a range: "
                    "`for i in 0..n {{ ... }}`"),
    **dict.fromkeys(("def", "function", "fn", "func", "class", "struct", "proc"),
                    "there are no functions; a reusable part is a corelet, "
                    "`corelet Name(n: int) {{ ... }}`, instantiated as `part = Name(n = 2)`"),
    **dict.fromkeys(("import", "include", "require"),
                    'to import a file write `use "{next}.corelet"` '
                    '(or `use Name from "{next}.corelet"`)'),
    "from": 'to import from a file write `use Name from "{next}.corelet"`',
    "return": ("there is no `return`; a corelet gives its results through its output "
               "connectors: `output y[n]` and `y = h`"),
    **dict.fromkeys(("let", "var", "const", "val", "int", "float", "bool", "str", "auto"),
                    "a constant is declared without a keyword: `x = 1` (constants cannot change)"),
    **dict.fromkeys(("elseif", "elsif"), "write `elif c {{ ... }}`"),
    **dict.fromkeys(("switch", "match", "case"),
                    "there is no `{word}`; write `if c {{ ... }} elif d {{ ... }} else {{ ... }}`"),
}
_RANGE_CALL = re.compile(r"\brange\(\s*([^,()]+?)\s*(?:,\s*([^,()]+?)\s*)?\)")


def _foreign_construct(token: Token, text: str, filename: str) -> Diagnostic | None:
    """The diagnostic for a construct of another language (``while``, ``def``, ``import``,
    ``x += 1``, ``i++``, ``for i in range(n)``, ``else if``, ...), or None."""
    position = token.start_pos
    before = _line_before(text, position)
    line = before + text[position:].split("\n", 1)[0]
    shown = str(token).splitlines()[0] if str(token) else token.type
    span = _token_span(token, filename)
    context_start = _context_start(text, position)
    context = text[context_start:position]
    call = _RANGE_CALL.search(context)
    if call and re.search(r"\bfor\b", context[:call.start()]):
        start, stop = (call.group(1), call.group(2)) if call.group(2) else ("0", call.group(1))
        _, line_no, column = _place(text, context_start + call.start())
        return Diagnostic(ERROR, f"unexpected `{call.group(0)}`",
                          Span(filename, line_no, column, line_no, column + len(call.group(0))),
                          hint=f"a loop runs over a range written `{start}..{stop}`")
    first = re.match(r"\s*([A-Za-z_]\w*)", line)
    if not (first and first.group(1) in _FOREIGN_STATEMENTS):  # `} elseif c {`, `; while`
        first = re.search(r"[};]\s*([A-Za-z_]\w*)\s*$", before)
    if first and first.group(1) in _FOREIGN_STATEMENTS and first.start(1) <= len(before):
        word = first.group(1)
        after = line[first.end():].lstrip()[:1]
        if after in ("=", "-", "[", ".", ",", ":", ")") or (
                after == "(" and word not in ("while", "until", "switch", "return")):
            return None  # used as a name (`loop = Relay()`) or a type (`n: int`)
        column = first.start(1) + 1
        following = re.match(r"\s*([A-Za-z_][\w.]*)", line[first.end():])
        hint = _FOREIGN_STATEMENTS[word].format(
            word=word, next=following.group(1) if following else "NAME")
        return Diagnostic(ERROR, f"unexpected `{word}`",
                          Span(filename, token.line, column, token.line, column + len(word)),
                          hint=hint)
    stripped = before.rstrip()
    if shown == "type" and re.search(r"\bdelay\b", before):
        hint = "the type comes before the delay: `x -> h type 1 delay 2`"
    elif shown == "if" and stripped.endswith("else"):
        hint = "write `elif c { ... }` for `else if c { ... }`"
    elif shown == "=" and stripped[-1:] in ("+", "-", "*", "/", "%"):
        hint = (f"constants cannot change: there is no `{stripped[-1]}=`; give the new value a "
                f"new name: `x2 = x {stripped[-1]} 1`")
    elif re.search(r"[\w\])](\+\+|--)$", text[:position].rstrip()):
        operator = text[:position].rstrip()[-2:]
        hint = (f"there is no `{operator}`: constants cannot change; a loop counts by itself: "
                f"`for i in 0..n {{ ... }}`")
    elif re.match(r"\s*for\b", line) and ("=" in before or shown in ("(", "=")):
        hint = "a loop is written `for i in 0..n { ... }`"
    elif shown == ":" and re.match(r"\s*(if|elif|else|for)\b", before):
        hint = "a block is written in braces: `{ ... }`, not with `:`"
    elif shown in ("/", "//") and not stripped:
        hint = "a comment starts with `#`"
    elif not stripped and "==" in _previous_line(text, position) and not re.match(
            r"\s*(if|elif|assert)\b", _previous_line(text, position)):
        hint = ("`==` compares two values and is no statement; connect with `x -> h`, "
                "name a value with `x = ...`")
    else:
        return None
    return Diagnostic(ERROR, f"unexpected `{shown}`", span, hint=hint)


def _context_start(text: str, position: int) -> int:
    """The start of the line of ``position``, or of the last non-blank line before it when
    nothing precedes ``position`` on its line."""
    start = text.rfind("\n", 0, position) + 1
    while not text[start:position].strip() and start > 0:
        position = start - 1
        start = text.rfind("\n", 0, position) + 1
    return start


def _previous_line(text: str, position: int) -> str:
    """The last non-blank line before the line of ``position``."""
    lines = text[:text.rfind("\n", 0, position) + 1].splitlines()
    return next((line for line in reversed(lines) if line.strip()), "")


def _unexpected_character(err, text: str, filename: str) -> Diagnostic:
    line, column = err.line, err.column
    char = text[err.pos_in_stream] if err.pos_in_stream < len(text) else ""
    span = Span(filename, line, column, line, column + 1)
    if char == '"':
        end = len(text.splitlines()[line - 1]) + 1
        return Diagnostic(ERROR, "unterminated string", Span(filename, line, column, line, end),
                          hint='a string ends with `"` on the same line')
    return Diagnostic(ERROR, f"unexpected character `{char}`", span,
                      hint=_FOREIGN_CHARACTERS.get(char)
                      or _expected_hint(sorted(err.allowed or ())))


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


# -- recovery after a syntax error ---------------------------------------------------------------

MAX_SYNTAX_ERRORS = 10  # per file

# What the resynchronisation scans: blanks, comments, strings (an unterminated one runs to the end
# of its line), words and numbers, single characters.
_SCAN = re.compile(r'[ \t\r\f]+|\n|#[^\n]*|"""(?:.|\n)*?"""|"(?:[^"\\\n]|\\.)*"?|\w+|\S')


class _Recovery:
    """lark's ``on_error`` callback (LALR): records each syntax error, then resumes the parse at
    the next statement boundary, so that one file reports up to ``MAX_SYNTAX_ERRORS`` errors.

    From the offending token on, candidate resumption points are a `}` or `;` and the first token
    of a line, outside any `{ ... }` opened after the error (a skipped block is skipped whole).
    For each candidate, in order, the parser's state stack is cut back, least first, until the
    candidate's line parses on from there; the parse then resumes at that point with that stack.
    An end of file reached after an earlier error is not reported again unless a `{` is unclosed.
    """

    def __init__(self, text: str, filename: str):
        self.text, self.file = text, filename
        self.diagnostics: list[Diagnostic] = []
        self._seen: list[lark.exceptions.UnexpectedInput] = []
        self._calls = 0  # a guard: each call moves on by a token at least
        self.capped = False  # an error past MAX_SYNTAX_ERRORS was met: the rest is not read

    def record(self, err: lark.exceptions.UnexpectedInput) -> None:
        if any(err is seen for seen in self._seen):
            return
        self._seen.append(err)
        if self.diagnostics and _at_end(err) and _unclosed_brace(self.text) is None:
            return  # the parse ran out after an earlier error: nothing new
        diagnostic = _syntax_diagnostic(err, self.text, self.file)
        if len(self.diagnostics) >= MAX_SYNTAX_ERRORS:
            self.capped = True  # one more than we report: the rest of the file is not read
            return
        if all((d.span, d.message) != (diagnostic.span, diagnostic.message)
               for d in self.diagnostics):
            self.diagnostics.append(diagnostic)

    def __call__(self, err: lark.exceptions.UnexpectedInput) -> bool:
        self.record(err)
        self._calls += 1
        parser = getattr(err, "interactive_parser", None)
        if self.capped or _at_end(err) or parser is None or \
                self.text.count('"""') % 2 or \
                self._calls > 4 * MAX_SYNTAX_ERRORS:  # (open doc string: every line a guess)
            return False
        if self._repair(err, parser):
            return True
        found = self._resume_point(err, parser)
        if found is None:
            return False
        depth, place = found
        state = parser.parser_state
        del state.state_stack[depth:]
        del state.value_stack[depth - 1:]
        _move(parser.lexer_thread.state.line_ctr, *place)
        return True

    def _repair(self, err, parser) -> bool:
        """One-token repairs, tried first: the offending token or character left out, or a
        missing `{`, `)` or `]` put before it; taken when the rest of its line and the next line
        parse on. A brace is never left out (the blocks after it would shift)."""
        text = self.text
        conf = copy(parser.parser_state.parse_conf)
        conf.callbacks = {}
        depth = len(parser.parser_state.state_stack)
        if isinstance(err, lark.exceptions.UnexpectedCharacters):
            start, end, inserts = err.pos_in_stream, err.pos_in_stream + 1, ()
            dropped = text[start:end]
        else:
            start, end = err.token.start_pos, err.token.end_pos
            inserts = [t for t in ("LBRACE", "RPAR", "RSQB") if t in (err.expected or ())]
            dropped = str(err.token)
        if dropped and dropped not in ('{', '}', '"'):
            line_end = text.find("\n", end)  # the rest of the line and the next line
            following = next((m.start() for m in _SCAN.finditer(text, max(line_end, end))
                              if not m.group().isspace() and not m.group().startswith("#")),
                             None) if line_end >= 0 else None
            if following is not None:
                place = _place(text, end)
                fed, whole = _parses_on(parser, conf, depth, place,
                                        max(place[1], _place(text, following)[1]))
                if whole:
                    _move(parser.lexer_thread.state.line_ctr, *place)
                    return True
        place = _place(text, start)
        for name in inserts:
            value = {"LBRACE": "{", "RPAR": ")", "RSQB": "]"}[name]
            token = Token(name, value, start, place[1], place[2], place[1], place[2], start)
            if _parses_on(parser, conf, depth, place, place[1], token)[1]:
                parser.feed_token(token)
                _move(parser.lexer_thread.state.line_ctr, *place)
                return True
        return False

    def _resume_point(self, err, parser):
        text = self.text
        if isinstance(err, lark.exceptions.UnexpectedCharacters):
            start, skip_first = err.pos_in_stream, True
        else:
            start, skip_first = err.token.start_pos, False
        conf = copy(parser.parser_state.parse_conf)
        conf.callbacks = {}  # probes build no tree
        values = parser.parser_state.value_stack
        closed = [i for i, v in enumerate(values) if isinstance(v, Token) and v.type == "RBRACE"]
        lowest = closed[-1] + 2 if closed else 1  # a cut never reopens a closed block
        nesting = 0
        for match in _SCAN.finditer(text, start):
            word = match.group()
            if word.isspace() or word.startswith("#"):
                continue
            position = match.start()
            if skip_first:
                skip_first = False
                continue
            line_start = text.rfind("\n", 0, position) + 1
            at_line_start = not text[line_start:position].strip()
            if nesting == 0 and (word in ("}", ";") or at_line_start):
                place = (position, text.count("\n", 0, position) + 1, position - line_start + 1)
                best = (0, None)  # (tokens taken, depth): a line that has an error of its own
                for depth in range(len(parser.parser_state.state_stack), lowest - 1, -1):
                    fed, whole = _parses_on(parser, conf, depth, place)
                    if whole:
                        return depth, place
                    if fed > best[0]:
                        best = (fed, depth)
                if best[1] is not None and (position == start or place[1] > _place(
                        text, start)[1]):  # a partial fit later on the error's line: a guess
                    return best[1], place
                if at_line_start and re.fullmatch(r"[A-Za-z_]\w*", word) and \
                        word not in ("else", "elif") and position > start:
                    # a word nothing takes (`import` among the corelets): resume there to report it
                    return len(parser.parser_state.state_stack), place
            if word == "{":
                nesting += 1
            elif word == "}":
                nesting = max(nesting - 1, 0)
        return None


def _parses_on(parser, conf, depth: int, place: tuple[int, int, int], last_line: int = 0,
               first: Token | None = None) -> tuple[int, bool]:
    """How many tokens from ``place`` to the end of its line (or of ``last_line``) the parser
    takes, its stack cut to ``depth`` (and ``first`` fed before them), and whether it takes them
    all (or 32 of them)."""
    state = parser.parser_state.copy(deepcopy_values=False)
    state.parse_conf = conf
    del state.state_stack[depth:]
    del state.value_stack[depth - 1:]
    lexer = copy(parser.lexer_thread)
    _move(lexer.state.line_ctr, *place)
    last_line = max(last_line, place[1])
    fed = 0
    try:
        if first is not None:
            state.feed_token(first)
        for token in lexer.lex(state):
            if fed and token.line > last_line or fed == 32:
                break
            if token.type == "NAME" and token in _keywords():
                return fed, False  # a keyword lexed as a name where none fits: `x = output y`
            state.feed_token(token)
            fed += 1
    except lark.exceptions.UnexpectedInput:
        return fed, False
    return fed, fed > 0


@functools.lru_cache(maxsize=1)
def _keywords() -> frozenset[str]:
    return frozenset(t.pattern.value for t in _lark().terminals
                     if t.pattern.type == "str" and re.fullmatch(r"\w+", t.pattern.value))


def _place(text: str, position: int) -> tuple[int, int, int]:
    """(position, line, column)."""
    line_start = text.rfind("\n", 0, position) + 1
    return position, text.count("\n", 0, position) + 1, position - line_start + 1


def _move(line_counter, position: int, line: int, column: int) -> None:
    """Put lark's lexer at ``position`` (its line and column given)."""
    line_counter.char_pos, line_counter.line, line_counter.column = position, line, column
    line_counter.line_start_pos = position - column + 1


def _at_end(err) -> bool:
    token = getattr(err, "token", None)
    return isinstance(err, lark.exceptions.UnexpectedEOF) or (
        token is not None and token.type == "$END")


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
        return ast.UseDecl(path=_string(path, self.file), names=names[0] if names else None,
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
        hint = ""
        if isinstance(target, ast.BinaryOp) and target.op in ("+", "-") and isinstance(
                target.right, ast.UnaryOp) and target.right.op == target.op:  # `i++` and a line
            hint = (f"there is no `{target.op * 2}`: constants cannot change; a loop counts by "
                    f"itself: `for i in 0..n {{ ... }}`")
        raise _TransformError("cannot assign to this: the left of `=` is a name or a name with "
                              "an index (`conv[g]`)", target.span, hint)

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
            # `group g[a, b] = m for a in .., b in ..` is the `for` block it reads as
            if not indices:
                raise _TransformError(f"the group must be indexed by the loop variables: "
                                      f"`{name}[{', '.join(lp.var for lp in loops)}]`",
                                      self._tspan(name))
            group = ast.GroupDecl(str(name), members, self._span(meta), self._tspan(name),
                                  indices=indices)
            return ast.ForStmt(loops, (group,), self._span(meta))
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
        limits = active_limits()
        if len(text) > limits.literal_digits:  # int() of 4,300 digits or more raises, and is slow
            raise _TransformError(limits.message("literal_digits", len(text),
                                                 "digits of this integer literal"),
                                  self._span(meta), limits.hint("literal_digits"))
        return ast.IntLiteral(int(text, base), self._span(meta))

    def float_literal(self, meta, children):
        return ast.FloatLiteral(float(str(children[0])), self._span(meta))

    def string_literal(self, meta, children):
        return ast.StringLiteral(_string(children[0], self.file), self._span(meta))

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


def _string(token: Token, filename: str) -> str:
    """The value of a ``"..."`` literal, with Python's escapes (a bad one is an error there)."""
    try:
        return pyast.literal_eval(str(token))
    except (SyntaxError, ValueError) as err:
        reason = str(getattr(err, "msg", err)).removeprefix("(unicode error) ")
        reason = reason.split(": ", 1)[-1] if "codec can't decode" in reason else reason
        raise _TransformError(f"bad escape in string: {reason}", _token_span(token, filename),
                              'escapes are those of Python: \\n, \\t, \\\\, \\", \\xHH, '
                              '\\uHHHH') from None


def _docstring(token: Token) -> str:
    import inspect

    return inspect.cleandoc(str(token)[3:-3])
