"""Loading a program: the root file and, through ``use``, every file it imports.

A file's namespace holds its own corelets and templates plus the ones it imports; ``use "f"``
brings in every definition that ``f`` itself defines (not what ``f`` imports), ``use A, b from "f"``
only those. Files are found relative to the importing file, then along the search path, then in
the standard library folder. Each definition remembers its file, so it elaborates in the namespace
where it was written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import attrs

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
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                program.errors.append(Diagnostic(ERROR, f"cannot read `{use.path}`: {err}",
                                                 use.path_span))
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
        base = Path(importer).parent if not importer.startswith("<") else Path(".")
        dirs = [base, *self.search_dirs]
        names = [use.path] if use.path.endswith(".corelet") else [use.path, use.path + ".corelet"]
        for folder in dirs:
            for name in names:
                candidate = folder / name
                if candidate.is_file():
                    return str(candidate)
        searched = ", ".join(str(d) for d in dirs)
        self.program.errors.append(Diagnostic(
            ERROR, f"cannot find `{use.path}`", use.path_span, hint=f"searched {searched}",
            notes=self.program.notes_for(importer)))
        return None
