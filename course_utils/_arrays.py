"""Conversion of array-likes to NumPy (private): the one place that knows about torch tensors."""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["to_numpy"]


def to_numpy(value: Any, dtype=None) -> np.ndarray:
    """``value`` (a number, nested list, NumPy array or torch tensor of any shape) as a NumPy array
    of the same shape; a tensor is detached and copied to the CPU first. torch is not imported."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=dtype)
