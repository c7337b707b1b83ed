"""Grading on Dask distributed: each submission graded exactly once, also when a worker dies.

The rules of :func:`course_utils.grading.cluster.grade_submission` are tested with a stand-in for
nbgrader (fast, every case); then a real scheduler and two worker processes on loopback grade a
class through ``python -m course_utils.grading.autograde --scheduler tcp://...``, and one worker is
killed while it grades.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from course_utils.grading import autograde, cluster, forkserver
from tests.support.grading import env, fill, make_course, run, scores, submit
from tests.support.ports import free_port

ASSIGNMENT = "03_alexnet_vgg"


class FakeNbgrader:
    """Stands for ``nbgrader autograde``: writes the student's autograded folder, counts calls."""

    def __init__(self, fail: bool = False, seconds: float = 0.0):
        self.calls, self.fail, self.seconds = [], fail, seconds

    def __call__(self, command, assignment, _flag, student, cwd, **_):
        self.calls.append(student)
        time.sleep(self.seconds)
        folder = Path(cwd) / "autograded" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "graded.txt").write_text("graded")
        return SimpleNamespace(returncode=1 if self.fail else 0, stdout="", stderr="a kernel died")


@pytest.fixture
def course(tmp_path, monkeypatch):
    (tmp_path / "submitted" / "ada" / "01_x").mkdir(parents=True)
    fake = FakeNbgrader()
    monkeypatch.setattr(autograde, "nbgrader", fake)
    return tmp_path, fake


def _grade(root, student="ada"):
    return cluster.grade_submission(str(root), "01_x", student)


def test_a_submission_is_graded_once(course):
    root, fake = course
    assert _grade(root)["status"] == "graded"
    assert _grade(root)["status"] == "already graded"
    assert fake.calls == ["ada"]
    assert not list((root / cluster.STATE).rglob("*.started"))


def test_a_dead_attempt_is_graded_again_from_scratch(course):
    """A worker died while grading: its marker and half-written folder are left behind."""
    root, fake = course
    half = root / "autograded" / "ada" / "01_x"
    half.mkdir(parents=True)
    (half / "half-written.ipynb").write_text("{")
    (root / cluster.STATE / "01_x").mkdir(parents=True)
    (root / cluster.STATE / "01_x" / "ada.started").write_text("lost-host:1")
    outcome = _grade(root)
    assert outcome["status"] == "graded" and fake.calls == ["ada"]
    assert sorted(p.name for p in half.iterdir()) == ["graded.txt"]
    assert not (root / cluster.STATE / "01_x" / "ada.started").exists()


def test_two_attempts_at_once_grade_once(course):
    """The scheduler may send a task twice (a worker it thought lost was only slow)."""
    root, fake = course
    fake.seconds = 0.5
    results = []
    threads = [threading.Thread(target=lambda: results.append(_grade(root)["status"])) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["already graded", "graded"] and fake.calls == ["ada"]


def test_a_failure_leaves_nothing_behind(course, monkeypatch):
    root, _ = course
    monkeypatch.setattr(autograde, "nbgrader", FakeNbgrader(fail=True))
    outcome = _grade(root)
    assert outcome["status"] == "failed" and "a kernel died" in outcome["log"]
    assert not (root / "autograded" / "ada" / "01_x").exists()      # graded again next run
    assert not list((root / cluster.STATE).rglob("*.started"))


def test_symbolic_links_are_not_graded(course):
    root, fake = course
    (root / "submitted" / "ada" / "01_x" / "secret").symlink_to("/etc/hostname")
    outcome = _grade(root)
    assert outcome["status"] == "not graded" and "secret" in outcome["log"] and fake.calls == []


def test_a_grading_process_dies_with_its_grader(tmp_path):
    """When a worker dies, the nbgrader process it started must not go on writing grades."""
    pid_file = tmp_path / "pid"
    grader = subprocess.Popen([sys.executable, "-c", (
        "import subprocess, sys, time\n"
        "from course_utils.grading.forkserver import die_with_parent\n"
        f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], preexec_fn=die_with_parent)\n"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
        "time.sleep(60)\n")])
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the grader did not start its child"
        time.sleep(0.05)
    child = int(pid_file.read_text())
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    deadline = time.monotonic() + 10
    while _alive(child):
        assert time.monotonic() < deadline, "the child outlived its grader"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_fork_server_is_not_used_in_a_daemonic_process():
    """multiprocessing forbids daemonic processes (Dask's default workers) to have children."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:   # pool workers are daemonic
        assert pool.apply(forkserver.available) is False
    assert forkserver.available() is (os.environ.get("COURSE_FORKSERVER", "on") != "off")


# ----------------------------------------------------------------------------- a real cluster
@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A course with four submissions, a scheduler and two worker processes (no nanny, so that a
    killed worker stays dead) on loopback; yields (course, address, worker processes)."""
    course = tmp_path_factory.mktemp("dask-course")
    release, cells = make_course(course, ASSIGNMENT, answers=3)
    submit(course, ASSIGNMENT, {"ada": fill(release, cells), "bob": release,
                                "cy": fill(release, cells), "dee": release})
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    processes = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                   "--no-dashboard"], env=env(course), cwd=course,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    workers = [subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                 "--name", f"w{i}"], env=env(course), cwd=course,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(2)]
    processes += workers
    try:
        _wait_for_workers(address, 2)
        yield course, address, workers
    finally:
        for process in processes:
            process.kill()
            process.wait()


def _wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, timeout="60s") as client:
        client.wait_for_workers(count, timeout=120)


def test_a_class_is_graded_on_two_workers_when_one_dies(dask_cluster):
    course, address, workers = dask_cluster
    markers = course / cluster.STATE / ASSIGNMENT
    killed = {}

    def kill_the_first_grader():
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not killed:
            for marker in markers.glob("*.started") if markers.is_dir() else []:
                pid = int(marker.read_text().rsplit(":", 1)[1])
                if pid in {w.pid for w in workers}:
                    os.kill(pid, signal.SIGKILL)
                    killed.update(student=marker.stem, pid=pid)
                    return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_the_first_grader)
    killer.start()
    done = run(course, "-m", "course_utils.grading.autograde", "--scheduler", address)
    killer.join()
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert killed, f"no worker was seen grading: {output[-3000:]}"
    assert sum(w.poll() is None for w in workers) == 1            # one worker left, and it finished
    total, max_score, _ = scores(course, ASSIGNMENT, ["ada", "bob", "cy", "dee"])
    assert total == {"ada": max_score, "bob": 0, "cy": max_score, "dee": 0}, output[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == 4, done.stdout
    for student in ("ada", "bob", "cy", "dee"):
        (line,) = [line for line in lines if f" {student}: " in line]
        assert ": graded in " in line, line
    (again,) = [line for line in lines if f" {killed['student']}: " in line]
    assert f":{killed['pid']})" not in again, "the killed worker's submission was not graded elsewhere"
    assert not list(markers.glob("*.started"))
    assert "graded" in done.stdout and "wall time" in done.stdout      # the summary table
    log = (course / "grading-times.csv").read_text().splitlines()
    assert log[0] == "assignment,student,notebook,cell,seconds"
    assert any(",ada," in row and "layer-params-visible" in row for row in log), log[:5]
