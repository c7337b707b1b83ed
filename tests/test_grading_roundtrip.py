"""The full nbgrader round trip, for every assignment, in a temporary copy of the course.

generate_assignment -> compare with the committed assignments/ -> a class of submissions
(solution, blank, alternatives, common mistakes, an edited and a deleted test cell, an infinite
loop) -> ``python -m course_utils.autograde`` (what ``make autograde`` runs) -> scores read from
the gradebook, feedback HTML and grades.csv checked.

Expected scores come from the in-process harness (a different executor of the same cells) and
from first principles (full marks, zero, minus the points of the cells that must fail).
"""
from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from notebook_harness import ROOT, grade, read_cells, setup_namespace
from submissions import load

ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and p.name[:2].isdigit())
CELL_TIMEOUT = 6
# The mistakes also graded by the real pipeline (all of them are graded in process).
NBGRADER_MISTAKES = 3


def _env(course):
    env = dict(os.environ)
    env["PATH"] = str(os.path.dirname(sys.executable)) + os.pathsep + env.get("PATH", "")
    env["COURSE_DB_URL"] = f"sqlite:///{course / 'gradebook.db'}"
    env["COURSE_CELL_TIMEOUT"] = str(CELL_TIMEOUT)
    return env


def _nbgrader(course, *args):
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=_env(course),
                          capture_output=True, text=True)
    assert done.returncode == 0, f"nbgrader {args} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def _comparable(path):
    """A notebook's JSON without what legitimately differs between runs."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return nb


def _fill(release, source_cells, replacements):
    """A submission: the release notebook with its solution cells answered."""
    nb = copy.deepcopy(release)
    by_id = {c.grade_id: c for c in source_cells}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = replacements.get(meta["grade_id"], by_id[meta["grade_id"]].source)
    return nb


def _visible_tests(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]


@pytest.fixture(scope="class")
def graded(request, tmp_path_factory):
    name = request.cls.assignment
    course = tmp_path_factory.mktemp(f"course-{name}")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / name, course / "solutions" / name)
    _nbgrader(course, "generate_assignment", name, "--force")
    released_path = course / "assignments" / name / f"{name}.ipynb"
    release = nbformat.read(released_path, as_version=4)
    cells = read_cells(ROOT / "solutions" / name / f"{name}.ipynb")
    subs = load(name)
    mistakes = dict(list(subs.MISTAKES.items())[:NBGRADER_MISTAKES])
    first_solution = next(c for c in cells if c.kind == "solution")

    class_ = {
        "solution": _fill(release, cells, {}),
        "blank": copy.deepcopy(release),
        "alternative": _fill(release, cells, subs.ALTERNATIVES),
        "infinite-loop": _fill(release, cells, {first_solution.grade_id: first_solution.source.replace(
            "### BEGIN SOLUTION", "### BEGIN SOLUTION\n    while True:\n        pass")}),
    }
    for label, mistake in mistakes.items():
        class_[f"mistake-{label}"] = _fill(release, cells, {mistake.cell: mistake.source})
    # a student who makes the visible tests vacuous: locked cells are restored from the gradebook
    edited = _fill(release, cells, {first_solution.grade_id: subs.MISTAKES[next(iter(mistakes))].source})
    for cell in _visible_tests(edited):
        cell.source = "pass"
    class_["edited-tests"] = edited
    # a student who deletes every test cell: they are put back and graded
    deleted = _fill(release, cells, {})
    deleted.cells = [c for c in deleted.cells if c not in _visible_tests(deleted)]
    class_["deleted-tests"] = deleted
    for student, nb in class_.items():
        target = course / "submitted" / student / name
        target.mkdir(parents=True)
        nbformat.write(nb, target / f"{name}.ipynb")

    done = subprocess.run([sys.executable, "-m", "course_utils.autograde"], cwd=course, env=_env(course),
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s: gb.find_submission(name, s).score for s in class_}
        max_score = gb.find_assignment(name).max_score
        cell_scores = {s: {g.name: g.score for nb in gb.find_submission(name, s).notebooks for g in nb.grades}
                       for s in class_}
    return dict(name=name, course=course, release=released_path, cells=cells, class_=class_,
                scores=scores, max_score=max_score, cell_scores=cell_scores, mistakes=mistakes,
                first_solution=first_solution, subs=subs)


def points(cells, grade_ids):
    return sum(c.points for c in cells if c.kind == "tests" and c.grade_id in grade_ids)


class RoundTrip:
    """The round trip of one assignment; one subclass per assignment, so that pytest-xdist's
    --dist loadscope grades different assignments on different workers."""

    assignment: str

    def test_committed_student_version_equals_nbgrader_output(self, graded):
        name = graded["name"]
        committed = ROOT / "assignments" / name / f"{name}.ipynb"
        assert committed.is_file(), f"assignments/{name} is missing: run make release"
        assert _comparable(committed) == _comparable(graded["release"]), \
            f"assignments/{name} differs from what nbgrader generates from solutions/: run make release"

    def test_student_version_hides_solutions_and_hidden_tests(self, graded):
        text = graded["release"].read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        assert "raise NotImplementedError()" in text
        nb = nbformat.read(graded["release"], as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")

    def test_solution_scores_full_marks(self, graded):
        assert graded["max_score"] == points(graded["cells"], {c.grade_id for c in graded["cells"]})
        assert graded["scores"]["solution"] == graded["max_score"] > 0
        assert graded["scores"]["alternative"] == graded["max_score"]

    def test_blank_scores_zero(self, graded):
        assert graded["scores"]["blank"] == 0

    def test_mistakes_lose_exactly_their_failing_cells(self, graded):
        cells = graded["cells"]
        base = setup_namespace(cells)
        for label, mistake in graded["mistakes"].items():
            student = f"mistake-{label}"
            failing = set(grade(cells, {mistake.cell: mistake.source}, base=base).failed())
            assert set(mistake.must_fail) <= failing
            assert graded["scores"][student] == graded["max_score"] - points(cells, failing), \
                (student, graded["cell_scores"][student])

    def test_edited_test_cells_are_restored(self, graded):
        first_mistake = graded["subs"].MISTAKES[next(iter(graded["mistakes"]))]
        lost = graded["max_score"] - graded["scores"]["edited-tests"]
        assert lost >= points(graded["cells"], set(first_mistake.must_fail))

    def test_deleted_test_cells_are_restored_and_graded(self, graded):
        assert graded["scores"]["deleted-tests"] == graded["max_score"]
        assert all(v is not None for v in graded["cell_scores"]["deleted-tests"].values())

    def test_infinite_loop_times_out_and_grading_goes_on(self, graded):
        cells = graded["cells"]
        from notebook_harness import tests_of
        looping = tests_of(cells, graded["first_solution"].grade_id)
        assert graded["scores"]["infinite-loop"] == graded["max_score"] - points(cells, looping)

    def test_feedback_and_grades_csv(self, graded):
        course, name = graded["course"], graded["name"]
        hidden_sources = [c.source.split("### BEGIN HIDDEN TESTS", 1)[1].strip().splitlines()[0]
                          for c in graded["cells"] if c.kind == "tests" and "BEGIN HIDDEN TESTS" in c.source]
        for student in graded["class_"]:
            html = (course / "feedback" / student / name / f"{name}.html").read_text(encoding="utf-8")
            assert "BEGIN HIDDEN TESTS" not in html
            for line in hidden_sources:
                assert line not in html, f"feedback of {student} shows hidden test source {line!r}"
        label, mistake = next(iter(graded["mistakes"].items()))
        if mistake.hint:
            html = (course / "feedback" / f"mistake-{label}" / name / f"{name}.html").read_text(encoding="utf-8")
            assert mistake.hint.replace("'", "&#39;").split("?")[0] in html.replace("&#x27;", "&#39;")
        with open(course / "grades.csv", newline="") as handle:
            rows = {r["student_id"]: r for r in csv.DictReader(handle) if r["assignment"] == name}
        assert set(rows) == set(graded["class_"])
        for student, score in graded["scores"].items():
            assert float(rows[student]["score"]) == pytest.approx(score)


for _name in ASSIGNMENTS:
    globals()[f"TestRoundTrip_{_name}"] = type(f"TestRoundTrip_{_name}", (RoundTrip,), {"assignment": _name})
