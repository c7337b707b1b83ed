"""The layout promised to newcomers: a topic's code is found by its notebook's name, and no
module grows past about 300 lines without saying why at its top."""
from __future__ import annotations

import ast
import re

import nbformat
import pytest

from tests.support.harness import ROOT

LECTURES = sorted((ROOT / "lectures").glob("[0-9][0-9]_*.ipynb"))
TOPICS = ROOT / "course_utils" / "topics"
MAX_LINES = 300


def _topic(lecture) -> str:
    return lecture.stem[3:]


def _imported_modules(notebook) -> set[str]:
    modules = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules.add(node.module)
            elif isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
    return modules


def test_there_are_lectures():
    assert len(LECTURES) >= 7


@pytest.mark.parametrize("lecture", LECTURES, ids=lambda p: p.stem)
def test_a_lecture_imports_topic_code_only_from_its_own_topic_module(lecture):
    topics = {m for m in _imported_modules(lecture) if m.startswith("course_utils.topics")}
    expected = f"course_utils.topics.{_topic(lecture)}"
    assert topics <= {expected}, f"{lecture.name} imports {sorted(topics)}; its topic module is {expected}"
    if (TOPICS / f"{_topic(lecture)}.py").exists() or (TOPICS / _topic(lecture)).is_dir():
        assert topics == {expected}, f"{lecture.name} does not use {expected}"


def test_every_topic_module_belongs_to_a_lecture():
    names = {p.stem for p in TOPICS.glob("*.py") if p.stem != "__init__"}
    names |= {p.name for p in TOPICS.iterdir() if (p / "__init__.py").is_file()}
    assert names and names <= {_topic(p) for p in LECTURES}, sorted(names - {_topic(p) for p in LECTURES})


MODULES = sorted((ROOT / "course_utils").rglob("*.py"))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_long_without_a_reason_at_its_top(module):
    text = module.read_text()
    if len(text.splitlines()) > MAX_LINES:
        doc = ast.get_docstring(ast.parse(text)) or ""
        assert re.search(r"longer than \d+ lines because", doc, flags=re.I), \
            f"{module.name} has {len(text.splitlines())} lines: split it, or say at its top why not"


def test_package_docstring_names_only_modules_that_exist():
    import course_utils

    named = set(re.findall(r":mod:`\.(\w+)`", course_utils.__doc__))
    assert named, "the package docstring names its modules"
    missing = [n for n in named if not (ROOT / "course_utils" / f"{n}.py").is_file()]
    assert not missing, f"course_utils/__init__.py names modules that do not exist: {missing}"


def test_the_readme_says_where_each_topic_lives():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("Where each topic lives", 1)[1].split("\n## ", 1)[0]
    for lecture in LECTURES:
        row = next((line for line in table.splitlines() if f"`lectures/{lecture.name}`" in line), None)
        assert row, f"{lecture.name} missing from the README's table of where each topic lives"
        paths = [p for p in re.findall(r"`([^`]+)`", row)]
        missing = [p for p in paths if not (ROOT / p).exists()]
        assert not missing, f"the README names paths that do not exist: {missing}"
