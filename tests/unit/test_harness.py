"""The in-process grader of tests/support/harness.py, on a notebook made of five cells."""
from __future__ import annotations

from tests.support.harness import Cell, grade

CELLS = [
    Cell(0, "setup", None, "ran = []"),
    Cell(1, "solution", "answer", "def double(x):\n    return 2 * x"),
    Cell(2, "tests", "visible", "ran.append('visible')\n_run = double(21)\nassert _run == 42, _run"),
    Cell(3, "tests", "hidden", "ran.append('hidden')\nassert _run + double(0) == 42, _run"),
    Cell(4, "tests", "late", "ran.append('late')\nraise AssertionError('the last cell fails')"),
]


def test_every_cell_runs_and_each_test_cell_is_reported():
    result = grade(CELLS)
    assert result.passed == {"visible": True, "hidden": True, "late": False}
    assert "the last cell fails" in result.messages["late"]


def test_a_mistake_fails_the_cells_that_call_it():
    result = grade(CELLS, {"answer": "def double(x):\n    return x + 1"})
    assert result.failed() == ["visible", "hidden", "late"]


def test_until_runs_every_cell_before_the_named_one_and_nothing_after():
    result = grade(CELLS, {"answer": "def double(x):\n    return x + 1"}, until={"hidden"})
    # the hidden cell reads the visible cell's _run: it ran, and nothing after it did
    assert result.passed == {"visible": False, "hidden": False}
    assert "22" in result.messages["hidden"]


def test_only_skips_the_other_test_cells_and_stops_after_the_last_named():
    result = grade(CELLS, only={"visible"})
    assert result.passed == {"visible": True}
