"""Loading a program: the root file and, through ``use``, every file it imports.

A file's namespace holds its own corelets and templates plus the ones it imports; ``use "f"``
brings in every definition that ``f`` itself defines (not what ``f`` imports), ``use A, b from "f"``
only those. Files are found relative to the importing file, then along the search path, then in
the standard library folder. Each definition remembers its file, so it elaborates in the namespace
where it was written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import attrs

from corelet.chip.limits import active_limits
from corelet.chip.source import Span
from corelet.language import ast
from corelet.language._parser import parse
from corelet.language.diagnostics import ERROR, Diagnostic, LanguageError, did_you_mean


def library_path() -> Path:
    """The standard library folder (``library.LIBRARY_PATH``)."""
    from corelet.library import LIBRARY_PATH  # a data package: only its folder is read

    return Path(LIBRARY_PATH)


@attrs.frozen
class Definition:
    """A corelet or template definition and the file it was written in."""

    node: ast.CoreletDecl | ast.TemplateDecl
    file: str


@attrs.define
class Program:
    """Every loaded file: its text, its AST, its namespace, and how it was reached."""

    sources: dict = attrs.field(factory=dict)  # file -> text
    modules: dict = attrs.field(factory=dict)  # file -> ast.Module
    namespaces: dict = attrs.field(factory=dict)  # file -> {name: Definition}
    import_notes: dict = attrs.field(factory=dict)  # file -> ("f imported from g:1:1", ...)
    errors: list = attrs.field(factory=list)

    def notes_for(self, file: str) -> tuple[str, ...]:
        return self.import_notes.get(file, ())


def load_program(text: str, filename: str, search_path: Sequence[str] = ()) -> Program:
    """Parse ``text`` and everything it imports; raise ``LanguageError`` on any error."""
    program = Program()
    dirs = [Path(p) for p in search_path] + [library_path()]
    loader = _Loader(program, dirs)
    loader.spellings[_key(filename)] = filename
    loader.load(text, filename, stack=(_key(filename),))
    if program.errors:
        raise LanguageError(program.errors, program.sources)
    return program


def _key(path: str) -> str:
    """One spelling per file, so `./a.corelet` and `a.corelet` are the same import."""
    return path if path.startswith("<") else str(Path(path).resolve())


@attrs.define
class _Loader:
    program: Program
    search_dirs: list
    spellings: dict = attrs.field(factory=dict)  # _key(path) -> the path as first loaded

    def load(self, text: str, filename: str, stack: tuple) -> None:
        program = self.program
        program.sources[filename] = text
        module = parse(text, filename)
        program.modules[filename] = module
        own = self._own_definitions(module, filename)
        namespace = dict(own)
        for use in module.uses:
            for name, definition in self._import(use, filename, stack).items():
                self._add(namespace, name, definition, use.span)
        program.namespaces[filename] = namespace

    def _own_definitions(self, module: ast.Module, filename: str) -> dict:
        own: dict = {}
        for node in (*module.templates, *module.corelets):
            self._add(own, node.name, Definition(node, filename), node.name_span)
        return own

    def _add(self, namespace: dict, name: str, definition: Definition, span) -> None:
        if name in namespace and namespace[name] != definition:
            first = namespace[name].node.name_span
            self.program.errors.append(Diagnostic(
                ERROR, f"`{name}` is defined twice", span, hint=f"the first definition is at {first}",
                notes=self.program.notes_for(span.file)))
            return
        namespace[name] = definition

    def _import(self, use: ast.UseDecl, importer: str, stack: tuple) -> dict:
        program = self.program
        path = self._find(use, importer)
        if path is None:
            return {}
        path = self.spellings.setdefault(_key(path), path)  # one file, one name
        if _key(path) in stack:
            cycle = " -> ".join(Path(p).name for p in stack[stack.index(_key(path)):]) + \
                f" -> {Path(path).name}"
            program.errors.append(Diagnostic(ERROR, f"import cycle: {cycle}", use.path_span,
                                             notes=program.notes_for(importer)))
            return {}
        if path not in program.modules:
            program.import_notes[path] = (f"{path} imported from {use.span}",
                                          *program.notes_for(importer))
            try:
                text = read_source(path)
            except LanguageError as err:
                program.errors.append(Diagnostic(ERROR, f"cannot import `{use.path}`: "
                                                 f"{err.message}", use.path_span))
                return {}
            try:
                self.load(text, path, stack + (_key(path),))
            except LanguageError as err:
                program.errors.extend(attrs.evolve(d, notes=d.notes + program.notes_for(path))
                                      for d in err.diagnostics)
                return {}
        return self._exported(use, path)

    def _exported(self, use: ast.UseDecl, path: str) -> dict:
        program = self.program
        module = program.modules[path]
        own = {n.name: Definition(n, path) for n in (*module.templates, *module.corelets)}
        if use.names is None:
            return own
        chosen = {}
        for name in use.names:
            if name.id in own:
                chosen[name.id] = own[name.id]
            else:
                program.errors.append(Diagnostic(
                    ERROR, f"`{use.path}` defines no corelet or template `{name.id}`", name.span,
                    hint=did_you_mean(name.id, own), notes=program.notes_for(name.span.file)))
        return chosen

    def _find(self, use: ast.UseDecl, importer: str) -> str | None:
        """The file ``use`` names, looked up in the importer's folder, the search path and the
        library, never outside them: an absolute path, a ``..`` that leaves the folder, or a
        symlink out of it is an error, and such a file is not opened."""
        base = Path(importer).parent if not importer.startswith("<") else Path(".")
        dirs = [base, *self.search_dirs]
        name = use.path
        if "\0" in name:
            self._confinement_error(use, importer, "a path with a NUL character")
            return None
        if Path(name).is_absolute() or Path(name).drive:
            self._confinement_error(use, importer, "an absolute path")
            return None
        if not name.endswith(".corelet"):
            name += ".corelet"
        for folder in dirs:
            if not _inside(os.path.normpath(folder / name), os.path.normpath(folder)):
                continue  # `..` that leaves this folder (checked before touching the file)
            candidate = folder / name
            if candidate.is_file():
                if not _inside(str(candidate.resolve()), str(folder.resolve())):
                    self._confinement_error(use, importer, "a link out of its folder", folder)
                    return None
                return str(candidate)
        if ".." in Path(name).parts and not any(
                _inside(os.path.normpath(folder / name), os.path.normpath(folder)) for folder in dirs):
            self._confinement_error(use, importer, "a path that leaves the importing folder")
            return None
        searched = ", ".join(str(d) for d in dirs)
        self.program.errors.append(Diagnostic(
            ERROR, f"cannot find `{use.path}`", use.path_span, hint=f"searched {searched}",
            notes=self.program.notes_for(importer)))
        return None

    def _confinement_error(self, use: ast.UseDecl, importer: str, what: str,
                           folder: Path | None = None) -> None:
        where = f" ({folder})" if folder is not None else ""
        self.program.errors.append(Diagnostic(
            ERROR, f"cannot import `{use.path}`: {what}{where}; imports stay inside the importing "
            f"file's folder, the search path and the library", use.path_span,
            hint="add the folder that holds it to the search path (`-I DIR`, or `search_path=` "
                 "in the API) and import it by its name there",
            notes=self.program.notes_for(importer)))


def _inside(path: str, folder: str) -> bool:
    """Whether ``path`` lies inside ``folder`` (both normalised the same way)."""
    return os.path.commonpath([os.path.abspath(path), os.path.abspath(folder)]) == \
        os.path.abspath(folder)


def read_source(path: str | os.PathLike) -> str:
    """The text of a ``.corelet`` file: UTF-8 (a byte order mark is dropped), at most the limit
    ``file_bytes``; ``LanguageError`` saying why not, at the line and column of a bad byte. The
    text of a file that is not valid source is never shown."""
    path = str(path)
    try:
        size = os.stat(path).st_size
        limits = active_limits()
        if size > limits.file_bytes:
            raise LanguageError([Diagnostic(ERROR, f"cannot read {path}: " + limits.message(
                "file_bytes", size, "bytes of this file"), None, limits.hint("file_bytes"))])
        raw = Path(path).read_bytes()
    except OSError as err:
        raise LanguageError([Diagnostic(ERROR, f"cannot read {path}: {err.strerror or err}",
                                        None)]) from None
    bom = len(b"\xef\xbb\xbf") if raw.startswith(b"\xef\xbb\xbf") else 0
    nul = raw.find(b"\0")
    try:
        text = raw[:nul if nul >= 0 else len(raw)].decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _unreadable(path, raw, bom, err.start,
                          f"not UTF-8 text (byte 0x{raw[err.start]:02x} at offset "
                          f"{err.start})") from None
    if nul >= 0:
        raise _unreadable(path, raw, bom, nul, "a binary file, not .corelet source (a NUL byte)")
    return text


def _unreadable(path: str, raw: bytes, bom: int, offset: int, why: str) -> LanguageError:
    """The error of a file that is no source text, at the line and column of its first bad byte
    (``offset``); its lines are never shown (``sources`` holds it as empty)."""
    line = raw.count(b"\n", 0, offset) + 1
    start = max(raw.rfind(b"\n", 0, offset) + 1, bom)
    column = len(raw[start:offset].decode("utf-8", "replace")) + 1
    span = Span(path, line, column, line, column + 1)
    return LanguageError([Diagnostic(ERROR, f"cannot read this file: {why}", span)], {path: ""})
