"""docs/results.md sections are replaced one at a time, by name, and only between their markers."""

import pytest

from examples.results import write_section

DOC = ("# R\n<!-- section: truehappiness -->\nold\n<!-- end: truehappiness -->\n"
       "<!-- section: eedn -->\nkeep\n<!-- end: eedn -->\n")


def test_a_section_is_replaced_and_the_others_kept(tmp_path):
    doc = tmp_path / "results.md"
    doc.write_text(DOC)
    write_section("truehappiness", "new table", doc)
    assert doc.read_text() == DOC.replace("\nold\n", "\nnew table\n")
    write_section("truehappiness", "newer", doc)  # markers survive, so it can be written again
    assert doc.read_text() == DOC.replace("\nold\n", "\nnewer\n")


def test_a_missing_section_is_an_error_and_nothing_is_written(tmp_path):
    doc = tmp_path / "results.md"
    doc.write_text(DOC)
    with pytest.raises(SystemExit, match="no <!-- section: elman -->"):
        write_section("elman", "x", doc)
    assert doc.read_text() == DOC
