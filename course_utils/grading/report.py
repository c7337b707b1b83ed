"""What a grading run tells the instructor: progress with an ETA, a summary, a per-cell time log.

- :class:`Progress` prints one line per finished submission: ``[3/40] ada: graded in 5.1 s
  (host:pid) · ETA 2 min 10 s``; the ETA is the remaining count over the throughput so far, so it
  accounts for parallel workers.
- :func:`summary` is the table printed at the end: per assignment, how many were graded, failed,
  not graded or already graded, and the mean and slowest time per graded submission.
- :func:`cell_times` reads the execution timestamps that the grading kernel's client records in
  every autograded notebook (``metadata.execution``) and :func:`write_cell_log` writes them as a
  CSV, with the cells that cost most printed first: which test cells make grading slow.
"""
from __future__ import annotations

import csv
import statistics
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import nbformat

__all__ = ["Progress", "summary", "cell_times", "write_cell_log"]


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


class Progress:
    """Counts finished submissions out of ``total`` and prints a line with an ETA for each."""

    def __init__(self, total: int, label: str = "", clock=time.perf_counter, out=print):
        self.total, self.label, self.clock, self.out = total, label, clock, out
        self.done = 0
        self.start = clock()

    def eta(self) -> float | None:
        """Seconds left at the throughput so far; None before the first submission finishes."""
        if self.done == 0:
            return None
        return (self.clock() - self.start) / self.done * (self.total - self.done)

    def __call__(self, outcome) -> None:
        self.done += 1
        line = f"[{self.done}/{self.total}] {self.label}{outcome.student}: {outcome.status}"
        if outcome.status in ("graded", "failed"):
            line += f" in {outcome.seconds:.1f} s"
        if outcome.worker:
            line += f" ({outcome.worker})"
        if self.done < self.total:
            line += f" · ETA {_duration(self.eta())}"
        self.out(line, flush=True)


def summary(outcomes, wall_seconds: float) -> str:
    """A plain-text table: one row per assignment and a total.

    Columns: graded, failed, not graded, already graded, mean and max seconds per graded
    submission; then the wall time and the throughput in submissions per minute."""
    rows = defaultdict(list)
    for outcome in outcomes:
        rows[outcome.assignment].append(outcome)
    header = (f"{'assignment':<22} {'graded':>6} {'failed':>6} {'not graded':>10} {'already':>7} "
              f"{'mean s':>7} {'max s':>7}")
    lines = [header, "-" * len(header)]
    for assignment, group in sorted(rows.items()) + [("total", list(outcomes))]:
        count = {s: sum(o.status == s for o in group) for s in ("graded", "failed", "not graded", "already graded")}
        times = [o.seconds for o in group if o.status == "graded"]
        mean = f"{statistics.mean(times):.1f}" if times else "-"
        worst = f"{max(times):.1f}" if times else "-"
        lines.append(f"{assignment:<22} {count['graded']:>6} {count['failed']:>6} {count['not graded']:>10} "
                     f"{count['already graded']:>7} {mean:>7} {worst:>7}")
    finished = sum(o.status in ("graded", "failed") for o in outcomes)
    rate = f", {finished / wall_seconds * 60:.1f} submissions per minute" if wall_seconds > 0 and finished else ""
    lines.append(f"wall time {_duration(wall_seconds)}{rate}")
    return "\n".join(lines)


def _stamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def cell_times(notebook: Path) -> list[tuple[str, float]]:
    """(cell name, seconds) for every executed code cell of an autograded notebook.

    The name is the nbgrader grade id where the cell has one, else ``cell <index>``; the seconds
    run from ``iopub.execute_input`` to ``shell.execute_reply`` (cells without both are left out)."""
    nb = nbformat.read(notebook, as_version=4)
    found = []
    for index, cell in enumerate(nb.cells):
        stamps = cell.get("metadata", {}).get("execution", {})
        if cell.cell_type != "code" or "iopub.execute_input" not in stamps or "shell.execute_reply" not in stamps:
            continue
        seconds = (_stamp(stamps["shell.execute_reply"]) - _stamp(stamps["iopub.execute_input"])).total_seconds()
        name = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}"
        found.append((name, seconds))
    return found


def write_cell_log(root: Path, outcomes, path: Path, top: int = 5) -> list[tuple[str, str, float]]:
    """Write ``assignment,student,notebook,cell,seconds`` for every graded submission to ``path``;
    return the ``top`` (assignment, cell, mean seconds) that cost most across students."""
    per_cell = defaultdict(list)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["assignment", "student", "notebook", "cell", "seconds"])
        for outcome in outcomes:
            if outcome.status != "graded":
                continue
            folder = root / "autograded" / outcome.student / outcome.assignment
            for notebook in sorted(folder.glob("*.ipynb")):
                for name, seconds in cell_times(notebook):
                    writer.writerow([outcome.assignment, outcome.student, notebook.name, name, f"{seconds:.3f}"])
                    per_cell[(outcome.assignment, name)].append(seconds)
    ranked = sorted(((a, c, statistics.mean(s)) for (a, c), s in per_cell.items()), key=lambda r: -r[2])
    return ranked[:top]
