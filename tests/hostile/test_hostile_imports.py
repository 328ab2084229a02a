"""Imports confined (issue 12): `use` reads only inside the importing file's folder, the search
path and the library; an absolute path, a `..` leaving them or a symlink out of them is an error
that does not open the file, and no line of a file that is not source being compiled is shown."""

from __future__ import annotations

import builtins
import io
import os
from pathlib import Path

import pytest

from corelet import language

TOP = """corelet Top() {
    input x
    output y
    r = Relay()
    x -> r.x
    y = r.y
}
"""
RELAY = """corelet Relay() {
    input x; output y
    neurons h = neuron { threshold = 1 }
    x -> h; y = h
}
"""
SECRET = "corelet Secret() { this line must never be printed }\n"


@pytest.fixture
def tree(tmp_path):
    """tmp/project/main.corelet, tmp/project/sub/relay.corelet, tmp/outside/relay.corelet."""
    project, outside = tmp_path / "project", tmp_path / "outside"
    (project / "sub").mkdir(parents=True)
    outside.mkdir()
    (project / "sub" / "relay.corelet").write_text(RELAY)
    (outside / "relay.corelet").write_text(RELAY + SECRET)
    return project, outside


def error_of(main: Path, **kw):
    with pytest.raises(language.LanguageError) as info:
        language.elaborate_file(main, **kw)
    return info.value


def opened_files(monkeypatch) -> list:
    """Every path opened for reading from here on."""
    seen = []
    real_open, real_read = io.open, Path.read_bytes

    def spy_read(self):
        seen.append(str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", spy_read)
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: (seen.append(str(self)),
                                                                   real_open(self, *a, **k).read())[1])
    return seen


def test_a_file_in_a_subfolder_is_found(tree):
    project, _ = tree
    main = project / "main.corelet"
    main.write_text('use "sub/relay"\n' + TOP)
    assert language.elaborate_file(main).n_neurons == 1


@pytest.mark.parametrize("spelling", ["../outside/relay", "sub/../../outside/relay.corelet"])
def test_dotdot_out_of_the_folder_is_an_error_and_the_file_is_not_read(tree, spelling,
                                                                        monkeypatch):
    project, outside = tree
    main = project / "main.corelet"
    main.write_text(f'use "{spelling}"\n' + TOP)
    seen = opened_files(monkeypatch)
    err = error_of(main)
    assert (err.first.message, err.first.span.line, err.first.span.column) == (
        f"cannot import `{spelling}`: a path that leaves the importing folder; imports stay "
        "inside the importing file's folder, the search path and the library", 1, 5)
    assert "-I DIR" in err.first.hint
    assert str(outside / "relay.corelet") not in seen and "never be printed" not in str(err)


@pytest.mark.parametrize("spelling", ["/etc/passwd", "/proc/self/environ"])
def test_absolute_paths_are_errors(tree, spelling):
    project, outside = tree
    main = project / "main.corelet"
    main.write_text(f'use "{spelling}"\n' + TOP)
    err = error_of(main)
    assert err.first.message.startswith(f"cannot import `{spelling}`: an absolute path;")
    assert "root:" not in str(err)


def test_absolute_path_to_a_corelet_file_is_an_error_too(tree):
    project, outside = tree
    main = project / "main.corelet"
    main.write_text(f'use "{outside / "relay.corelet"}"\n' + TOP)
    assert "an absolute path" in error_of(main).first.message


def test_a_symlink_out_of_the_folder_is_an_error(tree, monkeypatch):
    project, outside = tree
    os.symlink(outside / "relay.corelet", project / "link.corelet")
    main = project / "main.corelet"
    main.write_text('use "link"\n' + TOP)
    seen = opened_files(monkeypatch)
    err = error_of(main)
    assert err.first.message.startswith("cannot import `link`: a link out of its folder")
    assert not any("relay.corelet" in p or "link.corelet" in p for p in seen)


def test_the_sibling_folder_is_reached_through_the_search_path(tree):
    project, outside = tree
    (outside / "good.corelet").write_text(RELAY)
    main = project / "main.corelet"
    main.write_text('use "good"\n' + TOP)
    assert "cannot find `good`" in error_of(main).first.message
    assert language.elaborate_file(main, search_path=[str(outside)]).n_neurons == 1


def test_a_file_that_is_not_corelet_source_is_not_opened(tree):
    project, _ = tree
    (project / "notes.txt").write_text("my password is hunter2\n")
    main = project / "main.corelet"
    main.write_text('use "notes.txt"\n' + TOP)
    err = error_of(main)
    assert err.first.message == "cannot find `notes.txt`" and "hunter2" not in str(err)


def test_a_binary_import_shows_no_lines(tree):
    project, _ = tree
    (project / "blob.corelet").write_bytes(b"secret line\n\x00\x01binary")
    main = project / "main.corelet"
    main.write_text('use "blob"\n' + TOP)
    err = error_of(main)
    assert err.first.message.startswith("cannot import `blob`: cannot read this file: a binary "
                                        "file")
    assert "secret line" not in str(err)
