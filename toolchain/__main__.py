"""``python -m corelet`` is the ``corelet`` program."""

from corelet.entry import entry_point

entry_point()
