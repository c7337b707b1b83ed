"""Run an nbgrader source notebook in this process, fast, to test its tests.

nbgrader grades in a real kernel, a few seconds a submission; these helpers run the same cells
with ``exec`` so that hundreds of variants (mistakes, alternative solutions, mutants) can be
graded in seconds. The real nbgrader round trip is tested separately (test_grading_roundtrip.py).

A test cell passes when it raises nothing and writes nothing to stderr (nbgrader's rule). As in
a kernel, each cell's source is in ``linecache`` (``expect_allowed`` reads it), and warnings are
filtered as IPython does (DeprecationWarning shown for code of the notebook) and written to stderr.
``grade(..., sanitize=True)`` first applies the grader's RejectTampering and RejectForbiddenUses.
"""
from __future__ import annotations

import contextlib
import io
import itertools
import linecache
import signal
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Cell:
    index: int
    kind: str          # "solution", "tests", "setup" (locked code) or "markdown"
    grade_id: str | None
    source: str
    points: float = 0.0


def read_cells(path: Path) -> list[Cell]:
    nb = nbformat.read(path, as_version=4)
    cells = []
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            kind = "markdown"
        elif meta.get("solution"):
            kind = "solution"
        elif meta.get("grade"):
            kind = "tests"
        else:
            kind = "setup"
        cells.append(Cell(index, kind, meta.get("grade_id"), cell.source, float(meta.get("points", 0))))
    return cells


class CellTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise CellTimeout("cell timed out")


@dataclass
class Result:
    passed: dict[str, bool] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)

    def failed(self) -> list[str]:
        return [g for g, ok in self.passed.items() if not ok]


_CELL_NUMBERS = itertools.count()


def _to_stderr(message, category, filename, lineno, file=None, line=None):
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _run(source: str, namespace: dict, timeout: float) -> str | None:
    """Execute ``source``; return None on success, else a one-line failure description."""
    stderr = io.StringIO()
    filename = f"<cell-{next(_CELL_NUMBERS)}>"   # like ipykernel: the source stays readable
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr), \
                warnings.catch_warnings():
            warnings.resetwarnings()
            warnings.simplefilter("default")
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
            warnings.showwarning = _to_stderr   # a kernel writes warnings to stderr
            exec(compile(source, filename, "exec"), namespace)
    except BaseException as exc:  # SystemExit and timeouts included: the cell failed
        return f"{type(exc).__name__}: {exc}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if stderr.getvalue():  # nbgrader scores a test cell that wrote to stderr as failed
        return f"wrote to stderr: {stderr.getvalue()[:200]}"
    return None


def sanitized(cells: list[Cell], replacements: dict[str, str]) -> dict[str, str]:
    """``replacements`` as the grader runs them: RejectTampering and RejectForbiddenUses applied."""
    from nbformat.v4 import new_code_cell, new_notebook

    from course_utils.grading.plugins import RejectForbiddenUses, RejectTampering

    nb = new_notebook()
    for cell in cells:
        if cell.kind == "markdown":
            continue
        source = replacements.get(cell.grade_id, cell.source) if cell.kind == "solution" else cell.source
        meta = {"grade_id": cell.grade_id, "locked": cell.kind != "solution",
                "solution": cell.kind == "solution", "grade": cell.kind == "tests"}
        nb.cells.append(new_code_cell(source, metadata={"nbgrader": meta}))
    for plugin in (RejectTampering(), RejectForbiddenUses()):
        plugin.log.disabled = True
        nb, _ = plugin.preprocess(nb, {})
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells if c.metadata["nbgrader"]["solution"]}


def grade(cells: list[Cell], replacements: dict[str, str] | None = None, only: set[str] | None = None,
          stop_at_first_failure: bool = False, timeout: float = 20.0, base: dict | None = None,
          sanitize: bool = False, until: set[str] | None = None) -> Result:
    """Execute the cells in order with some solution cells replaced; report each test cell.

    ``only``: grade ids of the test cells to run (the others are skipped).
    ``until``: grade ids of test cells; nothing after the last of them runs (the cells before it
    all do, so that a hidden cell can still read the run of the visible cell it follows).
    Both stop the notebook after the last cell they name: what follows cannot change its result.
    ``base``: a namespace from :func:`setup_namespace`, copied, to skip the set-up cells.
    ``sanitize``: replace answers as the grader does (not run when they tamper or use what is forbidden).
    """
    import matplotlib

    matplotlib.use("Agg")
    replacements = replacements or {}
    unknown = set(replacements) - {c.grade_id for c in cells if c.kind == "solution"}
    if unknown:
        raise KeyError(f"no solution cells with grade ids {sorted(unknown)}")
    if sanitize:
        replacements = sanitized(cells, replacements)
    namespace = dict(base) if base is not None else {"__name__": "__main__"}
    result = Result()
    wanted = set(only or ()) | set(until or ())
    last = max((c.index for c in cells if c.grade_id in wanted), default=None) if (only or until) else None
    for cell in cells:
        if last is not None and cell.index > last:
            break
        if cell.kind == "markdown" or (cell.kind == "setup" and base is not None):
            continue
        if cell.kind == "tests":
            if only is not None and cell.grade_id not in only:
                continue
            error = _run(cell.source, namespace, timeout)
            result.passed[cell.grade_id] = error is None
            if error:
                result.messages[cell.grade_id] = error
                if stop_at_first_failure:
                    return result
        else:
            source = replacements.get(cell.grade_id, cell.source) if cell.kind == "solution" else cell.source
            error = _run(source, namespace, timeout)
            if error and cell.kind == "setup":
                raise RuntimeError(f"set-up cell {cell.index} failed: {error}")
    return result


def setup_namespace(cells: list[Cell]) -> dict:
    """Run the locked set-up cells (imports) once, for :func:`grade`'s ``base``."""
    namespace = {"__name__": "__main__"}
    for cell in cells:
        if cell.kind == "setup":
            error = _run(cell.source, namespace, 60)
            if error:
                raise RuntimeError(f"set-up cell {cell.index} failed: {error}")
    return namespace


def checks_of(cells: list[Cell], solution_id: str) -> set[str]:
    """Grade ids of the test cells that follow a solution cell, up to the next solution cell."""
    found, inside = set(), False
    for cell in cells:
        if cell.kind == "solution":
            inside = cell.grade_id == solution_id
        elif inside and cell.kind == "tests":
            found.add(cell.grade_id)
    return found
