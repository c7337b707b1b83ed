"""The course website (`make site`, tools/build_site.py), built once into a temporary folder.

- it holds a page for every lecture and every assignment, the home page and the instructor guide;
  each notebook page has launch buttons (Binder, an nbgitpuller link to JupyterHub, Colab on the
  site's copy, whose first code cell installs course_utils while lectures/ stays untouched);
- no solution body and no hidden-test text is anywhere in it (tests/support/leaks.py, over every
  file, the text of every page, and what Chromium shows);
- in Chromium, served on loopback with every other host blocked: no page logs an error, every
  formula is typeset by the site's own MathJax, every figure loads, every internal link resolves,
  and no page tries to fetch anything from the internet.

Needs jupyter-book 1 and npm (for MathJax) for the build, and /usr/bin/chromium with playwright
for the browser part: skipped without them, failed instead when COURSE_REQUIRE_BROWSER=1.
"""
from __future__ import annotations

import html
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest

from tests.support import browser as bs
from tests.support import site as ss
from tests.support.harness import ROOT
from tests.support.leaks import leaks, needles

LECTURES = sorted((ROOT / "lectures").glob("*.ipynb"))
ASSIGNMENTS = sorted((ROOT / "assignments").glob("*/*.ipynb"))
NOTEBOOK_PAGES = [p.relative_to(ROOT).with_suffix(".html").as_posix() for p in LECTURES + ASSIGNMENTS]
SCREENSHOT_PAGE = "lectures/02_pooling.html"


def _skip_or_fail(missing: list[str], what: str) -> None:
    if missing:
        reason = f"{what} need " + "; ".join(missing)
        if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (COURSE_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    _skip_or_fail(ss.missing_build_tools(), "the website tests")
    return ss.build_site(tmp_path_factory.mktemp("site") / "site")


@pytest.fixture(scope="module")
def secrets() -> dict[str, str]:
    return needles()


# --- the files -------------------------------------------------------------------------------------

def test_the_site_has_every_page(site):
    built = {p.relative_to(site).as_posix() for p in ss.pages(site)}
    assert {"index.html", "intro.html", "instructor.html", *NOTEBOOK_PAGES} <= built, sorted(built)
    home = ss.html_text((site / "intro.html").read_text(encoding="utf-8"))
    assert "How to start" in home and "make lab" in home
    for page in NOTEBOOK_PAGES:
        assert f'href="{page}"' in (site / "intro.html").read_text(encoding="utf-8"), f"home page lacks {page}"
    guide = ss.html_text((site / "instructor.html").read_text(encoding="utf-8"))
    assert "The grading workflow" in guide and "make autograde" in guide
    assert (site / "_static" / "mathjax" / "tex-chtml-full.js").is_file() and (site / ".nojekyll").is_file()


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_every_notebook_page_has_launch_buttons(site, page):
    markup = (site / page).read_text(encoding="utf-8")
    notebook = page.removesuffix(".html") + ".ipynb"
    links = _launch_links(markup)
    assert set(links) == {"Binder", "JupyterHub", "Colab"}, links
    assert links["Binder"].endswith(f"?urlpath=lab/tree/{notebook}")
    hub = urlsplit(links["JupyterHub"])
    query = parse_qs(hub.query)
    assert hub.path.endswith("/hub/user-redirect/git-pull"), links["JupyterHub"]
    assert query["urlpath"][0].endswith(f"/{notebook}") and query["repo"][0].startswith("https://")
    colab = links["Colab"]
    assert colab.startswith("https://colab.research.google.com/github/") and colab.endswith(f"/_sources/{notebook}")

    copy = nbformat.read(site / "_sources" / notebook, as_version=4)
    first_code = next(c for c in copy.cells if c.cell_type == "code")
    assert "find_spec(\"course_utils\") is None" in first_code.source and "pip" in first_code.source
    assert "remove-cell" in first_code.metadata.get("tags", [])
    original = nbformat.read(ROOT / notebook, as_version=4)
    assert not any("find_spec(\"course_utils\")" in c.source for c in original.cells), \
        f"{notebook} itself holds the install cell: it belongs to the site's copy only"
    assert len(copy.cells) >= len(original.cells) + 1


def _launch_links(markup: str) -> dict[str, str]:
    """{button text: URL} of the links in the header's launch menu."""
    menu = markup.split('aria-label="Run this notebook"', 1)[-1].split("</ul>", 1)[0]
    found = re.findall(r'<a href="([^"]+)"[^>]*>.*?<span class="btn__text-container">\s*([^<]+?)\s*</span>', menu,
                       flags=re.S)
    return {text: url.replace("&amp;", "&") for url, text in found}


@pytest.mark.parametrize("lecture", LECTURES, ids=lambda p: p.stem)
def test_an_explorer_shows_a_note_that_its_sliders_move_in_jupyterlab(site, lecture):
    views = sum("[static view at" in str(o.get("text", "")) for c in nbformat.read(lecture, as_version=4).cells
                for o in c.get("outputs", []))
    text = ss.html_text((site / "lectures" / f"{lecture.stem}.html").read_text(encoding="utf-8"))
    assert text.count("Its sliders move when the notebook runs in JupyterLab") == views


def test_no_solution_or_hidden_test_in_any_file_of_the_site(site, secrets, tmp_path):
    assert secrets, "no solution or hidden-test text was found in solutions/: the check would be empty"
    found = leaks(site, secrets) + leaks(ss.write_texts(site, tmp_path / "texts"), secrets)
    assert not found, "the site leaks:\n" + "\n".join(found[:20])


def test_the_page_text_reading_finds_a_planted_leak(secrets, tmp_path):
    """A solution line highlighted the way the site shows code (one span per token, HTML
    entities for quotes and brackets) is found."""
    needle = next(n for n in secrets if "\n" not in n)
    tokens = "".join(f'<span class="n">{html.escape(token)}</span>' for token in re.split(r"(\W)", needle) if token)
    page = tmp_path / "site" / "page.html"
    page.parent.mkdir()
    page.write_text(f'<html><body><div class="highlight"><pre>{tokens}</pre></div></body></html>')
    assert not leaks(page.parent, {needle: "planted"}), "the raw markup was expected to hide the needle"
    assert leaks(ss.write_texts(page.parent, tmp_path / "texts"), {needle: "planted"})


# --- in Chromium -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium(site):
    _skip_or_fail(bs.missing_requirements(), "the website's browser tests")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=profile, executable_path=str(bs.CHROMIUM), headless=True,
            args=bs.CHROMIUM_ARGS, viewport={"width": 1400, "height": 900})
        try:
            context.set_default_timeout(60_000)
            yield context, ss.block_the_internet(context)
        finally:
            context.close()


@pytest.fixture(scope="module")
def visited(site, chromium, tmp_path_factory):
    """Every page of the site opened in Chromium: {page: what ss.inspect found}, the internet
    requests attempted, and a screenshot of one lecture."""
    context, attempted = chromium
    shots = tmp_path_factory.mktemp("site-screenshots")
    results, redirects = {}, {}
    with ss.serve(site) as base:
        page = context.new_page()
        try:
            for path in ss.pages(site):
                name, target = path.relative_to(site).as_posix(), ss.redirect_target(path)
                if target:  # a page that only sends on: where does the browser land?
                    page.goto(f"{base}/{name}")
                    page.wait_for_url(f"{base}/{target}")
                    redirects[name] = page.url
                    continue
                results[name] = ss.inspect(page, f"{base}/{name}")
                if name == SCREENSHOT_PAGE:
                    page.screenshot(path=str(shots / "lecture-top.png"))
                    page.locator(".cell_output img").first.scroll_into_view_if_needed()
                    page.screenshot(path=str(shots / "lecture-figure.png"))
        finally:
            page.close()
    print(f"\nsite screenshots: {shots}")
    return base, results, attempted, shots, redirects


@pytest.mark.browser
def test_no_page_logs_an_error_or_reaches_the_internet(visited):
    _, results, attempted, _, _ = visited
    errors = {name: r["console_errors"] for name, r in results.items() if r["console_errors"]}
    assert not errors, f"console errors: {errors}"
    assert not attempted, f"pages tried to fetch from the internet (blocked): {sorted(set(attempted))[:20]}"


@pytest.mark.browser
def test_every_formula_is_typeset_by_the_sites_mathjax(visited):
    _, results, _, _, _ = visited
    assert sum(r["math"] for r in results.values()) > 20, "the lectures hold formulas: none was found"
    for name, r in results.items():
        assert r["mathjax"] in ("no math", "typeset"), f"{name}: {r['mathjax']}"
        assert not r["untypeset"], f"{name}: formulas not typeset: {r['untypeset'][:5]}"
        assert r["typeset"] >= r["math"], f"{name}: {r['math']} formulas, {r['typeset']} typeset"
        assert not r["tex_errors"], f"{name}: TeX errors: {r['tex_errors'][:5]}"
        assert not r["raw_math"], f"{name}: raw TeX delimiters left in the text: {r['raw_math']}"


@pytest.mark.browser
def test_every_figure_loads(visited):
    _, results, _, _, _ = visited
    for lecture in LECTURES:
        assert results[f"lectures/{lecture.stem}.html"]["images"] >= 1, f"{lecture.stem} shows no figure"
    broken = {name: r["broken_images"] for name, r in results.items() if r["broken_images"]}
    assert not broken, f"figures that do not load: {broken}"


@pytest.mark.browser
def test_every_internal_link_resolves(site, visited):
    base, results, _, _, _ = visited
    internal = {link for r in results.values() for link in r["links"] if link.startswith(base)}
    assert len(internal) > 50, f"too few internal links found: {len(internal)}"
    assert visited[4] == {"index.html": f"{base}/intro.html"}, f"index.html does not lead home: {visited[4]}"
    broken = sorted(filter(None, (ss.broken_link(site, base, link) for link in internal)))
    assert not broken, "links that do not resolve:\n" + "\n".join(broken[:20])


@pytest.mark.browser
def test_what_chromium_shows_leaks_no_solution(visited, secrets, tmp_path):
    _, results, _, _, _ = visited
    for name, r in results.items():
        target = tmp_path / f"{name}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(r["text"], encoding="utf-8")
    found = leaks(tmp_path, secrets)
    assert not found, "a page shows:\n" + "\n".join(found[:20])


@pytest.mark.browser
def test_a_lecture_page_looks_like_a_lecture(visited):
    _, results, _, shots, _ = visited
    shown = results[SCREENSHOT_PAGE]
    assert "Pooling" in shown["text"] and shown["images"] >= 3 and shown["typeset"] >= 5, shown["text"][:500]
    for shot in ("lecture-top.png", "lecture-figure.png"):
        assert (shots / shot).stat().st_size > 20_000, f"{shots / shot} looks empty"
        print(f"screenshot: {shots / shot}")
