"""Progress on stderr for the steps that can take more than a second, shown only on a terminal
(or when forced) and only once the step has run for ``progress_after()`` seconds, so quick
commands print nothing: ``ProgressBar`` for work that counts (passes, ticks, samples), ``step`` for
a step that does not (elaborating, loading or writing a model)."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time

# seconds a step runs before its progress shows; the environment variable sets it (0: at once)
AFTER_VARIABLE = "CORELET_PROGRESS_AFTER"


def progress_after() -> float:
    try:
        return max(0.0, float(os.environ.get(AFTER_VARIABLE, "1")))
    except ValueError:
        return 1.0


def is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def _write(stream, text: str) -> None:
    """Progress is a courtesy: a closed or broken stderr does not end the command."""
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):
        pass


class ProgressBar:
    """Callable as ``(done, total)`` or ``(stage, done, total)``; draws at most ten times a second,
    nothing before ``after`` seconds (default: none for a forced bar, else ``progress_after()``)."""

    def __init__(self, label: str, enabled: bool | None = None, stream=None,
                 after: float | None = None):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.after = (0.0 if enabled else progress_after()) if after is None else after
        self._last = 0.0
        self._drawn = False
        self._start = time.monotonic()

    def __call__(self, *args) -> None:
        stage, (done, total) = (args[0], args[1:]) if len(args) == 3 else ("", args)
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if not self._drawn and now - self._start < self.after:
            return  # quick work shows nothing, not even its end
        if done < total and now - self._last < 0.1:
            return
        self._last, self._drawn = now, True
        width = 30
        filled = int(width * done / total)
        rate = done / max(now - self._start, 1e-9)
        eta = (total - done) / rate if rate > 0 else 0.0
        label = f"{self.label} {stage}" if stage else self.label
        _write(self.stream, f"\r{label:<24} [{'#' * filled}{'.' * (width - filled)}] "
                            f"{done}/{total} {eta:5.1f}s left " + ("\n" if done >= total else ""))


@contextlib.contextmanager
def step(label: str, enabled: bool | None = None, stream=None, after: float | None = None):
    """A step whose progress cannot be counted: once it has run ``after`` seconds (default
    ``progress_after()``), ``label ...`` appears on stderr, and when it ends, how long it took."""
    stream = stream or sys.stderr
    if not (is_terminal(stream) if enabled is None else enabled):
        yield
        return
    after = progress_after() if after is None else after
    started = time.monotonic()
    lock = threading.Lock()
    state = {"done": False, "shown": False}

    def show() -> None:
        with lock:
            if not state["done"]:
                state["shown"] = True
                _write(stream, f"{label} ...")

    timer = threading.Timer(after, show)
    timer.daemon = True
    if after <= 0:
        show()
    else:
        timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["shown"]:
                _write(stream, f"\r{label} done in {time.monotonic() - started:.1f}s\n")
