"""Run an nbgrader source notebook in this process, fast, to test its tests.

nbgrader grades in a real kernel, a few seconds a submission; these helpers run the same cells
with ``exec`` so that hundreds of variants (mistakes, alternative solutions, mutants) can be
graded in seconds. The real nbgrader round trip is tested separately (test_grading_roundtrip.py).

A test cell passes when it raises nothing and writes nothing to stderr (nbgrader's rule).
"""
from __future__ import annotations

import ast
import contextlib
import copy
import io
import signal
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


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


def _run(source: str, namespace: dict, timeout: float) -> str | None:
    """Execute ``source``; return None on success, else a one-line failure description."""
    stderr = io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr), \
                warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            exec(compile(source, "<cell>", "exec"), namespace)
    except BaseException as exc:  # SystemExit and timeouts included: the cell failed
        return f"{type(exc).__name__}: {exc}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if stderr.getvalue() or caught:  # a warning in a kernel is written to stderr
        text = stderr.getvalue() or str(caught[0].message)
        return f"wrote to stderr: {text[:200]}"
    return None


def grade(cells: list[Cell], replacements: dict[str, str] | None = None, only: set[str] | None = None,
          stop_at_first_failure: bool = False, timeout: float = 20.0, base: dict | None = None) -> Result:
    """Execute the cells in order with some solution cells replaced; report each test cell.

    ``only``: grade ids of the test cells to run (the others are skipped).
    ``base``: a namespace from :func:`setup_namespace`, copied, to skip the set-up cells.
    """
    import matplotlib

    matplotlib.use("Agg")
    replacements = replacements or {}
    unknown = set(replacements) - {c.grade_id for c in cells if c.kind == "solution"}
    if unknown:
        raise KeyError(f"no solution cells with grade ids {sorted(unknown)}")
    namespace = dict(base) if base is not None else {"__name__": "__main__"}
    result = Result()
    for cell in cells:
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


# ----------------------------------------------------------------------------- mutation testing

_BINOP_SWAPS = {
    ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div, ast.Add], ast.Div: [ast.FloorDiv, ast.Mult],
    ast.FloorDiv: [ast.Div, ast.Mult], ast.Mod: [ast.FloorDiv], ast.Pow: [ast.Mult], ast.MatMult: [ast.Mult],
}
_CMP_SWAPS = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
_NAME_SWAPS = {"max": "min", "min": "max", "maximum": "minimum", "minimum": "maximum", "sum": "mean",
               "mean": "sum", "argmax": "argmin", "argmin": "argmax", "exp": "log", "log": "exp",
               "sigmoid": "tanh", "tanh": "sigmoid", "zeros": "ones", "ones": "zeros", "all": "any", "any": "all"}


def _solution_lines(source: str) -> set[int]:
    lines, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if "BEGIN SOLUTION" in line:
            inside = True
        elif "END SOLUTION" in line:
            inside = False
        elif inside:
            lines.add(number)
    return lines


class _Sites(ast.NodeVisitor):
    """Collect (node, mutation) pairs within the solution region."""

    def __init__(self, lines: set[int]):
        self.lines, self.sites = lines, []

    def _in(self, node) -> bool:
        return getattr(node, "lineno", None) in self.lines

    def generic_visit(self, node):
        if self._in(node):
            if isinstance(node, ast.BinOp) and type(node.op) in _BINOP_SWAPS:
                for new in _BINOP_SWAPS[type(node.op)]:
                    self.sites.append((node, "op", new))
            elif isinstance(node, ast.AugAssign) and type(node.op) in _BINOP_SWAPS:
                self.sites.append((node, "op", _BINOP_SWAPS[type(node.op)][0]))
            elif isinstance(node, ast.Compare):
                for position, op in enumerate(node.ops):
                    if type(op) in _CMP_SWAPS:
                        self.sites.append((node, "cmp", position))
            elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
                self.sites.append((node, "const", +1))
                self.sites.append((node, "const", -1))
            elif isinstance(node, ast.Constant) and type(node.value) is bool:
                self.sites.append((node, "bool", None))
            elif isinstance(node, ast.Name) and node.id in _NAME_SWAPS and isinstance(node.ctx, ast.Load):
                self.sites.append((node, "name", None))
            elif isinstance(node, ast.Attribute) and node.attr in _NAME_SWAPS:
                self.sites.append((node, "attr", None))
            elif isinstance(node, ast.Call):
                for position in range(len(node.keywords)):
                    self.sites.append((node, "dropkw", position))
            elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
                self.sites.append((node, "unary", None))
            elif isinstance(node, ast.BoolOp):
                self.sites.append((node, "boolop", None))
        super().generic_visit(node)


def _apply(tree: ast.AST, index: int, lines: set[int]) -> tuple[ast.AST, str]:
    tree = copy.deepcopy(tree)
    collector = _Sites(lines)
    collector.visit(tree)
    node, kind, arg = collector.sites[index]
    line = node.lineno
    if kind == "op":
        old = type(node.op).__name__
        node.op = arg()
        return tree, f"line {line}: {old} -> {arg.__name__}"
    if kind == "cmp":
        old = node.ops[arg]
        node.ops[arg] = _CMP_SWAPS[type(old)]()
        return tree, f"line {line}: {type(old).__name__} -> {type(node.ops[arg]).__name__}"
    if kind == "const":
        old = node.value
        node.value = old + arg
        return tree, f"line {line}: constant {old!r} -> {node.value!r}"
    if kind == "bool":
        node.value = not node.value
        return tree, f"line {line}: {not node.value} -> {node.value}"
    if kind == "name":
        old = node.id
        node.id = _NAME_SWAPS[old]
        return tree, f"line {line}: {old} -> {node.id}"
    if kind == "attr":
        old = node.attr
        node.attr = _NAME_SWAPS[old]
        return tree, f"line {line}: .{old} -> .{node.attr}"
    if kind == "dropkw":
        dropped = node.keywords.pop(arg)
        return tree, f"line {line}: keyword {dropped.arg}= dropped"
    if kind == "unary":
        return _replace(tree, node, node.operand), f"line {line}: unary {type(node.op).__name__} dropped"
    if kind == "boolop":
        old = type(node.op).__name__
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        return tree, f"line {line}: {old} -> {type(node.op).__name__}"
    raise AssertionError(kind)


def _replace(tree, target, replacement):
    class Swap(ast.NodeTransformer):
        def generic_visit(self, node):
            if node is target:
                return replacement
            return super().generic_visit(node)
    return Swap().visit(tree)


def mutants(source: str):
    """Yield ``(description, mutated source)`` for each small change inside the solution region."""
    lines = _solution_lines(source)
    tree = ast.parse(source)
    collector = _Sites(lines)
    collector.visit(tree)
    original = ast.unparse(tree)
    for index in range(len(collector.sites)):
        mutated, description = _apply(tree, index, lines)
        text = ast.unparse(ast.fix_missing_locations(mutated))
        if text != original:
            yield description, text


def mutation_report(path: Path, timeout: float = 10.0) -> tuple[int, int, list[str]]:
    """Mutate every solution cell of the notebook at ``path``; return (killed, total, survivors)."""
    cells = read_cells(path)
    base = setup_namespace(cells)
    killed = total = 0
    survivors = []
    for cell in cells:
        if cell.kind != "solution":
            continue
        own_tests = checks_of(cells, cell.grade_id)
        for description, text in mutants(cell.source):
            total += 1
            result = grade(cells, {cell.grade_id: text}, only=own_tests, stop_at_first_failure=True,
                           timeout=timeout, base=base)
            if result.failed():
                killed += 1
            else:
                survivors.append(f"{cell.grade_id}: {description}")
    return killed, total, survivors
