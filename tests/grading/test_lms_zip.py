"""An LMS download (a zip of notebooks named by student) graded by `make autograde`'s command,
twice: the second run changes nothing that was right and loses nothing."""
from __future__ import annotations

import copy
import csv
import zipfile

import nbformat
import pytest

from tests.assignments.submissions import load
from tests.support.grading import fill, make_course, run, scores

NAME = "01_conv_arithmetic"


@pytest.fixture(scope="module")
def lms(tmp_path_factory):
    course = tmp_path_factory.mktemp("lms")
    release, cells = make_course(course, NAME, answers=3)
    mistake = next(iter(load(NAME).MISTAKES.values()))
    notebooks = {
        "ada_1001_5001_01_conv_arithmetic.ipynb": fill(release, cells),
        "bob_late_1002_5002_01_conv_arithmetic-1.ipynb": copy.deepcopy(release),
        "cy_1003_5003_01_conv_arithmetic.ipynb": fill(release, cells, {mistake.cell: mistake.source}),
    }
    archive = course / "lms-download.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for filename, nb in notebooks.items():
            handle.writestr(filename, nbformat.writes(nb))
        handle.writestr("readme_from_the_lms.txt", "not a submission")
        handle.writestr("garbage_name.ipynb", nbformat.writes(release))
    first = run(course, "-m", "course_utils.grading.autograde", NAME, "--zip", str(archive), "--workers", "2")
    return dict(course=course, first=first, archive=archive)


def test_zip_submissions_are_collected_and_graded(lms):
    assert lms["first"].returncode == 0, lms["first"].stdout[-3000:] + lms["first"].stderr[-3000:]
    course = lms["course"]
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["ada", "bob", "cy"]
    total, max_score, _ = scores(course, NAME, ["ada", "bob", "cy"])
    assert total["ada"] == max_score and total["bob"] == 0 and 0 < total["cy"] < max_score
    with open(course / "grades.csv", newline="") as handle:
        rows = {r["student_id"]: float(r["score"]) for r in csv.DictReader(handle)}
    assert rows == total
    for student in ("ada", "bob", "cy"):
        assert (course / "feedback" / student / NAME / f"{NAME}.html").is_file()


def test_second_run_changes_nothing_and_loses_nothing(lms):
    course = lms["course"]
    graded_files = sorted((course / "autograded").rglob("*.ipynb"))
    before = {p: p.stat().st_mtime_ns for p in graded_files}
    submitted = {p: p.read_bytes() for p in (course / "submitted").rglob("*.ipynb")}
    total_before = scores(course, NAME, ["ada", "bob", "cy"])[0]
    second = run(course, "-m", "course_utils.grading.autograde", "--workers", "2")
    assert second.returncode == 0, second.stderr[-3000:]
    assert {p: p.stat().st_mtime_ns for p in graded_files} == before, "graded submissions were regraded"
    assert {p: p.read_bytes() for p in (course / "submitted").rglob("*.ipynb")} == submitted
    assert scores(course, NAME, ["ada", "bob", "cy"])[0] == total_before


def test_unmatched_file_names_are_reported(lms):
    assert "garbage_name.ipynb" in lms["first"].stdout


def test_bad_arguments_are_explained(lms):
    course = lms["course"]
    missing = run(course, "-m", "course_utils.grading.autograde", NAME, "--zip", "nope.zip")
    assert missing.returncode == 2 and "no such zip file" in missing.stderr
    two = run(course, "-m", "course_utils.grading.autograde", NAME, "02_x", "--zip", str(lms["archive"]))
    assert two.returncode == 2 and "exactly one assignment" in two.stderr
    no_match = run(course, "-m", "course_utils.grading.autograde", NAME, "--zip", str(lms["archive"]),
                   "--name-regexp", r"^.*/(?P<student_id>nobody)_(?P<file_id>x)\.ipynb$")
    assert no_match.returncode == 2 and "matched the file-name pattern" in no_match.stderr


def _kernels_in(folder):
    """Kernels running with their working directory inside ``folder``."""
    import psutil
    found = set()
    for process in psutil.process_iter(["pid", "cmdline"]):
        try:
            if "ipykernel_launcher" in " ".join(process.info["cmdline"] or []) and \
                    str(folder) in process.cwd():
                found.add(process.info["pid"])
        except psutil.Error:
            continue
    return found


def test_a_submission_over_its_time_limit_is_stopped_and_graded_later(lms):
    course = lms["course"]
    source = course / "submitted" / "ada" / NAME / f"{NAME}.ipynb"
    (course / "submitted" / "dawdler" / NAME).mkdir(parents=True)
    (course / "submitted" / "dawdler" / NAME / f"{NAME}.ipynb").write_bytes(source.read_bytes())
    stopped = run(course, "-m", "course_utils.grading.autograde", "--submission-timeout", "2")
    assert stopped.returncode == 1 and "dawdler could not be graded" in stopped.stderr
    assert "longer than 2 s" in stopped.stderr
    assert not (course / "autograded" / "dawdler").exists() or \
        not any((course / "autograded" / "dawdler").rglob("*.ipynb"))
    assert not _kernels_in(course / "autograded"), "a kernel of the stopped submission is still running"
    again = run(course, "-m", "course_utils.grading.autograde")
    assert again.returncode == 0, again.stderr[-3000:]
    total, max_score, _ = scores(course, NAME, ["ada", "dawdler"])
    assert total["dawdler"] == total["ada"] == max_score
