"""Each notebook's header states the run time measured by `make timings`.

The README's table is written by tools/execute_notebooks.py from measured times; the header
sentence of each notebook must state that time rounded up to 5 s. (The 30 s budget itself is
checked by `make timings`, which fails when a notebook exceeds it, on the machine that measures.)
"""
from __future__ import annotations

import re

import nbformat
import pytest

from tests.support.harness import ROOT


def _table() -> dict[str, float]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = text.split("<!-- timings:start -->", 1)[1].split("<!-- timings:end -->", 1)[0]
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"\|\s*`([^`]+)`\s*\|\s*([\d.]+)\s*\|", body)}


NOTEBOOKS = sorted(str(p.relative_to(ROOT))
                   for p in [*ROOT.glob("lectures/*.ipynb"), *ROOT.glob("solutions/*/*.ipynb")])


def test_every_notebook_has_a_measured_time():
    assert set(_table()) == set(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_header_states_the_measured_time(name):
    measured = _table()[name]
    header = nbformat.read(ROOT / name, as_version=4).cells[0].source
    stated = re.findall(r"About (\d+) seconds on a 2-core CPU|notebook: about (\d+) s", header)
    assert len(stated) == 1, f"{name}: its first cell states no run time (run make timings)"
    seconds = int(stated[0][0] or stated[0][1])
    assert seconds % 5 == 0 and measured <= seconds < measured + 5, \
        f"{name} states {seconds} s, measured {measured} s: run make timings"
