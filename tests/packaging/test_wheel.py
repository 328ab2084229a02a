"""The wheel is the product: build it, install it into a fresh virtual environment, and use it.

The development checkout has an editable install and the repository on ``sys.path``, which hides
packaging mistakes (a subpackage missing from ``[tool.setuptools] packages``, package data such as
the grammar or the report templates left out of the wheel, an import of a top-level ``compiler`` or
``runtime`` that only resolves inside the checkout). This test sees them:

1. copy the source tree (without build outputs: a stale ``build/lib`` could carry files the wheel
   would otherwise lack) and ``pip wheel`` it (setuptools, fetched by pip's build isolation);
2. install the wheel into a new venv, its dependencies from the package index, pinned by
   constraints.txt (the venv has no pip: the running interpreter's pip installs into it);
3. from a folder holding ``compiler.py``, ``runtime.py``, ``chip.py``, ``library.py`` and
   ``toolchain.py`` that raise if imported, run ``corelet --version``, ``python -m corelet
   --version``, ``import corelet`` and the skeleton example from source to spikes.

Needs the package index (CI installs from it too). About half a minute, mostly pip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHADOWS = ("compiler", "runtime", "chip", "library", "toolchain", "corelets", "reports")
# build outputs and caches of the checkout, never part of a build
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                     ".pytest_cache", ".hypothesis", "out", "tests", "benchmarks")

# the skeleton example's expected output (tests/e2e/test_skeleton.py derives it by hand)
TICKS = 10
EXPECTED_SPIKE_TICKS = {0: [1, 6], 1: [4], 2: [3, 8]}

pytestmark = pytest.mark.slow


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONSAFEPATH")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return env


def run(args, *, cwd, what, env=None):
    proc = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          env=env or clean_env())
    assert proc.returncode == 0, f"{what} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv bin folder, wheel path) of a fresh venv with the built wheel installed."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCES)
    dist = base / "dist"
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, src], cwd=base,
        what="pip wheel")
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    venv = base / "venv"
    # without a pip of its own (faster): this interpreter's pip installs into it (pip >= 22.3)
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=base, what="python -m venv")
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    run([sys.executable, "-m", "pip", "--python", bindir / "python", "install", "-q",
         "-c", ROOT / "constraints.txt", wheels[0]], cwd=base, what="pip install of the wheel")
    return bindir, wheels[0]


@pytest.fixture
def shadowed(tmp_path):
    """A working folder whose same-named modules would be imported by any top-level import of the
    repository's folder names."""
    for name in SHADOWS:
        (tmp_path / f"{name}.py").write_text(
            f"raise ImportError('the installed corelet imported a top-level module {name!r}')\n")
    return tmp_path


def test_wheel_holds_the_package_data(installed):
    _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    library = [f"corelet/library/{p.name}" for p in (ROOT / "library").glob("*.corelet")]
    for data in ("corelet/language/grammar.lark", "corelet/reports/templates/report.html.j2",
                 "corelet/reports/templates/report.text.j2", "corelet/__main__.py", *library):
        assert data in names, f"{data} is missing from the wheel"
    packages = {n.split("/")[1] for n in names if n.startswith("corelet/") and n.count("/") > 1}
    assert packages >= {"chip", "language", "compiler", "runtime", "reports", "library"}
    assert not [n for n in names if n.startswith(("tests/", "toolchain/", "compiler/", "runtime/"))]


def test_installed_program_version_and_import(installed, shadowed):
    bindir, _ = installed
    from corelet.chip.version import __version__

    for cmd in ([bindir / "corelet", "--version"], [bindir / "python", "-m", "corelet", "--version"]):
        out = run(cmd, cwd=shadowed, what=" ".join(map(str, cmd[1:]))).stdout
        assert out.strip() == f"corelet {__version__}", out
    where = run([bindir / "python", "-c", "import corelet, sys; print(corelet.__file__)"],
                cwd=shadowed, what="import corelet").stdout.strip()
    assert Path(where).resolve().is_relative_to(bindir.parent.resolve()), \
        f"corelet was imported from {where}, not from the fresh venv"


def test_installed_program_compiles_and_runs_the_skeleton(installed, shadowed):
    bindir, _ = installed
    corelet = bindir / "corelet"
    example, raster = ROOT / "examples" / "skeleton.corelet", ROOT / "examples" / "skeleton_input.npz"
    run([corelet, "check", example], cwd=shadowed, what="corelet check")
    run([corelet, "compile", example, "-o", "m.json", "--report", "r.html", "--report-text", "r.txt"],
        cwd=shadowed, what="corelet compile")   # the grammar and both report templates
    assert "<svg" in (shadowed / "r.html").read_text()
    assert (shadowed / "r.txt").read_text().strip()
    ran = run([corelet, "run", "m.json", "--ticks", TICKS, "--input", raster, "-o", "s.npz"],
              cwd=shadowed, what="corelet run")
    assert "y[0] .|....|..." in ran.stdout
    expected = np.zeros((TICKS, 3), dtype=bool)
    for pin, ticks in EXPECTED_SPIKE_TICKS.items():
        expected[ticks, pin] = True
    with np.load(shadowed / "s.npz") as out:
        key = next(k for k in out.files if k.endswith("y") or k == "y")
        got = out[key].reshape(-1, TICKS, 3)[0].astype(bool)
    assert np.array_equal(got, expected)
    run([corelet, "report", "m.json", "-o", "r2.html"], cwd=shadowed, what="corelet report")
    run([corelet, "show", "m.json"], cwd=shadowed, what="corelet show")


def test_installed_program_finds_the_library(installed, shadowed):
    bindir, _ = installed
    (shadowed / "clock.corelet").write_text(
        'use "clocks"\ncorelet Tick() { output y[2]; c = Clock(period = 3, phases = [0, 2]); y = c.y }\n')
    run([bindir / "corelet", "compile", "clock.corelet", "-o", "c.json"], cwd=shadowed,
        what="corelet compile (library)")
    ran = run([bindir / "corelet", "run", "c.json", "--ticks", 7, "-o", "c.npz"], cwd=shadowed,
              what="corelet run (library)")
    assert "y[0] |..|..|" in ran.stdout and "y[1] ..|..|." in ran.stdout, ran.stdout
