"""Grade a class: ``python -m course_utils.autograde`` (what ``make autograde`` runs).

For every assignment found in ``submitted/<student>/<assignment>/``: ``nbgrader autograde`` into
the gradebook, then ``nbgrader generate_feedback`` (one HTML file per student and notebook, in
``feedback/``), and finally ``nbgrader export`` of all grades to ``grades.csv``.

Run it from the course root (where nbgrader_config.py is). A broken submission only costs its
own cells: nbgrader records what it could grade and goes on with the next student.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["submitted_assignments", "nbgrader", "main"]


def nbgrader(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run an nbgrader command with this interpreter's environment (its bin first on PATH)."""
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


def submitted_assignments(root: Path) -> list[str]:
    """Names of the assignments with at least one submission under ``root/submitted``."""
    submitted = root / "submitted"
    if not submitted.is_dir():
        return []
    return sorted({a.name for student in submitted.iterdir() if student.is_dir()
                   for a in student.iterdir() if a.is_dir()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", help="default: every assignment with submissions")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course root (default: here)")
    parser.add_argument("--csv", default="grades.csv", help="where to write the grades")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not (root / "nbgrader_config.py").is_file():
        parser.error(f"{root} is not the course root (no nbgrader_config.py there)")
    assignments = args.assignments or submitted_assignments(root)
    if not assignments:
        print(f"nothing to grade: put submissions in {root / 'submitted'}/<student>/<assignment>/")
        return 0
    failures = []
    for assignment in assignments:
        if not (root / "solutions" / assignment).is_dir():
            parser.error(f"unknown assignment {assignment!r}: no solutions/{assignment}/")
        for step in (("autograde", assignment), ("generate_feedback", assignment, "--force")):
            done = nbgrader(*step, cwd=root)
            print(f"nbgrader {' '.join(step)}: exit {done.returncode}", flush=True)
            if done.returncode != 0:
                failures.append(" ".join(step))
                sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
    done = nbgrader("export", "--to", args.csv, cwd=root)
    print(f"nbgrader export --to {args.csv}: exit {done.returncode}")
    if done.returncode != 0:
        failures.append("export")
        sys.stderr.write(done.stderr[-3000:])
    if failures:
        print(f"failed steps: {failures}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
