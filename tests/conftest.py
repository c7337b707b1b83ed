"""Shared test set-up: headless widgets, and the tests folder importable (harness, submissions).

MPLBACKEND is deliberately left alone: nbval's kernels inherit this environment and must draw
their figures inline."""
import os
import sys
from pathlib import Path

os.environ.setdefault("COURSE_WIDGETS", "static")
sys.path.insert(0, str(Path(__file__).resolve().parent))
