"""Hostile submissions, graded by the real pipeline with two parallel workers.

Each gets exactly the score it deserves, none stops the run or changes another student's grade,
and each runs within limits of time and memory. Assignment 01 is the subject; expected scores
are the full marks minus the points of the test cells that the damage must cost, computed from
the source notebook (or, where the damage is an ordinary wrong answer, by the in-process
harness, a different executor of the same cells).
"""
from __future__ import annotations

import copy
import html
import json
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from tests.support.grading import fill, graded_cells, make_course, points, run, scores, submit
from tests.support.harness import checks_of, grade, setup_namespace

NAME = "01_conv_arithmetic"

FAKE_EQUALITY = '''
class _Anything(int):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = int.__hash__

def conv_output_size(n, f, stride=1, padding=0):
    return _Anything(0)
'''

SHADOW_MODULE = '''
# a course_utils.py next to the notebook, trying to replace the real checks
def expect_int(*args, **kwargs): pass
def expect_close(*args, **kwargs): pass
def expect_shape(*args, **kwargs): pass
def expect_raises(*args, **kwargs): pass
class CheckFailure(AssertionError): pass
'''

# a correct answer that warns on every call, itself and through NumPy (nbgrader scores any
# stderr output of a test cell as zero: a warning of correct code must cost nothing)
WARNING_WRAPPER = '''
import warnings

correct_size = conv_output_size

def conv_output_size(n, f, stride=1, padding=0):
    warnings.warn("this answer warns on every call", DeprecationWarning)
    np.log(np.zeros(1))  # NumPy's RuntimeWarning: divide by zero
    return correct_size(n, f, stride, padding)
'''


def _with_prefix(cell, text):
    """The solution cell with ``text`` run before its function definition."""
    return text + "\n" + cell.source


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    course = tmp_path_factory.mktemp("hostile")
    release, cells = make_course(course, NAME, answers=3)
    solutions = [c for c in cells if c.kind == "solution"]
    first, second, third = solutions[0], solutions[1], solutions[2]
    wrong_size = "def conv_output_size(n, f, stride=1, padding=0):\n    return (n - f) // stride + 1\n"

    students = {
        "solution": fill(release, cells),
        "blank": copy.deepcopy(release),
        "syntax-error": fill(release, cells, {first.grade_id: "def conv_output_size(n, f, stride=1, padding=0)\n"
                                                           "    return 1"}),
        "huge-output": fill(release, cells, {second.grade_id: _with_prefix(second, "print('x' * 30_000_000)")}),
        "sys-exit": fill(release, cells, {second.grade_id: _with_prefix(second, "import sys\nsys.exit(3)")}),
        "os-exit": fill(release, cells, {first.grade_id: _with_prefix(first, "import os\nos._exit(0)")}),
        "kernel-dies": fill(release, cells, {third.grade_id: _with_prefix(
            third, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")}),
        "memory-bomb": fill(release, cells, {second.grade_id: _with_prefix(second, "_hog = bytearray(64 * 2**30)")}),
        "monkeypatch-checks": fill(release, cells, {first.grade_id: wrong_size +
                                                    "import course_utils.checks\n"
                                                    "course_utils.checks.expect_int = lambda *a, **k: None\n"}),
        "rebinds-check": fill(release, cells, {first.grade_id: wrong_size + "expect_int = lambda *a, **k: None\n"}),
        "monkeypatch-torch": fill(release, cells, {first.grade_id: wrong_size + "F.conv2d = lambda *a, **k: None\n"}),
        "fake-equality": fill(release, cells, {first.grade_id: FAKE_EQUALITY}),
        "shadow-module": fill(release, cells, {first.grade_id: wrong_size}),
        "warns": fill(release, cells, {first.grade_id: first.source + WARNING_WRAPPER}),
    }
    # copy-pasted test cells (same grade ids twice)
    duplicated = fill(release, cells)
    index = next(i for i, c in enumerate(duplicated.cells) if c in graded_cells(duplicated))
    twin = copy.deepcopy(duplicated.cells[index])
    twin.id = "copy-of-" + twin.id
    duplicated.cells.insert(index + 1, twin)
    students["duplicated-tests"] = duplicated
    # cells run out of order: the answer written in a new cell at the end, after its tests
    out_of_order = fill(release, cells, {first.grade_id: next(
        c.source for c in release.cells if c.metadata.get("nbgrader", {}).get("grade_id") == first.grade_id)})
    out_of_order.cells.append(new_code_cell(first.source))
    for number, cell in enumerate(reversed([c for c in out_of_order.cells if c.cell_type == "code"])):
        cell.execution_count = number + 1
    students["out-of-order"] = out_of_order
    submit(course, NAME, students)
    (course / "submitted" / "shadow-module" / NAME / "course_utils.py").write_text(SHADOW_MODULE)

    done = run(course, "-m", "course_utils.grading.autograde", "--workers", "2", "--memory-mb", "4096")
    total, max_score, per_cell = scores(course, NAME, students)
    return dict(course=course, cells=cells, done=done, scores=total, max_score=max_score,
                per_cell=per_cell, first=first, second=second, third=third, wrong_size=wrong_size)


def _lost(h, solution):
    return h["max_score"] - points(h["cells"], checks_of(h["cells"], solution.grade_id))


def test_the_run_finishes_and_grades_everyone(hostile):
    assert hostile["done"].returncode == 0, hostile["done"].stdout[-3000:] + hostile["done"].stderr[-3000:]
    for student, score in hostile["scores"].items():
        assert isinstance(score, float) and 0 <= score <= hostile["max_score"], (student, score)
        feedback = hostile["course"] / "feedback" / student / NAME / f"{NAME}.html"
        assert feedback.is_file(), f"no feedback for {student}"


def test_solution_and_blank_are_unaffected_by_their_classmates(hostile):
    assert hostile["scores"]["solution"] == hostile["max_score"]
    assert hostile["scores"]["blank"] == 0


@pytest.mark.parametrize("student, exercise", [
    ("syntax-error", "first"), ("sys-exit", "second"), ("os-exit", "first"), ("kernel-dies", "third"),
    ("memory-bomb", "second"), ("fake-equality", "first"), ("monkeypatch-checks", "first"),
    ("rebinds-check", "first"), ("monkeypatch-torch", "first"), ("out-of-order", "first"),
])
def test_damage_costs_exactly_one_exercise(hostile, student, exercise):
    assert hostile["scores"][student] == _lost(hostile, hostile[exercise]), hostile["per_cell"][student]


def test_huge_output_is_graded_and_cut(hostile):
    assert hostile["scores"]["huge-output"] == hostile["max_score"]
    graded_file = hostile["course"] / "autograded" / "huge-output" / NAME / f"{NAME}.ipynb"
    assert graded_file.stat().st_size < 2_000_000


def test_an_answer_that_warns_loses_nothing_and_its_warnings_are_shown(hostile):
    assert hostile["scores"]["warns"] == hostile["max_score"], hostile["per_cell"]["warns"]
    graded_file = hostile["course"] / "autograded" / "warns" / NAME / f"{NAME}.ipynb"
    streams = [o for c in nbformat.read(graded_file, as_version=4).cells for o in c.get("outputs", [])
               if o.get("output_type") == "stream"]
    shown = "".join(o["text"] for o in streams if o["name"] == "stdout")
    assert "this answer warns on every call" in shown and "divide by zero" in shown
    assert not [o for o in streams if o["name"] == "stderr" and "warn" in o["text"]]


def test_duplicated_test_cells_do_not_break_grading(hostile):
    assert hostile["scores"]["duplicated-tests"] == hostile["max_score"]


def test_a_file_shadowing_course_utils_is_not_used(hostile):
    cells = hostile["cells"]
    expected_failures = grade(cells, {hostile["first"].grade_id: hostile["wrong_size"]},
                              base=setup_namespace(cells)).failed()
    assert expected_failures
    assert hostile["scores"]["shadow-module"] == hostile["max_score"] - points(cells, set(expected_failures))
    assert not (hostile["course"] / "autograded" / "shadow-module" / NAME / "course_utils.py").exists()
    assert (hostile["course"] / "submitted" / "shadow-module" / NAME / "course_utils.py").exists(), \
        "the submission itself is never changed"


def test_kernel_killers_and_tampering_are_explained_in_the_feedback(hostile):
    """`import os` is no answer's business: the answer is not run, and the feedback says why (a
    kernel that dies anyway costs only its cell: tests/grading/test_red_team.py, static checks off)."""
    feedback = hostile["course"] / "feedback"
    for student in ("os-exit", "kernel-dies"):
        text = html.unescape(re.sub(r"<[^>]+>", "", (feedback / student / NAME / f"{NAME}.html").read_text()))
        assert "not run" in text and "imports 'os'" in text, (student, text[-3000:])
    assert "may not modify" in (feedback / "monkeypatch-torch" / NAME / f"{NAME}.html").read_text()


def test_submissions_are_never_modified(hostile):
    original = nbformat.read(hostile["course"] / "submitted" / "monkeypatch-checks" / NAME / f"{NAME}.ipynb",
                             as_version=4)
    assert "course_utils.checks.expect_int = " in json.dumps(original)
