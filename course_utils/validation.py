"""Argument checks shared by the course_utils modules (the explorers' pure functions)."""
from __future__ import annotations

import numbers

__all__ = ["require_int"]


def require_int(name: str, value, minimum: int) -> int:
    """``value`` as an int, or a ValueError saying what was expected (bools are not ints)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)
