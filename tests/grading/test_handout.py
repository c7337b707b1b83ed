"""The student handout (`make handout`, tools/build_handout.py): it works, and no solution and no
hidden test reaches it (the detector: tests/support/leaks.py, and a test that it catches a
planted one)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import nbformat
import pytest

from tests.support.grading import fill
from tests.support.leaks import leaks, needles, needles_of, secret_blocks

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_TOP = {".gitignore", ".handout", "Makefile", "setup.mk", "README.md", "nbgrader_config.py", "pyproject.toml",
                "environment.yml", "lectures", "assignments", "course_utils"}


# ----------------------------------------------------------------------------- the handout

@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """A folder holding handout/ and handout.zip, built the way `make handout` builds them."""
    folder = tmp_path_factory.mktemp("release")
    done = subprocess.run([sys.executable, "tools/build_handout.py", "--out", str(folder / "handout"),
                           "--zip", str(folder / "handout.zip")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return folder


@pytest.fixture(scope="module")
def secrets() -> dict[str, str]:
    return needles()


def test_the_handout_holds_what_students_need_and_nothing_else(release):
    handout = release / "handout"
    assert {p.name for p in handout.iterdir()} == EXPECTED_TOP
    files = {p.relative_to(handout).as_posix() for p in handout.rglob("*") if p.is_file()}
    for forbidden in ("solutions/", "tests/", "tools/", ".ci/", "gradebook.db", "submitted/",
                      "course_utils/grading/plugins.py", "course_utils/grading/autograde.py"):
        assert not [f for f in files if f.startswith(forbidden) or f"/{forbidden}" in f], forbidden
    assert not [f for f in files if "__pycache__" in f or ".ipynb_checkpoints" in f]
    names = sorted(p.name for p in (ROOT / "solutions").iterdir() if (p / f"{p.name}.ipynb").is_file())
    assert names and all(f"assignments/{n}/{n}.ipynb" in files for n in names)
    assert {f"lectures/{p.name}" for p in (ROOT / "lectures").glob("*.ipynb")} <= files
    with zipfile.ZipFile(release / "handout.zip") as archive:
        assert set(archive.namelist()) == {f"handout/{f}" for f in files}


def test_only_the_grading_modules_that_student_code_imports_are_shipped(release):
    """course_utils/grading/ stays out but for what other shipped code imports (read here with a
    regular expression, not with the builder's syntax trees), directly or through each other."""
    handout = release / "handout"
    shipped = {p.stem for p in (handout / "course_utils" / "grading").glob("*.py")} - {"__init__"}
    texts = {p: p.read_text(encoding="utf-8") for p in handout.rglob("*") if p.suffix in (".py", ".ipynb")}
    reached, todo = set(), [t for p, t in texts.items() if "grading" not in p.relative_to(handout).parts]
    while todo:
        text = todo.pop()
        imported = re.findall(r"(?:from|import)\s+course_utils\.grading\.(\w+)", text)
        imported += [n.strip() for group in re.findall(r"from\s+course_utils\.grading\s+import\s+([\w, ]+)", text)
                     for n in group.split(",")]
        for name in set(imported) - reached:
            reached.add(name)
            todo += [t for p, t in texts.items() if p.stem == name and p.parent.name == "grading"]
    assert shipped == reached & {p.stem for p in (ROOT / "course_utils" / "grading").glob("*.py")}


def test_the_student_readme_and_config_are_for_students(release):
    handout = release / "handout"
    readme = (handout / "README.md").read_text(encoding="utf-8")
    assert "make lab" in readme and "Validate" in readme and "<!-- topics -->" not in readme
    main = (ROOT / "README.md").read_text(encoding="utf-8")
    instructors = re.search(r"^## For instructors\n.*?(?=^## )", main, flags=re.M | re.S).group(0)
    headings = re.findall(r"^#+ .+$", instructors, flags=re.M)
    assert len(headings) >= 2 and not [h for h in headings if h in readme], headings
    assert "make autograde" not in readme and "solutions/" not in readme
    links = re.findall(r"\]\(((?:lectures|assignments)/[^)]+)\)", readme)
    assert len(links) >= 2 * len(list((ROOT / "solutions").glob("*/*.ipynb")))
    assert all((handout / link).is_file() for link in links), [lk for lk in links if not (handout / lk).is_file()]
    config = (handout / "nbgrader_config.py").read_text(encoding="utf-8")
    assert "db_url" not in config and "grading" not in config and "COURSE_DB_URL" not in config


def test_every_secret_block_yields_a_needle():
    blocks = secret_blocks()
    assert len(blocks) >= 14, "two blocks per assignment at least (a solution and a hidden test)"
    unguarded = [where for where, text, public in blocks if not needles_of(text, public)]
    assert not unguarded, f"blocks the detector cannot see (too short, or shown outside the markers): {unguarded}"


def test_no_solution_and_no_hidden_test_reaches_the_handout(release, secrets):
    found = leaks(release, secrets)
    assert not found, "solutions or hidden tests in the handout:\n" + "\n".join(found[:20])


def _block(kind: str) -> str:
    """The raw text of the first block of this kind in 01's solution notebook, read without the detector."""
    path = ROOT / "solutions" / "01_conv_arithmetic" / "01_conv_arithmetic.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = "\n".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"]) for c in cells)
    match = re.search(rf"### BEGIN {kind}\n(.*?)### END {kind}", text, flags=re.S)
    return textwrap.dedent(match.group(1))


def _plant_in_text_file(handout: Path, text: str) -> str:
    """Only the longest line of the block, as a comment."""
    longest = max(text.splitlines(), key=len).strip()
    with open(handout / "course_utils" / "checks.py", "a", encoding="utf-8") as handle:
        handle.write(f"\n# {longest}\n")
    return "handout/course_utils/checks.py"


def _plant_in_lecture_output(handout: Path, text: str) -> str:
    path = handout / "lectures" / "01_conv_arithmetic.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code")
    cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=text))
    nbformat.write(nb, path)
    return "handout/lectures/01_conv_arithmetic.ipynb"


def _plant_in_zip(handout: Path, text: str) -> str:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text)])
    with zipfile.ZipFile(handout.parent / "handout.zip", "a") as archive:
        archive.writestr("handout/assignments/extra.ipynb", nbformat.writes(nb))
    return "handout.zip:handout/assignments/extra.ipynb"


@pytest.mark.parametrize("kind", ["SOLUTION", "HIDDEN TESTS"])
@pytest.mark.parametrize("plant", [_plant_in_text_file, _plant_in_lecture_output, _plant_in_zip])
def test_a_planted_secret_is_caught(release, secrets, tmp_path, plant, kind):
    copy = tmp_path / "release"
    shutil.copytree(release, copy)
    planted_in = plant(copy / "handout", _block(kind))
    found = [leak for leak in leaks(copy, secrets) if leak.startswith(f"{planted_in}: ")]
    assert found, f"{plant.__name__}: a {kind.lower()} block planted in {planted_in} went unnoticed"


# ----------------------------------------------------------------------------- it works

# This venv has the repository's course_utils installed in editable mode, whose import hook would
# quietly supply any module the handout lacks; a student's venv has only the handout's.
_ONLY_THE_HANDOUT = """import sys
sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")]
sys.path_hooks[:] = [h for h in sys.path_hooks if "__editable__" not in getattr(h, "__module__", "")]
sys.path_importer_cache.clear()
"""


def _run_in(handout: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run a command in the handout as a student's venv would: course_utils only from the handout
    (kernels started by the command included, through a sitecustomize module)."""
    isolation = handout.parent / "isolation"
    isolation.mkdir(exist_ok=True)
    (isolation / "sitecustomize.py").write_text(_ONLY_THE_HANDOUT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    env["PYTHONPATH"] = os.pathsep.join([str(isolation), str(handout)])
    return subprocess.run(args, cwd=handout, env=env, capture_output=True, text=True, timeout=timeout)


def test_course_utils_imports_from_the_handout_alone(release):
    """Every module of the handout's course_utils imports, and so does every course_utils module
    that an import statement of the handout names (imports inside functions included)."""
    handout = release / "handout"
    named = sorted({m for p in handout.rglob("*") if p.suffix in (".py", ".ipynb")
                    for m in re.findall(r"(?:from|import)\s+(course_utils(?:\.\w+)*)", p.read_text(encoding="utf-8"))})
    assert "course_utils.checks" in named
    script = textwrap.dedent(f"""
        import importlib, json, pkgutil, sys
        import course_utils, course_utils.checks
        for module in pkgutil.walk_packages(course_utils.__path__, "course_utils."):
            importlib.import_module(module.name)
        for name in {named!r}:
            importlib.import_module(name)
        loaded = {{name: getattr(module, "__file__", None) for name, module in sys.modules.items()
                  if name == "course_utils" or name.startswith("course_utils.")}}
        # the isolation works: no import hook of the repository's editable install is left
        loaded["hooks"] = [repr(f) for f in sys.meta_path + sys.path_hooks if "editable" in repr(f).lower()]
        print(json.dumps(loaded))
    """)
    done = _run_in(handout, sys.executable, "-c", script)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded.pop("hooks") == []
    assert {"course_utils", "course_utils.checks", "course_utils.topics"} <= set(loaded)
    outside = {name: file for name, file in loaded.items() if not Path(file).resolve().is_relative_to(handout)}
    assert not outside, f"loaded from outside the handout: {outside}"


def test_make_lab_of_the_handout_sets_up_then_opens_jupyterlab(release):
    handout = release / "handout"
    done = _run_in(handout, "make", "-n", "lab", timeout=60)
    assert done.returncode == 0, done.stderr
    commands = done.stdout
    assert "-m venv .venv" in commands and re.search(r"pip install -e \"?\.\"?\s*$", commands, flags=re.M)
    assert "[test]" not in commands
    last = commands.strip().splitlines()
    assert any(f'jupyter lab --port=8888 --ServerApp.root_dir="{handout}"' in line for line in last[-2:]), commands


def test_validate_works_in_the_handout_with_its_config(release, tmp_path):
    """What JupyterLab's Validate button does (nbgrader's validate handler: the configuration of the
    server's working folder, then Validator) on a notebook with every answer but the last one."""
    handout, name = release / "handout", "01_conv_arithmetic"
    student = nbformat.read(handout / "assignments" / name / f"{name}.ipynb", as_version=4)
    solution = nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)
    answers = [c for c in student.cells if c.metadata.get("nbgrader", {}).get("solution")]
    blank = answers[-1].metadata["nbgrader"]["grade_id"]
    work = fill(student, solution, {blank: answers[-1].source})
    nbformat.write(work, tmp_path / f"{name}.ipynb")
    function = re.search(r"def (\w+)", answers[-1].source).group(1)
    script = textwrap.dedent(f"""
        import json, os
        from jupyter_core.paths import jupyter_config_path
        from nbgrader.apps import NbGrader
        from nbgrader.validator import Validator
        paths = jupyter_config_path()
        paths.insert(0, os.getcwd())
        app = NbGrader()
        app.config_file_paths.append(paths)
        app.load_config_file()
        print(json.dumps({{"timeout": app.config.Execute.timeout,
                          "result": Validator(config=app.config).validate({str(tmp_path / f"{name}.ipynb")!r})}}))
    """)
    done = _run_in(handout, sys.executable, "-c", script)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["timeout"] == 120
    failed = report["result"].get("failed", [])
    assert failed, report
    assert all(function in cell["source"] for cell in failed), [cell["source"][:200] for cell in failed]
