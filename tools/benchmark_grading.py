"""Measure grading throughput (submissions per minute) with 1 and 2 workers: on a local Dask
cluster, in threads, and on Dask without the sandbox (course_utils/grading/sandbox.py), side by
side; write it to the README.

    python tools/benchmark_grading.py [--students 12] [--assignment 01_conv_arithmetic]

Builds a temporary course with a class of submissions (solutions, blanks and common mistakes, in
turn), grades it with ``python -m course_utils.grading.autograde --workers N`` for each N, and rewrites
the table between the README's ``<!-- throughput:start -->`` and ``<!-- throughput:end -->``.
"""
from __future__ import annotations

import argparse
import copy
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests.support package
README = ROOT / "README.md"
START, END = "<!-- throughput:start -->", "<!-- throughput:end -->"
PROGRESS = re.compile(r"^\[\d+/\d+\] ")


def _env(course: Path) -> dict:
    env = dict(os.environ, COURSE_DB_URL=f"sqlite:///{course / 'gradebook.db'}")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def build_class(course: Path, assignment: str, students: int) -> None:
    from tests.assignments.submissions import load
    from tests.support.grading import fill
    from tests.support.harness import read_cells

    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / assignment, course / "solutions" / assignment)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
                   cwd=course, env=_env(course), check=True, capture_output=True)
    release = nbformat.read(course / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)
    cells = read_cells(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
    mistakes = list(load(assignment).MISTAKES.values())
    for k in range(students):
        kind = k % 3
        if kind == 0:
            nb = fill(release, cells)
        elif kind == 1:
            nb = copy.deepcopy(release)
        else:
            mistake = mistakes[k % len(mistakes)]
            nb = fill(release, cells, {mistake.cell: mistake.source})
        target = course / "submitted" / f"student{k:03d}" / assignment
        target.mkdir(parents=True)
        nbformat.write(nb, target / f"{assignment}.ipynb")


def measure(assignment: str, students: int, workers: int, sandboxed: bool = True,
            scheduler: str = "local") -> tuple[float, float | None]:
    """(submissions per minute of one ``autograde`` run on a fresh class, start to end; the same
    between the first and the last graded submission, the steady state that a large class sees,
    without the run's fixed start-up and closing costs). Scheduler: a local Dask cluster, or
    "threads"."""
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as tmp:
        course = Path(tmp)
        build_class(course, assignment, students)
        env = dict(_env(course), COURSE_SANDBOX="on" if sandboxed else "off")
        finished, output = [], []
        start = time.perf_counter()
        with subprocess.Popen([sys.executable, "-m", "course_utils.grading.autograde", "--workers", str(workers),
                               "--scheduler", scheduler], cwd=course, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) as process:
            for line in process.stdout:  # "[k/N] ..." when a submission is done (printed with flush)
                output.append(line)
                if PROGRESS.match(line):
                    finished.append(time.perf_counter())
        elapsed = time.perf_counter() - start
        if process.returncode != 0:
            raise SystemExit(f"autograde failed:\n{''.join(output)[-4000:]}")
    steady = (len(finished) - 1) / (finished[-1] - finished[0]) * 60 if len(finished) > 2 else None
    return students / elapsed * 60, steady


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=12)
    parser.add_argument("--assignment", default="01_conv_arithmetic")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    rows, rates, steadies = [], {}, {}
    for workers in args.workers:
        rate, steady = measure(args.assignment, args.students, workers)
        rates[workers], steadies[workers] = rate, steady
        threads, threads_steady = measure(args.assignment, args.students, workers, scheduler="threads")
        bare, _ = measure(args.assignment, args.students, workers, sandboxed=False)
        print(f"{workers} worker(s): {rate:.1f} submissions per minute on Dask ({_rate(steady)} steady), "
              f"{threads:.1f} in threads ({_rate(threads_steady)} steady), {bare:.1f} on Dask without the sandbox",
              flush=True)
        rows.append(f"| {workers} | {rate:.1f} | {_rate(steady)} | {threads:.1f} | {_rate(threads_steady)} "
                    f"| {bare:.1f} | {bare / rate:.2f}x |")
    scaling = ""
    if 1 in rates and len(rates) > 1:
        most = max(rates)
        scaling = (f" From 1 to {most} Dask workers the throughput grows {rates[most] / rates[1]:.2f}-fold "
                   f"start to end ({rates[most] / rates[1] / most:.2f} of linear scaling)")
        if steadies[1] and steadies[most]:
            scaling += (f", {steadies[most] / steadies[1]:.2f}-fold in the steady state "
                        f"({steadies[most] / steadies[1] / most:.2f} of linear)")
        scaling += "."
    table = "\n".join([
        START, "",
        f"Measured by `make benchmark` (`tools/benchmark_grading.py`): {args.students} submissions of "
        f"`{args.assignment}` (solutions, blanks and common mistakes) graded by `make autograde`'s command "
        f"on {platform.machine()}, {os.cpu_count()} cores, feedback and grades.csv included: on a local Dask "
        "cluster (the default), in threads of one process (`--scheduler threads`), and on Dask without the "
        f"sandbox (`COURSE_SANDBOX=off`) for comparison.{scaling}", "",
        "Steady state: between the first and the last graded submission, without the run's start-up "
        "(the cluster, one fork server per worker) and its end (feedback, grades.csv), which a class "
        "of hundreds spreads thin.", "",
        "| workers | submissions per minute, Dask | steady state | threads | steady state "
        "| Dask without the sandbox | time per submission, sandboxed |",
        "|---:|---:|---:|---:|---:|---:|---:|", *rows, "", END])
    text = README.read_text(encoding="utf-8")
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + table + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + table + "\n"
    README.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
