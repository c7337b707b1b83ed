"""Build the course website: the student handout's lectures and assignments as static pages.

    python tools/build_site.py                     # into build/site/ (what `make site` runs)
    python tools/build_site.py --out /tmp/site     # elsewhere

The pages come from the handout (tools/build_handout.py), so the site shows only what students
may see: every lecture with its stored outputs (nothing is executed), the student version of
every assignment, a home page (tools/site/intro.md with the README's topic table) and the
instructor guide (the README's sections for instructors). Jupyter Book 1 (Sphinx) renders them
offline; MathJax 3 comes from npm (installed on first use into build/node/, git-ignored) and is
copied into the site's _static/mathjax/, so that no page loads anything from another host.

Each notebook page gets launch buttons (tools/site/launch.toml: Binder, an nbgitpuller link to
the course's JupyterHub, Colab). The site's copy of each notebook, and only that copy, gets a
first code cell that installs course_utils when it is missing (Colab opens that copy), hidden on
the page; an explorer's static view gets a note that its sliders move in JupyterLab.
"""
from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
# the handout's builder, a sibling script (tools/ is not a package)
_spec = importlib.util.spec_from_file_location("build_handout", ROOT / "tools" / "build_handout.py")
build_handout = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_handout)
SOURCES = ROOT / "tools" / "site"
NODE = ROOT / "build" / "node"
MATHJAX = NODE / "node_modules" / "mathjax"
# what the site needs of MathJax: one file with every TeX extension, and its fonts
MATHJAX_PIECES = ("es5/tex-chtml-full.js", "es5/output/chtml/fonts/woff-v2")
STAMP = ".course-site"
STATIC_VIEW = "[static view at"
EXPLORER_NOTE = ("```{note}\nThis explorer is drawn once here, at the initial values of its controls. "
                 "Its sliders move when the notebook runs in JupyterLab: `make lab`, or the Binder or "
                 "JupyterHub button at the top of this page.\n```")
INSTRUCTOR_SECTIONS = ("For instructors",)


class SiteError(Exception):
    """The site cannot be built as asked; the message says why and what to do."""


# --- settings ------------------------------------------------------------------------------------

def launch_templates(settings: dict) -> dict[str, str]:
    """{button: URL template with only {path} left}, from the parsed launch.toml."""
    missing = [key for key in ("repository", "branch", "pages_branch", "links") if key not in settings]
    if missing:
        raise SiteError(f"the launch settings lack {missing} (see tools/site/launch.toml)")
    match = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?", settings["repository"])
    if not match:
        raise SiteError(f"repository = {settings['repository']!r}: expected https://github.com/<org>/<repo>")
    fields = {key: settings[key] for key in ("repository", "branch", "pages_branch")}
    fields.update(org=match.group(1), repo=match.group(2), path="{path}")
    templates = {}
    for name, template in settings["links"].items():
        try:
            templates[name] = template.format(**fields)
        except (KeyError, IndexError, ValueError) as error:
            raise SiteError(f"the {name} link {template!r} uses an unknown field {error}: "
                            f"use {', '.join('{' + f + '}' for f in fields)}") from None
    return templates


def install_cell(settings: dict) -> nbformat.NotebookNode:
    """A code cell that pip-installs the course (course_utils) from its repository when missing."""
    url = f"git+{settings['repository']}@{settings['branch']}"
    source = ("# Colab, or any Jupyter without the course installed: install its helper package once.\n"
              "import importlib.util\nimport subprocess\nimport sys\n\n"
              'if importlib.util.find_spec("course_utils") is None:\n'
              f'    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "{url}"], check=True)')
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["remove-cell"]})


# --- pages ---------------------------------------------------------------------------------------

def site_notebook(source: Path, target: Path, settings: dict) -> None:
    """The site's copy of a notebook: the install cell first among code cells (after the title),
    and a note under every explorer's static view."""
    notebook = nbformat.read(source, as_version=4)
    cells = []
    for cell in notebook.cells:
        cells.append(cell)
        texts = [str(output.get("text", "")) for output in cell.get("outputs", [])]
        if any(STATIC_VIEW in text for text in texts):
            cells.append(nbformat.v4.new_markdown_cell(EXPLORER_NOTE))
    first = 1 if cells and cells[0].cell_type == "markdown" else 0
    cells.insert(first, install_cell(settings))
    notebook.cells = cells
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)


def local_links_as_text(markdown: str) -> str:
    """[text](path) -> text, for every link that is not a web address (they point into the
    instructor's repository, which the site does not hold)."""
    return re.sub(r"\[([^\]]+)\]\((?!https?://|#)[^)]+\)", r"\1", markdown)


def readme_section(readme: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", readme, flags=re.M | re.S)
    if not match:
        raise SiteError(f"README.md has no '## {heading}' section for the instructor guide")
    return match.group(0).strip()


def instructor_guide(readme: str) -> str:
    sections = [readme_section(readme, heading) for heading in INSTRUCTOR_SECTIONS]
    return local_links_as_text("# Instructor guide\n\n" + "\n\n".join(sections)) + "\n"


def home_page(readme: str) -> str:
    template = (SOURCES / "intro.md").read_text(encoding="utf-8")
    if build_handout.TOPICS_HOLE not in template:
        raise SiteError(f"tools/site/intro.md lacks the {build_handout.TOPICS_HOLE} line for the topic table")
    return template.replace(build_handout.TOPICS_HOLE, build_handout.topics_table(readme))


def table_of_contents(lectures: list[str], assignments: list[str]) -> dict:
    return {"format": "jb-book", "root": "intro", "parts": [
        {"caption": "Lectures", "chapters": [{"file": name} for name in lectures]},
        {"caption": "Assignments", "chapters": [{"file": name} for name in assignments]},
        {"caption": "Instructors", "chapters": [{"file": "instructor"}]}]}


def write_book(handout: Path, book: Path, settings: dict) -> None:
    """The Jupyter Book sources: notebooks from the handout, pages, configuration, extension."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lectures = sorted(handout.glob("lectures/*.ipynb"))
    assignments = sorted(handout.glob("assignments/*/*.ipynb"))
    if not lectures or not assignments:
        raise SiteError(f"the handout in {handout} holds no lectures or no assignments")
    for notebook in lectures + assignments:
        site_notebook(notebook, book / notebook.relative_to(handout), settings)
    (book / "intro.md").write_text(home_page(readme), encoding="utf-8")
    (book / "instructor.md").write_text(instructor_guide(readme), encoding="utf-8")
    pages = [[p.relative_to(handout).with_suffix("").as_posix() for p in group] for group in (lectures, assignments)]
    (book / "_toc.yml").write_text(yaml.safe_dump(table_of_contents(*pages), sort_keys=False), encoding="utf-8")
    config = yaml.safe_load((SOURCES / "config.yml").read_text(encoding="utf-8"))
    config["sphinx"]["config"]["course_launch_links"] = launch_templates(settings)
    config["sphinx"]["local_extensions"] = {"course_site": "_ext"}
    (book / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (book / "_ext").mkdir()
    shutil.copy2(SOURCES / "course_site.py", book / "_ext" / "course_site.py")


# --- MathJax, the build, the output folder --------------------------------------------------------

def ensure_mathjax(folder: Path) -> Path:
    """MathJax 3 at ``folder``, installed there with npm first if it is the default place."""
    if not (folder / MATHJAX_PIECES[0]).is_file() and folder == MATHJAX:
        npm = shutil.which("npm")
        if not npm:
            raise SiteError(f"MathJax 3 is not in {folder} and npm is not installed: install Node.js "
                            "(apt-get install npm), or pass --mathjax with an unpacked mathjax@3 package")
        NODE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-save", "mathjax@3"],
                              cwd=NODE, capture_output=True, text=True)
        if done.returncode != 0:
            raise SiteError(f"npm install mathjax@3 failed:\n{done.stdout}{done.stderr}")
    missing = [piece for piece in MATHJAX_PIECES if not (folder / piece).exists()]
    if missing:
        raise SiteError(f"{folder} is not a MathJax 3 package (missing {missing})")
    return folder


def prepare(out: Path) -> None:
    """Make ``out`` an empty folder, refusing one that is not empty and not a previous site."""
    if out == ROOT or out in ROOT.parents or ROOT.is_relative_to(out):
        raise SiteError(f"{out} contains the course itself: choose a folder such as build/site")
    if out.exists() and not out.is_dir():
        raise SiteError(f"{out} is a file, expected a folder for the site")
    if out.exists() and any(out.iterdir()) and not (out / STAMP).is_file():
        raise SiteError(f"{out} is not empty and holds no previous site ({STAMP} is missing): "
                        "choose an empty or new folder")
    shutil.rmtree(out, ignore_errors=True)


def run_jupyter_book(book: Path, work: Path) -> Path:
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(book), "--builder", "html",
               "--path-output", str(work), "--warningiserror", "--keep-going"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SiteError(f"jupyter-book build failed ({done.returncode}):\n{(done.stdout + done.stderr)[-6000:]}")
    return work / "_build" / "html"


def build(out: Path, mathjax: Path = MATHJAX, launch: Path = SOURCES / "launch.toml") -> int:
    """Build the site into ``out``; returns the number of HTML pages."""
    out = out.resolve()
    settings = tomllib.loads(launch.read_text(encoding="utf-8"))
    launch_templates(settings)  # refuse bad settings before the slow part
    mathjax = ensure_mathjax(mathjax.resolve())
    prepare(out)
    with tempfile.TemporaryDirectory(prefix="course-site-") as temp:
        work = Path(temp)
        build_handout.build(work / "handout")
        write_book(work / "handout", work / "book", settings)
        html = run_jupyter_book(work / "book", work)
        build_handout.check_no_markers(html)
        shutil.copytree(html, out)
    for piece in MATHJAX_PIECES:
        target = out / "_static" / "mathjax" / Path(piece).relative_to("es5")
        if (mathjax / piece).is_dir():
            shutil.copytree(mathjax / piece, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(mathjax / piece, target)
    (out / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve _static/ as it is
    (out / STAMP).write_text("Built by `make site`; the whole folder is rebuilt on every run.\n", encoding="utf-8")
    return len(list(out.rglob("*.html")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site", help="default: build/site")
    parser.add_argument("--mathjax", type=Path, default=MATHJAX, help="an unpacked mathjax@3 npm package")
    parser.add_argument("--launch", type=Path, default=SOURCES / "launch.toml", help="launch button settings")
    args = parser.parse_args(argv)
    try:
        pages = build(args.out, args.mathjax, args.launch)
    except (SiteError, build_handout.HandoutError, tomllib.TOMLDecodeError) as error:
        print(f"make site: {error}", file=sys.stderr)
        return 2
    print(f"site: {pages} pages in {args.out}; open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
