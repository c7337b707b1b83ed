"""Does a student's function loop in Python where the prompt forbids it? Counted, not timed.

A timing test cannot tell a loop over output positions from a vectorized answer when the loop's
body is itself vectorized (it is still many times faster than four nested loops). Counting can:
run the function under a tracer that counts the lines executed in notebook code, on two inputs
that differ only in the size the prompt forbids looping over. A vectorized answer runs the same
lines for both; a loop over that size runs its body once more per extra item::

    expect_no_python_loop(lambda: conv2d_vectorized(x_small, w, b), lambda: conv2d_vectorized(x_large, w, b),
                          "conv2d_vectorized", over="output positions", extra=60,
                          sizes=("4 output positions", "64 output positions"))

Notebook code is every code object whose file is not part of the Python installation or the
installed packages (the cells, and the functions and lambdas they define); library code (NumPy's
Python functions included) is not traced line by line, so the count does not depend on library
versions.
"""
from __future__ import annotations

import sys
import sysconfig
from collections.abc import Callable
from typing import Any

from .checks import CheckFailure

__all__ = ["executed_lines", "expect_no_python_loop"]

_LIBRARY_ROOTS = tuple(sorted({p for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                            *sysconfig.get_paths().values()) if p}, key=len))


def _is_notebook_code(filename: str) -> bool:
    return not filename.startswith(_LIBRARY_ROOTS) and not filename.startswith("<frozen")


def executed_lines(call: Callable[[], Any]) -> tuple[Any, int]:
    """Run ``call()`` and count the line events in notebook code while it runs.

    Returns (what ``call`` returned, number of lines executed). Raises CheckFailure when the code
    removed or replaced the tracer (the count would be meaningless)."""
    count = 0
    known: dict[str, bool] = {}

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        filename = frame.f_code.co_filename
        if filename not in known:
            known[filename] = _is_notebook_code(filename)
        return local if known[filename] else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        result = call()
        still_ours = sys.gettrace() is tracer
    finally:
        sys.settrace(previous)
    if not still_ours:
        raise CheckFailure("the function changed Python's trace function (sys.settrace) while it ran: "
                           "this test counts the lines your code executes; leave the tracer alone")
    return result, count


def expect_no_python_loop(small: Callable[[], Any], large: Callable[[], Any], name: str, over: str,
                          extra: int, sizes: tuple[str, str] = ("the small input", "the large input")) -> None:
    """Fail when ``large`` executes at least ``extra`` more lines of notebook code than ``small``.

    ``small`` and ``large`` call the function on inputs that differ only in the size the prompt
    forbids looping over; ``extra`` is how many more iterations a loop over it would make on the
    large input (each iteration executes at least one line). ``over`` names that size in the
    message, ``sizes`` describes the two inputs."""
    if extra < 1:
        raise ValueError(f"extra must be at least 1 (a loop makes that many more iterations), got {extra}")
    _, lines_small = executed_lines(small)
    _, lines_large = executed_lines(large)
    if lines_large - lines_small >= extra:
        raise CheckFailure(
            f"{name} executed {lines_small} lines of your code for {sizes[0]} and {lines_large} for "
            f"{sizes[1]}: the {lines_large - lines_small} more lines come from a Python loop over {over}, "
            "which the exercise forbids; replace it with array operations over the whole batch")
