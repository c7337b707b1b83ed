"""Grade submissions on Dask distributed workers that share the course folder and the gradebook.

One Dask task per submission, :func:`grade_submission`: it runs ``nbgrader autograde --student``
on whichever worker takes it, each kernel in its sandbox, exactly as on one machine. The workers
see the course root at the same path (a shared volume) and write the same gradebook (PostgreSQL
when the workers are on several machines; SQLite only on one machine).

Exactly once. A submission's task holds an exclusive lock while it works (``fcntl.flock`` on a
file under ``<root>/.grading/``: the kernel releases it when the holder dies; on NFS, Linux
forwards it to the server's lock manager) and leaves a *started* marker until its grade is
written:

- when a worker dies mid-run, the scheduler sends its task to another worker, which finds the
  marker of the dead attempt, removes the half-written ``autograded/<student>/<assignment>``
  and grades again;
- a task that finds the submission graded (its folder under ``autograded/``, no marker) returns
  at once, so a task the scheduler sends twice grades nothing twice.
"""
from __future__ import annotations

import fcntl
import logging
import os
import shutil
import socket
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Outcome", "grade_submission", "grade_on_cluster", "connect"]

STATE = ".grading"   # under the course root: one lock file and one marker per submission


@dataclass
class Outcome:
    """What happened to one submission.

    ``status``: "graded", "failed" (nbgrader could not grade it; ``log`` says why), "not graded"
    (refused before grading, e.g. symbolic links) or "already graded" (graded by an earlier
    attempt or run). ``seconds``: time spent grading; ``worker``: host and process that graded it.
    """
    assignment: str
    student: str
    status: str
    seconds: float = 0.0
    worker: str = ""
    log: str = ""


@contextmanager
def _exclusive(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)   # waits while another attempt holds it
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def grade_submission(root: str, assignment: str, student: str, memory_mb: int | None = None,
                     timeout: float = 1800.0) -> dict:
    """Grade one submission, at most once however often it is called; returns an :class:`Outcome`
    as a dict. Runs on a Dask worker (or anywhere): ``root`` is the course root as that machine
    sees it."""
    from course_utils.grading.autograde import nbgrader, symbolic_links

    course = Path(root)
    state = course / STATE / assignment
    marker = state / f"{student}.started"
    graded = course / "autograded" / student / assignment
    worker = f"{socket.gethostname()}:{os.getpid()}"
    with _exclusive(state / f"{student}.lock"):
        if marker.exists():          # an attempt died while grading: its output is half-written
            shutil.rmtree(graded, ignore_errors=True)
        elif graded.is_dir():
            return asdict(Outcome(assignment, student, "already graded", worker=worker))
        links = symbolic_links(course / "submitted" / student / assignment)
        if links:
            return asdict(Outcome(assignment, student, "not graded", worker=worker, log=(
                "not graded: a submission must be plain files and folders, and this one contains "
                "symbolic links (remove them, then grade again): " + ", ".join(links))))
        marker.write_text(worker)
        start = time.perf_counter()
        done = nbgrader("autograde", assignment, "--student", student, cwd=course, memory_mb=memory_mb,
                        timeout=timeout)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            # nothing half-graded stays behind, so the next run grades this student again
            shutil.rmtree(graded, ignore_errors=True)
            marker.unlink()
            return asdict(Outcome(assignment, student, "failed", seconds, worker,
                                  (done.stdout[-1500:] + done.stderr[-3000:]).strip()))
        marker.unlink()
        return asdict(Outcome(assignment, student, "graded", seconds, worker))


@contextmanager
def connect(scheduler: str | None, workers: int):
    """A Dask client, closed on exit: to the scheduler at ``scheduler`` (``tcp://host:port``), or
    to a new local cluster of ``workers`` processes with one thread each (closed with it)."""
    import dask
    from distributed import Client, LocalCluster

    from course_utils.grading import forkserver

    if scheduler:
        with Client(scheduler, timeout="30s") as client:
            yield client
        return
    # workers are not daemonic, so that each can fork its own nbgrader processes
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0", host="127.0.0.1", silence_logs=logging.ERROR,
                               memory_limit=0)   # limits are per grading process (--memory-mb)
    with cluster, Client(cluster) as client:
        try:
            yield client
        finally:
            client.run(forkserver.stop)   # a running fork server holds a worker's exit for seconds


def grade_on_cluster(client, root: Path, assignment: str, students: list[str], memory_mb: int | None,
                     timeout: float, report=None) -> list[Outcome]:
    """Submit one task per student; call ``report(outcome)`` as each finishes; return them all.

    A task whose worker dies is run again on another worker by the scheduler (up to Dask's
    ``distributed.scheduler.allowed-failures`` deaths); if it still fails, the submission is
    reported "failed" with the reason, and the others go on."""
    from distributed import as_completed

    futures = {client.submit(grade_submission, str(root), assignment, student, memory_mb, timeout,
                             key=f"grade-{assignment}-{student}", pure=False): student
               for student in students}
    outcomes = []
    for future in as_completed(futures):
        try:
            outcome = Outcome(**future.result())
        except Exception as exc:  # the task died on every worker it was given, or raised
            outcome = Outcome(assignment, futures[future], "failed", log=f"{type(exc).__name__}: {exc}")
        outcomes.append(outcome)
        if report:
            report(outcome)
    return outcomes
