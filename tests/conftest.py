"""Shared test set-up: headless widgets, and the tests folder importable (harness, submissions).

MPLBACKEND is deliberately left alone: nbval's kernels inherit this environment and must draw
their figures inline."""
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("COURSE_WIDGETS", "static")
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def _close_figures():
    """Tests that draw leave no open matplotlib figures behind."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
