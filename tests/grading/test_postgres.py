"""The gradebook in a real PostgreSQL server (Debian's package), started by the test itself,
with two grading workers writing to it at once."""
from __future__ import annotations

import copy
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

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
    release, cells = make_course(course, NAME)  # this fills a SQLite gradebook; PostgreSQL starts empty
    mistake = next(iter(load(NAME).MISTAKES.values()))
    students = {"ada": fill(release, cells), "bob": copy.deepcopy(release),
                "cy": fill(release, cells, {mistake.cell: mistake.source})}
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
