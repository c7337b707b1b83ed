"""Prepared submissions per assignment: correct alternatives and common mistakes.

Each module ``aNN.py`` defines
- ``ALTERNATIVES``: grade id of a solution cell -> a correct solution written differently;
- ``MISTAKES``: name -> ``Mistake`` (the cell it replaces, the wrong code, the test cells that
  must fail, and a fragment of the hint the failure message must name).
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


def load(assignment: str):
    """The submissions module of an assignment such as ``01_conv_arithmetic``."""
    return importlib.import_module(f"{__name__}.{assignment[3:]}")
