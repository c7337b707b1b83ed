"""The whole grading run made by an unprivileged user: `make autograde`'s command as uid 65534.

As root (CI), the grader switches each kernel to a fresh user id inside the sandbox. A normal
user cannot: bubblewrap makes a user namespace instead. This test runs the real command as the
unprivileged user ``nobody`` on a course that user owns: a solution, a blank notebook and a
student who tries to read the gradebook and write into the course root (the static checks of
answers are off: the sandbox must hold on its own). Expected: full marks,
zero, and both attempts refused, with nothing written.

When the interpreter lives under a folder that other users may not enter (a Python installed in
/root), the test shows it to ``nobody`` in a private mount namespace (``unshare --mount``): a
world-readable tmpfs over that folder, with the interpreter's installation bound back in place.
Nothing changes on the host.
"""
from __future__ import annotations

import copy
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from tests.support.grading import env, fill, make_course, require_sandbox, scores, submit
from tests.support.harness import ROOT

NAME = "02_pooling"
NOBODY = 65534
ATTACK = """\
for what, attempt in [("read", lambda: open({db!r}, "rb").read(16)),
                      ("write", lambda: open({root!r} + "/owned.txt", "w").write("x"))]:
    try:
        attempt()
        print("ATTACK-" + what + "-SUCCEEDED")
    except OSError as exc:
        print("attack-" + what + "-refused:", type(exc).__name__)
"""


def _closed_ancestors(path: Path) -> list[Path]:
    """Folders on the way to ``path`` that other users may not enter (no o+x)."""
    return [p for p in reversed(path.parents) if not os.stat(p).st_mode & stat.S_IXOTH]


def _as_nobody(command: list[str]) -> list[str]:
    """``command`` run as uid/gid 65534, in a mount namespace where the interpreter is reachable."""
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    base = Path(os.path.realpath(sys.base_prefix))
    closed = _closed_ancestors(base / "bin")
    if not closed:
        return drop
    top = closed[0]
    stash = tempfile.mkdtemp(prefix="course-python-")
    script = ('set -e; mount --bind "$1" "$2"; mount -t tmpfs -o mode=755 course-tmpfs "$3"; '
              'mkdir -p "$1"; mount --bind "$2" "$1"; shift 3; exec "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
            str(base), stash, str(top), *drop]


@pytest.fixture(scope="module")
def graded_by_nobody():
    require_sandbox()
    if os.geteuid() != 0:
        pytest.skip("run as root to become another user (as a normal user, every grading test is this one)")
    for tool in ("setpriv", "unshare"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} (util-linux) is not installed")
    for needed in (Path(sys.prefix), ROOT):
        if _closed_ancestors(needed / "x"):
            pytest.skip(f"other users may not enter {_closed_ancestors(needed / 'x')[0]}, which holds {needed}")
    course = Path(tempfile.mkdtemp(prefix="course-normal-user-"))
    try:
        course.chmod(0o755)
        release, cells = make_course(course, NAME, answers=3)
        with open(course / "nbgrader_config.py", "a") as config:  # the sandbox must hold on its own
            config.write("\nc.RejectTampering.enabled = False\nc.RejectForbiddenUses.enabled = False\n")
        attacker = fill(release, cells)
        attacker.cells.insert(1, new_code_cell(ATTACK.format(db=str(course / "gradebook.db"), root=str(course))))
        class_ = {"solution": fill(release, cells), "blank": copy.deepcopy(release), "attacker": attacker}
        submit(course, NAME, class_)
        for path in [course, *course.rglob("*")]:
            os.lchown(path, NOBODY, NOBODY)
        done = subprocess.run(_as_nobody([sys.executable, "-m", "course_utils.grading.autograde", "--workers", "2"]),
                              cwd=course, env=env(course, HOME=str(course)), capture_output=True, text=True,
                              timeout=1200)
        total, max_score, _ = scores(course, NAME, class_)
        graded = nbformat.read(course / "autograded" / "attacker" / NAME / f"{NAME}.ipynb", as_version=4)
        printed = "".join(o.get("text", "") for c in graded.cells for o in c.get("outputs", []))
        yield dict(done=done, scores=total, max_score=max_score, printed=printed, course=course,
                   owners={p.stat().st_uid for p in (course / "autograded").rglob("*")})
    finally:
        shutil.rmtree(course, ignore_errors=True)


def test_the_run_succeeds_and_scores_are_right(graded_by_nobody):
    done = graded_by_nobody["done"]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert graded_by_nobody["max_score"] > 0
    assert graded_by_nobody["scores"] == {"solution": graded_by_nobody["max_score"], "blank": 0,
                                          "attacker": graded_by_nobody["max_score"]}


def test_the_grader_ran_as_the_unprivileged_user(graded_by_nobody):
    assert graded_by_nobody["owners"] == {NOBODY}


def test_the_kernel_could_neither_read_the_gradebook_nor_write_into_the_course(graded_by_nobody):
    printed = graded_by_nobody["printed"]
    assert "attack-read-refused" in printed and "attack-write-refused" in printed, printed
    assert "SUCCEEDED" not in printed
    assert not (graded_by_nobody["course"] / "owned.txt").exists()
