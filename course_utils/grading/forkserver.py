"""nbgrader commands in processes forked from one that has imported nbgrader once.

Each submission is graded by an nbgrader process of its own (a crash, a memory limit or a
timeout ends that process, not the run), but importing nbgrader (nbconvert, jupyter_server,
SQLAlchemy, ...) costs about as long as grading a small notebook. :func:`run` therefore asks a
fork server (:mod:`multiprocessing`'s ``forkserver``, started once per grading run, with nbgrader
imported) for a fresh child per command. The child takes the command's working directory and
environment, lowers its resource limits, sends its output to files, and runs nbgrader's
application in place of ``python -m nbgrader``. Student code never runs in it: kernels still
start in their sandbox (:mod:`course_utils.grading.sandbox_kernel`).

Where ``forkserver`` does not exist (not Linux or macOS) or ``$COURSE_FORKSERVER=off``, every
command is a new ``python -m nbgrader`` process, as before.
"""
from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

__all__ = ["run", "available", "die_with_parent", "stop"]

#: imported once by the fork server: nbgrader's applications and what they load
PRELOAD = ["nbgrader.apps.nbgraderapp", "nbgrader.apps.autogradeapp", "nbgrader.apps.feedbackapp",
           "nbconvert.exporters", "jupyter_client.manager", "sqlalchemy.orm"]
_lock = threading.Lock()
_context = None


def available() -> bool:
    """True when commands run as children of the fork server: not where it is turned off, not
    where the platform has none, and not in a daemonic process (such as a Dask worker's), which
    multiprocessing forbids to have children."""
    return (os.environ.get("COURSE_FORKSERVER", "on").strip().lower() != "off"
            and "forkserver" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon)


def _get_context():
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
        return _context


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (elsewhere: nothing).

    A grading process whose grader died (a Dask worker lost mid-run) must not go on writing
    grades while another worker grades the same submission again. A forked child's parent is
    the fork server, which exits when the grader that started it dies."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)   # PR_SET_PDEATHSIG
    if os.getppid() != parent:              # the parent died before the request was made
        os._exit(137)


def stop() -> None:
    """Stop this process's fork server, if it started one (a Dask worker does before it closes:
    a running fork server holds the worker's exit for seconds)."""
    global _context
    with _lock:
        if _context is not None:
            from multiprocessing import forkserver as _forkserver_module

            _forkserver_module._forkserver._stop()
            _context = None


def _child(args: list[str], cwd: str, env: dict, memory_mb: int | None, out_path: str, err_path: str) -> None:
    """In the forked child: become ``python -m nbgrader ARGS`` in ``cwd`` with ``env``."""
    from course_utils.grading import launcher

    die_with_parent()
    for fd, path in ((1, out_path), (2, err_path)):
        handle = os.open(path, os.O_WRONLY | os.O_TRUNC)
        os.dup2(handle, fd)
        os.close(handle)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = [sys.executable, *args]
    launcher.apply_limits({"memory_mb": memory_mb or 0, "cpu_s": 0, "nproc": 0, "fsize_mb": 0})
    code = 0
    try:
        from nbgrader.apps.nbgraderapp import NbGraderApp

        NbGraderApp.launch_instance(argv=args)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # an nbgrader crash: its traceback goes to the captured stderr
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _kill_tree(pid: int) -> None:
    """Kill a process and all its descendants (nbgrader and the kernels it started)."""
    import psutil

    try:
        parent = psutil.Process(pid)
        processes = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for process in processes:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(processes, timeout=10)


def _stopped(timeout: float | None) -> str:
    return f"\nstopped: the submission took longer than {timeout:.0f} s to grade"


def _run_forked(args, cwd, env, memory_mb, timeout) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="course-nbgrader-") as folder:
        out_path, err_path = Path(folder, "stdout"), Path(folder, "stderr")
        out_path.touch()
        err_path.touch()
        process = _get_context().Process(target=_child, daemon=False,
                                         args=(list(args), str(cwd), env, memory_mb, str(out_path), str(err_path)))
        process.start()
        process.join(timeout)
        code = process.exitcode
        if code is None:  # still running: the time is up
            _kill_tree(process.pid)
            process.join()
        out = out_path.read_text(errors="replace")
        err = err_path.read_text(errors="replace")
    if code is None:
        return subprocess.CompletedProcess(args, 124, out, err + _stopped(timeout))
    return subprocess.CompletedProcess(args, code if code >= 0 else 128 - code, out, err)


def _run_spawned(args, cwd, env, memory_mb, timeout) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "nbgrader", *args]
    if memory_mb:
        launcher = Path(__file__).with_name("launcher.py")
        command = [sys.executable, "-I", "-S", str(launcher), "--memory-mb", str(memory_mb), "--", *command]
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, preexec_fn=die_with_parent)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(process.pid)  # the kernel runs in a session of its own: find it by ancestry
        out, err = process.communicate()
        return subprocess.CompletedProcess(command, 124, out, err + _stopped(timeout))
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def run(args: list[str], cwd: Path, env: dict, memory_mb: int | None = None,
        timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``cwd`` with exactly the environment ``env``.

    Args:
        args: nbgrader's arguments, e.g. ``["autograde", "01_conv_arithmetic", "--student", "ada"]``.
        memory_mb: address-space limit (RLIMIT_AS) of the nbgrader process, MiB; None: unchanged.
        timeout: seconds; after that the process and every process it started are killed, and the
            result has return code 124 and says so on stderr.
    Returns:
        a CompletedProcess with the return code and the captured stdout and stderr (text).
    """
    runner = _run_forked if available() else _run_spawned
    return runner(list(args), cwd, dict(env), memory_mb, timeout)
