"""docs/language.md stays true: its grammar is the real one, its full examples parse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corelet.language._parser import parse

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```\n(.*?)```", DOC, flags=re.S)
# Blocks that are whole files: start with a definition, an import or a doc string (the
# schematic `corelet Name(p1: TYPE ...)` is not a program).
PROGRAMS = [b for b in BLOCKS
            if re.match(r'(corelet \w+\((?!p1)|neuron \w+ |use "|""")', b.strip())]


def test_the_documented_grammar_is_the_grammar():
    grammar = (ROOT / "corelets" / "grammar.lark").read_text(encoding="utf-8")
    assert grammar in DOC


def test_there_are_full_examples():
    assert len(PROGRAMS) >= 5


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.splitlines()[0][:40] for p in PROGRAMS])
def test_documented_programs_parse(program):
    parse(program, "language.md")
