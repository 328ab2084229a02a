"""The words and token patterns of the .corelet language, for tools that colour or lay out source
text without parsing it: the Pygments lexer (``highlight.py``), the formatter (``format.py``) and the
TextMate grammar (``editors/corelet.tmLanguage.json``, checked against these by the tests).

The patterns are those of ``grammar.lark``'s terminals, written in the regular-expression subset
that Python's ``re`` and Oniguruma (TextMate, VS Code, Sublime) read alike: no possessive or atomic
groups, no named groups, no ``\\Z``, lookahead only.
"""

from __future__ import annotations

# Every alphabetic literal of grammar.lark is one of these (tests/language/test_lang_editors.py).
DECLARATIONS = ("corelet", "neuron", "neurons", "input", "output", "group")
NAMESPACE = ("use", "from")
CONTROL = ("for", "in", "if", "elif", "else", "assert")
CONNECTION_OPTIONS = ("type", "delay")
WORD_OPERATORS = ("and", "or", "not")
CONSTANTS = ("true", "false")
TYPES = ("int", "float", "bool", "str")  # and `neuron`, a declaration word
KEYWORDS = frozenset(DECLARATIONS + NAMESPACE + CONTROL + CONNECTION_OPTIONS + WORD_OPERATORS
                     + CONSTANTS + TYPES)

# grammar.lark's terminals, most specific first where two could start alike
COMMENT = r"#[^\n]*"
DOCSTRING = r'"""(?:.|\n)*?"""'
STRING = r'"(?:[^"\\\n]|\\.)*"'
FLOAT = r"[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+"
HEX = r"0x[0-9a-fA-F]+"
BINARY = r"0b[01]+"
INT = r"[0-9]+"
NAME = r"[A-Za-z_][A-Za-z_0-9]*"
# operators, longest first: `->` before `-`, `..` before `.`, `**` and `//` before `*` and `/`
OPERATOR = r"->|\.\.|\*\*|//|==|!=|<=|>=|[<>=+\-*/%]"
PUNCTUATION = r"[()\[\]{},;:.]"
# (a byte order mark is dropped where it opens a file, by the reader and by Pygments; elsewhere it
# is no token of the language)
WHITESPACE = r"[ \t\r\n\f\v]+"
