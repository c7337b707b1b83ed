"""End to end in a real browser: JupyterLab as a student gets it from `make lab`, driven through
Debian's Chromium by Playwright, on a temporary copy of the course.

- the lecture runs from top to bottom (Run > Run All Cells) without an error, and its explorer is
  live: moving a slider with the keyboard redraws the view;
- nbgrader's Validate button fails the blank assignment and passes a solved one;
- students see Validate but none of the instructor's panels (Create Assignment, Formgrader).

Needs /usr/bin/chromium and the playwright package (never `playwright install`): the tests skip
without them, and fail instead when COURSE_REQUIRE_BROWSER=1. A screenshot of each test goes to
a temporary folder whose path is printed (pytest -s, or a failing test's report).
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import urllib.request
from pathlib import Path

import pytest

from tests.support import browser as bs

pytestmark = pytest.mark.browser

LECTURE = "lectures/01_conv_arithmetic.ipynb"
BLANK = f"assignments/{bs.ASSIGNMENT}/{bs.ASSIGNMENT}.ipynb"


@pytest.fixture(scope="module")
def requirements():
    missing = bs.missing_requirements()
    if missing:
        reason = "browser tests need " + "; ".join(missing)
        if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (COURSE_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-screenshots")
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def lab(requirements, tmp_path_factory):
    course = bs.copy_course(tmp_path_factory.mktemp("course"))
    bs.write_submission(course)
    state = tmp_path_factory.mktemp("jupyter")
    env = bs.lab_env(state)
    bs.disable_instructor_plugins(env)
    server = bs.LabServer(course, env, state / "server.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile, \
            sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=profile, executable_path=str(bs.CHROMIUM), headless=True,
            args=bs.CHROMIUM_ARGS, viewport={"width": 1400, "height": 900})
        try:
            context.set_default_timeout(60_000)
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser, screenshots, request):
    page = browser.new_page()
    try:
        yield page
    finally:
        shot = screenshots / f"{request.node.name}.png"
        try:
            page.screenshot(path=str(shot))
            print(f"screenshot: {shot}")
        finally:
            page.close()


def _code_prompts(page) -> list[str]:
    """The execution prompts ("[ ]:", "[*]:", "[12]:") of the open notebook's code cells."""
    return bs.current_notebook(page).locator(".jp-CodeCell .jp-InputArea-prompt").all_text_contents()


def test_lecture_runs_and_explorer_is_live(page, lab, screenshots):
    bs.open_in_lab(page, lab, LECTURE)
    bs.wait_kernel_idle(page)
    notebook = bs.current_notebook(page)

    # Start from a clean slate, so that every number seen afterwards comes from this run.
    bs.click_menu_item(page, "Edit", "editmenu:clear-all")
    prompts = _code_prompts(page)
    assert len(prompts) > 10, f"the lecture's code cells are not shown: {prompts}"
    assert all(p.strip() in ("[ ]:", "[]:") for p in prompts), f"outputs not cleared: {prompts}"

    bs.click_menu_item(page, "Run", "runmenu:run-all")
    page.wait_for_function(
        """() => {
            const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
            return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()));
        }""", timeout=180_000, polling=500)
    bs.wait_kernel_idle(page)
    counts = [int(re.sub(r"\D", "", p)) for p in _code_prompts(page)]
    assert counts == list(range(1, len(counts) + 1)), f"cells did not run once each, in order: {counts}"

    # No cell shows an error (JupyterLab renders tracebacks and stderr with this MIME type).
    errors = notebook.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, "a cell shows an error:\n" + "\n---\n".join(errors.all_text_contents())[:3000]
    outputs = "\n".join(notebook.locator(".jp-OutputArea-output").all_text_contents())
    assert "Traceback" not in outputs
    assert "[static view" not in outputs, "the explorer drew its static view in JupyterLab"

    # The explorer is live: a slider moved with the arrow keys redraws the view.
    sliders = notebook.locator(".widget-slider")
    assert sliders.count() >= 1, "no ipywidgets slider is rendered"
    slider = sliders.first
    explorer = notebook.locator(".jp-Cell", has=page.locator(".widget-slider")).first
    explorer.scroll_into_view_if_needed()
    view = explorer.locator(".widget-output img").first
    view.wait_for(state="visible", timeout=60_000)
    readout = slider.locator(".widget-readout")
    before_value, before_image = readout.text_content().strip(), view.get_attribute("src")
    page.screenshot(path=str(screenshots / "explorer-before.png"))

    slider.locator(".noUi-handle").first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([readout, before]) => { const t = readout.textContent.trim();"
        "                          return /^\\d+$/.test(t) && t !== before; }",
        arg=[readout.element_handle(), before_value], timeout=30_000)
    after_value = readout.text_content().strip()
    assert int(after_value) > int(before_value), (before_value, after_value)
    page.wait_for_function(
        """([cell, before]) => { const img = cell.querySelector('.widget-output img');
                                 return img && img.getAttribute('src') !== before; }""",
        arg=[explorer.element_handle(), before_image], timeout=60_000)
    bs.wait_kernel_idle(page)
    errors = explorer.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, "redrawing the explorer failed:\n" + "\n".join(errors.all_text_contents())


def _validate(page, lab, path: str, screenshot: Path) -> tuple[str, str]:
    """Open ``path``, click nbgrader's Validate and return the result dialog's class and text."""
    bs.open_in_lab(page, lab, path)
    button = bs.current_notebook(page).locator(".validate-button")
    button.wait_for(state="visible", timeout=60_000)
    button.click()
    dialog = page.locator(".jp-Dialog", has_text="Validation Results")
    dialog.wait_for(state="visible", timeout=180_000)
    message = dialog.locator("#validation-message")
    result = message.get_attribute("class") or "", message.inner_text()
    page.screenshot(path=str(screenshot))
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    dialog.wait_for(state="detached", timeout=10_000)
    return result


def test_validate_fails_blank_and_passes_solved_assignment(page, lab, screenshots):
    kind, text = _validate(page, lab, BLANK, screenshots / "validate-blank.png")
    assert "validation-failed" in kind, f"the blank assignment was not reported as failing: {text[:2000]}"
    assert "The following cell failed" in text and "NotImplementedError" in text, text[:2000]
    assert "Success" not in text

    kind, text = _validate(page, lab, bs.SUBMISSION, screenshots / "validate-solved.png")
    assert "validation-success" in kind, f"the solved assignment does not pass: {text[:3000]}"
    assert "Success! Your notebook passes all the tests." in text, text[:3000]


def test_students_get_no_jupyter_news_popup(page, lab):
    """The venv's overrides.json (written by `make setup`, tools/setup.mk) answers JupyterLab's
    news question for students: the server serves "Never" as the default, and no toast asks."""
    url = f"{lab.url}/lab/api/settings/@jupyterlab/apputils-extension:notification"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert json.load(response)["schema"]["properties"]["fetchNews"]["default"] == "false"
    bs.open_in_lab(page, lab, LECTURE)
    bs.wait_kernel_idle(page)
    page.wait_for_timeout(5_000)  # without the override, the question shows within a second or two
    asking = page.get_by_text(re.compile(r"official Jupyter news", re.I))
    assert asking.count() == 0, f"the news question is shown: {asking.all_text_contents()}"


def test_students_see_validate_but_no_instructor_panels(page, lab):
    bs.open_in_lab(page, lab, BLANK)
    validate = bs.current_notebook(page).locator(".validate-button")
    validate.wait_for(state="visible", timeout=60_000)
    assert "Validate" in validate.inner_text()

    right = page.locator(".jp-SideBar.jp-mod-right .lm-TabBar-tab")
    right.first.wait_for(state="visible", timeout=30_000)
    titles = [right.nth(i).get_attribute("title") or "" for i in range(right.count())]
    titles += right.all_text_contents()
    assert any("Property Inspector" in t for t in titles), f"right sidebar not found: {titles}"
    assert not any("create assignment" in t.lower() for t in titles), f"right sidebar: {titles}"

    view = bs.menu_labels(page, "View")
    assert "File Browser" in view, view
    assert not any("create assignment" in label.lower() for label in view), view

    nbgrader = bs.menu_labels(page, "Nbgrader")
    assert "Assignment List" in nbgrader, nbgrader
    for hidden in ("formgrader", "create assignment", "course list"):
        assert not any(hidden in label.lower() for label in nbgrader), f"Nbgrader menu: {nbgrader}"

    assert any("Assignment List" in r for r in bs.palette_results(page, "assignment")), \
        "the command palette search does not work"
    for query in ("create assignment", "formgrader", "course list"):
        found = bs.palette_results(page, query)
        assert not any(query in r.lower() for r in found), f"palette finds {query!r}: {found}"
