"""A Pygments lexer for .corelet source (``pygmentize -l corelet``, and any tool built on Pygments:
Sphinx, MkDocs, Jupyter). Registered for ``*.corelet`` through the ``pygments.lexers`` entry point.

Pygments is optional (the ``editors`` extra, and installed with the test tools): without it this
module still imports, and ``CoreletLexer`` is ``None``.
"""

from __future__ import annotations

from corelet.language import lexicon as lx
from corelet.language._builtins import BUILTINS

try:
    from pygments.lexer import RegexLexer, bygroups, words
    from pygments.token import (Comment, Error, Keyword, Name, Number, Operator, Punctuation,
                                String, Whitespace)
except ImportError:  # pragma: no cover - exercised only where Pygments is absent
    RegexLexer = None

if RegexLexer is None:  # pragma: no cover
    CoreletLexer = None
else:
    class CoreletLexer(RegexLexer):
        """The .corelet language: keywords, built-in functions, names of definitions, numbers,
        strings, doc strings and comments. Anything the language cannot read is an error token."""

        name = "Corelet"
        aliases = ["corelet"]
        filenames = ["*.corelet"]
        mimetypes = ["text/x-corelet"]
        url = "https://github.com/corelet-toolchain"

        tokens = {
            "root": [
                (lx.WHITESPACE, Whitespace),
                (lx.COMMENT, Comment.Single),
                (lx.DOCSTRING, String.Doc),
                (lx.STRING, String.Double),
                # the name a definition introduces
                (r"(corelet)(\s+)(" + lx.NAME + ")", bygroups(Keyword.Declaration, Whitespace,
                                                              Name.Class)),
                (r"(neuron)(\s+)(" + lx.NAME + r")(?=\s*(?:=|\{))",
                 bygroups(Keyword.Declaration, Whitespace, Name.Function)),
                (words(lx.DECLARATIONS, suffix=r"\b"), Keyword.Declaration),
                (words(lx.NAMESPACE, suffix=r"\b"), Keyword.Namespace),
                (words(lx.CONTROL + lx.CONNECTION_OPTIONS, suffix=r"\b"), Keyword),
                (words(lx.WORD_OPERATORS, suffix=r"\b"), Operator.Word),
                (words(lx.CONSTANTS, suffix=r"\b"), Keyword.Constant),
                (words(lx.TYPES, suffix=r"\b(?!\s*\()"), Keyword.Type),  # int(x) is a call
                (words(tuple(BUILTINS), suffix=r"\b(?=\s*\()"), Name.Builtin),
                (lx.FLOAT, Number.Float),
                (lx.HEX, Number.Hex),
                (lx.BINARY, Number.Bin),
                (lx.INT + r"(?![A-Za-z_])", Number.Integer),
                (lx.NAME, Name),
                (lx.OPERATOR, Operator),
                (lx.PUNCTUATION, Punctuation),
                (r".", Error),
            ],
        }
