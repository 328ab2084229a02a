"""`use` imports: the search path, selective imports, cycles, and errors inside imported files."""

from __future__ import annotations

from pathlib import Path

import pytest

from corelet import language
RELAY = """neuron relu { threshold = 2; reset = linear }
corelet Relay() {
    input x
    output y
    neurons h = relu
    x -> h
    y = h
}
"""

TOP = """corelet Top() {
    input x
    output y
    r = Relay()
    x -> r.x
    y = r.y
}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_use_a_file_next_to_the_importer(tmp_path):
    write(tmp_path, "relay.corelet", RELAY)
    main = write(tmp_path, "main.corelet", 'use "relay.corelet"\n' + TOP)
    net = language.elaborate_file(main)
    assert [p.path for p in net.populations] == ["r.h"]
    assert net.params.threshold.tolist() == [2] and net.params.reset_mode.tolist() == [1]


def test_use_selected_names_without_the_suffix(tmp_path):
    write(tmp_path, "relay.corelet", RELAY)
    main = write(tmp_path, "main.corelet", 'use Relay from "relay"\n' + TOP)
    assert language.elaborate_file(main).n_neurons == 1


def test_only_selected_names_are_visible(tmp_path):
    write(tmp_path, "relay.corelet", RELAY)
    main = write(tmp_path, "main.corelet", 'use Relay from "relay"\n' + TOP.replace(
        "r = Relay()", "r = Relay()\n    neurons k = relu"))
    with pytest.raises(language.LanguageError) as info:
        language.elaborate_file(main)
    d = info.value.diagnostics[0]
    assert (d.message, d.span.line, d.span.column) == ("unknown template `relu`", 6, 17)


def test_search_path_is_used(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    write(lib, "relay.corelet", RELAY)
    net = language.elaborate_source('use "relay"\n' + TOP, str(tmp_path / "main.corelet"),
                                    search_path=[str(lib)])
    assert net.n_neurons == 1


def test_import_not_found_lists_the_search_path(tmp_path):
    main = write(tmp_path, "main.corelet", 'use "nothere"\n' + TOP)
    with pytest.raises(language.LanguageError) as info:
        language.elaborate_file(main)
    d = info.value.diagnostics[0]
    assert (d.message, d.span.line, d.span.column) == ("cannot find `nothere`", 1, 5)
    assert d.hint.startswith(f"searched {tmp_path}, ") and "library" in d.hint


def test_import_cycle(tmp_path):
    write(tmp_path, "a.corelet", 'use "b"\n')
    write(tmp_path, "b.corelet", 'use "a"\n')
    main = write(tmp_path, "main.corelet", 'use "a"\n' + RELAY + TOP)
    with pytest.raises(language.LanguageError) as info:
        language.elaborate_file(main)
    d = info.value.diagnostics[0]
    assert d.message == "import cycle: a.corelet -> b.corelet -> a.corelet"
    assert (d.span.file, d.span.line, d.span.column) == (str(tmp_path / "b.corelet"), 1, 5)
    assert d.notes == (f"{tmp_path / 'b.corelet'} imported from {tmp_path / 'a.corelet'}:1:1",
                       f"{tmp_path / 'a.corelet'} imported from {main}:1:1")


def test_error_in_an_imported_file_points_into_it_with_the_import_chain(tmp_path):
    write(tmp_path, "bad.corelet", RELAY.replace("neurons h = relu", "neurons h = rleu"))
    write(tmp_path, "mid.corelet", 'use "bad"\n')
    main = write(tmp_path, "main.corelet", 'use "mid"\nuse Relay from "bad"\n' + TOP)
    with pytest.raises(language.LanguageError) as info:
        language.elaborate_file(main)
    d = info.value.diagnostics[0]
    bad = tmp_path / "bad.corelet"
    assert (d.message, d.span.file, d.span.line, d.span.column) == (
        "unknown template `rleu`", str(bad), 5, 17)
    assert d.notes == (f"in instance `r` of `Relay` at {main}:6:5",
                       f"{bad} imported from {tmp_path / 'mid.corelet'}:1:1",
                       f"{tmp_path / 'mid.corelet'} imported from {main}:1:1")
    text = str(info.value)
    assert "    neurons h = rleu\n" in text and "hint: did you mean `relu`?" in text


def test_syntax_error_in_an_imported_file(tmp_path):
    write(tmp_path, "broken.corelet", "corelet B() {\n    input x[\n}\n")
    main = write(tmp_path, "main.corelet", 'use "broken"\n' + RELAY + TOP)
    with pytest.raises(language.LanguageError) as info:
        language.elaborate_file(main)
    d = info.value.diagnostics[0]
    assert (d.span.file, d.span.line, d.span.column) == (str(tmp_path / "broken.corelet"), 3, 1)
    assert d.message == "unexpected `}`"
    assert d.notes == (f"{tmp_path / 'broken.corelet'} imported from {main}:1:1",)


def test_a_name_imported_twice_from_the_same_file_is_fine(tmp_path):
    write(tmp_path, "relay.corelet", RELAY)
    main = write(tmp_path, "main.corelet", 'use "relay"\nuse Relay from "relay"\n' + TOP)
    assert language.elaborate_file(main).n_neurons == 1


def test_an_import_clashing_with_a_definition(tmp_path):
    write(tmp_path, "relay.corelet", RELAY)
    main = write(tmp_path, "main.corelet", 'use "relay"\n' + RELAY + TOP)
    with pytest.raises(language.LanguageError) as info:
        language.elaborate_file(main)
    d = info.value.diagnostics[0]
    assert d.message in ("`relu` is defined twice", "`Relay` is defined twice")
    assert d.span.line == 1


def test_the_library_folder_is_on_the_path(tmp_path, monkeypatch):
    from corelet import library
    lib = tmp_path / "fakelib"
    lib.mkdir()
    write(lib, "stdrelay.corelet", RELAY)
    monkeypatch.setattr(library, "LIBRARY_PATH", lib)
    net = language.elaborate_source('use Relay from "stdrelay"\n' + TOP, "<string>")
    assert net.n_neurons == 1


def test_elaborate_file_that_does_not_exist(tmp_path):
    with pytest.raises(language.LanguageError) as info:
        language.elaborate_file(tmp_path / "missing.corelet")
    assert "cannot read" in str(info.value)


def test_one_file_reached_by_two_spellings_is_one_module(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    write(lib, "relay.corelet", RELAY)
    write(lib, "wrap.corelet", 'use Relay from "relay"\n' + TOP.replace("Top", "Wrapped"))
    main = write(tmp_path, "main.corelet",
                 'use "lib/wrap"\nuse Relay from "./lib/relay.corelet"\n' + TOP)
    net = language.elaborate_file(main, search_path=[str(lib)])
    assert net.n_neurons == 1
