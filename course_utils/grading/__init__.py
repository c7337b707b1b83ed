"""Grading a class with nbgrader: the plug-ins that harden it (:mod:`.plugins`) and the command
behind ``make autograde`` (:mod:`.autograde`, ``python -m course_utils.grading.autograde``)."""
