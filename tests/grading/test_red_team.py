"""Red team: attacks on the grader itself, graded by the real pipeline in ONE run (2 workers).

The attacks (tests/grading/red_team_attacks.py) come from a student who read the grader's
source and knows the course's real path: delete or overwrite a classmate's work, write into the
course, read solutions, the gradebook or the notebook being graded (it holds the hidden tests),
change grades in the SQLite file, read secrets from the environment or /proc, reach a service
on loopback, fork-bomb, fill the disks, leave a process behind that acts after the kernel ends,
kill the grader or every process, escape through symbolic links. Each attack's outcome is
checked in the feedback, and afterwards the classmates' submissions, solutions/, the course's
package and the gradebook's rows are checksummed unchanged and the course root holds no new file.
The static checks of answers (RejectTampering, RejectForbiddenUses) are turned off in this
course: the sandbox must hold on its own, as it must against a student who gets past them.
Without bubblewrap: skipped, or failed where COURSE_REQUIRE_SANDBOX=1 (CI).
"""
from __future__ import annotations

import copy
import hashlib
import html
import os
import re
import sqlite3
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell

from tests.grading.red_team_attacks import ATTACKS, cell_source
from tests.support.grading import fill, make_course, require_sandbox, run, scores, submit
from tests.support.harness import ROOT
from tests.support.ports import Listener

NAME = "01_conv_arithmetic"
VICTIM = "victim"
SECRET = "red-team-s3cret-value"
# the files of the package that the attacks try to rewrite (all of it could change while the suite runs)
PACKAGE_TARGETS = [ROOT / "course_utils" / "checks.py", ROOT / "course_utils" / "__init__.py"]
SECRETS = {"COURSE_TEST_PASSWORD": SECRET, "PGPASSWORD": SECRET, "AWS_SECRET_ACCESS_KEY": SECRET}


def _digest(paths) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def _tree(folder: Path) -> dict[str, str]:
    return _digest(sorted(folder.rglob("*")))


def _gradebook_rows(course: Path) -> dict[str, set]:
    with sqlite3.connect(course / "gradebook.db") as db:
        tables = [r[0] for r in db.execute("select name from sqlite_master where type = 'table'")]
        return {t: set(db.execute(f"select * from {t}")) for t in tables}


def _outputs(path: Path) -> str:
    """Everything the kernel printed or raised in a graded notebook (what the feedback shows of it)."""
    texts = []
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            texts.append("".join(text) if isinstance(text, list) else text)
            texts.append(str(output.get("data", {}).get("text/plain", "")))
            texts += [output.get("ename", ""), output.get("evalue", "")]
    return "\n".join(texts)


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    require_sandbox()
    course = tmp_path_factory.mktemp("red-team")
    release, cells = make_course(course, NAME, answers=3)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("\nc.RejectTampering.enabled = False\nc.RejectForbiddenUses.enabled = False\n")
    listener = Listener()
    marker = f"red-team-{os.getpid()}-{time.time_ns()}"
    values = dict(course=str(course), port=listener.port, marker=marker, victim=VICTIM, name=NAME)
    students = {VICTIM: fill(release, cells), "blank-classmate": copy.deepcopy(release)}
    for student, attacks in ATTACKS.items():
        nb = fill(release, cells)
        nb.cells += [new_code_cell(cell_source(student, code, **values)) for _, code in attacks]
        students[student] = nb
    submit(course, NAME, students)
    link = course / "submitted" / "link-at-submission" / NAME / "leak.txt"
    link.symlink_to(Path("../../../solutions") / NAME / f"{NAME}.ipynb")

    classmates = {s: _tree(course / "submitted" / s) for s in (VICTIM, "blank-classmate")}
    protected = {**_tree(course / "solutions"), **_digest(PACKAGE_TARGETS + [course / "nbgrader_config.py"])}
    rows_before = _gradebook_rows(course)
    root_before = {p.name for p in course.iterdir()}
    try:
        done = run(course, "-m", "course_utils.grading.autograde", "--workers", "2", "--memory-mb", "4096",
                   COURSE_SANDBOX_DISK_MB="64", **SECRETS)
        time.sleep(4)  # a process left behind would act 3 s after its kernel ended
    finally:
        listener.close()
    graded = [s for s in students if s != "link-at-submission"]
    total, max_score, _ = scores(course, NAME, graded)
    feedback, outputs = {}, {}
    for student in students:
        path = course / "feedback" / student / NAME / f"{NAME}.html"
        feedback[student] = html.unescape(path.read_text(encoding="utf-8")) if path.exists() else None
        graded_nb = course / "autograded" / student / NAME / f"{NAME}.ipynb"
        outputs[student] = _outputs(graded_nb) if graded_nb.exists() else None
    return dict(course=course, done=done, scores=total, max_score=max_score, feedback=feedback, outputs=outputs,
                marker=marker,
                listener=listener, classmates=classmates, protected=protected, rows_before=rows_before,
                root_before=root_before, cells=cells)


def outcome(attacked, student: str, name: str) -> str:
    """What attack ``name`` of ``student`` printed: 'blocked ...', 'DONE ...', ..."""
    lines = re.findall(rf"ATTACK {re.escape(name)}: ([^\n]*)", attacked["outputs"][student] or "")
    assert lines, f"attack {name} of {student} left no trace in its outputs"
    assert f"ATTACK {name}: " + lines[0].split()[0] in attacked["feedback"][student], "not shown in the feedback"
    return lines[0]


def test_the_run_grades_everybody_but_the_submission_with_a_link(attacked):
    done = attacked["done"]
    log = done.stdout[-3000:] + done.stderr[-3000:]
    assert done.returncode == 1, log
    assert "link-at-submission could not be graded" in done.stderr and "leak.txt" in done.stderr, log
    assert sum("could not be graded" in line for line in done.stderr.splitlines()) == 1, log


def test_classmates_get_their_own_scores(attacked):
    assert attacked["scores"][VICTIM] == attacked["max_score"] > 0
    assert attacked["scores"]["blank-classmate"] == 0


@pytest.mark.parametrize("student", [s for s in ATTACKS if s != "link-at-submission"])
def test_each_attacker_is_graded_on_its_answers_alone(attacked, student):
    assert attacked["scores"][student] == attacked["max_score"], student


@pytest.mark.parametrize("student, name", [
    ("vandal", "delete-classmate"), ("vandal", "delete-classmate-relative"), ("vandal", "overwrite-classmate"),
    ("vandal", "write-course-root"), ("vandal", "write-course-root-relative"),
    ("vandal", "poison-course-utils"), ("vandal", "poison-venv"),
    ("thief", "read-solutions"), ("thief", "read-solutions-relative"), ("thief", "read-gradebook"),
    ("thief", "read-config"), ("thief", "read-graded-notebook"), ("thief", "read-classmate"),
    ("thief", "read-host-secrets"), ("thief", "sqlite-update"), ("thief", "sqlite-update-relative"),
    ("spy", "proc-grader"), ("spy", "proc-root-escape"),
    ("spy", "tcp-localhost"), ("spy", "tcp-hostname"), ("spy", "udp-out"),
    ("disk-filler", "fill-tmp"), ("disk-filler", "fill-workdir"), ("disk-filler", "fill-shm"),
    ("disk-filler", "huge-file"), ("disk-filler", "huge-file-in-output"),
    ("thief", "symlink-runtime"), ("thief", "symlink-runtime-absolute"),
])
def test_attack_is_blocked(attacked, student, name):
    assert outcome(attacked, student, name).startswith("blocked"), outcome(attacked, student, name)


def test_no_secret_and_nothing_of_the_grader_reaches_any_feedback(attacked):
    assert outcome(attacked, "spy", "environment").startswith("DONE")
    assert outcome(attacked, "spy", "proc-environ").startswith("DONE")
    assert outcome(attacked, "thief", "other-kernels-sockets") == "DONE 1", "only its own kernel's sockets"
    hidden = [c.source.split("### BEGIN HIDDEN TESTS", 1)[1].strip().splitlines()[0]
              for c in attacked["cells"] if c.kind == "tests" and "BEGIN HIDDEN TESTS" in c.source]
    for student, text in attacked["outputs"].items():
        if text is None:
            continue
        assert SECRET not in attacked["feedback"][student], f"the feedback of {student} shows a secret"
        for forbidden in [SECRET, str(attacked["course"]), "SQLite format 3", "BEGIN SOLUTION", "c.CourseDirectory",
                          *hidden]:
            assert forbidden not in text, f"the outputs of {student} show {forbidden!r}"


def test_killing_the_grader_kills_nothing_but_the_kernel(attacked):
    assert outcome(attacked, "killer", "kill-parent").startswith(("blocked", "DONE"))
    assert outcome(attacked, "killer", "kill-init").startswith(("blocked", "DONE"))
    assert outcome(attacked, "killer", "kill-parent-done").startswith("alive")
    # kill(-1) reaches every process the kernel may signal but itself: there is none
    assert outcome(attacked, "killer", "kill-all") == "blocked ProcessLookupError"
    assert outcome(attacked, "killer", "kill-every-pid").startswith(("blocked PermissionError", "DONE"))
    assert outcome(attacked, "killer", "kill-all-done") == "alive"


def test_a_path_of_the_course_made_in_the_sandbox_stays_there(attacked):
    """The course lives under /tmp here; the kernel's /tmp is its own, so what it makes there is lost."""
    result = outcome(attacked, "vandal", "write-feedback-folder")
    assert result.startswith("blocked") or str(attacked["course"]).startswith("/tmp/"), result
    assert not (attacked["course"] / "feedback" / VICTIM / "pwned.html").exists()


def test_fork_bomb_is_contained_to_its_cell(attacked):
    assert outcome(attacked, "fork-bomb", "fork-bomb").startswith("started")
    outputs = attacked["outputs"]["fork-bomb"]
    assert "CellTimeoutError" in outputs or "KeyboardInterrupt" in outputs


def test_no_connection_reached_the_loopback_service(attacked):
    assert attacked["listener"].accepted == 0


def test_classmates_solutions_and_the_package_are_unchanged(attacked):
    course = attacked["course"]
    for student, before in attacked["classmates"].items():
        assert _tree(course / "submitted" / student) == before, student
    now = {**_tree(course / "solutions"), **_digest(PACKAGE_TARGETS + [course / "nbgrader_config.py"])}
    assert now == attacked["protected"]
    assert not any(Path(sys.prefix).glob("pwned*"))


def test_the_gradebook_keeps_every_row_it_had_and_no_grade_was_forged(attacked):
    after = _gradebook_rows(attacked["course"])
    for table, rows in attacked["rows_before"].items():
        assert rows <= after[table], f"rows of {table} were changed or deleted"
    with sqlite3.connect(attacked["course"] / "gradebook.db") as db:
        assert db.execute("select count(*) from grade where manual_score = 1000").fetchone()[0] == 0


def test_the_course_holds_no_new_file_and_no_process_is_left(attacked):
    course = attacked["course"]
    new = {p.name for p in course.iterdir()} - attacked["root_before"]
    assert new <= {"autograded", "feedback", "grades.csv", "grading-times.csv", ".grading"}, new
    state = [p.relative_to(course / ".grading") for p in (course / ".grading").rglob("*") if p.is_file()]
    assert state and all(p.suffix in {".lock", ".started"} and len(p.parts) == 2 for p in state), state
    marker = attacked["marker"]
    written = [p for p in course.rglob("*") if p.is_file() and p.suffix in {".txt", ".html", ".bin", ".pth"}
               and marker.encode() in p.read_bytes()[:200]]
    assert not written, written
    assert not list(course.rglob("late*.txt")) and not list(course.rglob("pwned*")) and not list(course.rglob("huge*"))
    left = [p for p in psutil.process_iter(["cmdline"]) if marker in " ".join(p.info["cmdline"] or [])]
    assert not left, left
    assert not (course / "autograded" / "link-at-submission" / NAME / "leak.txt").exists()
    assert sorted(p.name for p in (course / "autograded" / "disk-filler" / NAME).iterdir()) == [f"{NAME}.ipynb"]
