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


# Longest first: pytest-xdist hands out modules in collection order, so the grading fixtures
# (minutes each) start at once instead of leaving one worker busy at the end while the other idles.
_FIRST = ("tests/e2e/test_hub.py", "tests/grading/test_grading_roundtrip.py", "tests/grading/test_hostile.py",
          "tests/grading/test_red_team.py", "tests/grading/test_lms_zip.py", "tests/grading/test_postgres.py",
          "tests/grading/test_normal_user.py", "tests/grading/", "tests/e2e/", "lectures/", "solutions/",
          "tests/assignments/")


def _rank(item) -> int:
    path = item.nodeid.split("::", 1)[0]
    return next((i for i, prefix in enumerate(_FIRST) if path.startswith(prefix)), len(_FIRST))


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=_rank)  # stable: the order within a module is kept
