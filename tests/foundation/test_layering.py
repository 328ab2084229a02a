"""The import rules of docs/architecture.md, checked on the source of every module.

Stages import the shared layer (``corelet.chip``, where both contracts live), never each other; only
the package root (the command line and the one-call API, folder ``toolchain/``) composes them.
Imports inside functions count too, and no two modules may import each other, directly or in a ring.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[2]
# folder -> subpackage of ``corelet`` ("" is the package root); mirrors pyproject.toml's package-dir
FOLDERS = {"toolchain": "", "chip": "chip", "corelets": "language", "compiler": "compiler",
           "runtime": "runtime", "reports": "reports", "library": "library", "interop": "interop",
           "training": "training"}
STAGES = {"language", "compiler", "runtime", "reports", "interop"}
ALLOWED = {
    "chip": {"chip"},
    "language": {"language", "chip", "library"},  # the library folder is data: its path only
    "compiler": {"compiler", "chip"},
    "runtime": {"runtime", "chip"},
    "reports": {"reports", "chip"},
    "interop": {"interop", "chip"},
    "library": set(),
    "training": {"training"},  # numpy helpers for training networks that fit the chip
}


def module_name(path: Path) -> str:
    folder, *rest = path.relative_to(ROOT).with_suffix("").parts
    parts = ["corelet", *filter(None, [FOLDERS[folder]]), *rest]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for folder in FOLDERS for p in sorted((ROOT / folder).rglob("*.py"))}


def imports_of(path: Path) -> set[str]:
    """Every ``corelet...`` module a file imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import; write corelet.<package>.<module>"
            # "from corelet.chip import ids" imports the module ids; "... import Span" the package
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "corelet" or name.startswith("corelet.")}


def layer(module: str) -> str:
    """The subpackage a module belongs to; "" for the package root's own modules."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else ""


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package):
    offenders = {}
    for name, path in modules().items():
        if layer(name) != package:
            continue
        extra = {layer(m) or "corelet (the command line and API)" for m in imports_of(path)} - ALLOWED[package]
        if extra:
            offenders[str(path.relative_to(ROOT))] = sorted(extra)
    assert offenders == {}


def test_no_stage_imports_another():
    for name, path in modules().items():
        if layer(name) in STAGES:
            others = {layer(m) for m in imports_of(path)} & (STAGES - {layer(name)})
            assert not others, f"{name} imports the stage(s) {sorted(others)}"


def test_no_import_cycles():
    """No module imports another that imports it back, directly or through others (a module that
    needs a name of its own package imports the sibling module that defines it)."""
    known = modules()
    graph = nx.DiGraph()
    for name, path in known.items():
        graph.add_node(name)
        for target in imports_of(path):
            while target not in known and "." in target:
                target = target.rpartition(".")[0]
            if target != name:
                graph.add_edge(name, target)
    assert sorted(nx.simple_cycles(graph)) == []


def test_every_module_says_its_job():
    missing = [str(p.relative_to(ROOT)) for p in modules().values()
               if p.stat().st_size and ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert missing == []
