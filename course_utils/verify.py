"""Check a student's function against an oracle that is evaluated only after it returned.

A test that computes ``expected`` first and then calls the student's function leaves the answer
in a variable that the function could find (its caller's frame, the notebook's globals, the
garbage collector). The helpers here take two functions of no arguments instead::

    verify_close(lambda: conv2d_naive(x, w, b, stride=2),            # the student's code
                 lambda: F.conv2d(tx, tw, tb, stride=2).numpy(),       # the oracle, run after
                 "conv2d_naive(x, w, b, stride=2)")

The student's call runs first, with warnings shown on stdout (nbgrader scores any stderr output
as a failure, and a warning of correct code must cost nothing); its result is copied into plain
NumPy arrays, numbers and containers (no object of the student's own type survives, so none of
its code runs again); only then is the oracle evaluated and compared with :mod:`.checks`.
``mistakes`` may be a function of the expected value, so that hints derived from it are
computed after the call too.

:func:`expect_allowed` declares (and at Validate time enforces) what an exercise forbids; the
grader reads the same declaration (:mod:`course_utils.forbidden`).
"""
from __future__ import annotations

import linecache
import sys
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from .checks import CheckFailure, expect_close, expect_int, expect_shape, warnings_to_stdout

__all__ = ["student_call", "verify_close", "verify_int", "verify_shape", "expect_allowed",
           "warnings_to_stdout"]


_PLAIN = (int, float, bool, complex, str, type(None))


def _materialize(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` made of trusted types only; :class:`CheckFailure` for anything else."""
    kind = type(value)
    if depth > 20:
        raise CheckFailure("the result is nested too deeply")
    if kind in _PLAIN or (isinstance(value, np.generic) and kind.__module__ == "numpy"):
        return value
    if kind is np.ndarray:
        if value.dtype == object:
            raise CheckFailure("the result is a NumPy array of Python objects; return numbers")
        return value.copy()
    torch = sys.modules.get("torch")
    if torch is not None and kind in (torch.Tensor, torch.nn.Parameter):
        return value
    if torch is not None and kind is torch.dtype:
        return value
    if kind in (tuple, list):
        return kind(_materialize(v, depth + 1) for v in value)
    if kind is dict:
        return {_materialize(k, depth + 1): _materialize(v, depth + 1) for k, v in value.items()}
    raise CheckFailure(f"the result is a {kind.__name__}; return NumPy arrays, torch tensors, "
                       "numbers, or tuples, lists and dicts of them")


def _is_data(value: Any) -> bool:
    torch = sys.modules.get("torch")
    return type(value) is np.ndarray or (torch is not None and isinstance(value, torch.Tensor))


def _inputs(call: Callable[[], Any]) -> dict[str, Any]:
    """The arrays and tensors that ``call`` (a lambda around the student's call) passes: the
    notebook globals and closure variables it names, and the arrays in lists, tuples and dicts."""
    code = getattr(call, "__code__", None)
    if code is None:
        return {}
    found: dict[str, Any] = {}
    named = [(n, call.__globals__.get(n)) for n in code.co_names]
    named += [(n, c.cell_contents) for n, c in zip(code.co_freevars, call.__closure__ or ())
              if c.cell_contents is not None]
    for name, value in named:
        if _is_data(value):
            found[name] = value
        elif type(value) in (list, tuple):
            found.update({f"{name}[{i}]": v for i, v in enumerate(value) if _is_data(v)})
        elif type(value) is dict:
            found.update({f"{name}[{k!r}]": v for k, v in value.items() if _is_data(v)})
    return found


def _snapshot(value: Any) -> np.ndarray:
    return value.copy() if type(value) is np.ndarray else value.detach().to("cpu", copy=True)


def _same(before: Any, after: Any) -> bool:
    if type(before) is np.ndarray:
        return before.shape == after.shape and bool(np.array_equal(before, after, equal_nan=True))
    after = after.detach().to("cpu")
    return before.shape == after.shape and bool(before.eq(after).logical_or(before.isnan() & after.isnan()).all())


def _called(call: Callable[[], Any]) -> str | None:
    """The name of the first function that ``call`` names (the student's), for messages."""
    code = getattr(call, "__code__", None)
    for name in getattr(code, "co_names", ()):
        if isinstance(call.__globals__.get(name), types.FunctionType):
            return f"{name}(...)"
    return None


def student_call(call: Callable[[], Any], name: str | None = None, unchanged: bool = True) -> Any:
    """``call()`` with warnings on stdout; its result as plain data (see :func:`_materialize`).

    With ``unchanged`` (the course's convention), the arrays and tensors the call passes must hold
    the same values afterwards: a function that changes its inputs in place fails, named."""
    watched = {k: (v, _snapshot(v)) for k, v in _inputs(call).items()} if unchanged else {}
    with warnings_to_stdout():
        result = call()
    changed = [k for k, (value, before) in watched.items() if not _same(before, value)]
    if changed:
        shown = [k for k in changed if k.isidentifier() and not k.startswith("_")]
        which = f" (`{'`, `'.join(shown)}`)" if shown else ""
        raise CheckFailure(f"{name or _called(call) or 'your function'} changed the arrays it was given in "
                           f"place{which}: an input holds other values after the call. Leave the inputs "
                           "unchanged: compute into new arrays, or work on a copy")
    return _materialize(result)


def _hints(mistakes, expected):
    return mistakes(expected) if callable(mistakes) else mistakes


def verify_close(call: Callable[[], Any], oracle: Callable[[], Any], name: str, mistakes=None,
                 rtol: float = 1e-6, atol: float = 1e-8, returns: type | None = None,
                 dtype=None, unchanged: bool = True) -> Any:
    """Run the student's ``call``, then ``oracle``, and compare them (:func:`checks.expect_close`).

    ``returns``: the type the result must have (``np.ndarray``, ``torch.Tensor``); ``dtype``: its
    dtype; ``unchanged``: the inputs must not change (see :func:`student_call`). Returns the
    student's result (a copy).
    """
    actual = student_call(call, name, unchanged)
    if returns is not None and not isinstance(actual, returns):
        raise CheckFailure(f"{name} returned a {type(actual).__name__}, expected a "
                           f"{'NumPy array' if returns is np.ndarray else returns.__name__}")
    if dtype is not None and getattr(actual, "dtype", None) != dtype:
        raise CheckFailure(f"{name} returned dtype {getattr(actual, 'dtype', type(actual).__name__)}, "
                           f"expected {dtype}")
    expected = oracle()
    expect_close(actual, expected, name, mistakes=_hints(mistakes, expected), rtol=rtol, atol=atol)
    return actual


def verify_int(call: Callable[[], Any], oracle: Callable[[], int], name: str, mistakes=None) -> int:
    """Run the student's ``call``, then ``oracle``; the result must be that int (:func:`checks.expect_int`)."""
    actual = student_call(call, name)
    expected = oracle()
    expect_int(actual, int(expected), name, mistakes=_hints(mistakes, expected))
    return actual


def verify_shape(call: Callable[[], Any], oracle: Callable[[], tuple], name: str, mistakes=None) -> Any:
    """Run the student's ``call``, then ``oracle`` (the expected shape); compare the shapes."""
    actual = student_call(call, name)
    expected = tuple(oracle())
    expect_shape(actual, expected, name, mistakes=_hints(mistakes, expected))
    return actual


# ------------------------------------------------------------------------ forbidden uses

def _cell_source(function) -> str | None:
    code = getattr(function, "__code__", None)
    if code is None:
        return None
    lines = linecache.getlines(code.co_filename)
    return "".join(lines) or None


def _local_names(code: types.CodeType) -> set[str]:
    """Names that ``code`` or a function nested in it binds locally (never its globals)."""
    names = set(code.co_varnames) | set(code.co_cellvars)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _local_names(const)
    return names


def _resolver(function, extra_sources: list[str], seen: set[str]):
    namespace = getattr(function, "__globals__", {})
    code = getattr(function, "__code__", None)
    local = _local_names(code) if code is not None else set()

    def resolve(name: str) -> set[str]:
        if name in local:   # a local variable is no global of the same name (a test's `t`, say)
            return set()
        obj = namespace.get(name)
        if obj is None:
            return set()
        if isinstance(obj, types.ModuleType):
            return {obj.__name__}
        if getattr(obj, "__module__", None) == namespace.get("__name__", "__main__"):
            source = _cell_source(obj)
            if source and source not in seen:   # another cell of the notebook: read it too
                seen.add(source)
                extra_sources.append(source)
            return set()
        module = getattr(obj, "__module__", None) or getattr(type(obj), "__module__", "")
        return {f"{module}.{name}"} if module and module != "builtins" else set()
    return resolve


def expect_allowed(*functions, forbid=(), allow=(), reason: str = "") -> None:
    """Declare what ``functions`` may not use, and check it now (raises :class:`CheckFailure`).

    ``forbid`` and ``allow`` are dotted names (``"torch"``, ``"torch.nn.LSTMCell"``); every answer
    is also held to the rules that apply to all answers (no course_utils, no introspection).
    The grader reads this same call from the test cell and does not run an answer that breaks it.
    """
    from course_utils.forbidden import Rule, find_forbidden

    for function in functions:
        name = getattr(function, "__name__", repr(function))
        source = _cell_source(function)
        if source is None:
            continue   # not defined in a notebook cell: the grader checks the submitted source
        extra: list[str] = []
        resolve = _resolver(function, extra, {source})
        rule = Rule((name,), tuple([forbid] if isinstance(forbid, str) else forbid), tuple(allow), reason)
        why = find_forbidden(source, resolve=resolve, rules=[rule], defines={name})
        while why is None and extra:   # helpers of other cells that the answer reaches
            why = find_forbidden(extra.pop() + "\n" + source, resolve=resolve, rules=[rule], defines={name})
        if why:
            raise CheckFailure(why if why.startswith(name) else f"{name}: {why}")
