"""Set resource limits, then run a command in this process: ``exec`` after ``setrlimit``.

    python -I -S launcher.py [--memory-mb N] [--cpu-s N] [--nproc N] [--fsize-mb N]
                             [--copy SRC DST] [--chdir DIR] -- COMMAND [ARG...]

What :mod:`course_utils.grading.autograde` runs nbgrader under, and what runs first inside
every grading sandbox (:mod:`course_utils.grading.sandbox`), before the kernel. Limits are
applied here, in a process of its own, instead of in a ``preexec_fn`` (which Python documents
as unsafe when threads exist, and the grader starts processes from a thread pool).

- ``--memory-mb``: RLIMIT_AS, the address space of each process, MiB (0: unchanged);
- ``--cpu-s``: RLIMIT_CPU, CPU seconds of each process (SIGXCPU, then SIGKILL);
- ``--nproc``: RLIMIT_NPROC, processes and threads of the user id the command runs as;
- ``--fsize-mb``: RLIMIT_FSIZE, the largest file it may write, MiB (a write beyond fails);
- ``--copy SRC DST``: copy the folder SRC to DST first (plain files and folders only);
- ``--chdir DIR``: the working directory of the command.

Core dumps are always off. Only the standard library is used: it runs with ``-I -S``, before
any site-packages could matter, and loads nothing from the course.
"""
from __future__ import annotations

import os
import resource
import shutil
import stat
import sys

USAGE = ("usage: launcher.py [--memory-mb N] [--cpu-s N] [--nproc N] [--fsize-mb N] "
         "[--copy SRC DST] [--chdir DIR] -- COMMAND [ARG...]")
_NUMBERS = {"--memory-mb": "memory_mb", "--cpu-s": "cpu_s", "--nproc": "nproc", "--fsize-mb": "fsize_mb"}


def parse(argv: list[str]) -> tuple[dict, list[str]]:
    """(options, command) from the arguments; ValueError with the usage when they are wrong."""
    options: dict = {"memory_mb": 0, "cpu_s": 0, "nproc": 0, "fsize_mb": 0, "copy": None, "chdir": None}
    args = list(argv)
    while args and args[0] != "--":
        flag = args.pop(0)
        if flag in _NUMBERS:
            if not args or not args[0].isdigit():
                raise ValueError(f"{flag} needs a whole number >= 0\n{USAGE}")
            options[_NUMBERS[flag]] = int(args.pop(0))
        elif flag == "--copy" and len(args) >= 2:
            options["copy"] = (args.pop(0), args.pop(0))
        elif flag == "--chdir" and args:
            options["chdir"] = args.pop(0)
        else:
            raise ValueError(f"unexpected argument {flag!r}\n{USAGE}")
    if len(args) < 2:
        raise ValueError(f"no command after --\n{USAGE}")
    return options, args[1:]


def _set(limit: int, value: int) -> None:
    """Lower both the soft and the hard limit to ``value`` (never raise them)."""
    soft, hard = resource.getrlimit(limit)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(limit, (value, value))


def apply_limits(options: dict) -> None:
    _set(resource.RLIMIT_CORE, 0)
    if options["memory_mb"]:
        _set(resource.RLIMIT_AS, options["memory_mb"] * 2**20)
    if options["cpu_s"]:
        soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        value = options["cpu_s"] if hard == resource.RLIM_INFINITY else min(options["cpu_s"], hard)
        # the soft limit sends SIGXCPU; the hard limit, a few seconds later, SIGKILL
        resource.setrlimit(resource.RLIMIT_CPU, (value, value + 5 if hard == resource.RLIM_INFINITY else hard))
    if options["nproc"]:
        _set(resource.RLIMIT_NPROC, options["nproc"])
    if options["fsize_mb"]:
        _set(resource.RLIMIT_FSIZE, options["fsize_mb"] * 2**20)


def copy_tree(source: str, target: str) -> None:
    """Copy plain files and folders of ``source`` into ``target``; symbolic links are skipped."""
    os.makedirs(target, exist_ok=True)
    for entry in os.scandir(source):
        mode = entry.stat(follow_symlinks=False).st_mode
        destination = os.path.join(target, entry.name)
        if stat.S_ISDIR(mode):
            copy_tree(entry.path, destination)
        elif stat.S_ISREG(mode):
            shutil.copyfile(entry.path, destination)


def main(argv: list[str]) -> int:
    try:
        options, command = parse(argv)
    except ValueError as exc:
        print(f"launcher: {exc}", file=sys.stderr)
        return 2
    if options["copy"]:
        copy_tree(*options["copy"])
    if options["chdir"]:
        os.chdir(options["chdir"])
    apply_limits(options)
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        print(f"launcher: cannot run {command[0]!r}: {exc}", file=sys.stderr)
        return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
