"""Build the student handout: the course as students get it, without answers or grading tools.

    python tools/build_handout.py                              # into build/handout/
    python tools/build_handout.py --out ../dl1-students        # e.g. a clone of the students' repository
    python tools/build_handout.py --zip build/handout.zip      # also an archive for a release

The handout holds lectures/ (executed), assignments/ (nbgrader's student versions), course_utils/
without grading/ (but for its modules that other code students run imports, such as the rules
Validate enforces), pyproject.toml, environment.yml, and from tools/handout/ a student README
(this README's topic table inserted), a Makefile (`make lab`, `make setup`), a .gitignore and
the nbgrader_config.py that Validate reads, and tools/setup.mk as setup.mk (the set-up that the
course's Makefile shares). Never solutions/, tests/, the rest of tools/, .ci/, the gradebook
or the instructor's configuration.

The output folder is rebuilt from scratch on every run (a `.git` inside it is kept). A folder
that is neither empty nor a previous handout (it has no `.handout` file) is refused rather than
emptied. The build also refuses to write a handout in which a solution or hidden-test marker of
nbgrader survived, or whose assignments/ misses an assignment of solutions/ (run `make release`).
"""
from __future__ import annotations

import argparse
import ast
import importlib.util
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "tools" / "handout"
STAMP = ".handout"
# copied from the repository as they are (folders without caches and most of grading/)
COPIED = ["lectures", "assignments", "course_utils", "pyproject.toml", "environment.yml"]
# from tools/handout/, under their name in the handout (and README.md, with the topic table)
TEMPLATED = {"Makefile": "Makefile", "nbgrader_config.py": "nbgrader_config.py", "gitignore": ".gitignore"}
CACHES = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")
# grading a class (nbgrader plug-ins, the sandbox, the autograde command) stays out, but for the
# modules that what students run imports (the rules that Validate enforces, for instance)
GRADING = ROOT / "course_utils" / "grading"
# What nbgrader removes from a student version; their presence means an answer is about to leak.
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
TOPICS_HOLE = "<!-- topics -->"


class HandoutError(Exception):
    """The handout cannot be built as asked; the message says why and what to do."""


def topics_table(readme: str) -> str:
    """The body of the README's `## Topics` section (the table), without the heading."""
    match = re.search(r"^## Topics\n(.*?)(?=^## |\Z)", readme, flags=re.M | re.S)
    if not match or "|" not in match.group(1):
        raise HandoutError("README.md has no '## Topics' section with a table to copy into the student README")
    return match.group(1).strip()


def student_readme() -> str:
    template = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    if TOPICS_HOLE not in template:
        raise HandoutError(f"tools/handout/README.md lacks the {TOPICS_HOLE} line where the topic table goes")
    return template.replace(TOPICS_HOLE, topics_table((ROOT / "README.md").read_text(encoding="utf-8")))


def prepare(out: Path) -> None:
    """Make ``out`` an empty folder (but for a .git), refusing anything that is not ours to empty."""
    if out == ROOT or out in ROOT.parents:
        raise HandoutError(f"{out} contains the course itself: choose a folder such as build/handout")
    for name in COPIED:
        if out.is_relative_to(ROOT / name):
            raise HandoutError(f"{out} lies inside {name}/, which goes into the handout: choose another folder")
    if out.exists() and not out.is_dir():
        raise HandoutError(f"{out} is a file, expected a folder for the handout")
    out.mkdir(parents=True, exist_ok=True)
    entries = [p for p in out.iterdir() if p.name != ".git"]
    if entries and not (out / STAMP).is_file():
        raise HandoutError(f"{out} is not empty and holds no previous handout ({STAMP} is missing): "
                           "choose an empty or new folder, or empty it yourself")
    for path in entries:
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def imported_modules(path: Path) -> set[str]:
    """Dotted names a .py file (relative imports resolved) or a notebook imports from course_utils."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        return set(re.findall(r"(?:from|import)\s+(course_utils(?:\.\w+)*)", text))
    package, names = ".".join(path.relative_to(ROOT).parts[:-1]), set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            names |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return names


def grading_for_students() -> set[str]:
    """Files of course_utils/grading/ that code students run imports, directly or through each other."""
    todo = [p for p in (ROOT / "course_utils").rglob("*.py") if not p.is_relative_to(GRADING)]
    todo += sorted((ROOT / "lectures").glob("*.ipynb")) + sorted((ROOT / "assignments").glob("*/*.ipynb"))
    needed: set[str] = set()
    while todo:
        for name in imported_modules(todo.pop()):
            file = GRADING / f"{name.removeprefix('course_utils.grading.')}.py"
            if name.startswith("course_utils.grading.") and file.is_file() and file.name not in needed:
                needed.add(file.name)
                todo.append(file)
    return (needed | {"__init__.py"}) if needed else needed


def ignore_for_students(grading: set[str]):
    """shutil.copytree's ignore: caches, and what students do not run of course_utils/grading/."""
    def ignore(folder: str, names: list[str]) -> set[str]:
        left_out = set(CACHES(folder, names))
        if Path(folder).resolve() == GRADING:
            left_out |= {n for n in names if n not in grading}
        if Path(folder).resolve() == GRADING.parent and not grading:
            left_out.add(GRADING.name)
        return left_out
    return ignore


def check_assignments() -> None:
    sources = {p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and (p / f"{p.name}.ipynb").is_file()}
    released = {p.name for p in (ROOT / "assignments").iterdir() if (p / f"{p.name}.ipynb").is_file()}
    if sources - released:
        raise HandoutError(f"assignments/ lacks {sorted(sources - released)}: run `make release` first")


def check_no_markers(out: Path) -> None:
    for path in sorted(p for p in out.rglob("*") if p.is_file() and ".git" not in p.relative_to(out).parts):
        found = [m for m in MARKERS if m in path.read_bytes().decode("utf-8", errors="replace")]
        if found:
            raise HandoutError(f"{path.relative_to(out)} contains {found[0]!r}: a solution or hidden "
                               "test would reach the students (was it copied from solutions/?)")


def source_commit() -> str:
    git = shutil.which("git")
    done = git and subprocess.run([git, "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() if done and done.returncode == 0 else "unknown"


def build(out: Path) -> list[Path]:
    """Build the handout into ``out``; returns the files written, relative to ``out``."""
    out = out.resolve()
    check_assignments()
    prepare(out)
    ignore = ignore_for_students(grading_for_students())
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=ignore)
        else:
            shutil.copy2(source, out / name)
    for template, name in TEMPLATED.items():
        shutil.copy2(TEMPLATES / template, out / name)
    shutil.copy2(ROOT / "tools" / "setup.mk", out / "setup.mk")  # the course's own set-up and `make lab`
    (out / "README.md").write_text(student_readme(), encoding="utf-8")
    (out / STAMP).write_text(f"Built by `make handout` from the course repository (HEAD {source_commit()}, "
                             "uncommitted changes included).\nThe whole folder is rebuilt on every run.\n",
                             encoding="utf-8")
    check_no_markers(out)
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file() and ".git" not in p.relative_to(out).parts)


def write_zip(out: Path, files: list[Path], archive: Path) -> None:
    """Zip the handout's files under one top folder named like the archive (build/handout.zip: handout/)."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    top = archive.name.removesuffix(".zip")
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        for rel in files:
            handle.write(out / rel, f"{top}/{rel.as_posix()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "handout",
                        help="folder to build into (default: build/handout)")
    parser.add_argument("--zip", type=Path, help="also write this zip archive of the handout")
    args = parser.parse_args(argv)
    try:
        if args.zip and args.zip.suffix != ".zip":
            raise HandoutError(f"--zip {args.zip}: expected a file name ending in .zip")
        if args.zip and args.zip.resolve().is_relative_to(args.out.resolve()):
            raise HandoutError(f"--zip {args.zip} would lie inside the handout it archives: put it next to it")
        files = build(args.out)
        if args.zip:
            write_zip(args.out, files, args.zip)
    except HandoutError as error:
        print(f"make handout: {error}", file=sys.stderr)
        return 2
    print(f"handout: {len(files)} files in {args.out}" + (f", archived in {args.zip}" if args.zip else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
