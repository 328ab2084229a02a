"""The standard corelets, written in the .corelet language; this folder is on the default import path."""

from pathlib import Path

LIBRARY_PATH = Path(__file__).parent
