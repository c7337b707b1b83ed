"""Shared test set-up: headless widgets, and no matplotlib figure left open by a test.

MPLBACKEND is deliberately left alone: nbval's kernels inherit this environment and must draw
their figures inline. Helpers live in the ``tests.support`` package."""
import os
import sys

import pytest

os.environ.setdefault("COURSE_WIDGETS", "static")


@pytest.fixture(autouse=True)
def _close_figures():
    """Tests that draw leave no open matplotlib figures behind."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
