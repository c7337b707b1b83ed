"""Prepared submissions per assignment: correct alternatives and common mistakes.

Each module ``aNN.py`` defines
- ``ALTERNATIVES``: grade id of a solution cell -> a correct solution written differently
  (also graded by the real pipeline, as one student who answered every cell this way);
- ``MORE_ALTERNATIVES`` (optional): more correct answers, ``(grade id, source)`` pairs, the way
  other students write them (float32, other loops, other allowed libraries, in-place tricks on
  their own copies); graded in process, each must pass every test cell;
- ``MISTAKES``: name -> ``Mistake`` (the cell it replaces, the wrong code, the test cells that
  must fail, and a fragment of the hint the failure message must name);
- ``CHEATS`` (optional): name -> ``Cheat``, an answer that computes nothing and tries to find the
  tests' expected value instead; it must fail the cells it targets.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    cell: str
    source: str
    must_fail: tuple[str, ...]
    hint: str | None = None


@dataclass(frozen=True)
class Cheat:
    """An answer that looks for the expected value instead of computing it.

    ``must_fail``: the test cells it targets, which it must fail. With ``raw=True`` it must fail
    them even when run as written (the value it looks for does not exist yet when it runs);
    with ``raw=False`` only the grader's sanitizing stops it (it calls the oracle, reads a test's
    name or patches a library), and the test checks that the grader does not run it.
    """
    cell: str
    source: str
    must_fail: tuple[str, ...]
    raw: bool = True


def oracle_in_caller_frame(cell: str, signature: str, must_fail: tuple[str, ...]) -> Cheat:
    """The cheat that walks up its callers' frames to a test's local ``oracle`` and calls it.

    ``signature``: the answer's ``def`` line without ``def`` and the colon, e.g.
    ``"conv2d_vectorized(x, w, b, stride=1, padding=0)"``. Only the grader's sanitizing stops
    it (it reads ``sys._getframe``), so ``raw=False``."""
    source = f"""
import sys

def {signature}:
    frame = sys._getframe(1)
    while frame is not None:
        if callable(frame.f_locals.get("oracle")):
            return frame.f_locals["oracle"]()
        frame = frame.f_back
    return None
"""
    return Cheat(cell, source, tuple(must_fail), raw=False)


# Shared by the cheats: look through the callers' frames (locals and globals) and through every
# object the garbage collector tracks, and everything those refer to, for a value that fits.
CHEAT_TOOLS = '''
import gc
import sys

def _frames_values():
    frame = sys._getframe(2)
    while frame is not None:
        yield from list(frame.f_locals.items())
        yield from list(frame.f_globals.items())
        frame = frame.f_back

def _peek_named(names, kind):
    for name, value in _frames_values():
        if name in names and isinstance(value, kind) and not isinstance(value, bool):
            return value
    return None

def _peek_array(shape, inputs):
    seen = {id(a) for a in inputs}
    candidates = [v for _, v in _frames_values()]
    for obj in gc.get_objects():
        candidates.append(obj)
        candidates.extend(gc.get_referents(obj))
    for value in candidates:
        if isinstance(value, np.ndarray) and value.shape == shape and id(value) not in seen \
                and value.dtype == np.float64 and np.any(value != 0):
            return value.copy()
    return np.zeros(shape)
'''


def load(assignment: str):
    """The submissions module of an assignment such as ``01_conv_arithmetic``."""
    return importlib.import_module(f"{__name__}.{assignment[3:]}")


def correct_answers(module) -> list[tuple[str, str]]:
    """Every prepared correct answer of a submissions module: (grade id, source)."""
    return [*module.ALTERNATIVES.items(), *getattr(module, "MORE_ALTERNATIVES", [])]
