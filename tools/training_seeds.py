"""Are the assignments' training checks seed-proof? Graded in process, on many seeds.

    python tools/training_seeds.py [--seeds 20] [--workers 2] [ASSIGNMENT ...]

A training check is a test cell of a solution notebook (solutions/NN_topic/NN_topic.ipynb) with
one line of the form ``_seed = 0  # training seed``. For each such cell and each seed 0..N-1 the
line is set to that seed, and with the in-process harness (tests/support/harness.py):

- the reference solution must pass the cell on every seed;
- every prepared mistake (tests/assignments/submissions/<topic>.py) that must fail the cell must
  fail it on every seed.

Prints one line per variant (passes/seeds) and exits 1 when any variant is on the wrong side on
any seed, with the failing seeds and their messages. This is a measurement, run by hand or by
`make seeds`, not a test: it trains every variant N times.
"""
from __future__ import annotations

import argparse
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests.support package

SEED_LINE = re.compile(r"^(?P<head>[ \t]*_seed[ \t]*=[ \t]*)\d+(?P<tail>[ \t]*# training seed[ \t]*)$", re.MULTILINE)


def training_cells(cells) -> list[str]:
    """Grade ids of the test cells that hold exactly one training-seed line."""
    found = []
    for cell in cells:
        if cell.kind == "tests":
            count = len(SEED_LINE.findall(cell.source))
            if count > 1:
                raise ValueError(f"{cell.grade_id}: {count} '# training seed' lines, expected one")
            if count == 1:
                found.append(cell.grade_id)
    return found


def with_seed(cells, grade_id: str, seed: int):
    """The cells with the training-seed line of ``grade_id`` set to ``seed``."""
    return [replace(c, source=SEED_LINE.sub(lambda m: f"{m['head']}{seed}{m['tail']}", c.source))
            if c.grade_id == grade_id else c for c in cells]


def _grade_one(job):
    assignment, grade_id, label, seed = job
    from tests.assignments.submissions import load
    from tests.support.harness import grade, read_cells

    cells = with_seed(read_cells(ROOT / "solutions" / assignment / f"{assignment}.ipynb"), grade_id, seed)
    mistake = None if label is None else load(assignment).MISTAKES[label]
    replacements = {} if mistake is None else {mistake.cell: mistake.source}
    result = grade(cells, replacements, timeout=120)
    return job, grade_id not in result.failed() and grade_id in result.passed, result.messages.get(grade_id, "")


def jobs(assignment: str, seeds: int):
    """(assignment, cell, mistake label or None for the solution, seed) for every variant."""
    from tests.assignments.submissions import load
    from tests.support.harness import read_cells

    cells = read_cells(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
    for grade_id in training_cells(cells):
        labels = [None] + [label for label, m in load(assignment).MISTAKES.items() if grade_id in m.must_fail]
        for label in labels:
            for seed in range(seeds):
                yield assignment, grade_id, label, seed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", help="e.g. 06_vae (default: every assignment)")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    names = args.assignments or sorted(p.name for p in (ROOT / "solutions").iterdir() if p.name[:2].isdigit())
    work = [job for name in names for job in jobs(name, args.seeds)]
    if not work:
        print("no training checks ('# training seed' lines) in", ", ".join(names))
        return 0
    outcomes: dict[tuple, list] = {}
    with ProcessPoolExecutor(args.workers) as pool:
        for (assignment, grade_id, label, seed), passed, message in pool.map(_grade_one, work):
            outcomes.setdefault((assignment, grade_id, label), []).append((seed, passed, message))
    bad = 0
    for (assignment, grade_id, label), runs in outcomes.items():
        want_pass = label is None
        wrong = [(s, m) for s, ok, m in runs if ok != want_pass]
        name = "solution" if want_pass else f"mistake {label}"
        verdict = "ok" if not wrong else "WRONG"
        print(f"{verdict:5} {assignment} {grade_id}: {name}: passes {sum(ok for _, ok, _ in runs)}/{len(runs)} seeds")
        for seed, message in wrong:
            print(f"        seed {seed}: {message[:300] or 'passed'}")
        bad += bool(wrong)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
