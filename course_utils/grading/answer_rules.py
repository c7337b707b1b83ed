"""Plug-ins that judge an answer cell's source before it runs (configured through :mod:`.plugins`).

- :class:`RejectTampering`: an answer that modifies numpy, torch, course_utils or a name of the
  notebook's set-up is not run; only that answer loses its points.
- :class:`RejectForbiddenUses`: an answer that uses what its exercise forbids, or what no answer
  may use (course_utils, introspection: :mod:`course_utils.forbidden`), is not run, and says why.
"""
from __future__ import annotations

import ast

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

__all__ = ["RejectTampering", "RejectForbiddenUses", "find_tampering"]


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


# ----------------------------------------------------------------------------------- tampering

_FORBIDDEN_CALLS = {"setattr", "delattr", "exec", "eval", "__import__", "globals", "vars"}
_ALWAYS_MODULES = {"sys", "builtins", "__builtins__", "importlib", "os"}


def _bindings(tree: ast.AST) -> dict[str, str]:
    """Names bound at the top level of a cell -> what they are bound to (for imports)."""
    bound = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound[alias.asname or alias.name.split(".")[0]] = f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                bound[alias.asname or alias.name] = f"from {node.module} import {alias.name}"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound[node.name] = "definition"
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in _target_names(target):
                    bound[name] = "assignment"
    return bound


def _target_names(target: ast.AST) -> list[str]:
    """Names an assignment target binds (``a``, ``a, (b, *c)``); not ``a.x`` nor ``a[0]``."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for element in target.elts for n in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


def find_tampering(source: str, protected: dict[str, str]) -> str | None:
    """Why the answer ``source`` tampers with the grading environment, or ``None``.

    ``protected`` maps the names that the locked set-up cells bind to what binds them. Tampering
    is: rebinding one of them at the top level (other than by the same import); assigning to or
    deleting an attribute or item of a module (numpy.x = ..., sys.modules[...] = ...); calling
    setattr, delattr, exec, eval, __import__, globals or vars.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None  # it will fail by itself when run
    modules = {n for n, how in protected.items() if how.startswith(("import", "from"))} | _ALWAYS_MODULES
    modules |= {n for n, how in _bindings(tree).items() if how.startswith(("import", "from"))}
    for name, how in _bindings(tree).items():
        if name in protected and how != protected[name]:
            return f"it redefines {name!r}, which the notebook's set-up defines"
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for target in targets:
            if isinstance(target, (ast.Attribute, ast.Subscript)):
                root = _root(target)
                if isinstance(root, ast.Name) and root.id in modules:
                    return f"line {node.lineno} changes {ast.unparse(target)!r}, part of a module"
                if isinstance(root, ast.Call) and isinstance(root.func, ast.Name) and \
                        root.func.id in _FORBIDDEN_CALLS:
                    return f"line {node.lineno} changes {ast.unparse(target)!r}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS:
            return f"line {node.lineno} calls {node.func.id}()"
    return None


class RejectTampering(Preprocessor):
    """Do not run an answer that modifies the libraries or the names the tests rely on.

    Applies to every code cell that is not locked (answer cells and cells the student added).
    Such a cell is replaced by one that raises a RuntimeError saying why, so only the exercises
    that depend on it lose points. The submitted notebook itself is not changed.
    """

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        protected: dict[str, str] = {}
        for cell in nb.cells:
            meta = _nbgrader(cell)
            if cell.cell_type == "code" and meta.get("locked") and not meta.get("grade"):
                try:
                    protected.update(_bindings(ast.parse(cell.source)))
                except SyntaxError:
                    pass
        for cell in nb.cells:
            if cell.cell_type != "code" or _nbgrader(cell).get("locked"):
                continue
            reason = find_tampering(cell.source, protected)
            if reason:
                self.log.warning("Answer cell not run: %s", reason)
                cell.source = (
                    "raise RuntimeError(" + repr(
                        f"This cell was not run: {reason}. Answers may not modify numpy, torch, "
                        "course_utils or the names defined by the notebook's set-up cells.") + ")")
        return nb, resources


class RejectForbiddenUses(Preprocessor):
    """Do not run an answer that uses what it may not (see :mod:`.forbidden`).

    The rules are read from the locked test cells (``expect_allowed(...)`` declarations, restored
    from the gradebook before this runs); names are resolved through the locked set-up cells and
    through the other cells the student wrote, so an alias or an import in another cell is seen.
    Such a cell is replaced by one that raises a RuntimeError saying why.
    """

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        from course_utils.forbidden import (
            _Analysis,
            _global_reads,
            builtin_names,
            declared_rules,
            find_forbidden,
            top_level_names,
        )

        code = [c for c in nb.cells if c.cell_type == "code"]
        tests = [c.source for c in code if _nbgrader(c).get("locked") and _nbgrader(c).get("grade")]
        setup = [c.source for c in code if _nbgrader(c).get("locked") and not _nbgrader(c).get("grade")]
        answers = [c for c in code if not _nbgrader(c).get("locked")]
        setup_names = set().union(*(top_level_names(s) for s in setup))
        test_only = set().union(*(top_level_names(s) for s in tests)) - setup_names - builtin_names()
        try:
            setup_analysis = _Analysis(ast.parse("\n".join(setup)), lambda name: set(), set())
        except SyntaxError:
            setup_analysis = None
        rules = declared_rules(tests)
        defined = {id(c): top_level_names(c.source) for c in answers}

        def resolve(name):
            return setup_analysis.paths(ast.Name(id=name, ctx=ast.Load())) if setup_analysis else set()

        reasons = {}
        for cell in answers:
            reach, todo = [cell], [cell]          # the cell and the answer cells it reads names of
            while todo:
                names = _global_reads(_parse(todo.pop().source))   # not its locals or parameters
                for other in answers:
                    if other not in reach and names & defined[id(other)]:
                        reach.append(other)
                        todo.append(other)
            source = "\n".join(c.source for c in reversed(reach))
            reasons[id(cell)] = find_forbidden(source, resolve=resolve, test_only=test_only, rules=rules,
                                               defines=defined[id(cell)])
        for cell in answers:
            reason = reasons[id(cell)]
            if reason:
                self.log.warning("Answer cell not run: %s", reason)
                cell.source = "raise RuntimeError(" + repr(f"This cell was not run: {reason}.") + ")"
        return nb, resources


def _parse(source: str) -> ast.AST:
    try:
        return ast.parse(source)
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])
