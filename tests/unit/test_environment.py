"""The install files agree: one dependency list (pyproject.toml), environment.yml installs it."""
from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib

import pytest
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


def _dry_run(target: str) -> str:
    done = subprocess.run(["make", "-n", "-C", str(ROOT), target, "VENV=/nonexistent-venv"],
                          capture_output=True, text=True)
    assert done.returncode == 0, f"make -n {target}: {done.stderr}"
    return done.stdout


@pytest.mark.parametrize("target, commands", [
    ("lab", ["jupyter lab"]),
    ("test", ["ruff check", "-m pytest", "--nbval", "tests lectures solutions"]),
    ("release", ["nbgrader generate_assignment"]),
    ("autograde", ["-m course_utils.grading.autograde"]),
    ("timings", ["tools/execute_notebooks.py"]),
    ("benchmark", ["tools/benchmark_grading.py"]),
    ("clean", ["autograded", "feedback", "grades.csv", "downloaded"]),
])
def test_each_make_target_runs_what_the_readme_says(target, commands):
    """Each target sets itself up (a venv first, where one is needed) and runs its command."""
    out = _dry_run(target)
    for command in commands:
        assert command in out, f"`make {target}` does not run {command!r}:\n{out}"
    if target != "clean":
        assert "-m venv" in out, f"`make {target}` does not set up the venv on a fresh clone"


def test_ruff_runs_before_the_tests():
    out = _dry_run("test")
    assert out.index("ruff check") < out.index("-m pytest")


def _floor(spec: str) -> tuple[int, ...]:
    return tuple(int(x) for x in spec.strip().removeprefix(">=").split("."))


def test_the_declared_python_floor_runs_the_code():
    """tomllib (used here) is new in 3.11: the declared floor must not promise less."""
    floor = _floor(PYPROJECT["project"]["requires-python"])
    assert floor >= (3, 11)
    assert sys.version_info[:2] >= floor[:2]
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py" + "".join(map(str, floor[:2]))


def _imports(paths) -> set[str]:
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in {"course_utils", "tests"}}


def _declared(*groups: list[str]) -> set[str]:
    return {_name(d) for group in groups for d in group}


@pytest.mark.parametrize("folders, extras", [
    (["course_utils"], []),
    (["course_utils", "tests", "tools"], ["test"]),
])
def test_every_imported_package_is_declared(folders, extras):
    """What the code imports is in pyproject.toml (the package's list, or its test extra for
    tests and tools): nothing works only because something else happened to install it."""
    paths = [p for folder in folders for p in (ROOT / folder).rglob("*.py")] + [ROOT / "nbgrader_config.py"]
    project = PYPROJECT["project"]
    declared = _declared(project["dependencies"], *(project["optional-dependencies"][e] for e in extras))
    distributions = importlib.metadata.packages_distributions()
    missing = {}
    for module in sorted(_imports(paths)):
        names = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
        if not names & declared:
            missing[module] = sorted(names)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_the_cpu_torch_of_the_makefile_satisfies_the_declared_range():
    """pyproject.toml gives lower bounds only; the Makefile names the exact CPU build that a machine
    without a GPU installs. That build must be inside the declared range."""
    from packaging.requirements import Requirement

    pin = re.search(r"^TORCH_CPU \?= (\S+)$", (ROOT / "tools" / "setup.mk").read_text(), flags=re.M)
    assert pin, "tools/setup.mk: TORCH_CPU ?= torch==<version> not found"
    version = Requirement(pin.group(1)).specifier
    exact = [s.version for s in version if s.operator == "=="]
    assert len(exact) == 1, f"TORCH_CPU should pin one CPU build, got {pin.group(1)}"
    declared = next(Requirement(d) for d in PYPROJECT["project"]["dependencies"] if _name(d) == "torch")
    assert declared.specifier.contains(exact[0]), f"torch=={exact[0]} is outside pyproject's {declared}"


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


def test_the_readme_names_the_declared_python_floor():
    floor = PYPROJECT["project"]["requires-python"].removeprefix(">=")
    versions = set(re.findall(r"Python (3\.\d+)\+", (ROOT / "README.md").read_text()))
    assert versions == {floor}, f"README says Python {sorted(versions)}+, pyproject requires {floor}"
