"""RejectForbiddenUses and its analysis (course_utils.forbidden): what an answer may not use."""
from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_utils.forbidden import Rule, declared_rules, find_forbidden
from course_utils.grading.plugins import RejectForbiddenUses

SETUP = "import numpy as np\nimport torch\nimport torch.nn.functional as F\nimport course_utils\n"
VISIBLE = 'expect_allowed(conv2d, forbid=("torch",), reason="write it with NumPy")\n_expected = 1\n'


def _grade(answer: str, extra: str | None = None) -> list[str]:
    """The answer cells' sources after the preprocessor (set-up, answer, visible test, hidden test)."""
    nb = new_notebook()
    meta = {"locked": True, "grade": False, "solution": False, "grade_id": "imports"}
    nb.cells.append(new_code_cell(SETUP, metadata={"nbgrader": meta}))
    if extra is not None:
        nb.cells.append(new_code_cell(extra))
    nb.cells.append(new_code_cell(answer, metadata={"nbgrader": {"solution": True, "grade_id": "conv"}}))
    for gid, source in (("conv-visible", VISIBLE), ("conv-hidden", "def _reference(x):\n    return x\n")):
        nb.cells.append(new_code_cell(source, metadata={"nbgrader": {"locked": True, "grade": True,
                                                                       "grade_id": gid, "points": 1}}))
    nb, _ = RejectForbiddenUses().preprocess(nb, {})
    return [c.source for c in nb.cells if not c.metadata.get("nbgrader", {}).get("locked")]


def test_a_numpy_answer_runs():
    answer = "def conv2d(x, w):\n    return np.tensordot(x, w, axes=1)\n"
    assert _grade(answer) == [answer]


@pytest.mark.parametrize("answer, named", [
    ("def conv2d(x, w):\n    return F.conv2d(x, w)", "torch.nn.functional.conv2d, which this exercise forbids"),
    ("import torch as t\ndef conv2d(x, w):\n    return t.conv2d(x, w)", "torch.conv2d"),
    ("from torch.nn import functional\ndef conv2d(x, w):\n    return functional.conv2d(x, w)", "conv2d"),
    ("def conv2d(x, w):\n    return __import__('torch')", "__import__"),
    ("import importlib\ndef conv2d(x, w):\n    return importlib.import_module('torch')", "importlib"),
    ("def conv2d(x, w):\n    return getattr(np, 'tor' + 'ch')", "computed name"),
    ("def conv2d(x, w):\n    return _reference(x)", "only the tests define"),
    ("def conv2d(x, w):\n    return course_utils.topics", "course_utils"),
    ("import sys\ndef conv2d(x, w):\n    return sys._getframe(1).f_locals['expected']", "'sys'"),
    ("import gc\ndef conv2d(x, w):\n    return gc.get_objects()", "'gc'"),
    ("def conv2d(x, w):\n    return torch.inspect.stack()", "inspect"),
    ("def conv2d(x, w):\n    return conv2d.__globals__['_expected']", "__globals__"),
    ("def conv2d(x, w):\n    return '{0.__globals__}'.format(conv2d)", "__globals__"),
    ("def conv2d(x, w):\n    torch.nn.modules.module.register_module_forward_hook(print)", "register_module"),
    ("class A:\n    def __array__(self):\n        return 0\ndef conv2d(x, w):\n    return A()", "__array__"),
])
def test_forbidden_uses_are_not_run_and_say_why(answer, named):
    (replaced,) = _grade(answer)
    assert replaced.startswith("raise RuntimeError(") and named in replaced, replaced


def test_an_alias_in_another_cell_is_seen():
    answer = "def conv2d(x, w):\n    return lib.conv2d(x, w)\n"
    scratch, replaced = _grade(answer, extra="lib = torch\n")
    assert "torch.conv2d, which this exercise forbids" in replaced


def test_a_test_name_rebound_by_the_student_is_still_a_test_name():
    answer = "def conv2d(x, w):\n    return _reference(x)\n"
    _, replaced = _grade(answer, extra="_reference = None\n")
    assert "only the tests define" in replaced


def test_declarations_are_read_from_test_cells():
    (rule,) = declared_rules([VISIBLE])
    assert rule == Rule(("conv2d",), ("torch",), (), "write it with NumPy")
    assert rule.violated_by("torch.nn.functional.conv2d") and not rule.violated_by("numpy.pad")
    allowing = Rule(("f",), ("torch",), ("torch.float32",))
    assert not allowing.violated_by("torch.float32") and allowing.violated_by("torch.zeros")


def test_local_names_and_own_attributes_are_fine():
    answer = ("class Cache:\n    def __init__(self):\n        self._seen = {}\n"
              "def conv2d(x, w):\n    _reference = np.sum\n    c = Cache()\n    c._seen[1] = 2\n"
              "    return _reference(x)\n")
    assert find_forbidden(answer, test_only={"_reference"}) is None
