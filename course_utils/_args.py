"""Argument checks shared by course_utils (private): each returns the checked value or raises a
ValueError that names the argument and says what was expected."""
from __future__ import annotations

import math
import numbers
from collections.abc import Collection
from typing import Any

__all__ = ["require_int", "require_positive", "require_choice"]


def require_int(name: str, value, minimum: int) -> int:
    """``value`` as an int >= ``minimum`` (bools are not ints)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def require_positive(name: str, value) -> float:
    """``value`` as a positive finite float (bools are not numbers)."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value)
            or value <= 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def require_choice(name: str, value: Any, choices: Collection) -> Any:
    """``value`` itself, when it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value
