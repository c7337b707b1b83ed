"""Counting the lines a function executes tells loops over a size from vectorized code."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from course_utils.checks import CheckFailure
from course_utils.loops import executed_lines, expect_no_python_loop

# Code compiled from a string has a file name outside the installation, like a notebook cell's.
CELL = '''
def vectorized(x):
    y = x * 2
    return np.pad(y, 1).sum()

def per_row(x):
    total = 0.0
    for row in x:
        total += float(np.sum(row * 2))
    return total

def per_row_comprehension(x):
    return sum([float(np.sum(row * 2)) for row in x])

def per_filter_offset(x, offsets=9):
    total = 0.0
    for k in range(offsets):
        total += float(np.sum(x * k))
    return total

def untraced(x):
    sys.settrace(None)
    for row in x:
        pass
    return 0
'''
NS = {"np": np, "sys": sys}
exec(compile(CELL, "/tmp/ipykernel_1/cell.py", "exec"), NS)


def test_a_vectorized_function_runs_the_same_lines_for_any_size():
    (result_small, lines_small), (result_large, lines_large) = (
        executed_lines(lambda n=n: NS["vectorized"](np.ones((n, 3)))) for n in (2, 50))
    assert result_small == 12 and result_large == 300     # 2 * the sum of ones; padding adds zeros
    assert lines_small == lines_large == 3                # the lambda's line and the two lines of the body


def test_a_loop_runs_its_body_once_per_item():
    _, two = executed_lines(lambda: NS["per_row"](np.ones((2, 3))))
    _, fifty = executed_lines(lambda: NS["per_row"](np.ones((50, 3))))
    assert fifty - two == 48 * 2       # the `for` line and the body, once per extra row


@pytest.mark.parametrize("function", ["per_row", "per_row_comprehension"])
def test_a_loop_over_the_forbidden_size_fails_and_says_so(function):
    with pytest.raises(CheckFailure, match="Python loop over rows") as failure:
        expect_no_python_loop(lambda: NS[function](np.ones((2, 3))), lambda: NS[function](np.ones((50, 3))),
                              function, over="rows", extra=48, sizes=("2 rows", "50 rows"))
    assert "for 2 rows and" in str(failure.value)


def test_an_allowed_loop_over_another_size_passes():
    expect_no_python_loop(lambda: NS["per_filter_offset"](np.ones((2, 3))),
                          lambda: NS["per_filter_offset"](np.ones((50, 3))), "per_filter_offset",
                          over="rows", extra=48)
    expect_no_python_loop(lambda: NS["vectorized"](np.ones((2, 3))), lambda: NS["vectorized"](np.ones((50, 3))),
                          "vectorized", over="rows", extra=48)


def test_removing_the_tracer_is_caught():
    with pytest.raises(CheckFailure, match="sys.settrace"):
        executed_lines(lambda: NS["untraced"](np.ones((50, 3))))


def test_library_code_is_not_counted():
    _, lines = executed_lines(lambda: np.pad(np.ones((40, 40)), 3))   # np.pad runs many Python lines
    assert lines == 1                                                 # only the lambda's


def test_a_previous_tracer_is_restored():
    calls = []

    def outer(frame, event, arg):
        calls.append(event)
        return None

    sys.settrace(outer)
    try:
        executed_lines(lambda: 1)
        assert sys.gettrace() is outer
    finally:
        sys.settrace(None)


def test_extra_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        expect_no_python_loop(lambda: 1, lambda: 1, "f", over="rows", extra=0)
