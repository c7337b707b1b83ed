"""Helpers shared by the notebooks of the Deep Learning I course.

Infrastructure at the top: :mod:`.runtime` (device, seeding), :mod:`.data` (bundled digits,
MNIST files, generators), :mod:`.plots` (style and ``draw_*`` figures), :mod:`.widgets`
(explorers), :mod:`.checks` (student answers against an independent oracle), :mod:`.verify`
(tests that call the student's function before computing what they expect), :mod:`.forbidden`
(what an exercise's answer may not use, declared once, enforced at Validate time and at
grading). What one lecture
needs lives in :mod:`course_utils.topics`, named like the lecture's notebook; grading a class
lives in :mod:`course_utils.grading`. Nothing here answers a graded exercise.
"""
__all__ = ["device", "seed_everything"]
__version__ = "0.1.0"


def __getattr__(name: str):
    """``device`` and ``seed_everything`` from :mod:`.runtime`, imported on first use: grading a
    class (:mod:`course_utils.grading`) imports this package but never torch."""
    if name in __all__:
        from . import runtime

        return getattr(runtime, name)
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")
