"""The course's nbgrader plug-in and the autograde command, on small inputs."""
import shutil
import subprocess
import sys

from nbformat.v4 import new_code_cell, new_notebook, new_output

from course_utils.grading.plugins import HideHiddenTracebacks
from tests.support.harness import ROOT


def _cell(source):
    cell = new_code_cell(source)
    cell.outputs = [new_output("error", ename="CheckFailure", evalue="f(1) returned 2, expected 3: hint",
                               traceback=["----> 3 assert secret_case(1) == 3", "CheckFailure: ..."])]
    return cell


def test_hidden_test_tracebacks_are_cut_to_the_message():
    nb = new_notebook(cells=[_cell("### BEGIN HIDDEN TESTS\nassert secret_case(1) == 3\n### END HIDDEN TESTS"),
                             _cell("assert visible(1) == 3")])
    nb, _ = HideHiddenTracebacks().preprocess(nb, {})
    assert nb.cells[0].outputs[0]["traceback"] == ["CheckFailure: f(1) returned 2, expected 3: hint"]
    assert "secret_case" not in str(nb.cells[0].outputs)
    assert nb.cells[1].outputs[0]["traceback"][0].startswith("---->"), "visible tests keep their traceback"


def _autograde(*args, cwd):
    return subprocess.run([sys.executable, "-m", "course_utils.grading.autograde", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_autograde_outside_the_course_root_is_an_error(tmp_path):
    done = _autograde(cwd=tmp_path)
    assert done.returncode == 2 and "not the course root" in done.stderr


def test_autograde_with_nothing_submitted_says_so(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    done = _autograde(cwd=tmp_path)
    assert done.returncode == 0 and "nothing to grade" in done.stdout
    assert not (tmp_path / "grades.csv").exists()


def test_autograde_unknown_assignment_is_an_error(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    (tmp_path / "submitted" / "alice" / "99_nope").mkdir(parents=True)
    done = _autograde("99_nope", cwd=tmp_path)
    assert done.returncode == 2 and "unknown assignment(s) '99_nope'" in done.stderr


def test_autograde_checks_every_name_before_grading_any(tmp_path):
    """A typo in the second name stops the run before the first assignment is graded."""
    (tmp_path / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    shutil.copytree(ROOT / "solutions" / "01_conv_arithmetic", tmp_path / "solutions" / "01_conv_arithmetic")
    submitted = tmp_path / "submitted" / "alice" / "01_conv_arithmetic"
    submitted.mkdir(parents=True)
    shutil.copy(ROOT / "assignments" / "01_conv_arithmetic" / "01_conv_arithmetic.ipynb", submitted)
    done = _autograde("01_conv_arithmetic", "01_conv_arithmetc", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "'01_conv_arithmetc'" in done.stderr and "known: 01_conv_arithmetic" in done.stderr
    assert not (tmp_path / "autograded").exists() and not (tmp_path / "gradebook.db").exists()


def test_autograde_skips_a_folder_that_is_no_assignment(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    (tmp_path / "solutions").mkdir()
    (tmp_path / "submitted" / "alice" / "99_nope").mkdir(parents=True)
    done = _autograde(cwd=tmp_path)
    assert done.returncode == 0 and "skipping 99_nope" in done.stderr and "nothing to grade" in done.stdout


def test_nbgrader_config_settings():
    from traitlets.config.loader import PyFileConfigLoader
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "assignments"
    assert config.Execute.timeout > 30
    assert config.OverwriteCells.add_missing_cells is True
    assert "course_utils.grading.plugins.HideHiddenTracebacks" in config.GenerateFeedback.preprocessors
    order = config.GenerateFeedback.preprocessors
    assert order.index("course_utils.grading.plugins.HideHiddenTracebacks") < \
        order.index("nbgrader.preprocessors.ClearHiddenTests")


# ----------------------------------------------------------------------------- plug-ins

import pytest  # noqa: E402
from nbformat.v4 import new_markdown_cell  # noqa: E402

from course_utils.grading.plugins import DeduplicateGradeIds, LimitOutputSize, RejectTampering, find_tampering  # noqa: E402

SETUP = {"np": "import numpy", "torch": "import torch", "F": "import torch.nn.functional",
         "expect_int": "from course_utils.checks import expect_int"}


@pytest.mark.parametrize("source", [
    "def f(x):\n    return np.max(x)",
    "import numpy as np\ndef f(x):\n    F = 3\n    return F",
    "from course_utils.checks import expect_int\n",
    "def f(a):\n    a.shape = (2, 2)\n    a[0] = 1\n    return a",
    "x = [1]\nx[0] = 2",
    "def f(\n",  # a syntax error fails by itself
])
def test_ordinary_answers_are_not_tampering(source):
    assert find_tampering(source, SETUP) is None


@pytest.mark.parametrize("source, fragment", [
    ("expect_int = lambda *a, **k: None", "redefines 'expect_int'"),
    ("def expect_int(*a):\n    pass", "redefines 'expect_int'"),
    ("import numpy as torch", "redefines 'torch'"),
    ("np.allclose = lambda *a, **k: True", "np.allclose"),
    ("import course_utils.checks\ncourse_utils.checks.expect_close = print", "course_utils.checks.expect_close"),
    ("def f():\n    torch.testing.assert_close = print", "torch.testing.assert_close"),
    ("import sys\nsys.modules['course_utils'] = None", "sys.modules"),
    ("del F.conv2d", "F.conv2d"),
    ("setattr(np, 'allclose', print)", "setattr"),
    ("globals()['expect_int'] = print", "globals"),
    ("exec('np.allclose = print')", "exec"),
])
def test_tampering_is_found(source, fragment):
    reason = find_tampering(source, SETUP)
    assert reason is not None and fragment in reason


def _graded_nb():
    def meta(cell, **nbgrader):
        cell.metadata["nbgrader"] = {"schema_version": 3, "task": False, "grade": False, "solution": False,
                                     "locked": False, **nbgrader}
        return cell
    return new_notebook(cells=[
        meta(new_code_cell("import numpy as np"), grade_id="setup", locked=True),
        meta(new_code_cell("def f():\n    return 1\nnp.sum = len"), grade_id="answer", solution=True),
        meta(new_code_cell("assert f() == 1"), grade_id="answer-visible", grade=True, locked=True, points=1),
        meta(new_code_cell("assert f() == 1"), grade_id="answer-visible", grade=True, locked=True, points=1),
        new_markdown_cell("notes"),
    ])


def test_reject_tampering_replaces_only_the_offending_cell():
    nb, _ = RejectTampering().preprocess(_graded_nb(), {})
    assert nb.cells[0].source == "import numpy as np"
    assert nb.cells[1].source.startswith("raise RuntimeError(") and "np.sum" in nb.cells[1].source
    assert nb.cells[2].source == "assert f() == 1"


def test_duplicated_grade_ids_keep_the_first():
    nb, _ = DeduplicateGradeIds().preprocess(_graded_nb(), {})
    assert nb.cells[2].metadata["nbgrader"]["grade_id"] == "answer-visible"
    assert "nbgrader" not in nb.cells[3].metadata


def test_long_outputs_are_cut():
    cell = new_code_cell("print('x' * 10)")
    cell.outputs = [new_output("stream", name="stdout", text="x" * 500),
                    new_output("execute_result", data={"text/plain": "y" * 50}, execution_count=1)]
    nb = new_notebook(cells=[cell])
    nb, _ = LimitOutputSize(max_chars=100).preprocess(nb, {})
    text = nb.cells[0].outputs[0]["text"]
    assert text.startswith("x" * 100) and "400 more characters cut" in text
    assert nb.cells[0].outputs[1]["data"]["text/plain"] == "y" * 50


def test_default_gradebook_sits_beside_the_config_wherever_it_is_read_from(tmp_path, monkeypatch):
    from traitlets.config.loader import PyFileConfigLoader
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("COURSE_DB_URL", raising=False)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert config.CourseDirectory.db_url.split("?")[0] == f"sqlite:///{course / 'gradebook.db'}"
