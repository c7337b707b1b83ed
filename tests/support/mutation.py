"""Mutation testing of an assignment's tests: small, plausible bugs are put into the solution
(operators swapped, constants moved by one, / for //, max for min, keyword arguments dropped...),
and each mutant must fail at least one test cell of the in-process harness."""
from __future__ import annotations

import ast
import copy
from pathlib import Path

from tests.support.harness import checks_of, grade, read_cells, setup_namespace

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


def rerouted_checks(source: str):
    """Yield ``(description, source)`` with one argument check of the solution region (an ``if``
    whose body only raises) raising a RuntimeError instead. A test that reaches the check, with
    an input that trips it before any other, now sees the wrong exception and fails; when every
    input that trips it trips an earlier check too, or none does, nothing changes."""
    lines = _solution_lines(source)
    tree = ast.parse(source)
    checks = [node for node in ast.walk(tree) if isinstance(node, ast.If) and node.lineno in lines
              and len(node.body) == 1 and isinstance(node.body[0], ast.Raise) and not node.orelse]
    for check in checks:
        copied = copy.deepcopy(tree)
        target = next(n for n in ast.walk(copied) if isinstance(n, ast.If) and n.lineno == check.lineno
                      and n.col_offset == check.col_offset)
        target.body = ast.parse("raise RuntimeError('the check was reached')").body
        text = ast.unparse(ast.fix_missing_locations(copied))
        yield f"line {check.lineno}: `if {ast.unparse(check.test)}: raise ...`", text


def _survivors(path: Path, variants, timeout: float) -> tuple[int, list[str]]:
    """(number of variants, those no test cell of their answer fails): ``variants(source)`` yields
    ``(description, changed source)`` for each solution cell of the notebook at ``path``."""
    cells = read_cells(path)
    base = setup_namespace(cells)
    total, survivors = 0, []
    for cell in cells:
        if cell.kind != "solution":
            continue
        own_tests = checks_of(cells, cell.grade_id)
        for description, text in variants(cell.source):
            total += 1
            result = grade(cells, {cell.grade_id: text}, only=own_tests, stop_at_first_failure=True,
                           timeout=timeout, base=base)
            if not result.failed():
                survivors.append(f"{cell.grade_id}: {description}")
    return total, survivors


def mutation_report(path: Path, timeout: float = 10.0) -> tuple[int, int, list[str]]:
    """Mutate every solution cell of the notebook at ``path``; return (killed, total, survivors)."""
    total, survivors = _survivors(path, mutants, timeout)
    return total - len(survivors), total, survivors


def unreached_checks(path: Path, timeout: float = 10.0) -> tuple[int, list[str]]:
    """(number of argument checks in the answers, those that no test of their answer makes fire
    first: see :func:`rerouted_checks`)."""
    return _survivors(path, rerouted_checks, timeout)
