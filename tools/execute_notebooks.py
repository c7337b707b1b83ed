"""Execute notebooks in place (outputs stored) and write their run times into the README.

    python tools/execute_notebooks.py                 # every lecture and solution notebook
    python tools/execute_notebooks.py lectures/01_conv_arithmetic.ipynb
    python tools/execute_notebooks.py --check         # time only; fail if one exceeds the budget

The table between the README's ``<!-- timings:start -->`` and ``<!-- timings:end -->`` markers
is rewritten from the measured times of every notebook (notebooks not run this time keep their
last measured row). Kernels run headless: explorers draw their static view.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- timings:start -->", "<!-- timings:end -->"
BUDGET_S = 30.0  # seconds per notebook on a 2-core CPU


def all_notebooks() -> list[Path]:
    found = sorted((ROOT / "lectures").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*/*.ipynb"))
    return [p for p in found if ".ipynb_checkpoints" not in p.parts]


#: the run-time sentence of a lecture's first cell, and of an assignment's prompt
_HEADER = [(re.compile(r"About \d+ seconds on a [\w -]*?CPU"), "About {n} seconds on a 2-core CPU"),
           (re.compile(r"Expected run time of(\s+)the whole(\s+)notebook: (?:under|about) \d+ s"),
            "Expected run time of\\1the whole\\2notebook: about {n} s")]


def stated_seconds(seconds: float) -> int:
    """What a header states for a measured time: rounded up to a multiple of 5 s."""
    return max(5, 5 * math.ceil(seconds / 5))


def stamp_run_time(nb, seconds: float) -> None:
    """Write the measured run time into the notebook's first cell (its header)."""
    first = nb.cells[0]
    n = stated_seconds(seconds)
    for pattern, template in _HEADER:
        first.source = pattern.sub(template.format(n=n), first.source)


def execute(path: Path, write: bool) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # no timestamps: the stored notebook changes only when its outputs do
        cell.metadata.pop("execution", None)
    os.environ["COURSE_WIDGETS"] = "static"
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    if write:
        stamp_run_time(nb, round(elapsed, 1))  # the time as the table prints it
        nbformat.write(nb, path)
    return elapsed


def read_table() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        return {}
    body = text.split(START, 1)[1].split(END, 1)[0]
    rows = {}
    for line in body.splitlines():
        match = re.match(r"\|\s*`([^`]+)`\s*\|\s*([\d.]+)\s*\|", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def write_table(times: dict[str, float]) -> None:
    rows = read_table()
    rows.update({name: f"{seconds:.1f}" for name, seconds in times.items()})
    existing = {str(p.relative_to(ROOT)) for p in all_notebooks()}
    rows = {k: v for k, v in rows.items() if k in existing}
    lines = [START, "",
             f"Measured by `make timings` (`tools/execute_notebooks.py`) on {platform.machine()}, "
             f"{os.cpu_count()} cores, CPU only, kernel start-up included. Budget: {BUDGET_S:.0f} s each.",
             "", "| notebook | seconds |", "|---|---:|"]
    lines += [f"| `{name}` | {rows[name]} |" for name in sorted(rows)]
    lines += ["", END]
    text = README.read_text(encoding="utf-8")
    if START in text and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = head + "\n".join(lines) + tail
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    README.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="do not write notebooks or README")
    args = parser.parse_args(argv)
    os.environ.setdefault("COURSE_FORCE_CPU", "1")
    paths = [p.resolve() for p in args.notebooks] or all_notebooks()
    times, slow = {}, []
    for path in paths:
        if not path.is_file():
            parser.error(f"no such notebook: {path}")
        seconds = execute(path, write=not args.check)
        name = str(path.relative_to(ROOT))
        times[name] = seconds
        print(f"{seconds:6.1f} s  {name}", flush=True)
        if seconds > BUDGET_S:
            slow.append(name)
    if not args.check:
        write_table(times)
    if slow:
        print(f"over the {BUDGET_S:.0f} s budget: {', '.join(slow)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
