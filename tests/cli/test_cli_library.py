"""`corelet library` lists every corelet of the standard library and shows one in full; the
expectations are read from the library's files with plain text matching, not with the catalog."""

import re

import pytest

from corelet.library import LIBRARY_PATH


def declared():
    """(file stem, corelet name, inputs, outputs) per corelet, by regular expressions."""
    found = []
    for path in sorted(LIBRARY_PATH.glob("*.corelet")):
        text = path.read_text()
        for block in re.split(r"^corelet ", text, flags=re.M)[1:]:
            name = re.match(r"\w+", block).group()
            decl = r"^\s*{}\s+(\w+)(?:\[[^\]]*\])?\s*$"  # a declaration line, not doc prose
            inputs = re.findall(decl.format("input"), block, flags=re.M)
            outputs = re.findall(decl.format("output"), block, flags=re.M)
            found.append((path.stem, name, inputs, outputs))
    return found


def test_the_listing_names_every_corelet_under_its_file(corelet):
    proc = corelet("library")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for stem, name, _, _ in declared():
        assert f'use "{stem}"' in out
        assert re.search(rf"^  {name}\(", out, flags=re.M), f"{name} is not listed"
        # listed under its own file: the nearest `use` line above it names that file
        before = out[:re.search(rf"^  {name}\(", out, flags=re.M).start()]
        assert before.rstrip().rsplit('use "', 1)[1].startswith(f'{stem}"')


@pytest.mark.parametrize("name", ["Dense", "SRBank", "ConvLayer"])
def test_one_corelet_in_full(corelet, name):
    stem, _, inputs, outputs = next(d for d in declared() if d[1] == name)
    proc = corelet("library", name)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith(f'use {name} from "{stem}"')
    input_line = next(line for line in out.splitlines() if line.strip().startswith("input "))
    output_line = next(line for line in out.splitlines() if line.strip().startswith("output "))
    assert re.findall(r"(\w+)(?:\[[^\]]*\])?(?:,|$)", input_line.split("input", 1)[1]) == inputs
    assert re.findall(r"(\w+)(?:\[[^\]]*\])?(?:,|$)", output_line.split("output", 1)[1]) == outputs
    assert "Parameters" in out or "Connectors" in out  # the doc string follows


def test_an_unknown_corelet_suggests_the_closest(corelet):
    proc = corelet("library", "Dens")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "the library has no corelet `Dens`" in proc.stderr
    assert "did you mean `Dense`?" in proc.stderr
