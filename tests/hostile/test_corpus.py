"""The corpus of invalid programs (issue 12), one per file under ``corpus/``: each names, in its
first two lines, the exact message of the first error and the text it must point at
(``# expect: MESSAGE``, ``# at: TEXT``; the error's line and column are those of TEXT's first
occurrence after the header). Every class of the issue is here: limits, integers, escapes,
nesting, imports, outputs, floats; each file is elaborated from its own folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from corelet import language

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.corelet"))


def expectation(text: str) -> tuple[str, int, int]:
    lines = text.split("\n")
    message = lines[0].removeprefix("# expect: ")
    at = lines[1].removeprefix("# at: ")
    header = len(lines[0]) + len(lines[1]) + 2
    position = text.index(at, header)
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return message, line, column


def test_the_corpus_is_large():
    assert len(CORPUS) >= 60


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_invalid_program(path, tmp_path):
    text = path.read_text(encoding="utf-8")
    message, line, column = expectation(text)
    source = tmp_path / "deep" / "er" / path.name  # `..` twice stays inside tmp_path
    source.parent.mkdir(parents=True)
    source.write_text(text, encoding="utf-8")
    with pytest.raises(language.LanguageError) as info:
        language.elaborate_file(source)
    first = info.value.diagnostics[0]
    assert (first.message, first.span.line, first.span.column) == (message, line, column)
    assert str(info.value).startswith(f"{source}:{line}:{column}: error: {message}")
