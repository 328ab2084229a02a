"""Editor support: the Pygments lexer (corelet.language.highlight) and the TextMate grammar
(editors/corelet.tmLanguage.json) colour every .corelet file of the repository without an error
token, give a hand-written snippet the token kinds a reader expects, and know exactly the words of
grammar.lark."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corelet.language import lexicon
from corelet.language._builtins import BUILTINS
from corelet.language._parser import parse
from .test_lang_docs import BLOCKS

pygments = pytest.importorskip("pygments", reason="Pygments is installed with the test tools")
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename  # noqa: E402
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String  # noqa: E402

from corelet.language.highlight import CoreletLexer  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p for p in ROOT.rglob("*.corelet") if ".venv" not in p.parts and ".git" not in p.parts)
# the one file of the repository that is lexically wrong on purpose (a byte order mark mid-file)
NOT_LEXICAL = {"61_bom_in_the_middle.corelet"}
GRAMMAR = (ROOT / "corelets" / "grammar.lark").read_text(encoding="utf-8")
TM = json.loads((ROOT / "editors" / "corelet.tmLanguage.json").read_text(encoding="utf-8"))

SNIPPET = '''"""A doc string."""
use Dense from "dense"   # a comment
neuron relu { threshold = 0x10; floor = -1 }
corelet Top(W: int[2, 3], scale = 1.5) {
    input x[2]
    neurons h[3] = relu
    x[i] -> h[j] type 1 delay 2 for i in 0..2, j in 0..3 if bit(W[i, j], 0) and true
    assert int(scale) >= 0b1, "scale"
}
'''


def test_every_word_of_the_grammar_is_known():
    code = "\n".join(line.split("//")[0] for line in GRAMMAR.splitlines())  # comments dropped
    assert set(re.findall(r'"([a-z]+)"', code)) == set(lexicon.KEYWORDS)


def test_more_than_the_library_is_checked():
    assert len(FILES) > 60 and any(p.parent.name == "library" for p in FILES)


# -- Pygments -----------------------------------------------------------------------------------
def test_the_lexer_is_registered_for_the_extension_and_the_name():
    assert isinstance(get_lexer_for_filename("net.corelet"), CoreletLexer)
    assert isinstance(get_lexer_by_name("corelet"), CoreletLexer)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_lexes_without_error_tokens(path):
    text = path.read_text(encoding="utf-8")
    tokens = list(CoreletLexer().get_tokens(text))
    errors = [value for kind, value in tokens if kind in Error]
    if path.name in NOT_LEXICAL:
        assert errors == ["\ufeff"]
    else:
        assert errors == []
    # every character is in a token (Pygments drops a leading byte order mark and outer newlines)
    assert "".join(v for _, v in tokens).strip("\n") == text.lstrip("\ufeff").strip("\n")


def _parses(text: str) -> bool:
    try:
        parse(text, "language.md")
    except Exception:  # an error message, the grammar, a schematic: not a program
        return False
    return True


# docs/language.md's code blocks that are programs (others show messages or the grammar)
DOC_PROGRAMS = [b for b in BLOCKS if _parses(b)]


def test_the_docs_have_programs():
    assert len(DOC_PROGRAMS) >= 10


@pytest.mark.parametrize("block", DOC_PROGRAMS, ids=range(len(DOC_PROGRAMS)))
def test_docs_snippets_lex_without_error_tokens(block):
    assert not [v for k, v in CoreletLexer().get_tokens(block) if k in Error]


def test_the_snippet_has_the_expected_token_kinds():
    kinds = {}
    for kind, value in CoreletLexer().get_tokens(SNIPPET):
        if value.strip():
            kinds.setdefault(value, kind)
    expected = {
        '"""A doc string."""': String.Doc, "use": Keyword.Namespace, "from": Keyword.Namespace,
        '"dense"': String.Double, "# a comment": Comment.Single, "neuron": Keyword.Declaration,
        "relu": Name.Function, "threshold": Name, "0x10": Number.Hex, "-": Operator,
        "corelet": Keyword.Declaration, "Top": Name.Class, "int": Keyword.Type, "1.5": Number.Float,
        "input": Keyword.Declaration, "neurons": Keyword.Declaration, "->": Operator,
        "type": Keyword, "delay": Keyword, "for": Keyword, "in": Keyword, "..": Operator,
        "if": Keyword, "bit": Name.Builtin, "and": Operator.Word, "true": Keyword.Constant,
        "assert": Keyword, "0b1": Number.Bin, "2": Number.Integer, ">=": Operator, "x": Name,
    }
    assert {v: kinds[v] for v in expected} == expected


def test_a_type_name_called_like_a_function_is_a_builtin():
    tokens = [t for t in CoreletLexer().get_tokens("int(x) + float(y)") if t[1].strip()]
    assert tokens[0] == (Name.Builtin, "int") and (Name.Builtin, "float") in tokens


# -- TextMate -----------------------------------------------------------------------------------
def _rules(node):
    """Every rule with a pattern, through ``patterns`` lists and the repository."""
    if "patterns" in node:
        for child in node["patterns"]:
            yield from _rules(child)
    if "repository" in node:
        for child in node["repository"].values():
            yield from _rules(child)
    if any(k in node for k in ("match", "begin")):
        yield node


# Oniguruma constructs that Python's re reads otherwise or not at all: the grammar must not use them
ONIGURUMA_ONLY = [r"\(\?>", r"\(\?<\w", r"\(\?<[=!]", r"[*+?}]\+", r"\\[hHRXKGzZAk]", r"\\p\{",
                  r"\[\[:", r"\(\?[imx]+\)"]


def test_textmate_patterns_compile_in_the_shared_subset():
    rules = list(_rules(TM))
    patterns = [r[k] for r in rules for k in ("match", "begin", "end") if k in r]
    assert len(patterns) >= 15
    for pattern in patterns:
        re.compile(pattern)
        for construct in ONIGURUMA_ONLY:
            assert not re.search(construct, pattern), (pattern, construct)


def test_textmate_knows_the_words():
    text = json.dumps(TM)
    for word in sorted(lexicon.KEYWORDS | set(BUILTINS)):
        assert re.search(rf"[|:]{word}[|)]", text), word
    assert TM["scopeName"] == "source.corelet" and TM["fileTypes"] == ["corelet"]


def textmate_scopes(text: str) -> list[tuple[str, str]]:
    """(matched text, scope) for ``text``, as a TextMate engine scans it: line by line, at each
    place the earliest match of the current rules (the first rule among equals), with a
    begin/end rule's end searched for across lines; captures give their own scopes."""
    rules = [r for r in _rules(TM)]
    out, inside = [], None
    for line in text.splitlines():
        pos = 0
        while pos <= len(line):
            if inside is not None:  # in a begin/end region: only its end
                end = re.compile(inside["end"]).search(line, pos)
                stop = end.end() if end else len(line)
                out.append((line[pos:stop], inside["name"]))
                pos, inside = stop, (None if end else inside)
                if end is None:
                    break
                continue
            best = None
            for rule in rules:
                found = re.compile(rule.get("match") or rule["begin"]).search(line, pos)
                if found and (best is None or found.start() < best[1].start()):
                    best = (rule, found)
            if best is None or best[1].end() == best[1].start():
                break
            rule, found = best
            if "captures" in rule:
                for group, scope in rule["captures"].items():
                    out.append((found.group(int(group)), scope["name"]))
            else:
                out.append((found.group(), rule["name"]))
            if "begin" in rule:
                inside = rule
            pos = found.end()
    return out


def test_textmate_scopes_on_the_snippet():
    scopes = {}
    for value, scope in textmate_scopes(SNIPPET):
        scopes.setdefault(value, scope)
    expected = {
        "use": "keyword.control.import.corelet", "# a comment": "comment.line.number-sign.corelet",
        '"dense"': "string.quoted.double.corelet", "neuron": "storage.type.neuron.corelet",
        "relu": "entity.name.function.corelet", "0x10": "constant.numeric.hex.corelet",
        "Top": "entity.name.type.class.corelet", "1.5": "constant.numeric.float.corelet",
        "0b1": "constant.numeric.binary.corelet", "2": "constant.numeric.integer.corelet",
        "for": "keyword.control.corelet", "delay": "keyword.control.corelet",
        "bit": "support.function.builtin.corelet", "and": "keyword.operator.logical.corelet",
        "true": "constant.language.corelet", "->": "keyword.operator.corelet",
        "neurons": "storage.type.corelet", "int": "support.type.corelet",
        '"""': "string.quoted.docstring.corelet",
    }
    assert {v: scopes.get(v) for v in expected} == expected
    # a number or keyword inside a comment or a string is not coloured as one
    inner = textmate_scopes('x = "for 12"  # if 3\n')
    assert ('"for 12"', "string.quoted.double.corelet") in inner
    assert ("# if 3", "comment.line.number-sign.corelet") in inner
    assert [s for _, s in inner if s.startswith(("keyword", "constant"))] == ["keyword.operator.corelet"]
