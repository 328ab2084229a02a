"""A small text progress bar on stderr, shown only for long work on a terminal (or when forced)."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    """Callable as ``(done, total)`` or ``(stage, done, total)``; draws at most ten times a second."""

    def __init__(self, label: str, enabled: bool | None = None, stream=None):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = 0.0
        self._start = time.monotonic()

    def __call__(self, *args) -> None:
        stage, (done, total) = (args[0], args[1:]) if len(args) == 3 else ("", args)
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 30
        filled = int(width * done / total)
        rate = done / max(now - self._start, 1e-9)
        eta = (total - done) / rate if rate > 0 else 0.0
        label = f"{self.label} {stage}" if stage else self.label
        self.stream.write(f"\r{label:<24} [{'#' * filled}{'.' * (width - filled)}] "
                          f"{done}/{total} {eta:5.1f}s left ")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
