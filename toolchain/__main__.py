"""``python -m toolchain`` is the ``corelet`` program."""

from toolchain.cli import main

raise SystemExit(main())
