"""Finds solutions and hidden tests of solutions/ in a folder of files (a student handout).

The secrets come straight from solutions/: every line between nbgrader's `### BEGIN SOLUTION` /
`### END SOLUTION` and `### BEGIN HIDDEN TESTS` / `### END HIDDEN TESTS` markers, indentation,
comment signs and runs of spaces dropped. A needle is each such line of at least 50 characters,
and each run of three consecutive lines of at least 12 characters, unless its text also appears
outside the markers (signatures, docstrings, visible tests: what nbgrader hands out anyway).
Shorter single lines recur in ordinary code: lecture 06 writes its own
`kl = kl_to_standard_normal(mu, logvar).mean()`. The haystack is every file of the folder and
every member of a zip in it; notebooks are read as every string they hold (sources, outputs,
metadata, HTML unescaped), images left out.
"""
from __future__ import annotations

import html
import io
import json
import zipfile
from pathlib import Path

from tests.support.harness import ROOT

BLOCKS = {"### BEGIN SOLUTION": "### END SOLUTION", "### BEGIN HIDDEN TESTS": "### END HIDDEN TESTS"}
LONG_LINE, SHORT_LINE, RUN = 50, 12, 3


def _normal(line: str) -> str:
    return " ".join(line.strip().lstrip("#").split())


def _significant(text: str) -> list[str]:
    return [line for line in map(_normal, text.splitlines()) if len(line) >= SHORT_LINE]


def _split(notebook: Path) -> tuple[list[tuple[str, str]], str]:
    """([(kind, text) of each marked block], the notebook's text outside the blocks)."""
    blocks, public, end = [], [], None
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        for line in source.splitlines():
            if end is None and line.strip() in BLOCKS:
                end = BLOCKS[line.strip()]
                blocks.append(("solution" if "SOLUTION" in end else "hidden test", []))
            elif end is not None and line.strip() == end:
                end = None
            else:
                (blocks[-1][1] if end else public).append(line)
        assert end is None, f"{notebook}: a {end!r} marker is missing"
    return [(kind, "\n".join(lines)) for kind, lines in blocks], "\n".join(public)


def secret_blocks() -> list[tuple[str, str, str]]:
    """(where, text, public text of its notebook) of every solution and hidden-test block."""
    found = []
    for notebook in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        blocks, public = _split(notebook)
        found += [(f"{notebook.relative_to(ROOT)}, {kind} block {i}", text, public)
                  for i, (kind, text) in enumerate(blocks, 1)]
    return found


def needles_of(text: str, public: str) -> list[str]:
    lines, shown = _significant(text), "\n".join(_significant(public))
    runs = ["\n".join(lines[i:i + RUN]) for i in range(max(1, len(lines) - RUN + 1))] if lines else []
    return [n for n in [line for line in lines if len(line) >= LONG_LINE] + runs if n not in shown]


def needles() -> dict[str, str]:
    """needle -> the block it comes from, over all of solutions/."""
    return {n: where for where, text, public in secret_blocks() for n in needles_of(text, public)}


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    if isinstance(node, dict):
        return [s for key, value in node.items() if not key.startswith("image/") for s in _strings(value)]
    return []


def _texts(name: str, data: bytes):
    """(name, text) of a file, or of each member of a zip."""
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield from _texts(f"{name}:{member}", archive.read(member))
        return
    text = data.decode("utf-8", errors="replace")
    if name.endswith(".ipynb"):
        text = "\n".join(_strings(json.loads(text)))
    yield name, html.unescape(text)


def leaks(folder: Path, secrets: dict[str, str]) -> list[str]:
    """'file: block: needle' for every needle found in any file under ``folder``."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        for name, text in _texts(path.relative_to(folder).as_posix(), path.read_bytes()):
            haystack = "\n".join(_significant(text))
            found += [f"{name}: {where}: {n!r}" for n, where in secrets.items() if n in haystack]
    return found
