"""Plumbing of the browser tests (test_browser.py): a temporary course, a JupyterLab server on it,
Debian's Chromium driven by Playwright, and a few things a user does in JupyterLab.

Nothing here imports playwright at import time: the tests skip (or fail, with
COURSE_REQUIRE_BROWSER=1) when it is missing.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import nbformat

from tests.support.grading import fill
from tests.support.ports import free_port, wait_for_http

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The instructor's panels of nbgrader's lab extension, disabled for students by `make setup`.
INSTRUCTOR_PLUGINS = ["@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
                      "@jupyter/nbgrader:course-list"]
ASSIGNMENT = "01_conv_arithmetic"
SUBMISSION = f"submission/{ASSIGNMENT}.ipynb"


def missing_requirements() -> list[str]:
    """What the browser tests lack on this machine (empty when they can run)."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} not found (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright package is not installed (pip install playwright)")
    return missing


# --- the course and the server -----------------------------------------------------------------

def copy_course(dest: Path) -> Path:
    """Copy what the tests open into ``dest``: running notebooks never touches the repository."""
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    shutil.copy2(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    (dest / "lectures").mkdir()
    shutil.copy2(ROOT / "lectures" / f"{ASSIGNMENT}.ipynb", dest / "lectures")
    for folder in ("assignments", "solutions"):
        shutil.copytree(ROOT / folder / ASSIGNMENT, dest / folder / ASSIGNMENT, ignore=ignore)
    return dest


def write_submission(course: Path) -> Path:
    """The student version with every answer cell replaced by the solution's cell of the same
    grade_id (solution markers removed), as a student who solved everything would submit it."""
    release = nbformat.read(course / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    source = nbformat.read(course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    filled = fill(release, source, strip_markers=True)
    path = course / SUBMISSION
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(filled, path)
    return path


def lab_env(state: Path) -> dict:
    """The environment of `make lab` for a new user: the venv first on PATH, a fresh Jupyter
    config/data/runtime folder, and none of the test suite's settings (the kernel must see what a
    student's kernel sees, e.g. no COURSE_WIDGETS=static)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("COURSE_", "PYTEST_", "JPY_")) and k != "MPLBACKEND"}
    for name in ("config", "data", "runtime"):
        (state / name).mkdir(parents=True, exist_ok=True)
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(BIN.parent),
               JUPYTER_CONFIG_DIR=str(state / "config"), JUPYTER_DATA_DIR=str(state / "data"),
               JUPYTER_RUNTIME_DIR=str(state / "runtime"))
    return env


def disabled_plugins(env: dict) -> set[str]:
    """Plugins that `jupyter labextension list` reports as disabled."""
    done = subprocess.run([str(BIN / "jupyter"), "labextension", "list"], env=env,
                          capture_output=True, text=True, timeout=180)
    text = done.stdout + done.stderr
    section = text.split("Disabled extensions:", 1)[1] if "Disabled extensions:" in text else ""
    return set(re.findall(r"@[\w.-]+/[\w.-]+:[\w.-]+", section))


def disable_instructor_plugins(env: dict) -> None:
    """What `make setup` does (idempotent), when it is not done yet."""
    if set(INSTRUCTOR_PLUGINS) <= disabled_plugins(env):
        return
    subprocess.run([str(BIN / "jupyter"), "labextension", "disable", "--level=sys_prefix",
                    *INSTRUCTOR_PLUGINS], env=env, check=True, capture_output=True, timeout=180)
    left = set(INSTRUCTOR_PLUGINS) - disabled_plugins(env)
    assert not left, f"still enabled after `jupyter labextension disable`: {sorted(left)}"


class LabServer:
    """`jupyter lab` on ``course`` (its working directory too, as with `make lab`, so that
    nbgrader's Validate reads the course's nbgrader_config.py)."""

    def __init__(self, course: Path, env: dict, log: Path):
        self.course, self.env, self.log = course, env, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [str(BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                "--IdentityProvider.token=", "--ServerApp.password=",
                f"--ServerApp.root_dir={course}"]
        if os.geteuid() == 0:
            args.append("--allow-root")
        self._log = open(log, "w")
        self.process = subprocess.Popen(args, cwd=course, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 120) -> None:
        wait_for_http(f"{self.url}/api/status", self.process, "jupyter lab", self.log_tail, timeout)

    def log_tail(self, chars: int = 3000) -> str:
        self._log.flush()
        return self.log.read_text(errors="replace")[-chars:]

    def _kernel_pids(self) -> list[int]:
        """Kernels this server started: their command line names a connection file in its
        runtime folder."""
        runtime = self.env["JUPYTER_RUNTIME_DIR"]
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if runtime in cmdline and "kernel-" in cmdline:
                pids.append(int(entry.name))
        return pids

    def stop(self) -> None:
        """Stop the server's process group (it shuts its kernels down), then any kernel left."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        for pid in self._kernel_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._log.close()


# --- what a user does in JupyterLab --------------------------------------------------------------

def open_in_lab(page, server: LabServer, path: str) -> None:
    """Open ``path`` in a fresh JupyterLab workspace and wait until its notebook shows."""
    page.goto(f"{server.url}/lab/tree/{path}?reset")
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").first.wait_for(
        state="visible", timeout=120_000)


def current_notebook(page):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first


def wait_kernel_idle(page, timeout_ms: int = 120_000) -> None:
    """The status bar reads "<kernel> | Idle"."""
    page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(
        state="visible", timeout=timeout_ms)


def menu_labels(page, menu: str) -> list[str]:
    """Open a menu of the menu bar and return its item labels (then close it)."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{re.escape(menu)}$")).first.click()
    items = page.locator(".lm-Menu .lm-Menu-itemLabel")
    items.first.wait_for(state="visible", timeout=10_000)
    labels = [label.strip() for label in items.all_text_contents() if label.strip()]
    page.keyboard.press("Escape")
    page.locator(".lm-Menu").first.wait_for(state="detached", timeout=10_000)
    return labels


def click_menu_item(page, menu: str, command: str) -> None:
    """Click the item of ``menu`` that runs ``command`` (e.g. Run > runmenu:run-all)."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{re.escape(menu)}$")).first.click()
    page.locator(f'.lm-Menu .lm-Menu-item[data-command="{command}"]').first.click()


PALETTE_LABELS = ".lm-CommandPalette-item .lm-CommandPalette-itemLabel"
#: A student command that the palette always lists for SENTINEL_QUERY, and that none of the queries
#: of the negative checks matches: its disappearance proves that the list shows the new query.
SENTINEL, SENTINEL_QUERY = "Assignment List", "assignment list"


def palette_results(page, query: str) -> list[str]:
    """Search the command palette (Ctrl+Shift+C) and return the labels it lists for ``query``.

    No fixed wait: the palette first lists SENTINEL (proof that it searches), then, for a query
    that does not match SENTINEL, the labels are read only once SENTINEL is gone (proof that the
    list was redrawn for ``query``), so that an absent label means a command that is absent."""
    page.keyboard.press("Control+Shift+C")
    search = page.locator(".lm-CommandPalette-input").first
    search.wait_for(state="visible", timeout=10_000)
    sentinel = page.locator(PALETTE_LABELS, has_text=SENTINEL).first
    search.fill(SENTINEL_QUERY)
    sentinel.wait_for(state="visible", timeout=10_000)
    search.fill(query)
    if not all(word in SENTINEL.lower() for word in query.lower().split()):
        sentinel.wait_for(state="detached", timeout=10_000)
    labels = [t.strip() for t in page.locator(PALETTE_LABELS).all_text_contents()]
    page.keyboard.press("Escape")
    return labels
