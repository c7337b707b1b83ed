"""The grading run's progress lines, summary table and per-cell time log."""
from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_utils.grading.cluster import Outcome
from course_utils.grading.report import Progress, cell_times, summary, write_cell_log


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_progress_gives_an_eta_from_the_throughput_so_far():
    clock, lines = Clock(), []
    progress = Progress(4, label="01_x ", clock=clock, out=lambda line, flush: lines.append(line))
    assert progress.eta() is None
    clock.now += 30          # two submissions in 30 s (two workers): 15 s each, two left -> 30 s
    progress(Outcome("01_x", "ada", "graded", 29.0, "host:1"))
    progress(Outcome("01_x", "bob", "failed", 28.5, "host:2", "boom"))
    assert progress.eta() == 30
    assert lines[1] == "[2/4] 01_x bob: failed in 28.5 s (host:2) · ETA 30 s"
    clock.now += 100
    progress(Outcome("01_x", "cy", "already graded"))
    assert lines[2] == "[3/4] 01_x cy: already graded · ETA 43 s"      # 130 s / 3 * 1
    progress(Outcome("01_x", "dee", "graded", 5.0, "host:1"))
    assert "ETA" not in lines[3]


def test_summary_counts_each_status_and_times_graded_submissions():
    outcomes = [Outcome("01_x", "ada", "graded", 10.0), Outcome("01_x", "bob", "graded", 20.0),
                Outcome("01_x", "cy", "failed", 99.0), Outcome("02_y", "ada", "not graded"),
                Outcome("02_y", "bob", "already graded")]
    table = summary(outcomes, wall_seconds=90)
    rows = {line.split()[0]: line.split()[1:] for line in table.splitlines()[2:-1]}
    assert rows["01_x"] == ["2", "1", "0", "0", "15.0", "20.0"]
    assert rows["02_y"] == ["0", "0", "1", "1", "-", "-"]
    assert rows["total"] == ["2", "1", "1", "1", "15.0", "20.0"]
    assert table.splitlines()[-1] == "wall time 1 min 30 s, 2.0 submissions per minute"   # 3 run in 90 s


def _executed(tmp_path, stamps):
    nb = new_notebook(cells=[new_markdown_cell("# title")])
    for index, (start, end) in enumerate(stamps):
        cell = new_code_cell("1")
        cell.metadata["nbgrader"] = {"grade_id": f"cell-{index}"} if index else {}
        if start:
            cell.metadata["execution"] = {"iopub.execute_input": start, "shell.execute_reply": end}
        nb.cells.append(cell)
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    return path


def test_cell_times_come_from_the_execution_stamps(tmp_path):
    path = _executed(tmp_path, [("2026-12-01T10:00:00.000000Z", "2026-12-01T10:00:02.500000Z"),
                                ("2026-12-01T10:00:03Z", "2026-12-01T10:01:03Z"), (None, None)])
    assert cell_times(path) == [("cell 1", 2.5), ("cell-1", 60.0)]


def test_the_cell_log_lists_every_graded_cell_and_ranks_the_costly(tmp_path):
    for student, seconds in (("ada", "01"), ("bob", "03")):
        folder = tmp_path / "autograded" / student / "01_x"
        folder.mkdir(parents=True)
        _executed(tmp_path, [("2026-12-01T10:00:00Z", "2026-12-01T10:00:00.5Z"),
                             ("2026-12-01T10:00:00Z", f"2026-12-01T10:00:{seconds}Z")]).rename(folder / "01_x.ipynb")
    outcomes = [Outcome("01_x", "ada", "graded"), Outcome("01_x", "bob", "graded"), Outcome("01_x", "cy", "failed")]
    ranked = write_cell_log(tmp_path, outcomes, tmp_path / "times.csv", top=1)
    assert ranked == [("01_x", "cell-1", 2.0)]                  # mean of 1 s and 3 s
    rows = (tmp_path / "times.csv").read_text().splitlines()
    assert rows[0] == "assignment,student,notebook,cell,seconds" and len(rows) == 5
    assert "01_x,bob,01_x.ipynb,cell-1,3.000" in rows
