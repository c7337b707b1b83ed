"""Compare a student's result with an independent oracle and explain a failure.

Every check raises :class:`CheckFailure` (an ``AssertionError``) whose message says what was
called, what came back, what was expected and, where the wrong value matches a known mistake, the
likely cause::

    conv_output_size(7, 3, stride=2, padding=0) returned 3.0 (float), expected the int 3:
    check that the stride fits, then use integer division

The oracle is always computed independently (torch in float64, or a closed form); ``mistakes``
maps a hint to the value that mistake would produce, so the diagnosis is computed too, not guessed.
"""
from __future__ import annotations

import contextlib
import numbers
import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ._arrays import to_numpy

__all__ = [
    "CheckFailure",
    "rel_error",
    "as_float64",
    "expect_int",
    "expect_shape",
    "expect_close",
    "expect_raises",
    "warnings_to_stdout",
]


def _show_on_stdout(message, category, filename, lineno, file=None, line=None):
    sys.stdout.write(warnings.formatwarning(message, category, filename, lineno, line))


@contextlib.contextmanager
def warnings_to_stdout():
    """Within the block, warnings are printed on stdout instead of stderr: nbgrader scores a test
    cell that writes to stderr as failed, and a warning of correct code must cost nothing."""
    with warnings.catch_warnings():
        warnings.showwarning = _show_on_stdout
        yield


class CheckFailure(AssertionError):
    """A check failed; the message is written for the student."""


def rel_error(x: Any, y: Any) -> float:
    """Largest elementwise relative error ``|x - y| / max(1e-8, |x| + |y|)`` (CS231n's measure).

    Values around 1e-7 or below mean agreement in float64 arithmetic; 1e-2 or above means a bug.
    """
    x, y = as_float64(x, "x"), as_float64(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"rel_error needs equal shapes, got {x.shape} and {y.shape}")
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def as_float64(value: Any, name: str = "value") -> np.ndarray:
    """Convert a number, list, NumPy array or torch tensor to a float64 NumPy array.

    Raises :class:`CheckFailure` naming ``name`` when that is impossible (``None`` from an
    unfinished function, a string, a ragged list).
    """
    if value is None:
        raise CheckFailure(f"{name} is None: did the function forget to return its result?")
    try:
        array = to_numpy(value, np.float64)
    except (TypeError, ValueError) as exc:
        raise CheckFailure(
            f"{name} should be numeric (a NumPy array or a number), got {type(value).__name__}: {exc}"
        ) from None
    return array


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray) or (hasattr(value, "shape") and hasattr(value, "dtype")):
        return f"an array of shape {tuple(value.shape)}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _fail(call: str, got: str, expected: str, hint: str | None) -> CheckFailure:
    message = f"{call} returned {got}, expected {expected}"
    if hint:
        message += f": {hint}"
    return CheckFailure(message)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def expect_int(
    actual: Any,
    expected: int,
    call: str,
    mistakes: Mapping[str, Any] | None = None,
) -> None:
    """Check that ``actual`` is an integer (not a float, not a bool) equal to ``expected``.

    ``mistakes`` maps a hint to the value a known mistake returns, e.g.
    ``{"did you forget the padding?": 5}``. A float that equals ``expected`` gets its own hint.
    """
    if not _is_int(actual):
        hint = None
        if isinstance(actual, numbers.Real) and not isinstance(actual, bool) and actual == expected:
            hint = "the value is right but it must be an int: use integer division // or int()"
        elif isinstance(actual, numbers.Real) and not isinstance(actual, bool):
            hint = _match_hint(actual, mistakes)
        raise _fail(call, _describe(actual), f"the int {expected}", hint)
    if int(actual) != int(expected):
        raise _fail(call, repr(int(actual)), f"the int {expected}", _match_hint(int(actual), mistakes))


def _predictions(mistakes: Mapping[str, Any] | None):
    """Yield ``(hint, predicted array)``; a callable prediction is evaluated now (lazily, only on
    failure), and one that raises or is not numeric is skipped."""
    for hint, predicted in (mistakes or {}).items():
        try:
            if callable(predicted):
                predicted = predicted()
            yield hint, to_numpy(predicted, np.float64)
        except Exception:  # a mistake that cannot even be computed here cannot be the cause
            continue


def _match_hint(actual: Any, mistakes: Mapping[str, Any] | None) -> str | None:
    """The first hint whose predicted value equals ``actual`` (shapes and values both agree)."""
    if not mistakes:
        return None
    try:
        got = as_float64(actual)
    except CheckFailure:
        return None
    for hint, predicted in _predictions(mistakes):
        if predicted.shape == got.shape and np.allclose(got, predicted, rtol=1e-6, atol=1e-9):
            return hint
    return None


def _match_shape_hint(shape: tuple, mistakes: Mapping[str, Sequence[int]] | None) -> str | None:
    for hint, predicted in (mistakes or {}).items():
        if tuple(predicted) == tuple(shape):
            return hint
    return None


def expect_shape(
    actual: Any,
    expected_shape: Iterable[int],
    call: str,
    mistakes: Mapping[str, Sequence[int]] | None = None,
) -> None:
    """Check that ``actual`` has exactly ``expected_shape``.

    ``mistakes`` maps a hint to the shape a known mistake gives, e.g.
    ``{"did you forget the padding?": (2, 10, 30, 30)}``.
    """
    expected_shape = tuple(int(n) for n in expected_shape)
    if actual is None:
        raise _fail(call, "None", f"an array of shape {expected_shape}",
                    "did the function forget to return its result?")
    shape = getattr(actual, "shape", None)
    if shape is None:
        raise _fail(call, _describe(actual), f"an array of shape {expected_shape}", "return a NumPy array")
    shape = tuple(int(n) for n in shape)
    if shape != expected_shape:
        hint = _match_shape_hint(shape, mistakes)
        if hint is None and sorted(shape) == sorted(expected_shape):
            hint = "the axes are in the wrong order: check the layout the exercise states (e.g. (N, C, H, W))"
        raise _fail(call, f"an array of shape {shape}", f"shape {expected_shape}", hint)


def expect_close(
    actual: Any,
    expected: Any,
    call: str,
    mistakes: Mapping[str, Any] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> None:
    """Check shape and values of ``actual`` against the oracle ``expected`` (compared in float64).

    ``mistakes`` maps a hint to the value a known mistake produces (computed by the caller with an
    independent oracle), or to a function of no arguments that computes it only when needed; the
    first one that matches ``actual`` is named in the message. Objects
    that fake equality do not pass: the comparison converts to float64 first.
    """
    expected_arr = as_float64(expected, "the expected value")
    got = as_float64(actual, f"the result of {call}")
    if got.shape != expected_arr.shape:
        shape_hints = {h: v.shape for h, v in _predictions(mistakes)}
        expect_shape(got, expected_arr.shape, call, shape_hints)
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected_arr)):
        raise _fail(call, "non-finite values (nan or inf)", "finite values",
                    "look for a division by zero or an overflow")
    if not np.allclose(got, expected_arr, rtol=rtol, atol=atol):
        worst = np.unravel_index(np.argmax(np.abs(got - expected_arr)), got.shape) if got.ndim else ()
        where = f" (largest difference at index {tuple(int(i) for i in worst)}: " \
                f"{got[worst]:.6g} instead of {expected_arr[worst]:.6g})"
        got_text = (f"values that differ from the reference, relative error "
                    f"{rel_error(got, expected_arr):.2e}{where if got.ndim else ''}")
        expected_text = f"agreement within rtol={rtol:g}, atol={atol:g}"
        if got.ndim == 0:
            got_text, expected_text = f"{float(got):.6g}", f"{float(expected_arr):.6g}"
        raise _fail(call, got_text, expected_text, _match_hint(got, mistakes))


def expect_raises(
    exception: type[BaseException],
    function: Any,
    *args: Any,
    call: str | None = None,
    hint: str | None = None,
    **kwargs: Any,
) -> BaseException:
    """Check that ``function(*args, **kwargs)`` raises ``exception``; return the exception."""
    if call is None:
        arguments = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
        call = f"{getattr(function, '__name__', 'function')}({', '.join(arguments)})"
    try:
        with warnings_to_stdout():
            result = function(*args, **kwargs)
    except exception as exc:
        return exc
    except Exception as exc:  # the wrong kind of error
        message = f"{call} raised {type(exc).__name__}({exc}), expected {exception.__name__}"
        raise CheckFailure(message + (f": {hint}" if hint else "")) from None
    raise _fail(call, _describe(result), f"a {exception.__name__}", hint)
