"""The full nbgrader round trip, for every assignment, in a temporary copy of the course.

generate_assignment -> compare with the committed assignments/ -> a class of submissions
(solution, blank, alternatives, common mistakes, an edited and a deleted test cell, an infinite
loop) -> ``python -m course_utils.grading.autograde`` (what ``make autograde`` runs) -> scores read from
the gradebook, feedback HTML and grades.csv checked.

Expected scores come from the in-process harness (a different executor of the same cells) and
from first principles (full marks, zero, minus the points of the cells that must fail).
"""
from __future__ import annotations

import ast
import copy
import csv
import json

import nbformat
import pytest

from tests.assignments.submissions import load
from tests.support.grading import fill, graded_cells, make_course, points, run, scores, submit
from tests.support.harness import ROOT, checks_of, grade, setup_namespace

ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and p.name[:2].isdigit())
# The mistakes also graded by the real pipeline (all of them are graded in process).
NBGRADER_MISTAKES = 3


def _stand_in(solution) -> str:
    """The answer with its body replaced by an immediate error that stands for an infinite loop."""
    return solution.source.replace(
        "### BEGIN SOLUTION", "### BEGIN SOLUTION\n    raise RuntimeError('stands for the infinite loop')")


def _callers(cells, solution, base) -> set[str]:
    """The test cells that call ``solution``'s function: those that fail when it raises at once
    (a short alarm instead would also fail cells that are merely slow on a busy machine)."""
    return set(grade(cells, {solution.grade_id: _stand_in(solution)}, timeout=120, base=base).failed())


def _names(source: str) -> tuple[set[str], set[str]]:
    """(names a cell defines at top level, names it reads), from its syntax tree."""
    tree = ast.parse(source)
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return defined, read


def _likely_callers(cells, solution) -> int:
    """How many test cells read the names ``solution`` defines, directly or through later answers
    that use them: a cheap estimate that picks where the infinite loop goes."""
    answers = {c.grade_id: _names(c.source) for c in cells if c.kind == "solution"}
    reach = set(answers[solution.grade_id][0])
    for defined, read in answers.values():  # answers in notebook order: later ones build on earlier
        if read & reach:
            reach |= defined
    return sum(1 for c in cells if c.kind == "tests" and _names(c.source)[1] & reach)


@pytest.fixture(scope="class")
def graded(request, tmp_path_factory):
    name = request.cls.assignment
    course = tmp_path_factory.mktemp(f"course-{name}")
    release, cells = make_course(course, name)
    subs = load(name)
    mistakes = dict(list(subs.MISTAKES.items())[:NBGRADER_MISTAKES])
    first_solution = next(c for c in cells if c.kind == "solution")
    # the infinite loop goes where it costs fewest timeouts: in the answer whose function the fewest
    # test cells call (each such cell waits for its timeout), found in process with a stand-in
    # (estimated from the syntax, then measured exactly for that answer only)
    base = setup_namespace(cells)
    functions = [c for c in cells if c.kind == "solution" and "\n    ### BEGIN SOLUTION" in "\n" + c.source]
    looping = min(functions, key=lambda c: _likely_callers(cells, c))
    callers = {looping.grade_id: _callers(cells, looping, base)}

    labels = list(mistakes)
    class_ = {
        "solution": fill(release, cells),
        "blank": copy.deepcopy(release),
        "infinite-loop": fill(release, cells, {looping.grade_id: looping.source.replace(
            "### BEGIN SOLUTION", "### BEGIN SOLUTION\n    while True:\n        pass")}),
    }
    # correct answers written differently, by a student who also deleted every test cell:
    # the cells are put back and graded, and the answers get full marks
    alternative = fill(release, cells, subs.ALTERNATIVES)
    alternative.cells = [c for c in alternative.cells if c not in graded_cells(alternative)]
    class_["alternative-deleted-tests"] = alternative
    # the first mistake, by a student who also made the visible tests vacuous: locked cells are
    # restored from the gradebook, so the mistake still costs its points
    first = mistakes[labels[0]]
    edited = fill(release, cells, {first.cell: first.source})
    for cell in graded_cells(edited):
        cell.source = "pass"
    class_[f"mistake-{labels[0]}"] = edited
    for label in labels[1:]:
        class_[f"mistake-{label}"] = fill(release, cells, {mistakes[label].cell: mistakes[label].source})
    submit(course, name, class_)

    done = run(course, "-m", "course_utils.grading.autograde", "--workers", "2")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    total, max_score, cell_scores = scores(course, name, class_)
    return dict(name=name, course=course, release=course / "assignments" / name / f"{name}.ipynb",
                cells=cells, class_=class_, scores=total, max_score=max_score, cell_scores=cell_scores,
                mistakes=mistakes, first_solution=first_solution, looping=looping, callers=callers[looping.grade_id],
                subs=subs)


class RoundTrip:
    """The round trip of one assignment; one subclass per assignment, so that pytest-xdist's
    --dist loadscope grades different assignments on different workers."""

    assignment: str

    def test_committed_student_version_equals_nbgrader_output(self, graded):
        name = graded["name"]
        committed = ROOT / "assignments" / name / f"{name}.ipynb"
        assert committed.is_file(), f"assignments/{name} is missing: run make release"
        assert json.loads(committed.read_text()) == json.loads(graded["release"].read_text()), \
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
        label, first = next(iter(graded["mistakes"].items()))
        lost = graded["max_score"] - graded["scores"][f"mistake-{label}"]
        assert lost >= points(graded["cells"], set(first.must_fail)) > 0

    def test_deleted_test_cells_are_restored_and_alternatives_get_full_marks(self, graded):
        assert graded["scores"]["alternative-deleted-tests"] == graded["max_score"]
        cell_scores = graded["cell_scores"]["alternative-deleted-tests"]
        tests = {c.grade_id for c in graded["cells"] if c.kind == "tests"}
        assert tests <= set(cell_scores) and all(cell_scores[t] is not None for t in tests)

    def test_infinite_loop_times_out_and_grading_goes_on(self, graded):
        cells = graded["cells"]
        source = graded["class_"]["infinite-loop"]
        looping_source = next(c.source for c in source.cells
                              if c.metadata.get("nbgrader", {}).get("grade_id") == graded["looping"].grade_id)
        assert "while True" in looping_source
        failing = graded["callers"]
        assert failing >= checks_of(cells, graded["looping"].grade_id)
        assert graded["scores"]["infinite-loop"] == graded["max_score"] - points(cells, failing)

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
