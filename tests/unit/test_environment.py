"""The install files agree: one dependency list (pyproject.toml), environment.yml installs it."""
from __future__ import annotations

import re
import subprocess
import tomllib

import yaml

from tests.support.harness import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
ENV = yaml.safe_load((ROOT / "environment.yml").read_text())


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_pyproject_lists_the_course_packages_with_lower_bounds_only():
    deps = PYPROJECT["project"]["dependencies"]
    names = {_name(d) for d in deps}
    assert {"jupyterlab", "numpy", "torch", "matplotlib", "ipywidgets", "nbgrader", "nbval"} <= names
    assert not [d for d in deps if "==" in d], "exact pins break installs on newer Pythons"
    assert "pytest-xdist" in {_name(d) for d in PYPROJECT["project"]["optional-dependencies"]["test"]}


def test_environment_yml_installs_the_package_and_lists_nothing_else():
    conda = [d for d in ENV["dependencies"] if isinstance(d, str)]
    assert {_name(d) for d in conda} == {"python", "pip"}, "conda must not keep a second dependency list"
    pip_lines = next(d["pip"] for d in ENV["dependencies"] if isinstance(d, dict))
    packages = [line for line in pip_lines if not line.startswith("--")]
    assert packages == ["-e .[test]"]
    python = next(d for d in conda if d.startswith("python"))
    minimum = PYPROJECT["project"]["requires-python"].removeprefix(">=")
    assert tuple(map(int, python.split("=")[1].split("."))) >= tuple(map(int, minimum.split(".")))


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^make \w+", quick_start, flags=re.M)
    assert commands == ["make lab", "make test"]
    assert re.search(r"^make test$", (ROOT / ".ci/run").read_text(), flags=re.M)


def test_makefile_targets_exist():
    done = subprocess.run(["make", "-n", "-C", str(ROOT), "setup", "lab", "test", "release", "autograde"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_topic_is_complete_and_listed():
    topics = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and p.name[:2].isdigit())
    assert topics, "no assignments found"
    readme = (ROOT / "README.md").read_text()
    for topic in topics:
        assert (ROOT / "lectures" / f"{topic}.ipynb").is_file(), f"lecture of {topic} missing"
        assert (ROOT / "assignments" / topic / f"{topic}.ipynb").is_file(), f"run make release for {topic}"
        submissions = ROOT / "tests" / "assignments" / "submissions" / f"{topic[3:]}.py"
        assert submissions.is_file(), f"submissions of {topic} missing"
        assert f"(lectures/{topic}.ipynb)" in readme, f"{topic} missing from the README's topics table"
        assert f"`lectures/{topic}.ipynb`" in readme and f"`solutions/{topic}/{topic}.ipynb`" in readme, \
            f"{topic} missing from the README's timing table: run make timings"
