"""``corelet fmt``: the canonical layout of a .corelet program.

Only the white space between tokens changes, so the formatted program is the same program (the
same tokens in the same order, checked after every run) and comments stay where they were:

- one space between tokens, none inside brackets, before `,` `;` `.` or after a unary sign, none
  around `..`, `.` or a slice's `:`, none between a name and the `(` or `[` that follows it;
- the comments after code on consecutive lines start in one column, two spaces after the longest
  code of those lines;
- a statement's continuation line at no bracket (its comprehension, say) indented four spaces
  more than the statement;
- a line inside brackets (`{`, `(`, `[`) indented four spaces more than the line that opened the
  innermost one when that bracket ends its line, else aligned with the token after the bracket;
  a line that starts by closing a bracket at the indent of the line that opened it;
- a `{ ... }` that spans lines has its contents on lines of their own, and its `}` on its own
  line at the indent of the line that opened it;
- otherwise line breaks where the author put them, with at most one blank line in a row and none just
  inside braces; no blank lines at either end, no trailing white space, one newline at the end;
- a byte order mark at the start is dropped, and line ends are `\n` (a CRLF file comes out LF).

Formatting twice changes nothing. The source is parsed first, so a program with a syntax error is
reported as ``file:line:col: error: ...`` and not formatted.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import attrs

from corelet.language import lexicon as lx

__all__ = ["format_source", "tokens"]

INDENT = "    "
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = frozenset(_OPEN.values())
# words after which an operand follows (a `-` is a sign, a `(` or `[` opens no call or subscript)
_WORDS_BEFORE_OPERAND = lx.KEYWORDS - frozenset(lx.CONSTANTS) - frozenset(lx.TYPES)
_TOKEN = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in (
    ("space", lx.WHITESPACE), ("comment", lx.COMMENT), ("docstring", lx.DOCSTRING),
    ("string", lx.STRING), ("number", "|".join((lx.FLOAT, lx.HEX, lx.BINARY, lx.INT))),
    ("name", lx.NAME), ("op", lx.OPERATOR), ("punct", lx.PUNCTUATION))))


# statements and definitions: a line that starts inside one of these, at no bracket, continues it
_STATEMENTS = ("UseDecl", "TemplateDecl", "CoreletDecl", "FieldSetting", "InputDecl", "OutputDecl",
               "NeuronsDecl", "Assign", "Connection", "AssertStmt", "IfStmt", "IfBranch",
               "GroupDecl", "ForStmt")


class Token(NamedTuple):
    kind: str    # comment, docstring, string, number, name, op, punct
    text: str
    breaks: int  # newlines in the white space before it
    line: int    # where it starts (1-based, columns as the parser counts them)
    column: int


def tokens(text: str) -> list[Token]:
    """The tokens of ``text`` with the line breaks before each; raises ``ValueError`` at a
    character that starts no token (the parser reports those first)."""
    out: list[Token] = []
    pos, breaks, line, line_start = (1 if text.startswith("\ufeff") else 0), 0, 1, 0
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if found is None:
            raise ValueError(f"no token at {line}:{pos - line_start + 1}: {text[pos]!r}")
        value = found.group()
        if found.lastgroup == "space":
            breaks += value.count("\n")
        else:
            kept = value.rstrip() if found.lastgroup == "comment" else value  # CRLF files
            out.append(Token(found.lastgroup, kept, breaks, line, pos - line_start + 1))
            breaks = 0
        if "\n" in value:
            line += value.count("\n")
            line_start = pos + value.rindex("\n") + 1
        pos = found.end()
    return out


def format_source(text: str, filename: str = "<string>") -> str:
    """``text`` in the canonical layout; ``LanguageError`` when it does not parse."""
    from corelet.language._parser import parse
    module = parse(text, filename)  # syntax errors are reported as the compiler reports them
    original = tokens(text)
    formatted = _layout(_open_blocks(original), _statement_starts(module))
    if [t[:2] for t in tokens(formatted)] != [t[:2] for t in original]:  # a bug, never the user's
        raise RuntimeError(f"formatting {filename} would change its tokens")
    return formatted


def _statement_starts(module) -> set[tuple[int, int]]:
    """(line, column) where each statement or definition of the syntax tree starts."""
    starts: set[tuple[int, int]] = set()
    seen: set[int] = set()

    def visit(node) -> None:
        if isinstance(node, (tuple, list)):
            for item in node:
                visit(item)
            return
        if not attrs.has(type(node)) or id(node) in seen:
            return
        seen.add(id(node))
        span = getattr(node, "span", None)
        if type(node).__name__ in _STATEMENTS and span is not None:
            starts.add((span.line, span.column))
        for field in attrs.fields(type(node)):
            visit(getattr(node, field.name))

    visit(module)
    return starts


def _open_blocks(toks: list[Token]) -> list[Token]:
    """A ``{ ... }`` that spans lines gets its contents on lines of their own: a line break after
    the ``{`` (after its comment, if any) and before the ``}``."""
    toks = list(toks)
    opened: list[int] = []
    for i, tok in enumerate(toks):
        if tok.text in _OPEN:
            opened.append(i)
        elif tok.text in _CLOSE and opened:
            start = opened.pop()
            if toks[start].text != "{" or not any(t.breaks for t in toks[start + 1:i + 1]):
                continue
            after = start + 1
            if toks[after].kind == "comment" and toks[after].breaks == 0:
                after += 1
            if after < i and toks[after].breaks == 0:
                toks[after] = toks[after]._replace(breaks=1)
            if toks[i].breaks == 0:
                toks[i] = toks[i]._replace(breaks=1)
    return toks


def _layout(toks: list[Token], statement_starts: set[tuple[int, int]]) -> str:
    lines: list[list] = []  # [code, comment or None]; a comment alone on its line is code
    # per open bracket: the indent its closer gets when it starts a line, the column its
    # continuation lines start at (unknown until the token after it: four more than the opener's
    # line when the bracket ends its line, else aligned with that token), and the bracket
    stack: list[list] = []
    statement_indent = 0  # of the line the current statement started on
    prev: Token | None = None
    prev_sign = False  # the previous token is a unary + or -
    operand_end = _operand_ends(toks)
    for i, tok in enumerate(toks):
        if prev is None or tok.breaks:
            if prev is not None and tok.breaks > 1 and prev.text not in _OPEN \
                    and tok.text not in _CLOSE:
                lines.append(["", None])
            for bracket in stack:  # a bracket that ended its line: hanging indent
                if bracket[1] is None:
                    bracket[1] = bracket[0] + len(INDENT)
            closers = _leading_closers(toks, i)
            at_statement_level = not stack or stack[-1][2] == "{"
            if closers and closers <= len(stack):
                indent = statement_indent = stack[-closers][0]  # `} else {` opens at this level
            elif at_statement_level:
                indent = stack[-1][1] if stack else 0
                if (tok.line, tok.column) in statement_starts or tok.kind in ("comment", "docstring") \
                        or tok.text in ("elif", "else"):
                    statement_indent = indent
                else:  # a statement's continuation line (its comprehension, say)
                    indent += len(INDENT)
            else:
                indent = stack[-1][1]
            lines.append([" " * indent, None])
        elif tok.kind == "comment":
            lines[-1][1] = tok.text
            prev, prev_sign = tok, False
            continue
        else:
            lines[-1][0] += _space(prev, tok, stack, prev_sign, operand_end[i - 1])
        for bracket in stack:  # the first token after a bracket on its line: aligned with it
            if bracket[1] is None:
                bracket[1] = len(lines[-1][0])
        lines[-1][0] += tok.text
        sign = tok.text in ("+", "-") and not (i and operand_end[i - 1])
        if tok.text in _OPEN:
            code = lines[-1][0]
            if tok.text == "{":  # a block: its lines four spaces in from its statement's
                stack.append([statement_indent, statement_indent + len(INDENT), tok.text])
            else:
                stack.append([len(code) - len(code.lstrip(" ")), None, tok.text])
        elif tok.text in _CLOSE and stack:
            stack.pop()
        prev, prev_sign = tok, sign
    return _align_comments(lines)


def _align_comments(lines: list[list]) -> str:
    """The lines as text; the comments after code on consecutive lines start in one column, two
    spaces after the longest code of the run."""
    out, run = [], []

    def flush() -> None:
        width = max(len(code.rsplit("\n", 1)[-1]) for code, _ in run) + 2
        out.extend(code + " " * (width - len(code.rsplit("\n", 1)[-1])) + comment
                   for code, comment in run)
        run.clear()

    for code, comment in lines:
        if comment is not None:
            run.append((code.rstrip(), comment.rstrip()))
            continue
        if run:
            flush()
        out.append(code.rstrip())
    if run:
        flush()
    return "\n".join(out) + "\n" if out else ""


def _leading_closers(toks: list[Token], i: int) -> int:
    """How many closing brackets start the line that starts at token ``i``."""
    n = 0
    while i + n < len(toks) and toks[i + n].text in _CLOSE and (n == 0 or toks[i + n].breaks == 0):
        n += 1
    return n


def _operand_ends(toks: list[Token]) -> list[bool]:
    """Per token, whether it ends an operand: then a `+` or `-` after it is binary and a `(` or `[`
    right after it a call or subscript. ``type`` and ``delay`` are keywords only after a
    connection's target (an operand); elsewhere they are names."""
    ends = []
    for i, tok in enumerate(toks):
        if tok.kind in ("number", "string", "docstring"):
            ends.append(True)
        elif tok.kind == "name":
            if tok.text in lx.CONNECTION_OPTIONS:
                ends.append(not (i and ends[i - 1]))
            else:
                ends.append(tok.text not in _WORDS_BEFORE_OPERAND)
        else:
            ends.append(tok.text in (")", "]"))
    return ends


def _space(prev: Token, tok: Token, stack: list, prev_sign: bool, after_operand: bool) -> str:
    """The white space between two tokens on one line."""
    if tok.text in (",", ";") or prev_sign:
        return ""
    if prev.text == "{" or tok.text == "}":
        return "" if prev.text == "{" and tok.text == "}" else " "
    if prev.text in ("(", "[") or tok.text in (")", "]"):
        return ""
    if prev.text in (".", "..") or tok.text in (".", ".."):
        return ""
    if tok.text == ":":
        return ""
    if prev.text == ":":
        return "" if stack and stack[-1][2] == "[" else " "
    if tok.text in ("(", "["):
        return "" if after_operand or prev.text in lx.TYPES else " "
    return " "
