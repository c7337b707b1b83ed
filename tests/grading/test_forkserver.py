"""course_utils.grading.forkserver: nbgrader commands forked from a server, same results as spawned."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbgrader
import pytest

from course_utils.grading import forkserver

ENV = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))


@pytest.mark.skipif(not forkserver.available(), reason="no forkserver start method here")
def test_forked_and_spawned_commands_give_the_same_answer(tmp_path, monkeypatch):
    forked = forkserver.run(["--version"], cwd=tmp_path, env=ENV)
    monkeypatch.setenv("COURSE_FORKSERVER", "off")
    assert not forkserver.available()
    spawned = forkserver.run(["--version"], cwd=tmp_path, env=ENV)
    assert forked.returncode == spawned.returncode == 0
    assert f"nbgrader version {nbgrader.__version__}" in forked.stdout  # the installed package's own version
    assert forked.stdout == spawned.stdout


def test_a_failing_command_keeps_its_exit_code_and_its_message(tmp_path):
    done = forkserver.run(["autograde", "no_such_assignment", "--student", "ada"], cwd=tmp_path, env=ENV)
    assert done.returncode != 0
    assert "no_such_assignment" in done.stdout + done.stderr


def test_the_child_runs_in_the_given_folder(tmp_path, monkeypatch):
    """generate_config writes nbgrader_config.py into the working directory: the command's
    folder, never the caller's."""
    caller = tmp_path / "caller"
    caller.mkdir()
    monkeypatch.chdir(caller)
    target = tmp_path / "course"
    target.mkdir()
    done = forkserver.run(["generate_config"], cwd=target, env=ENV)
    assert done.returncode == 0, done.stderr
    assert (target / "nbgrader_config.py").is_file()
    assert not (caller / "nbgrader_config.py").exists()
