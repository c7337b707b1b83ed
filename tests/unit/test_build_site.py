"""The website builder's pieces (tools/build_site.py) that need no Jupyter Book: launch links, the
site's copy of a notebook, the instructor guide, the make target. The built site itself is
tested in tests/e2e/test_site.py."""
from __future__ import annotations

import hashlib
import importlib.util
import re
import subprocess
import tomllib
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest

from tests.support.harness import ROOT

_spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
build_site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_site)

SETTINGS = {"repository": "https://github.com/dl-course/students", "branch": "main", "pages_branch": "gh-pages",
            "links": {"Binder": "https://mybinder.org/v2/gh/{org}/{repo}/{branch}?urlpath=lab/tree/{path}",
                      "JupyterHub": "https://hub.example.edu/hub/user-redirect/git-pull?repo={repository}"
                                    "&branch={branch}&urlpath=lab/tree/{repo}/{path}"}}


def test_launch_templates_fill_everything_but_the_path():
    templates = build_site.launch_templates(SETTINGS)
    binder = templates["Binder"].format(path="lectures/02_pooling.ipynb")
    assert binder == "https://mybinder.org/v2/gh/dl-course/students/main?urlpath=lab/tree/lectures/02_pooling.ipynb"
    hub = urlsplit(templates["JupyterHub"].format(path="lectures/02_pooling.ipynb"))
    assert parse_qs(hub.query) == {"repo": ["https://github.com/dl-course/students"], "branch": ["main"],
                                   "urlpath": ["lab/tree/students/lectures/02_pooling.ipynb"]}


def test_the_shipped_launch_settings_are_valid():
    settings = tomllib.loads((ROOT / "tools" / "site" / "launch.toml").read_text())
    assert set(build_site.launch_templates(settings)) == {"Binder", "JupyterHub", "Colab"}


@pytest.mark.parametrize("change, message", [
    ({"repository": "https://gitlab.com/a/b"}, "expected https://github.com/<org>/<repo>"),
    ({"links": {"Hub": "https://hub/{hub_url}/{path}"}}, "unknown field 'hub_url'"),
    ({"branch": None}, "lack ['branch']"),
])
def test_bad_launch_settings_are_refused_with_a_reason(change, message):
    settings = {**SETTINGS, **change}
    settings = {k: v for k, v in settings.items() if v is not None}
    with pytest.raises(build_site.SiteError, match=re.escape(message)):
        build_site.launch_templates(settings)


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("lecture", sorted((ROOT / "lectures").glob("*.ipynb")), ids=lambda p: p.stem)
def test_the_sites_copy_gets_an_install_cell_and_explorer_notes_and_the_lecture_stays(lecture, tmp_path):
    before = _digest(lecture)
    build_site.site_notebook(lecture, tmp_path / lecture.name, SETTINGS)
    assert _digest(lecture) == before, "the builder changed lectures/"
    original = nbformat.read(lecture, as_version=4)
    copy = nbformat.read(tmp_path / lecture.name, as_version=4)
    nbformat.validate(copy)
    first_code = next(c for c in copy.cells if c.cell_type == "code")
    assert "git+https://github.com/dl-course/students@main" in first_code.source
    assert first_code.metadata["tags"] == ["remove-cell"]
    assert copy.cells[0].source == original.cells[0].source, "the title cell stays first"
    views = sum("[static view at" in str(o.get("text", "")) for c in original.cells for o in c.get("outputs", []))
    notes = [i for i, c in enumerate(copy.cells) if c.cell_type == "markdown" and "sliders move" in c.source]
    assert len(notes) == views
    assert all("[static view at" in str(copy.cells[i - 1].get("outputs", "")) for i in notes)
    assert len(copy.cells) == len(original.cells) + 1 + views


def test_the_install_cell_runs_pip_only_when_course_utils_is_missing():
    source = build_site.install_cell(SETTINGS).source.replace("subprocess.run(", "fake_run(")
    calls = []
    fake_run = lambda args, **options: calls.append((args, options))
    exec(compile(source, "cell", "exec"), {"fake_run": fake_run})
    assert calls == [], "course_utils is installed here: the cell must not call pip"
    exec(compile(source.replace('"course_utils"', '"no_such_course_pkg"'), "cell", "exec"), {"fake_run": fake_run})
    assert len(calls) == 1 and calls[0][1] == {"check": True}
    assert calls[0][0][1:] == ["-m", "pip", "install", "--quiet", "git+https://github.com/dl-course/students@main"]


def test_the_instructor_guide_is_the_readmes_instructor_section():
    readme = (ROOT / "README.md").read_text()
    guide = build_site.instructor_guide(readme)
    assert guide.startswith("# Instructor guide\n")
    for heading in ("### The handout", "### The grading workflow", "### Grading untrusted code"):
        assert heading in guide
    assert "## Topics" not in guide and "BEGIN SOLUTION" not in guide
    assert build_site.local_links_as_text("see [the table](README.md#x) and [Binder](https://mybinder.org)") == \
        "see the table and [Binder](https://mybinder.org)"


def test_make_site_sets_up_then_runs_the_builder():
    done = subprocess.run(["make", "-n", "-C", str(ROOT), "site", "VENV=/nonexistent-venv"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "-m venv" in done.stdout and "tools/build_site.py --out" in done.stdout
