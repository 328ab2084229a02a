"""The library's documentation stays true: every corelet has a doc string and is listed in
docs/library.md with a row in its cores table, the table is what `benchmarks/tables.py library`
prints, and the pictures are exactly what docs/library/make_figures.py makes from runtime runs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from corelet.language._parser import parse
from corelet.library import LIBRARY_PATH
from corelet.library.instances import INSTANCES

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "library.md"
TABLE_COMMAND = "python benchmarks/tables.py library"


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def library_modules():
    return {path.stem: parse(path.read_text(), str(path))
            for path in sorted(LIBRARY_PATH.glob("*.corelet"))}


def test_every_library_file_and_corelet_has_a_doc_string():
    for stem, module in library_modules().items():
        assert module.doc.strip(), f"library/{stem}.corelet has no file doc string"
        for corelet in module.corelets:
            assert len(corelet.doc.strip()) > 40, f"{stem}: corelet {corelet.name} has no doc string"


def test_every_corelet_is_documented_and_counted():
    doc = DOC.read_text(encoding="utf-8")
    cases = {instance.corelet for instance in INSTANCES}
    for stem, module in library_modules().items():
        assert f"library/{stem}.corelet" in doc, f"docs/library.md does not name {stem}.corelet"
        for corelet in module.corelets:
            assert f"### `{corelet.name}" in doc, f"docs/library.md has no section for {corelet.name}"
            assert corelet.name in cases, \
                f"{corelet.name} has no instance in corelet.library.instances.INSTANCES"


@pytest.mark.slow
def test_cores_table_in_the_docs_is_the_scripts_output():
    from tests.test_docs_tables import table_after

    doc = DOC.read_text(encoding="utf-8")
    assert TABLE_COMMAND in doc
    printed = load(ROOT / "benchmarks" / "tables.py", "tables").library_table()
    assert table_after(doc, TABLE_COMMAND) == printed, (
        f"docs/library.md's cores table is stale: paste the output of `{TABLE_COMMAND}`:\n{printed}")


@pytest.mark.slow
def test_pictures_are_what_the_script_makes(tmp_path):
    figures = load(ROOT / "docs" / "library" / "make_figures.py", "make_figures")
    figures.main(["--out", str(tmp_path)])
    doc = DOC.read_text(encoding="utf-8")
    for name in figures.FIGURES:
        committed = ROOT / "docs" / "library" / f"{name}.svg"
        assert committed.exists(), f"run `python docs/library/make_figures.py` ({name}.svg missing)"
        assert committed.read_bytes() == (tmp_path / f"{name}.svg").read_bytes(), (
            f"docs/library/{name}.svg is stale: run `python docs/library/make_figures.py`")
        assert f"library/{name}.svg" in doc, f"docs/library.md does not show {name}.svg"
