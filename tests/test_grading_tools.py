"""The course's nbgrader plug-in and the autograde command, on small inputs."""
import subprocess
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from course_utils.grading import HideHiddenTracebacks
from notebook_harness import ROOT


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
    return subprocess.run([sys.executable, "-m", "course_utils.autograde", *args], cwd=cwd,
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
    done = _autograde(cwd=tmp_path)
    assert done.returncode == 2 and "unknown assignment '99_nope'" in done.stderr


def test_nbgrader_config_settings():
    from traitlets.config.loader import PyFileConfigLoader
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "assignments"
    assert config.Execute.timeout > 30
    assert config.OverwriteCells.add_missing_cells is True
    assert "course_utils.grading.HideHiddenTracebacks" in config.GenerateFeedback.preprocessors
    order = config.GenerateFeedback.preprocessors
    assert order.index("course_utils.grading.HideHiddenTracebacks") < \
        order.index("nbgrader.preprocessors.ClearHiddenTests")
