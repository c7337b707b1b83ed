"""What an answer may not use, read from its source without running it.

Two kinds of rule, both checked on the answer's syntax tree (so ``import torch as t``,
``from torch.nn import functional``, ``t = torch`` in another cell, ``__import__("torch")``,
``importlib.import_module`` and ``getattr(x, "name")`` are all seen through):

- **Every answer** may import only plain computing libraries (:data:`SAFE_MODULES`), may not use
  ``course_utils``, a name that only the tests define, introspection (frames, ``globals()``,
  ``gc``, dunder attributes such as ``__globals__``, private attributes such as ``torch._C``),
  dynamic code (``eval``, ``exec``, ``getattr`` with a computed name), nor global hooks that
  would let it run again while the tests compute their reference (``register_*``, ``*_hook``).
- **Each exercise** declares what it forbids in its visible test cell, as the first statement
  ``expect_allowed(function, forbid=(...), allow=(...), reason="...")``; :func:`declared_rules`
  reads those declarations, so that the rule is written once and enforced both at Validate time
  (the call itself) and at grading (:class:`course_utils.grading.plugins.RejectForbiddenUses`).

:func:`find_forbidden` returns the first violation as a sentence for the student, or ``None``.

Longer than 300 lines because the rules and the name analysis that enforces them must be read
(and reviewed against a student who reads them) together.
"""
from __future__ import annotations

import ast
import builtins
import re
import symtable
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["Rule", "SAFE_MODULES", "find_forbidden", "declared_rules", "top_level_names"]

SAFE_MODULES = frozenset({
    "numpy", "math", "cmath", "torch", "scipy", "itertools", "functools", "collections",
    "typing", "dataclasses", "numbers", "operator", "copy", "enum", "abc", "fractions",
    "decimal", "statistics", "random", "heapq", "bisect", "warnings", "__future__",
})
# Names an answer never needs: code from strings, namespaces, frames, the kernel's history.
BANNED_NAMES = frozenset({
    "eval", "exec", "compile", "__import__", "globals", "vars", "locals", "breakpoint", "open",
    "input", "help", "setattr", "delattr", "get_ipython", "In", "Out", "_ih", "_oh", "_dh",
    "exit", "quit", "__builtins__", "__loader__", "__spec__", "memoryview", "course_utils",
})
# Attributes that reach frames, code, namespaces or another module (torch.sys, np.ctypeslib ...).
BANNED_ATTRIBUTES = frozenset({
    "f_locals", "f_globals", "f_back", "f_code", "f_builtins", "gi_frame", "gi_code", "cr_frame",
    "ag_frame", "tb_frame", "tb_next", "co_consts", "co_names", "co_code", "func_globals",
    "sys", "os", "inspect", "gc", "ctypes", "ctypeslib", "importlib", "builtins", "types",
    "traceback", "linecache", "pickle", "marshal", "threading", "subprocess", "weakref", "f2py",
    "cpp_extension", "load_inline", "hub", "package", "library", "overrides", "hooks", "load",
    "loads", "attrgetter", "methodcaller", "set_default_dtype", "set_default_device",
    "set_default_tensor_type", "use_deterministic_algorithms", "setattr", "course_utils",
})
ALLOWED_DUNDERS = frozenset({"__init__", "__call__", "__name__", "__doc__", "__future__"})
_HOOKS = re.compile(r"^register_|_hooks?$|Mode$")
_FORMAT_FIELD = re.compile(r"\{[^{}]*?[.\[]\s*([A-Za-z_]\w*)")


@dataclass(frozen=True)
class Rule:
    """What the answers ``functions`` may not use: dotted names (a prefix matches everything
    under it), except the dotted names in ``allow``; ``reason`` completes the message."""

    functions: tuple[str, ...]
    forbid: tuple[str, ...]
    allow: tuple[str, ...] = ()
    reason: str = ""

    def violated_by(self, path: str) -> bool:
        def under(prefixes):
            return any(path == p or path.startswith(p + ".") for p in prefixes)
        return under(self.forbid) and not under(self.allow)


def _literal(node: ast.AST):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def declared_rules(test_sources: Iterable[str]) -> list[Rule]:
    """The rules that test cells declare with ``expect_allowed(f, forbid=..., allow=..., reason=...)``."""
    rules = []
    for source in test_sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "expect_allowed" and node.args:
                names = [a.id for a in node.args if isinstance(a, ast.Name)]
                options = {k.arg: _literal(k.value) for k in node.keywords}
                forbid = options.get("forbid") or ()
                rules.append(Rule(tuple(names), tuple([forbid] if isinstance(forbid, str) else forbid),
                                  tuple(options.get("allow") or ()), options.get("reason") or ""))
    return rules


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp,
           ast.DictComp, ast.GeneratorExp)


def _module_scope(node: ast.AST):
    """The nodes of ``node`` that run in the module's scope: not the bodies of functions, classes,
    lambdas or comprehensions, whose names are their own."""
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, _SCOPES):
            yield child
            yield from _module_scope(child)


def top_level_names(source: str) -> set[str]:
    """Names a cell binds in the notebook's namespace (assignments, loops, defs, imports)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in _module_scope(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {a.asname or a.name.split(".")[0] for a in node.names}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _global_reads(tree: ast.Module) -> set[str]:
    """Names the code reads from the notebook's namespace: globals of its functions and
    classes (scope-aware, via symtable), and module-level names read before the cell binds them."""
    found: set[str] = set()

    def visit(table):
        for sym in table.get_symbols():
            if table.get_type() != "module" and sym.is_referenced() and \
                    (sym.is_global() or (table.get_type() == "class" and not sym.is_parameter())):
                found.add(sym.get_name())
        for child in table.get_children():
            visit(child)

    visit(symtable.symtable(ast.unparse(tree), "<answer>", "exec"))
    stored: set[str] = set()
    for statement in tree.body:   # module level, in order: a read before the cell's own binding
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stored.add(statement.name)
            nodes = [d for d in statement.decorator_list] + \
                ([] if isinstance(statement, ast.ClassDef) else
                 statement.args.defaults + [d for d in statement.args.kw_defaults if d])
        else:
            nodes = [statement]
        for part in nodes:
            for node in ast.walk(part):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                    continue
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in stored:
                    found.add(node.id)
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stored |= top_level_names(ast.unparse(statement))
    return found


def _imports(tree: ast.AST) -> dict[str, set[str]]:
    """name -> dotted paths that imports anywhere in ``tree`` bind to it."""
    bound: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                name = a.asname or a.name.split(".")[0]
                bound.setdefault(name, set()).add(a.name if a.asname else a.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                bound.setdefault(a.asname or a.name, set()).add(f"{node.module}.{a.name}")
    return bound


def _aliases(tree: ast.AST) -> dict[str, list[ast.AST]]:
    """name -> the expressions assigned to it anywhere in ``tree`` (``t = torch``, ``g := F``)."""
    found: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        pairs = []
        if isinstance(node, ast.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            pairs = [(node.target, node.value)]
        for target, value in pairs:
            if isinstance(target, ast.Name):
                found.setdefault(target.id, []).append(value)
            elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
                for t, v in zip(target.elts, value.elts):
                    if isinstance(t, ast.Name):
                        found.setdefault(t.id, []).append(v)
    return found


class _Analysis:
    """The paths an answer's expressions reach, and the first generic ban it breaks."""

    def __init__(self, tree: ast.AST, resolve: Callable[[str], set[str]], test_only: set[str]):
        self.tree, self.resolve_outside, self.test_only = tree, resolve, test_only
        self.imports, self.aliases = _imports(tree), _aliases(tree)
        self.own_attributes = {n.attr for n in ast.walk(tree)
                               if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store)}
        self.global_reads = _global_reads(tree) if self.test_only else set()

    def paths(self, node: ast.AST, depth: int = 0) -> set[str]:
        """Dotted paths ``node`` may denote (``F.conv2d`` -> {"torch.nn.functional.conv2d"})."""
        if depth > 20:
            return set()
        if isinstance(node, ast.Name):
            found = set(self.imports.get(node.id, ())) | self.resolve_outside(node.id)
            for value in self.aliases.get(node.id, ()):
                found |= self.paths(value, depth + 1)
            return found
        if isinstance(node, ast.Attribute):
            return {f"{p}.{node.attr}" for p in self.paths(node.value, depth + 1)}
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" \
                and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
            return {f"{p}.{node.args[1].value}" for p in self.paths(node.args[0], depth + 1)}
        if isinstance(node, (ast.IfExp, ast.BoolOp)):
            parts = [node.body, node.orelse] if isinstance(node, ast.IfExp) else node.values
            return set().union(*(self.paths(p, depth + 1) for p in parts))
        return set()

    def generic_ban(self) -> str | None:
        for node in ast.walk(self.tree):
            reason = self._ban(node)
            if reason:
                return f"line {getattr(node, 'lineno', '?')} {reason}"
        return None

    def _attribute(self, name: str) -> str | None:
        if name in BANNED_ATTRIBUTES or _HOOKS.search(name):
            return f"uses the attribute {name!r}, which answers may not use"
        if name.startswith("_") and name not in ALLOWED_DUNDERS and name not in self.own_attributes:
            return f"uses the private attribute {name!r}, which answers may not use"
        return None

    def _ban(self, node: ast.AST) -> str | None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and (node.level or any(a.name == "*" for a in node.names)):
                return "uses a relative or star import, which answers may not use"
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module.split(".")[0] not in SAFE_MODULES:
                    return f"imports {module!r}, which answers may not use"
            if isinstance(node, ast.ImportFrom):
                for a in node.names:
                    reason = self._attribute(a.name)
                    if reason:
                        return reason
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id in BANNED_NAMES:
                return f"uses {node.id!r}, which answers may not use"
            if node.id in self.test_only and node.id in self.global_reads:
                return f"uses {node.id!r}, a name that only the tests define"
            for path in self.paths(node):
                if path.split(".")[0] == "course_utils":
                    return f"uses {path}: answers may not use course_utils, write the code yourself"
        elif isinstance(node, ast.Attribute):
            return self._attribute(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                node.name.startswith("__") and node.name not in ALLOWED_DUNDERS:
            return f"defines the special method {node.name!r}, which answers may not define"
        elif isinstance(node, ast.ClassDef) and node.keywords:
            return "defines a class with a metaclass, which answers may not define"
        elif isinstance(node, ast.Call):
            return self._call(node)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for name in _FORMAT_FIELD.findall(node.value):
                if self._attribute(name):
                    return f"formats the attribute {name!r}, which answers may not use"
        return None

    def _call(self, node: ast.Call) -> str | None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("getattr", "hasattr"):
            if len(node.args) < 2 or not (isinstance(node.args[1], ast.Constant)
                                          and isinstance(node.args[1].value, str)):
                return f"calls {func.id}() with a computed name; write the attribute itself"
            return self._attribute(node.args[1].value)
        if isinstance(func, ast.Attribute) and func.attr in ("format", "format_map") \
                and not isinstance(func.value, ast.Constant):
            return "formats with a computed template; use an f-string"
        for keyword in node.keywords:
            if keyword.arg in ("allow_pickle", "weights_only"):
                return f"passes {keyword.arg}=, which answers may not use"
        return None


def find_forbidden(source: str, *, resolve: Callable[[str], set[str]] | None = None,
                   test_only: Iterable[str] = (), rules: Iterable[Rule] = (),
                   defines: Iterable[str] | None = None) -> str | None:
    """Why the answer ``source`` may not run, or ``None``.

    ``resolve(name)`` gives the dotted paths a name has outside ``source`` (the set-up cell's
    imports, other answer cells); ``test_only`` are the names only test cells bind; ``rules``
    apply when ``source`` defines (or, through ``defines``, stands for) one of their functions.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None  # it fails by itself when run
    analysis = _Analysis(tree, resolve or (lambda name: set()), set(test_only))
    reason = analysis.generic_ban()
    if reason:
        return f"{reason}"
    defined = set(defines) if defines is not None else top_level_names(source)
    for rule in rules:
        names = [f for f in rule.functions if f in defined]
        if not names:
            continue
        # the whole of a dotted name only: in torch.float32 the inner `torch` is not a use of
        # torch itself, so that allow=("torch.float32",) can exempt it from forbid=("torch",)
        inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        used = {path for node in ast.walk(tree)
                if id(node) not in inner
                and (isinstance(node, ast.Call) or isinstance(getattr(node, "ctx", None), ast.Load))
                for path in analysis.paths(node) if rule.violated_by(path)}
        if used:   # name the most specific use: torch.nn.functional.conv2d rather than torch
            path = max(sorted(used), key=lambda p: p.count("."))
            return f"{names[0]} uses {path}, which this exercise forbids" + (f": {rule.reason}" if rule.reason else "")
        for path in (p for ps in _imports(tree).values() for p in ps):
            if rule.violated_by(path) and not any(a.startswith(path + ".") for a in rule.allow):
                return f"{names[0]} imports {path}, which this exercise forbids" + \
                    (f": {rule.reason}" if rule.reason else "")
    return None


def builtin_names() -> set[str]:
    """Names of Python's builtins (never test-only, whatever a cell rebinds)."""
    return set(dir(builtins))
