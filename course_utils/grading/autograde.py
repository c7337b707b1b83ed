"""Grade a class: ``python -m course_utils.grading.autograde`` (what ``make autograde`` runs).

For every assignment with submissions in ``submitted/<student>/<assignment>/``:

1. make sure the gradebook knows the assignment (``nbgrader generate_assignment``, which
   rewrites ``assignments/`` identically, if it does not);
2. ``nbgrader autograde`` each student in a separate process, as one task on Dask distributed
   workers (``--scheduler``: a local cluster of ``--workers`` processes by default, or the
   address of a scheduler whose workers share this folder; see
   :mod:`course_utils.grading.cluster`: each submission is graded exactly once, also when a
   worker dies), each under a memory limit (``--memory-mb``, for the process and its kernel) and
   a time limit (``--submission-timeout``); a submission that fails to grade is reported and the
   run goes on; progress lines give an ETA, and a summary table ends the run;
   each kernel runs in a sandbox (:mod:`course_utils.grading.sandbox`); when none can be made,
   nothing is graded (``--no-sandbox`` or ``COURSE_SANDBOX=off``: for a trusted single user only);
   a submission that contains a symbolic link is not graded (nbgrader would copy its target);
3. ``nbgrader generate_feedback``: one HTML file per student and notebook, in ``feedback/``;
4. ``nbgrader export`` of all grades to ``grades.csv``; the time of every graded cell goes to
   ``grading-times.csv`` (``--cell-log``), the costliest cells are printed.

An LMS download (a zip of notebooks named by student) is first unpacked into ``submitted/`` by
nbgrader's zip collection: ``--zip FILE ASSIGNMENT`` (see ``--name-regexp``).

Re-running grades only what is not graded yet (nbgrader skips existing results) and never
touches ``submitted/``. Run it from the course root (where nbgrader_config.py is).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from course_utils.grading import cluster, forkserver, report

__all__ = ["submitted_students", "submitted_assignments", "nbgrader", "main", "CANVAS_REGEXP"]

#: File names of a Canvas "Download submissions" zip: ``<login>_<id>_<id>_<notebook>.ipynb``
#: (``late_`` after the login for late work, ``-1``, ``-2`` after a resubmitted notebook's name).
#: nbgrader matches it against the whole path of the extracted file.
CANVAS_REGEXP = r"^.*/(?P<student_id>[^_/]+)_(?:late_)?\d+_\d+_(?P<file_id>[^/]+?)(?:-\d+)?\.ipynb$"


def nbgrader(*args: str, cwd: Path, memory_mb: int | None = None,
             timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run an nbgrader command with this interpreter's environment (its bin first on PATH).

    With ``memory_mb``, nbgrader runs under that address-space limit and so does each kernel it
    starts (``COURSE_MEMORY_MB``). The process is a child of the fork server, which imported
    nbgrader once (:mod:`course_utils.grading.forkserver`)."""
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    if memory_mb:
        env["COURSE_MEMORY_MB"] = str(memory_mb)
    return forkserver.run(list(args), cwd=cwd, env=env, memory_mb=memory_mb, timeout=timeout)


def symbolic_links(folder: Path) -> list[str]:
    """Symbolic links in a submission folder, relative to it (nbgrader would copy their targets)."""
    links = [str(p) for p in (folder.parent, folder) if p.is_symlink()]
    for current, dirs, files in os.walk(folder):
        links += [os.path.relpath(os.path.join(current, name), folder)
                  for name in dirs + files if os.path.islink(os.path.join(current, name))]
    return sorted(links)


def submitted_assignments(root: Path) -> list[str]:
    """Names of the assignments with at least one submission under ``root/submitted``."""
    submitted = root / "submitted"
    if not submitted.is_dir():
        return []
    return sorted({a.name for student in submitted.iterdir() if student.is_dir()
                   for a in student.iterdir() if a.is_dir()})


def submitted_students(root: Path, assignment: str) -> list[str]:
    """Students with a submission of ``assignment`` under ``root/submitted``."""
    submitted = root / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(s.name for s in submitted.iterdir() if (s / assignment).is_dir())


def _in_gradebook(root: Path, assignment: str) -> bool:
    """Whether the gradebook configured for ``root`` knows ``assignment``."""
    from nbgrader.api import Gradebook, MissingEntry
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        try:
            gb.find_assignment(assignment)
            return True
        except MissingEntry:
            return False


def collect_zip(root: Path, assignment: str, archive: Path, regexp: str) -> None:
    """Unpack an LMS download into submitted/ with ``nbgrader zip_collect``."""
    if not archive.is_file():
        raise FileNotFoundError(f"no such zip file: {archive}")
    target = root / "downloaded" / assignment / "archive"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(archive, target / archive.name)
    done = nbgrader("zip_collect", assignment, "--force", f"--FileNameCollectorPlugin.named_regexp={regexp}",
                    cwd=root)
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader zip_collect failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    skipped = [line for line in done.stderr.splitlines() if "Skipped submission" in line]
    for line in skipped:
        print(line.split("]", 1)[-1].strip(), flush=True)
    collected = re.search(r"(\d+) files? collected", done.stdout + done.stderr)
    if collected is None or int(collected.group(1)) == 0:
        raise RuntimeError(f"no file in {archive.name} matched the file-name pattern {regexp!r}: "
                           "set --name-regexp for your LMS")


def grade_assignment(root: Path, assignment: str, students: list[str], memory_mb: int | None,
                     timeout: float, client=None, workers: int = 1) -> list[cluster.Outcome]:
    """Autograde ``students``' submissions of one assignment; return one Outcome per student.

    With a Dask ``client`` each submission is a task on its workers; without one, ``workers``
    threads of this process grade them. Either way each is graded at most once
    (:func:`course_utils.grading.cluster.grade_submission`) and a failure never stops the others."""
    if not _in_gradebook(root, assignment):
        done = nbgrader("generate_assignment", assignment, "--force", cwd=root)
        if done.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{done.stderr[-3000:]}")
    where = "on the Dask cluster" if client is not None else f"{workers} threads"
    print(f"autograding {assignment}: {len(students)} submissions, {where}", flush=True)
    progress = report.Progress(len(students), label=f"{assignment} ")
    if client is not None:
        outcomes = cluster.grade_on_cluster(client, root, assignment, students, memory_mb, timeout, progress)
    else:
        def one(student):
            outcome = cluster.Outcome(**cluster.grade_submission(str(root), assignment, student, memory_mb, timeout))
            progress(outcome)
            return outcome

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            outcomes = list(pool.map(one, students))
    done = nbgrader("generate_feedback", assignment, "--force", cwd=root)
    if done.returncode != 0:
        outcomes.append(cluster.Outcome(assignment, "(feedback)", "failed", log=done.stderr[-3000:]))
    return outcomes


def _sandbox_ready(no_sandbox: bool) -> bool:
    """Print the sandbox's state; False (grade nothing) when it is required and cannot be made."""
    from course_utils.grading import sandbox
    from course_utils.grading.sandbox_kernel import OFF_WARNING

    if no_sandbox:
        os.environ["COURSE_SANDBOX"] = "off"  # the nbgrader processes inherit it
    try:
        required = sandbox.enabled()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return False
    if not required:
        print(OFF_WARNING, file=sys.stderr, flush=True)
        return True
    reason = sandbox.problem()
    if reason:
        print(f"error: nothing was graded.\n{reason}", file=sys.stderr)
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.grading.autograde", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", help="default: every assignment with submissions")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course root (default: here)")
    parser.add_argument("--csv", default="grades.csv", help="where to write the grades")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("COURSE_WORKERS", "1")),
                        help="submissions graded in parallel on a local cluster or in threads "
                        "(default $COURSE_WORKERS or 1)")
    parser.add_argument("--memory-mb", type=int, default=int(os.environ.get("COURSE_MEMORY_MB", "6144")),
                        help="address-space limit of each grading process and its kernel, MiB (0: none)")
    parser.add_argument("--submission-timeout", type=float,
                        default=float(os.environ.get("COURSE_SUBMISSION_TIMEOUT", "1800")),
                        help="seconds one submission may take in all")
    parser.add_argument("--scheduler", default=os.environ.get("COURSE_SCHEDULER", "local"),
                        help="where submissions are graded: 'local' (default: a local Dask cluster of "
                        "--workers processes), a Dask scheduler's address such as tcp://10.0.0.5:8786 "
                        "(workers that share this course folder), or 'threads' (no Dask: --workers "
                        "threads of this process)")
    parser.add_argument("--cell-log", default="grading-times.csv",
                        help="where the time of every graded cell is written (relative to the root)")
    parser.add_argument("--students", help="grade only these students (comma-separated), e.g. to grade "
                        "again those whose grades were removed after a fix")
    parser.add_argument("--zip", type=Path, help="an LMS download to collect first (needs one assignment)")
    parser.add_argument("--name-regexp", default=CANVAS_REGEXP,
                        help="how --zip file names give student_id and file_id (default: Canvas)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run student code WITHOUT the sandbox (also COURSE_SANDBOX=off): only for "
                        "a trusted single user; every run warns")
    args = parser.parse_args(argv)
    if not _sandbox_ready(args.no_sandbox):
        return 2
    root = args.root.resolve()
    if not (root / "nbgrader_config.py").is_file():
        parser.error(f"{root} is not the course root (no nbgrader_config.py there)")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.zip and len(args.assignments) != 1:
        parser.error("--zip needs exactly one assignment name")
    # Everything is checked before anything is collected or graded: a typo in the second name
    # must not leave the first graded and grades.csv unwritten.
    unknown = [a for a in args.assignments if not (root / "solutions" / a).is_dir()]
    if unknown:
        known = sorted(p.name for p in (root / "solutions").glob("[0-9][0-9]_*") if p.is_dir())
        parser.error(f"unknown assignment(s) {', '.join(map(repr, unknown))}: no solutions/<name>/; "
                     f"known: {', '.join(known) or 'none'}")
    if args.zip:
        try:
            collect_zip(root, args.assignments[0], args.zip.resolve(), args.name_regexp)
        except (FileNotFoundError, RuntimeError) as exc:
            parser.error(str(exc))
    assignments = args.assignments or submitted_assignments(root)
    strays = [a for a in assignments if not (root / "solutions" / a).is_dir()]
    if strays:  # folders under submitted/ that are no assignment of this course
        print(f"skipping {', '.join(strays)}: not an assignment of this course (no solutions/<name>/)",
              file=sys.stderr)
        assignments = [a for a in assignments if a not in strays]
    if not assignments or not any((root / "submitted").glob(f"*/{a}") for a in assignments):
        print(f"nothing to grade: put submissions in {root / 'submitted'}/<student>/<assignment>/")
        return 0
    only = {s.strip() for s in args.students.split(",") if s.strip()} if args.students else None
    started = time.perf_counter()
    outcomes: list[cluster.Outcome] = []
    with contextlib.ExitStack() as stack:
        client = None if args.scheduler == "threads" else stack.enter_context(
            cluster.connect(None if args.scheduler == "local" else args.scheduler, args.workers))
        for assignment in assignments:
            students = [s for s in submitted_students(root, assignment) if only is None or s in only]
            outcomes += grade_assignment(root, assignment, students, args.memory_mb or None,
                                         args.submission_timeout, client, args.workers)
    done = nbgrader("export", "--to", args.csv, cwd=root)
    print(f"grades written to {args.csv}" if done.returncode == 0 else "nbgrader export failed")
    print("\n" + report.summary([o for o in outcomes if o.student != "(feedback)"],
                                 time.perf_counter() - started))
    costly = report.write_cell_log(root, outcomes, root / args.cell_log)
    if costly:
        print(f"\ntime per cell of every graded notebook: {args.cell_log}; the costliest cells (mean seconds):")
        for assignment, cell, seconds in costly:
            print(f"  {assignment} {cell}: {seconds:.2f}")
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        return 1
    failures = [o for o in outcomes if o.status in ("failed", "not graded")]
    for outcome in failures:
        print(f"\n{outcome.assignment} / {outcome.student} could not be graded:\n{outcome.log}", file=sys.stderr)
    return 1 if failures else 0

if __name__ == "__main__":
    sys.exit(main())
