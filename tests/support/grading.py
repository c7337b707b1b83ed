"""Helpers for tests that grade submissions with the real nbgrader pipeline."""
from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from tests.support.harness import ROOT, read_cells

CELL_TIMEOUT = 15


def env(course: Path, **extra: str) -> dict:
    result = dict(os.environ)
    result["PATH"] = str(Path(sys.executable).parent) + os.pathsep + result.get("PATH", "")
    result["COURSE_DB_URL"] = f"sqlite:///{course / 'gradebook.db'}"
    result["COURSE_CELL_TIMEOUT"] = str(CELL_TIMEOUT)
    if "COURSE_SANDBOX" not in result and os.environ.get("COURSE_REQUIRE_SANDBOX") != "1":
        from course_utils.grading import sandbox
        if sandbox.problem():  # no bubblewrap here: grade without the sandbox (it warns); CI requires it
            result["COURSE_SANDBOX"] = "off"
    result.update(extra)
    return result


def run(course: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=course, env=env(course, **extra),
                          capture_output=True, text=True, timeout=1800)


def _first_exercises(notebook: Path, answers: int) -> None:
    """Cut the source notebook in place after the tests of its first ``answers`` answer cells
    (before the prompt of the next answer): a shorter assignment, graded like the whole."""
    nb = nbformat.read(notebook, as_version=4)
    solutions = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution")]
    if answers < len(solutions):
        end = solutions[answers]
        while nb.cells[end - 1].cell_type == "markdown":
            end -= 1
        nb.cells = nb.cells[:end]
        nbformat.write(nb, notebook)


def make_course(course: Path, name: str, answers: int | None = None):
    """A temporary course with one assignment generated; returns (release notebook, source cells).

    ``answers``: keep only the first answers of the assignment and their tests. The tests of the
    grading machinery (sandbox, hostile and malicious submissions, LMS downloads, databases,
    clusters) grade many notebooks; what they test does not depend on the exercises that follow,
    and the whole of each assignment is graded by the round trip."""
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / name, course / "solutions" / name)
    source = course / "solutions" / name / f"{name}.ipynb"
    if answers is not None:
        _first_exercises(source, answers)
    done = run(course, "-m", "nbgrader", "generate_assignment", name, "--force")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    release = nbformat.read(course / "assignments" / name / f"{name}.ipynb", as_version=4)
    return release, read_cells(source)


def _answers(source) -> dict:
    """grade id -> source of each answer cell, from harness cells or an nbformat notebook."""
    cells = source.cells if hasattr(source, "cells") else source
    answers = {}
    for cell in cells:
        if hasattr(cell, "grade_id"):
            if cell.kind == "solution":
                answers[cell.grade_id] = cell.source
        elif cell.metadata.get("nbgrader", {}).get("solution"):
            answers[cell.metadata["nbgrader"]["grade_id"]] = cell.source
    return answers


def _without_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines()
                     if line.strip() not in {"### BEGIN SOLUTION", "### END SOLUTION"})


def fill(release, source, replacements=None, strip_markers: bool = False):
    """A submission: a copy of the release notebook with every answer cell filled, from
    ``replacements`` (grade id -> code) where given, else from the solution's cell of the same
    grade id. ``source`` is the solution notebook (nbformat) or its harness cells. With
    ``strip_markers`` the solution markers are removed, as a student who solved everything
    would submit it. Fails when an answer cell of the release has no solution."""
    replacements = replacements or {}
    answers = _answers(source)
    nb = copy.deepcopy(release)
    filled = 0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            code = replacements.get(meta["grade_id"], answers[meta["grade_id"]])
            cell.source = _without_markers(code) if strip_markers else code
            filled += 1
    assert filled and filled == len(answers), f"filled {filled} answer cells of {len(answers)}"
    return nb


def graded_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]


def submit(course: Path, name: str, students: dict) -> None:
    for student, nb in students.items():
        target = course / "submitted" / student / name
        target.mkdir(parents=True)
        nbformat.write(nb, target / f"{name}.ipynb")


def scores(course: Path, name: str, students) -> tuple[dict, float, dict]:
    """(score per student, max score, {student: {grade id: score}}) read from the gradebook."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        total = {s: gb.find_submission(name, s).score for s in students}
        max_score = gb.find_assignment(name).max_score
        cells = {s: {g.name: g.score for nb in gb.find_submission(name, s).notebooks for g in nb.grades}
                 for s in students}
    return total, max_score, cells


def points(cells, grade_ids) -> float:
    return sum(c.points for c in cells if c.kind == "tests" and c.grade_id in grade_ids)


def require_sandbox():
    """Skip a test that needs the grading sandbox where none can be made (fail where CI requires it)."""
    import pytest

    from course_utils.grading import sandbox

    reason = sandbox.problem()
    if reason:
        if os.environ.get("COURSE_REQUIRE_SANDBOX") == "1":
            pytest.fail(reason)
        pytest.skip("no sandbox can be made here (CI installs bubblewrap): " + reason.splitlines()[1])
