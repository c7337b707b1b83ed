"""The sandbox every graded submission's kernel runs in (bubblewrap).

A :class:`Sandbox` is one private folder on the grader's side (``/tmp/course-sbx-*``) and the
``bwrap`` command that runs a kernel against it. Inside:

- read-only: the system (``/usr`` and the ``/bin``, ``/lib*`` links to it, a few files of
  ``/etc``), the Python installation and virtual environment, and the ``course_utils`` package;
  nothing else of the host, so no ``solutions/``, ``submitted/``, classmates, gradebook,
  ``nbgrader_config.py`` or home folders;
- writable, private, size-limited (tmpfs): ``/home/student`` (the working directory
  ``/home/student/work`` starts as a copy of the submission's folder, notebooks excepted:
  the notebook being graded contains the hidden tests), ``/tmp`` and ``/dev/shm``; all of it
  vanishes with the sandbox, and nbgrader never reads any of it back;
- the folder of the kernel's ZeroMQ sockets (``ipc`` transport), also the only thing shared
  with the grader: no network at all (``--unshare-net``, loopback included);
- an environment of harmless values only (``--clearenv``): PATH, HOME, LANG, TMPDIR, ...;
- its own PID namespace (the grader, its classmates' kernels and their ``/proc`` are invisible;
  when the kernel ends, every process it started is killed), IPC and UTS namespaces, a new
  session (no terminal), ``--die-with-parent``;
- limits (RLIMIT_AS, RLIMIT_CPU, RLIMIT_NPROC, RLIMIT_FSIZE), set by :mod:`.launcher`.

User ids. As root, bwrap makes the namespaces and mounts; then ``setpriv`` switches to a user id
of the sandbox's own (no account, no capabilities, no_new_privs), a different one per kernel, so
that RLIMIT_NPROC (counted per user id) counts this sandbox only and no root-owned file is
writable or readable beyond its mode bits. As a normal user, bwrap also makes a user namespace
(``--unshare-user``); the kernel keeps the grader's user id, and RLIMIT_NPROC is counted per
user namespace (Linux 5.14+). No cgroup is needed.

Settings (environment): ``COURSE_SANDBOX`` (``on``, the default, or ``off`` for a trusted single
user, with a warning on every run), ``COURSE_MEMORY_MB`` (6144), ``COURSE_SANDBOX_CPU_S``
(1800), ``COURSE_SANDBOX_NPROC`` (256), ``COURSE_SANDBOX_DISK_MB`` (512: each of the working
folder and ``/tmp``, and the largest file).

Only the standard library here; :mod:`.sandbox_kernel` plugs this into jupyter_client and nbgrader.
"""
from __future__ import annotations

import itertools
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Limits", "Sandbox", "enabled", "problem", "kernel_environment", "INSTALL_HELP", "WORKDIR", "HOME"]

HOME = "/home/student"
WORKDIR = HOME + "/work"
SUBMISSION = "/run/submission"  # the read-only staging copy, copied into WORKDIR at start
LAUNCHER = Path(__file__).with_name("launcher.py")
PACKAGE = Path(__file__).resolve().parents[1]  # course_utils, which the notebooks import
UID_BASE = 1_000_000_000  # user ids without an account: 10**9 + (pid mod 2**22) * 64 + n
_ETC = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "nsswitch.conf",
        "host.conf", "hosts", "fonts", "alternatives", "mime.types", "ssl/certs", "ca-certificates",
        "matplotlibrc", "os-release"]
_PASS_ENV = ["NBGRADER_EXECUTION", "MPLBACKEND", "COURSE_FORCE_CPU", "COURSE_WIDGETS", "OMP_NUM_THREADS",
             "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TZ", "CUBLAS_WORKSPACE_CONFIG"]
_uids = itertools.count()

INSTALL_HELP = """\
Student code is graded only inside a sandbox (bubblewrap), and it cannot be made here:
  {reason}
To fix it:
  - install bubblewrap 0.7 or newer: apt-get install bubblewrap (Debian, Ubuntu),
    dnf install bubblewrap (Fedora), and util-linux's setpriv when grading as root;
  - allow user namespaces (needed when grading as a normal user):
    sysctl -w kernel.unprivileged_userns_clone=1 (Debian), sysctl -w user.max_user_namespaces=15000;
    on Ubuntu 24.04 also sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor
    profile that lets bwrap use them.
Only for a trusted single user: COURSE_SANDBOX=off (or --no-sandbox) grades without a sandbox."""


@dataclass(frozen=True)
class Limits:
    """Per-kernel limits: memory_mb (address space of each process), cpu_s (CPU seconds of each
    process), nproc (processes and threads), disk_mb (each tmpfs, and the largest file)."""

    memory_mb: int = 6144
    cpu_s: int = 1800
    nproc: int = 256
    disk_mb: int = 512

    @classmethod
    def from_env(cls, environ=os.environ) -> Limits:
        names = {"memory_mb": "COURSE_MEMORY_MB", "cpu_s": "COURSE_SANDBOX_CPU_S",
                 "nproc": "COURSE_SANDBOX_NPROC", "disk_mb": "COURSE_SANDBOX_DISK_MB"}
        values = {}
        for field, name in names.items():
            text = environ.get(name, "").strip()
            if text:
                if not text.isdigit():
                    raise ValueError(f"{name}={text!r}: expected a whole number >= 0")
                values[field] = int(text)
        return cls(**values)

    def launcher_args(self) -> list[str]:
        return ["--memory-mb", str(self.memory_mb), "--cpu-s", str(self.cpu_s),
                "--nproc", str(self.nproc), "--fsize-mb", str(self.disk_mb)]


def enabled(environ=os.environ) -> bool:
    """Whether grading must be sandboxed: ``COURSE_SANDBOX`` is ``on`` (default) or ``off``."""
    value = environ.get("COURSE_SANDBOX", "on").strip().lower() or "on"
    if value in {"on", "1", "yes", "true"}:
        return True
    if value in {"off", "0", "no", "false"}:
        return False
    raise ValueError(f"COURSE_SANDBOX={value!r}: expected 'on' or 'off'")


def _python_roots() -> list[str]:
    """Folders the interpreter needs: the venv and the installation it was made from."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             str(Path(os.path.realpath(sys.executable)).parent.parent)}
    return sorted(r for r in roots if not r.startswith("/usr/") and r != "/usr")


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in _ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def kernel_environment(environ=os.environ) -> dict[str, str]:
    """The kernel's whole environment: harmless values and a few settings of the course."""
    venv_bin = str(Path(sys.prefix) / "bin")
    env = {"PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": HOME, "USER": "student",
           "LOGNAME": "student", "LANG": "C.UTF-8", "TMPDIR": "/tmp", "PYTHONDONTWRITEBYTECODE": "1",
           "VIRTUAL_ENV": sys.prefix, "SHELL": "/bin/sh", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    env.update({name: environ[name] for name in _PASS_ENV if name in environ})
    return env


def _parents(path: str) -> list[str]:
    """Create the folders above a mount point, traversable (bwrap would make them 0700)."""
    args = []
    for parent in reversed(Path(path).parents):
        if str(parent) not in {"/", "/usr", "/tmp"}:
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


class Sandbox:
    """One kernel's sandbox: ``base/ipc`` (connection file and sockets), ``base/files`` (the
    staged submission), ``base/etc`` (a passwd and group naming only the sandbox's user)."""

    def __init__(self, limits: Limits | None = None, python: str | None = None):
        self.limits = limits or Limits.from_env()
        self.python = python or sys.executable
        self.as_root = os.geteuid() == 0
        base = tempfile.mkdtemp(prefix="course-sbx-", dir="/tmp" if os.path.isdir("/tmp") else None)
        self.base = Path(base)
        self.ipc = self.base / "ipc"
        self.files = self.base / "files"
        for folder in (self.ipc, self.files, self.base / "etc"):
            folder.mkdir(mode=0o700)
        if self.as_root:
            os.chmod(self.base, 0o711)
            os.chmod(self.files, 0o755)
        self.renew_identity()

    def renew_identity(self) -> None:
        """A user id not used before (as root), for the next kernel: the processes of a killed
        kernel may still be exiting, and RLIMIT_NPROC counts them per user id."""
        self.uid = (UID_BASE + (os.getpid() % 2**22) * 64 + next(_uids) % 64) if self.as_root else os.getuid()
        self.gid = self.uid if self.as_root else os.getgid()
        (self.base / "etc" / "passwd").write_text(
            f"root:x:0:0:root:/root:/usr/sbin/nologin\nstudent:x:{self.uid}:{self.gid}::{HOME}:/usr/sbin/nologin\n")
        (self.base / "etc" / "group").write_text(f"root:x:0:\nstudent:x:{self.gid}:\n")
        if self.as_root:
            os.chown(self.ipc, self.uid, self.gid)  # the kernel creates its sockets there
            for name in ("passwd", "group"):
                os.chmod(self.base / "etc" / name, 0o644)

    def stage(self, source: str | os.PathLike) -> None:
        """Copy the submission's folder (plain files and folders; no notebook, no link) for the kernel."""
        source = Path(source)
        shutil.rmtree(self.files)
        self.files.mkdir(mode=0o755)
        if not source.is_dir():
            return
        for folder, dirs, names in os.walk(source):  # does not enter linked folders
            dirs[:] = [d for d in dirs if d != ".ipynb_checkpoints" and not os.path.islink(os.path.join(folder, d))]
            target = self.files / os.path.relpath(folder, source)
            target.mkdir(parents=True, exist_ok=True)
            for name in names:
                path = os.path.join(folder, name)
                if stat.S_ISREG(os.lstat(path).st_mode) and not name.endswith(".ipynb"):
                    shutil.copyfile(path, target / name)
        for folder, _, names in os.walk(self.files):
            os.chmod(folder, 0o755)
            for name in names:
                os.chmod(os.path.join(folder, name), 0o644)

    def give_socket_folder(self, path: str | os.PathLike) -> None:
        """Let the kernel read a file the grader wrote in ``ipc`` (the connection file)."""
        if self.as_root:
            os.chown(path, self.uid, self.gid)

    def command(self, argv: list[str], environ=os.environ) -> list[str]:
        """The command that runs ``argv`` (a kernel) in this sandbox."""
        disk = str(self.limits.disk_mb * 2**20)
        args = [shutil.which("bwrap") or "bwrap", "--die-with-parent", "--new-session", "--unshare-pid",
                "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
        if not self.as_root:
            args += ["--unshare-user", "--disable-userns"]
        args += ["--clearenv"]
        for name, value in kernel_environment(environ).items():
            args += ["--setenv", name, value]
        args += _system_binds()
        args += ["--ro-bind", str(self.base / "etc" / "passwd"), "/etc/passwd",
                 "--ro-bind", str(self.base / "etc" / "group"), "/etc/group"]
        # the private folders first: a Python or a course that lives under /tmp (a CI checkout,
        # say) is then bound on top of the private /tmp instead of being hidden by it
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--perms", "1777", "--size", disk, "--tmpfs", "/tmp",
                 "--perms", "1777", "--size", disk, "--tmpfs", "/dev/shm",
                 "--perms", "1777", "--size", disk, "--tmpfs", HOME]
        for root in [*_python_roots(), str(PACKAGE)]:
            args += [*_parents(root), "--ro-bind", root, root]
        args += [*_parents(str(self.ipc)), "--bind", str(self.ipc), str(self.ipc),
                 *_parents(SUBMISSION), "--ro-bind", str(self.files), SUBMISSION,
                 "--chdir", HOME, "--"]
        if self.as_root:
            args += ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups",
                     "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
        args += [self.python, "-I", "-S", str(LAUNCHER), *self.limits.launcher_args(),
                 "--copy", SUBMISSION, WORKDIR, "--chdir", WORKDIR, "--", *argv]
        return args

    def cleanup(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


_problem: list[str | None] = []


def problem(python: str | None = None) -> str | None:
    """Why no sandbox can be made here (a message saying what to install or enable), or None.

    Runs a tiny program in a sandbox made exactly like a kernel's; the answer is cached.
    """
    if _problem and python is None:
        return _problem[0]
    reason = None
    if shutil.which("bwrap") is None:
        reason = "the bwrap command (bubblewrap) is not installed"
    elif os.geteuid() == 0 and shutil.which("setpriv") is None:
        reason = "the setpriv command (util-linux) is not installed"
    else:
        box = Sandbox(Limits(memory_mb=1024, cpu_s=10, nproc=64, disk_mb=16), python=python)
        try:
            done = subprocess.run(box.command([box.python, "-I", "-S", "-c", "print('sandbox ok')"]),
                                  capture_output=True, text=True, timeout=60, env={"PATH": os.defpath})
            if done.returncode != 0 or "sandbox ok" not in done.stdout:
                reason = f"bwrap failed (exit {done.returncode}): {(done.stderr or done.stdout).strip()[-500:]}"
        except (OSError, subprocess.TimeoutExpired) as exc:
            reason = f"bwrap could not run: {exc}"
        finally:
            box.cleanup()
    message = INSTALL_HELP.format(reason=reason) if reason else None
    if python is None:
        _problem.append(message)
    return message
