"""Run the ``corelet`` program in a subprocess, as a user would."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def corelet(tmp_path):
    def run(*args, cwd=None):
        proc = subprocess.run([sys.executable, "-m", "corelet", *map(str, args)],
                              capture_output=True, text=True, cwd=cwd or tmp_path)
        return proc
    return run
