"""Helpers shared by the notebooks of the Deep Learning I course.

Infrastructure only: device selection and seeding, data, plots, widgets, answer checks and the
architecture tools of lecture 03. Nothing here answers a graded exercise.
"""
from .runtime import device, seed_everything

__all__ = ["device", "seed_everything"]
__version__ = "0.1.0"
