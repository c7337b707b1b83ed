"""The gradebook in a real PostgreSQL server (Debian's package), started by the test itself,
with two grading workers writing to it at once, and a student who tries to change grades in it
from the grading kernel (with the static checks of answers off: the sandbox must stop it)."""
from __future__ import annotations

import copy
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from nbformat.v4 import new_code_cell

from course_utils.grading import sandbox
from tests.assignments.submissions import load
from tests.support.grading import fill, make_course, run, submit
from tests.support.ports import free_port

NAME = "01_conv_arithmetic"
REQUIRED = os.environ.get("COURSE_REQUIRE_POSTGRES") == "1"


def _pg_bin() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return versions[-1].parent if versions else None


def _as_postgres(args):
    if os.geteuid() == 0:  # the server refuses to run as root
        return ["runuser", "-u", "postgres", "--", *args]
    return list(args)


@pytest.fixture(scope="module")
def postgres_url():
    bin_dir = _pg_bin()
    if bin_dir is None:
        if REQUIRED:
            pytest.fail("PostgreSQL is not installed (apt-get install postgresql)")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql); CI installs it")
    pytest.importorskip("psycopg2")
    # not under pytest's temporary folder: the server's user must be able to reach it
    base = Path(tempfile.mkdtemp(prefix="course-postgres-"))
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
                   check=True, capture_output=True)
    subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"),
                                 "-o", f"-k {sockets} -p {port} -c listen_addresses=''", "start"]),
                   check=True, capture_output=True)
    try:
        subprocess.run(_as_postgres([str(bin_dir / "psql"), "-h", str(sockets), "-p", str(port), "-U", "postgres",
                                     "-c", "CREATE DATABASE gradebook"]), check=True, capture_output=True)
        yield f"postgresql+psycopg2://postgres@/gradebook?host={sockets}&port={port}"
    finally:
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_two_workers_grade_into_postgresql(tmp_path, postgres_url):
    course = tmp_path
    release, cells = make_course(course, NAME, answers=3)  # this fills a SQLite gradebook; PostgreSQL starts empty
    mistake = next(iter(load(NAME).MISTAKES.values()))
    students = {"ada": fill(release, cells), "bob": copy.deepcopy(release),
                "cy": fill(release, cells, {mistake.cell: mistake.source})}
    sandboxed = sandbox.problem() is None  # eve attacks only where grading is sandboxed
    if sandboxed:
        query = parse_qs(urlparse(postgres_url).query)
        students["eve"] = fill(release, cells)
        students["eve"].cells.append(new_code_cell(
            "import psycopg2\ntry:\n"
            f"    db = psycopg2.connect(host={query['host'][0]!r}, port={query['port'][0]}, user='postgres', "
            "dbname='gradebook', connect_timeout=3)\n"
            "    db.cursor().execute('update grade set manual_score = 1000'); db.commit(); print('ATTACK pg: DONE')\n"
            "except Exception as exc:\n    print('ATTACK pg: blocked', type(exc).__name__)"))
        with open(course / "nbgrader_config.py", "a") as config:
            config.write("\nc.RejectTampering.enabled = False\nc.RejectForbiddenUses.enabled = False\n")
    submit(course, NAME, students)
    done = run(course, "-m", "course_utils.grading.autograde", "--workers", "2", COURSE_DB_URL=postgres_url)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    from nbgrader.api import Gradebook
    with Gradebook(postgres_url) as gb:
        total = {s: gb.find_submission(NAME, s).score for s in students}
        max_score = gb.find_assignment(NAME).max_score
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_assignment(NAME).max_score == max_score
        assert not gb.students, "the SQLite gradebook must not have been used"
    assert total["ada"] == max_score > 0 and total["bob"] == 0 and 0 < total["cy"] < max_score
    if sandboxed:
        assert total["eve"] == max_score
        graded = (course / "autograded" / "eve" / NAME / f"{NAME}.ipynb").read_text()
        assert "ATTACK pg: blocked" in graded, "a grading kernel reached the PostgreSQL gradebook"
    with Gradebook(postgres_url) as gb:
        forged = [g for s in students for nb in gb.find_submission(NAME, s).notebooks for g in nb.grades
                  if g.manual_score == 1000]
    assert not forged
