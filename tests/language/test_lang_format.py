"""``corelet fmt`` (corelet.language.format): formatting twice changes nothing, only white space
changes (the same tokens, the same comments), the formatted program elaborates to the same network,
any horizontal re-spacing of a program formats back to the same text, and a hand-written program
comes out as written by hand. The command prints, rewrites (--write) or checks (--check), and
reports a syntax error as file:line:col with a caret."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from corelet import language
from corelet.language.format import format_source, tokens
from corelet.library.instances import INSTANCES
from .test_lang_docs import PROGRAMS
from .test_lang_docs_programs import PARAMS, top_of

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p for p in ROOT.rglob("*.corelet") if ".venv" not in p.parts and ".git" not in p.parts)


def _parses(path: Path) -> bool:
    try:
        language._parser.parse(path.read_text(encoding="utf-8"), str(path))
    except language.LanguageError:
        return False
    return True


PARSING = [p for p in FILES if _parses(p)]


def test_the_repository_has_programs_to_format():
    assert len(PARSING) > 50 and len(FILES) - len(PARSING) < 15


@pytest.mark.parametrize("path", PARSING, ids=lambda p: str(p.relative_to(ROOT)))
def test_formatting_is_idempotent_and_changes_only_white_space(path):
    text = path.read_text(encoding="utf-8-sig")
    once = format_source(text, str(path))
    assert format_source(once, str(path)) == once
    assert [t.text for t in tokens(once)] == [t.text for t in tokens(text)]
    assert [t.text for t in tokens(once) if t.kind == "comment"] == \
        [t.text.rstrip() for t in tokens(text) if t.kind == "comment"]
    lines = once.split("\n")
    assert once.endswith("\n") and not once.endswith("\n\n")
    assert all(line == line.rstrip() for line in lines)
    assert "\t" not in "".join(l[:len(l) - len(l.lstrip())] for l in lines)


HAND = '''corelet   Pair( W :int[2,2],scale=1 ){input x[2]   # spikes in
  output y[2]


     neurons h[2]=neuron{threshold=scale;floor=-1}
x[i]->h[j] type 0 delay 1+1 for i in 0..2,j in 0..2
    if W[i,j]>0
y=h
    assert scale>=1,"scale"   # must be positive
}
'''

HAND_FORMATTED = '''corelet Pair(W: int[2, 2], scale = 1) {
    input x[2]  # spikes in
    output y[2]

    neurons h[2] = neuron { threshold = scale; floor = -1 }
    x[i] -> h[j] type 0 delay 1 + 1 for i in 0..2, j in 0..2
        if W[i, j] > 0
    y = h
    assert scale >= 1, "scale"  # must be positive
}
'''


def test_a_hand_written_program_formats_as_written_by_hand():
    assert format_source(HAND) == HAND_FORMATTED


def test_signs_names_and_slices():
    src = ('corelet T(delay: int = 3) {\n input x[4]; output y[2]\n'
           ' neurons h[2] = neuron { threshold = -(1) }\n'
           ' d = (delay -1)*-2 ** 2\n'
           ' x[0 : 2]->h delay  delay\n y = h[ : ]\n}\n')
    out = format_source(src)
    assert "d = (delay - 1) * -2 ** 2" in out         # `delay` a name: binary minus after it
    assert "x[0:2] -> h delay delay" in out           # `delay` the keyword, then the name
    assert "threshold = -(1)" in out and "y = h[:]" in out


def test_a_block_that_spans_lines_gets_its_own_lines():
    src = "neuron relu { threshold = 1;   # t\n reset = linear }\n"
    assert format_source(src) == "neuron relu {\n    threshold = 1;  # t\n    reset = linear\n}\n"


def test_crlf_line_ends_and_a_byte_order_mark_come_out_plain():
    src = "\ufeffcorelet T() {\r\n    input x[1]  # in \r\n    output y[1]\r\n    y = x\r\n}\r\n"
    assert format_source(src) == "corelet T() {\n    input x[1]  # in\n    output y[1]\n    y = x\n}\n"


def test_comments_after_code_on_consecutive_lines_share_a_column():
    src = "corelet T() {\n input x[1] # a\n output y[1]      # b\n y = x\n}\n"
    assert format_source(src) == ("corelet T() {\n    input x[1]   # a\n    output y[1]  # b\n"
                                  "    y = x\n}\n")


# -- the same program ---------------------------------------------------------------------------
def same_network(a, b) -> None:
    """Equal in everything but source spans and provenance (the source's hash changes)."""
    def strip(value):
        if attrs.has(type(value)):
            return {f.name: strip(getattr(value, f.name)) for f in attrs.fields(type(value))
                    if f.name not in ("span", "provenance", "_survey")}
        if isinstance(value, (tuple, list)):
            return [strip(v) for v in value]
        if isinstance(value, np.ndarray):
            return ("array", value.dtype.str, value.shape, value.tobytes())
        return value
    assert strip(a) == strip(b)


def test_formatted_library_and_instances_elaborate_to_the_same_networks(tmp_path):
    for path in (ROOT / "library").glob("*.corelet"):
        (tmp_path / path.name).write_text(format_source(path.read_text(encoding="utf-8")),
                                          encoding="utf-8")
    for instance in INSTANCES:
        before = language.elaborate_source(instance.source, instance.filename,
                                           params=instance.params)
        file = tmp_path / instance.filename  # its `use` finds the formatted library first
        file.write_text(format_source(instance.source), encoding="utf-8")
        after = language.elaborate_file(file, params=instance.params)
        same_network(before, after)
        assert after.n_neurons > 0


@pytest.mark.parametrize("program", [p for p in PROGRAMS if top_of(p)],
                         ids=lambda p: top_of(p))
def test_formatted_docs_programs_elaborate_to_the_same_networks(program, tmp_path):
    params = PARAMS.get(top_of(program), {})
    before = language.elaborate_source(program, str(tmp_path / "a.corelet"), params=params)
    after = language.elaborate_source(format_source(program), str(tmp_path / "a.corelet"),
                                      params=params)
    same_network(before, after)


def test_the_examples_elaborate_to_the_same_networks():
    for name in ("examples/skeleton.corelet", "tests/data/deterministic_v1.corelet",
                 "tests/data/stochastic_v1.corelet"):
        path = ROOT / name
        formatted = format_source(path.read_text(encoding="utf-8"))
        assert formatted != path.read_text(encoding="utf-8")  # a real change is compared
        same_network(language.elaborate_file(path),
                     language.elaborate_source(formatted, str(path)))


def test_a_formatting_that_changed_the_program_would_be_a_difference():
    """The comparison above can fail: a changed constant is a different network."""
    src = (ROOT / "examples/skeleton.corelet").read_text(encoding="utf-8")
    with pytest.raises(AssertionError):
        same_network(language.elaborate_source(src, "s.corelet"),
                     language.elaborate_source(src.replace("threshold = 3", "threshold = 4"),
                                               "s.corelet"))


# -- property: any horizontal spacing formats to the same text ----------------------------------
SOURCES = [p.read_text(encoding="utf-8-sig") for p in PARSING if p.stat().st_size < 20000]


def _needs_space(a: str, b: str) -> bool:
    return [t.text for t in tokens(a + b)] != [a, b]


@st.composite
def respaced(draw):
    """A program of the repository with random spaces and tabs between tokens on a line, random
    indentation, and 2 to 4 line breaks wherever it had a blank line."""
    text = draw(st.sampled_from(SOURCES))
    toks = tokens(text)
    out = []
    for i, tok in enumerate(toks):
        if i:
            if tok.breaks:
                out.append("\n" * (1 if tok.breaks == 1 else draw(st.integers(2, 4))))
                out.append(draw(st.text(" \t", max_size=9)))
            else:
                least = 1 if _needs_space(toks[i - 1].text, tok.text) else 0
                out.append(draw(st.text(" \t", min_size=least, max_size=4)))
        out.append(tok.text)
    return text, "".join(out) + draw(st.sampled_from(["", "\n", "\n\n", "  \n"]))


@settings(max_examples=60, deadline=None)
@given(respaced())
def test_any_horizontal_spacing_formats_to_the_same_text(case):
    text, variant = case
    assert format_source(variant) == format_source(text)


# -- the command --------------------------------------------------------------------------------
def corelet(*args, cwd):
    return subprocess.run([sys.executable, "-m", "corelet", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True)


@pytest.mark.slow
def test_fmt_prints_writes_and_checks(tmp_path):
    (tmp_path / "p.corelet").write_text(HAND, encoding="utf-8")
    proc = corelet("fmt", "p.corelet", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == HAND_FORMATTED and proc.stderr == ""
    assert (tmp_path / "p.corelet").read_text(encoding="utf-8") == HAND  # printing writes nothing
    proc = corelet("fmt", "--check", "p.corelet", cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout == "would reformat p.corelet\n"
    proc = corelet("fmt", "--write", "p.corelet", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == "reformatted p.corelet\n"
    assert (tmp_path / "p.corelet").read_text(encoding="utf-8") == HAND_FORMATTED
    assert [p.name for p in tmp_path.iterdir()] == ["p.corelet"]  # no temporary file left
    proc = corelet("fmt", "--check", "p.corelet", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == ""


@pytest.mark.slow
def test_fmt_reports_a_syntax_error_with_a_caret(tmp_path):
    bad = "corelet T() {\n    input x[2\n}\n"
    (tmp_path / "bad.corelet").write_text(bad, encoding="utf-8")
    for args in (("fmt", "bad.corelet"), ("fmt", "--write", "bad.corelet")):
        proc = corelet(*args, cwd=tmp_path)
        assert proc.returncode == 1 and proc.stdout == ""
        assert proc.stderr.startswith("bad.corelet:3:1: error: ")
        assert "    ^" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "bad.corelet").read_text(encoding="utf-8") == bad
    proc = corelet("fmt", "a.corelet", "b.corelet", cwd=tmp_path)
    assert proc.returncode == 2 and "--write or --check" in proc.stderr
