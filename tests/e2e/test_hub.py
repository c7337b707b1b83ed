"""A semester on the demo JupyterHub (`make hub`, tools/hub/), driven in Chromium by Playwright.

1. The instructor releases an assignment: ``nbgrader generate_assignment`` and
   ``release_assignment`` run as the instructor's OS user in the hub's mount namespace
   (``tools/hub/hub.py as``, what the instructor types in a terminal of their JupyterLab).
2. Student ada logs in in the browser, fetches the assignment from the Assignment List, types the
   answers into the answer cells, saves, clicks Validate (success) and Submit.
3. Student bob logs in, fetches and submits the blank version, in the browser.
4. The instructor collects, grades with the course's command
   (``python -m course_utils.grading.autograde``: every kernel in the sandbox) and releases the
   feedback (nbgrader commands as the instructor, as in 1).
5. In the browser, each student fetches the feedback, opens it and reads the score: full marks
   for ada (the points of the source notebook's graded cells), zero for bob.

Then the walls: bob's browser session cannot open ada's server; as bob's OS user (what bob's
kernel or terminal could run) ada's home, the instructor's course, the exchange's inbound folder
and the repository's solutions/ cannot be read.

The hub runs on free ports with its state in a temporary folder and OS users prefixed ``dl1-t-``,
removed at the end. Needs root, Chromium, Playwright, npm (or the proxy in build/node/proxy/) and
the grading sandbox; skips without them (fails with COURSE_REQUIRE_BROWSER=1).
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from tests.support import browser as bs
from tests.support.grading import fill, require_sandbox
from tests.support.ports import free_port, wait_for_http

pytestmark = pytest.mark.browser

HUB = bs.ROOT / "tools" / "hub" / "hub.py"
PREFIX = "dl1-t-"
INSTRUCTOR, ADA, BOB = f"{PREFIX}instructor", f"{PREFIX}ada", f"{PREFIX}bob"
PASSWORD = "semester-password"
NAME = bs.ASSIGNMENT
TIMEOUT = 180_000


class Hub:
    def __init__(self, state: Path):
        self.state, self.port = state, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, COURSE_HUB_PASSWORD=PASSWORD, COURSE_HUB_API_PORT=str(free_port()),
                   COURSE_HUB_PROXY_API_PORT=str(free_port()))
        self.log = state.parent / "hub.log"
        self._log = open(self.log, "w")
        self.process = subprocess.Popen(self._hub("--port", str(self.port), "start"), env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def _hub(self, *args: str) -> list[str]:
        return [sys.executable, str(HUB), "--state", str(self.state), "--prefix", PREFIX, *args]

    def wait_ready(self, timeout: float = 180) -> None:
        wait_for_http(f"{self.url}/hub/api/", self.process, "the hub", self.tail, timeout)

    def tail(self, chars: int = 4000) -> str:
        self._log.flush()
        return self.log.read_text(errors="replace")[-chars:]

    def run_as(self, user: str, shell: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(self._hub("as", user, "--", "bash", "-c", shell), capture_output=True,
                              text=True, timeout=900)
        if check:
            assert done.returncode == 0, f"{shell}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        return done

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        import pwd
        uids = set()
        for name in (INSTRUCTOR, ADA, BOB, f"{PREFIX}cy"):
            try:
                uids.add(pwd.getpwnam(name).pw_uid)
            except KeyError:
                pass
        for entry in Path("/proc").iterdir():  # what the demo users still run (kernels, servers)
            try:
                if entry.name.isdigit() and entry.stat().st_uid in uids:
                    os.kill(int(entry.name), signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass
        self._log.close()
        subprocess.run(self._hub("clean"), capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def hub():
    missing = bs.missing_requirements()
    if os.geteuid() != 0:
        missing.append("root (the hub makes OS users)")
    missing += [f"{tool} (util-linux/passwd)" for tool in ("useradd", "unshare", "nsenter", "setpriv")
                if shutil.which(tool) is None]
    if shutil.which("npm") is None and not (bs.ROOT / "build/node/proxy/node_modules/.bin").exists():
        missing.append("npm (for configurable-http-proxy)")
    if not (bs.BIN / "jupyterhub").exists():
        missing.append("jupyterhub (pip install jupyterhub)")
    if missing:
        reason = "the hub test needs " + "; ".join(missing)
        if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (COURSE_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(reason)
    require_sandbox()
    state = Path(tempfile.mkdtemp(prefix="course-hub-"))
    state.chmod(0o755)
    server = Hub(state / "hub")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="module")
def chromium(hub):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(bs.CHROMIUM), headless=True,
                                             args=bs.CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def log_in(chromium, hub: Hub, user: str):
    """A fresh browser session (its own cookies) logged in as ``user``, on their JupyterLab."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{re.escape(user)}/lab"), timeout=TIMEOUT)
    page.locator(".jp-LabShell").wait_for(state="visible", timeout=TIMEOUT)
    return page


def open_assignment_list(page) -> None:
    """Nbgrader > Assignment List."""
    bs.click_menu_item(page, "Nbgrader", "nbgrader:open-assignment-list")
    page.locator("#released_assignments_list").wait_for(state="visible", timeout=TIMEOUT)


def click_in_list(page, list_id: str, button: str) -> None:
    """Click ``button`` (Fetch, Submit, Fetch Feedback) on the assignment's row of ``list_id``."""
    row = page.locator(f"#{list_id} .list_item", has_text=NAME).first
    row.wait_for(state="visible", timeout=TIMEOUT)
    row.get_by_role("button", name=button, exact=True).click()


def answer_cells(course: Path) -> dict[int, str]:
    """Index of each answer cell in the released notebook -> the solution's code for it."""
    release = nbformat.read(course / "assignments" / NAME / f"{NAME}.ipynb", as_version=4)
    source = nbformat.read(course / "solutions" / NAME / f"{NAME}.ipynb", as_version=4)
    filled = fill(release, source, strip_markers=True)
    return {i: cell.source for i, cell in enumerate(filled.cells)
            if cell.metadata.get("nbgrader", {}).get("solution")}


def max_points(course: Path) -> float:
    source = nbformat.read(course / "solutions" / NAME / f"{NAME}.ipynb", as_version=4)
    return sum(float(c.metadata["nbgrader"].get("points", 0)) for c in source.cells
               if c.metadata.get("nbgrader", {}).get("grade"))


def type_answers(page, hub: Hub, user: str, answers: dict[int, str]) -> None:
    page.goto(f"{hub.url}/user/{user}/lab/tree/{NAME}/{NAME}.ipynb")
    notebook = bs.current_notebook(page)
    notebook.locator(".jp-Cell").first.wait_for(state="visible", timeout=TIMEOUT)
    for index, code in answers.items():
        cell = notebook.locator(".jp-Notebook .jp-Cell").nth(index)
        cell.scroll_into_view_if_needed()
        editor = cell.locator(".cm-content")
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(code)
        assert "raise NotImplementedError" not in editor.inner_text()
    page.keyboard.press("Control+S")
    page.get_by_text(re.compile("Saving completed|Saved")).first.wait_for(timeout=60_000)


def validate(page) -> str:
    button = bs.current_notebook(page).locator(".validate-button")
    button.click()
    dialog = page.locator(".jp-Dialog", has_text="Validation Results")
    dialog.wait_for(state="visible", timeout=TIMEOUT)
    text = dialog.locator("#validation-message").inner_text()
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    return text


def read_feedback(page, hub: Hub, user: str) -> str:
    """Fetch Feedback in the Assignment List, follow "(view feedback)", open the HTML file."""
    page.goto(f"{hub.url}/user/{user}/lab?reset")
    page.locator(".jp-LabShell").wait_for(state="visible", timeout=TIMEOUT)
    open_assignment_list(page)
    click_in_list(page, "submitted_assignments_list", "Fetch Feedback")
    link = page.locator("#submitted_assignments_list a", has_text="view feedback").first
    link.wait_for(state="visible", timeout=TIMEOUT)
    link.click()
    entry = page.locator(".jp-DirListing-item", has_text=f"{NAME}.html").first
    entry.wait_for(state="visible", timeout=60_000)
    entry.dblclick()
    frame = page.frame_locator("iframe").last
    header = frame.get_by_text(re.compile(r"Score:"))
    header.first.wait_for(timeout=60_000)
    return frame.locator("body").inner_text()


def score_in(text: str) -> tuple[float, float]:
    match = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", text)
    assert match, text[:2000]
    return float(match.group(1)), float(match.group(2))


def test_a_semester_in_the_browser(hub, chromium, tmp_path):
    course = hub.state / "home" / INSTRUCTOR / "course"
    hub.run_as(INSTRUCTOR, f"cd course && nbgrader generate_assignment {NAME} --force "
                           f"&& nbgrader release_assignment {NAME}")
    answers = answer_cells(course)
    assert len(answers) >= 3

    pages = {}
    try:
        ada = pages[ADA] = log_in(chromium, hub, ADA)
        open_assignment_list(ada)
        click_in_list(ada, "released_assignments_list", "Fetch")
        ada.locator("#fetched_assignments_list .list_item", has_text=NAME).first.wait_for(timeout=TIMEOUT)
        type_answers(ada, hub, ADA, answers)
        message = validate(ada)
        assert "Success! Your notebook passes all the tests." in message, message[:3000]
        ada.goto(f"{hub.url}/user/{ADA}/lab?reset")
        open_assignment_list(ada)
        click_in_list(ada, "fetched_assignments_list", "Submit")
        ada.locator("#submitted_assignments_list .list_item", has_text=NAME).first.wait_for(timeout=TIMEOUT)

        bob = pages[BOB] = log_in(chromium, hub, BOB)
        open_assignment_list(bob)
        click_in_list(bob, "released_assignments_list", "Fetch")
        click_in_list(bob, "fetched_assignments_list", "Submit")
        bob.locator("#submitted_assignments_list .list_item", has_text=NAME).first.wait_for(timeout=TIMEOUT)

        graded = hub.run_as(INSTRUCTOR, f"cd course && nbgrader collect {NAME} "
                                        f"&& python -m course_utils.grading.autograde --workers 2 {NAME} "
                                        f"&& nbgrader release_feedback {NAME}")
        assert "graded" in graded.stdout.lower(), graded.stdout[-3000:]
        total = max_points(course)
        assert total > 0
        assert score_in(read_feedback(ada, hub, ADA)) == (total, total)
        assert score_in(read_feedback(bob, hub, BOB)) == (0, total)

        # bob's session is refused on ada's server, in the browser and through its API
        response = bob.goto(f"{hub.url}/user/{ADA}/api/contents/{NAME}")
        assert response.status == 403, (response.status, bob.url, bob.content()[:500])
    finally:
        for user, page in pages.items():
            page.screenshot(path=str(tmp_path / f"{user}.png"))
            page.context.close()
        print(f"screenshots: {tmp_path}")

    attempts = {
        "ada's notebook": hub.state / "home" / ADA / NAME / f"{NAME}.ipynb",
        "the instructor's course": course / "nbgrader_config.py",
        "the gradebook": course / "gradebook.db",
        "the exchange's inbound": hub.state / "exchange" / "deep-learning-1" / "inbound",
        "the repository's solutions": bs.ROOT / "solutions" / NAME / f"{NAME}.ipynb",
    }
    for what, path in attempts.items():
        assert path.exists(), path  # it is there, for root
        done = hub.run_as(BOB, f'if [ -d "{path}" ]; then ls "{path}"; else head -c 100 "{path}"; fi', check=False)
        assert done.returncode != 0 and not done.stdout, f"bob could read {what}: {done.stdout[:300]}"
