"""``import corelet`` is cheap and harmless: it loads no numpy, no subpackage, and changes no
process-wide setting (os.environ: the BLAS thread variables are only set by the ``corelet``
program's entry point, ``corelet.entry``). Checked in a fresh interpreter, since this test
process has long imported everything."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from corelet.blas import THREAD_VARIABLES

PROBE = """
import json, os, sys
before = dict(os.environ)
import corelet
print(json.dumps({
    "numpy": "numpy" in sys.modules,
    "loaded": sorted(m for m in sys.modules if m.startswith("corelet.")),
    "environ_changed": sorted(k for k in set(before) | set(os.environ)
                              if before.get(k) != os.environ.get(k)),
    "api": sorted(corelet.__all__),
}))
"""


def test_import_corelet_loads_nothing_and_changes_no_setting():
    # without the BLAS variables (this test process set them in conftest), so that an import
    # that sets them would show
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert not got["numpy"], "import corelet imported numpy"
    assert got["loaded"] == [], f"import corelet loaded subpackages: {got['loaded']}"
    assert got["environ_changed"] == [], f"import corelet changed os.environ: {got['environ_changed']}"
    assert {"load", "compile", "run", "__version__"} <= set(got["api"])
