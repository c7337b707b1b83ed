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


def test_an_allowed_name_under_a_forbidden_module_is_allowed():
    rule = Rule(("memory",), ("torch",), ("torch.float32", "torch.finfo"))
    ok = "def memory(shape, dtype=torch.float32):\n    return torch.finfo(dtype).bits // 8\n"
    assert find_forbidden(ok, resolve=lambda n: {"torch"} if n == "torch" else set(), rules=[rule]) is None
    bad = "def memory(shape, dtype=torch.float32):\n    return torch.empty(shape, dtype=dtype).nbytes\n"
    why = find_forbidden(bad, resolve=lambda n: {"torch"} if n == "torch" else set(), rules=[rule])
    assert why and "torch.empty" in why


def test_validate_does_not_read_a_local_variable_as_the_global_of_the_same_name():
    from course_utils.checks import CheckFailure
    from course_utils.verify import expect_allowed

    namespace = {"torch": __import__("torch")}
    namespace["t"] = namespace["torch"].zeros(1)       # a global a test cell left behind
    source = "def kind(spec):\n    t = spec['type']\n    return t\n"
    exec(compile(source, "<cell-local>", "exec"), namespace)
    import linecache
    linecache.cache["<cell-local>"] = (len(source), None, source.splitlines(True), "<cell-local>")
    expect_allowed(namespace["kind"], forbid=("torch",))            # passes: t is local
    source_bad = "def kind(spec):\n    return t\n"
    exec(compile(source_bad, "<cell-global>", "exec"), namespace)
    linecache.cache["<cell-global>"] = (len(source_bad), None, source_bad.splitlines(True), "<cell-global>")
    with pytest.raises(CheckFailure, match="torch"):
        expect_allowed(namespace["kind"], forbid=("torch",))       # the global tensor t is torch's


def test_a_function_s_local_names_are_not_names_of_the_notebook():
    from course_utils.forbidden import top_level_names

    source = ("import numpy as np\nx = 1\ndef f(a):\n    real = a + 1\n    return [k for k in real]\n"
              "class C:\n    y = 2\n")
    assert top_level_names(source) == {"np", "x", "f", "C"}


def test_a_local_name_shared_with_another_answer_cell_does_not_join_the_cells():
    """A correct answer whose local `real` has the name of a variable in another answer cell that
    uses a function this exercise forbids is still run."""
    def cell(source, **meta):
        return new_code_cell(source, metadata={"nbgrader": meta} if meta else {})

    nb = new_notebook(cells=[
        cell("import torch\nimport torch.nn.functional as F", locked=True, grade_id="imports"),
        cell("def d_loss(r, f):\n    real = F.binary_cross_entropy_with_logits(r, torch.ones_like(r))\n"
             "    return real", grade_id="d-loss", solution=True),
        cell("expect_allowed(value, forbid=('torch.nn.functional.binary_cross_entropy_with_logits',))",
             grade_id="value-visible", locked=True, grade=True),
        cell("def value(p, q):\n    real = p > 0\n    return (p[real] * q[real]).sum()", grade_id="value",
             solution=True),
    ])
    nb, _ = RejectForbiddenUses().preprocess(nb, {})
    assert "not run" not in nb.cells[3].source, nb.cells[3].source


def test_a_scratch_cell_does_not_reach_an_answer_through_a_parameter_of_the_same_name():
    def cell(source, **meta):
        return new_code_cell(source, metadata={"nbgrader": meta} if meta else {})

    nb = new_notebook(cells=[
        cell("import numpy as np", locked=True, grade_id="imports"),
        cell("def double(x):\n    return 2 * x", grade_id="double", solution=True),
        cell("expect_allowed(double, forbid=('torch',))", grade_id="double-visible", locked=True, grade=True),
        cell("import glob\nx = glob.glob('*')"),          # the student's scratch cell
    ])
    nb, _ = RejectForbiddenUses().preprocess(nb, {})
    assert "not run" not in nb.cells[1].source, nb.cells[1].source
    assert "not run" in nb.cells[3].source          # the scratch cell itself imports glob
