"""The demo JupyterHub of `make hub`: an instructor and a few students on this machine.

    python tools/hub/hub.py [--state build/hub] [--prefix dl1-] [--port 8000] start
    python tools/hub/hub.py [--state build/hub] as USER -- COMMAND...   (e.g. nbgrader, as the instructor)
    python tools/hub/hub.py [--state build/hub] clean                    (`make hub-clean`)

``start`` (as root) makes everything the hub needs under ``--state`` and then runs JupyterHub
(tools/hub/jupyterhub_config.py) in the foreground:

- OS users ``<prefix>instructor`` and ``<prefix>ada``, ``bob``, ``cy`` (useradd, as The Littlest
  JupyterHub does: nbgrader names a student after the OS user), marked by their comment field so
  that ``clean`` removes only them; homes ``<state>/home/<user>`` (mode 700);
- nbgrader's exchange ``<state>/exchange`` (mode 1777) and a system-wide nbgrader config
  ``<state>/etc/jupyter/nbgrader_config.py`` (course id, exchange, Validate's timeout) that every
  single-user server reads through JUPYTER_CONFIG_PATH;
- the instructor's course directory ``~<prefix>instructor/course``: a copy of nbgrader_config.py
  and solutions/ from this repository (only the instructor can enter it);
- configurable-http-proxy from npm in build/node/proxy/ (installed on first use).

The hub and everything it starts run in a private mount namespace (``unshare --mount``; nothing
changes on the host) where this repository's solutions/, tests/, .git, gradebook and grading
folders are hidden behind empty read-only mounts, and where an interpreter installed under a
folder that other users may not enter (a Python in /root) is shown to the users: a tmpfs over
that folder with the installation and this repository bound back in place. ``as`` runs a command
as a demo user in that same namespace (``nsenter``), with the environment of their server.

Standard library only: ``clean`` works without the course's virtual environment.
"""
from __future__ import annotations

import argparse
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PROXY_DIR = ROOT / "build" / "node" / "proxy"
PROXY = PROXY_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
MARK = "Deep Learning I hub demo"
STUDENTS = ("ada", "bob", "cy")
# What no hub user sees of this repository (the instructor works on a copy in their home).
HIDDEN = ("solutions", "tests", ".git", ".ci", "gradebook.db", "submitted", "autograded", "feedback",
          "downloaded", "grades.csv", ".grading")
EXCHANGE_CONFIG = '''"""nbgrader settings of every user of the demo hub (written by tools/hub/hub.py)."""
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "deep-learning-1"
c.Exchange.root = {exchange!r}
c.Execute.timeout = 120
'''


class HubError(RuntimeError):
    """Something the demo cannot do on this machine, with what to do about it."""


def users(prefix: str) -> list[str]:
    return [f"{prefix}instructor", *(prefix + s for s in STUDENTS)]


def bin_dir() -> Path:
    """The course's virtual environment (the interpreter running this script, or .venv)."""
    venv = Path(os.environ.get("VIRTUAL_ENV") or ROOT / ".venv")
    return venv / "bin" if (venv / "bin" / "jupyterhub").exists() else Path(sys.executable).parent


def _closed_top(path: Path) -> Path | None:
    """The highest folder on the way to ``path`` that other users may not enter (no o+x)."""
    closed = [p for p in reversed(path.parents) if p.exists() and not os.stat(p).st_mode & stat.S_IXOTH]
    return closed[0] if closed else None


# --- preparing the state folder -------------------------------------------------------------

def ensure_user(name: str, home: Path) -> pwd.struct_passwd:
    """An OS user ``name`` with home ``home`` (made with useradd, or moved there with usermod)."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/bin/bash",
                        "--user-group", "--comment", MARK, name], check=True)
        entry = pwd.getpwnam(name)
    if entry.pw_gecos != MARK:
        raise HubError(f"the OS user {name} exists and is not one of this demo's: choose another --prefix")
    if entry.pw_dir != str(home):
        subprocess.run(["usermod", "--home", str(home), name], check=True)
        entry = pwd.getpwnam(name)
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    home.chmod(0o700)
    return entry


def instructor_course(entry: pwd.struct_passwd, home: Path) -> None:
    """~instructor/course: the repository's nbgrader config and solutions, owned by the instructor."""
    course = home / "course"
    if not (course / "nbgrader_config.py").exists():
        course.mkdir(exist_ok=True)
        shutil.copy2(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
        shutil.copytree(ROOT / "solutions", course / "solutions",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        for path in [course, *course.rglob("*")]:
            os.lchown(path, entry.pw_uid, entry.pw_gid)


def ensure_proxy() -> Path:
    """configurable-http-proxy, installed with npm into build/node/proxy/ on first use."""
    if PROXY.exists():
        return PROXY
    npm = shutil.which("npm")
    if not npm:
        raise HubError("configurable-http-proxy is not installed and npm is missing: install Node.js "
                       "(apt-get install npm)")
    PROXY_DIR.mkdir(parents=True, exist_ok=True)
    (PROXY_DIR / "package.json").write_text('{"private": true}\n')  # keeps npm in this folder
    done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "configurable-http-proxy@5"],
                          cwd=PROXY_DIR, capture_output=True, text=True)
    if done.returncode != 0 or not PROXY.exists():
        raise HubError(f"npm install configurable-http-proxy@5 failed:\n{done.stdout}{done.stderr}")
    return PROXY


def prepare(state: Path, prefix: str) -> None:
    for tool in ("useradd", "usermod", "unshare", "nsenter", "setpriv"):
        if shutil.which(tool) is None:
            raise HubError(f"{tool} is missing (it comes with Debian's passwd and util-linux packages)")
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o755)
    closed = _closed_top(state / "x")
    if closed is not None and not state.is_relative_to(ROOT):
        raise HubError(f"the users cannot enter {closed}, on the way to their homes in {state}")
    private = state / "private"  # the hub's database, cookie secret and pid: root only
    private.mkdir(exist_ok=True)
    private.chmod(0o700)
    (state / "home").mkdir(exist_ok=True)
    (state / "home").chmod(0o755)
    exchange = state / "exchange"
    exchange.mkdir(exist_ok=True)
    exchange.chmod(0o1777)
    etc = state / "etc" / "jupyter"
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "nbgrader_config.py").write_text(EXCHANGE_CONFIG.format(exchange=str(exchange)))
    for name in users(prefix):
        entry = ensure_user(name, state / "home" / name)
        if name == f"{prefix}instructor":
            instructor_course(entry, state / "home" / name)
    ensure_proxy()


# --- the mount namespace --------------------------------------------------------------------

def namespace_script() -> str:
    """A shell script that sets up the hub's mount namespace, then runs "$@"."""
    lines = ["set -e"]
    wanted = sorted({Path(os.path.realpath(p)) for p in (sys.base_prefix, sys.prefix, ROOT)})
    needed = [p for p in wanted if _closed_top(p / "x") is not None
              and not any(p != q and p.is_relative_to(q) for q in wanted)]
    if needed:  # e.g. a Python in /root: a tmpfs over /root, the installation bound back in place
        stash = Path(tempfile.gettempdir()) / "course-hub-mnt"  # outside every folder covered
        stash.mkdir(mode=0o700, exist_ok=True)
        for i, path in enumerate(needed):
            (stash / str(i)).mkdir(exist_ok=True)
            lines.append(f'mount --rbind "{path}" "{stash / str(i)}"')
        lines += [f'mount -t tmpfs -o mode=755 course-hub "{top}"'
                  for top in sorted({_closed_top(p / "x") for p in needed})]
        for i, path in enumerate(needed):
            lines += [f'mkdir -p "{path}"', f'mount --rbind "{stash / str(i)}" "{path}"']
    for name in HIDDEN:
        path = ROOT / name
        if path.is_dir():
            lines.append(f'mount -t tmpfs -o ro,mode=555,size=4k course-hub-hidden "{path}"')
        elif path.exists():
            lines.append(f'mount --bind /dev/null "{path}"')
    lines.append('exec "$@"')
    return "; ".join(lines)


def hub_environment(state: Path, prefix: str, port: int) -> dict:
    env = dict(os.environ)
    env.update(COURSE_HUB_STATE=str(state), COURSE_HUB_PREFIX=prefix, COURSE_HUB_PORT=str(port),
               COURSE_HUB_BIN=str(bin_dir()), COURSE_HUB_PROXY=str(PROXY))
    env["PATH"] = f"{bin_dir()}{os.pathsep}{env.get('PATH', '')}"
    return env


def start(state: Path, prefix: str, port: int) -> int:
    if os.geteuid() != 0:
        raise HubError("the demo hub makes OS users and starts servers as them: run it as root "
                       "(sudo make hub)")
    prepare(state, prefix)
    script = namespace_script()
    command = [str(bin_dir() / "jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")]
    print(f"JupyterHub on http://127.0.0.1:{port}/  users: {', '.join(users(prefix))}  "
          f"password: {os.environ.get('COURSE_HUB_PASSWORD', 'dl1-demo')}", flush=True)
    os.chdir(state)
    os.execvpe("unshare", ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
                           *command], hub_environment(state, prefix, port))


def run_as(state: Path, user: str, command: list[str]) -> int:
    """``command`` as ``user`` in the running hub's mount namespace, from the user's home."""
    pid = (state / "private" / "jupyterhub.pid").read_text().strip()
    entry = pwd.getpwnam(user)
    if entry.pw_gecos != MARK:
        raise HubError(f"{user} is not a user of the demo hub")
    env = {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user, "SHELL": "/bin/bash", "LANG": "C.UTF-8",
           "PATH": f"{bin_dir()}:/usr/local/bin:/usr/bin:/bin", "VIRTUAL_ENV": str(bin_dir().parent),
           "JUPYTER_CONFIG_PATH": str(state / "etc" / "jupyter")}
    drop = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups"]
    return subprocess.run(["nsenter", f"--mount=/proc/{pid}/ns/mnt", f"--wd={entry.pw_dir}", *drop, *command],
                          env=env).returncode


def clean(state: Path, prefix: str) -> None:
    """Remove the demo's OS users (marked as such, named ``prefix``...) and its state folder."""
    for entry in pwd.getpwall():
        if entry.pw_gecos == MARK and entry.pw_name.startswith(prefix):
            subprocess.run(["userdel", entry.pw_name], check=False)
            print(f"removed the OS user {entry.pw_name}")
    shutil.rmtree(state, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", type=Path, default=ROOT / "build" / "hub")
    parser.add_argument("--prefix", default="dl1-", help="prefix of the demo's OS user names")
    parser.add_argument("--port", type=int, default=int(os.environ.get("HUB_PORT", "8000")))
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("start", help="prepare the demo and run the hub in the foreground (as root)")
    run = actions.add_parser("as", help="run a command as a demo user, in the running hub's namespace")
    run.add_argument("user")
    run.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    actions.add_parser("clean", help="remove the demo's OS users and its state folder")
    args = parser.parse_args(argv)
    state = args.state.resolve()
    try:
        if args.action == "start":
            return start(state, args.prefix, args.port)
        if args.action == "as":
            command = args.command[1:] if args.command[:1] == ["--"] else args.command
            if not command:
                parser.error("usage: hub.py [--state DIR] as USER -- COMMAND...")
            return run_as(state, args.user, command)
        clean(state, args.prefix)
        return 0
    except HubError as exc:
        print(f"hub: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
