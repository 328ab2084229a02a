"""The import rules of docs/architecture.md, checked on the source of every module."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {
    "chip": {"chip"},
    "corelets": {"chip", "corelets", "library"},
    "runtime": {"chip", "runtime"},
    "compiler": {"chip", "corelets", "runtime", "compiler"},
    "toolchain": {"chip", "corelets", "runtime", "compiler", "toolchain", "library"},
}
OURS = set(ALLOWED) | {"library"}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package):
    offenders = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        extra = imported_packages(path) - ALLOWED[package]
        if extra:
            offenders[str(path.relative_to(ROOT))] = sorted(extra)
    assert offenders == {}


def test_every_module_says_its_job():
    missing = [str(p.relative_to(ROOT)) for pkg in ALLOWED for p in sorted((ROOT / pkg).rglob("*.py"))
               if p.stat().st_size and ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None
               and p.name != "__init__.py"]
    assert missing == []
