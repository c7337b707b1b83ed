"""Plumbing of the website tests (tests/e2e/test_site.py): build the site once, serve it on
loopback, read its pages as text, and check a page in Chromium (console, formulas, figures,
links) while every request that leaves the machine is blocked and recorded.

Nothing here imports playwright or jupyter_book at import time.
"""
from __future__ import annotations

import html
import http.server
import importlib.util
import re
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.support.harness import ROOT

MATHJAX = ROOT / "build" / "node" / "node_modules" / "mathjax"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def missing_build_tools() -> list[str]:
    """What `make site` lacks on this machine (empty when the site can be built)."""
    missing = []
    if importlib.util.find_spec("jupyter_book") is None:
        missing.append('jupyter-book is not installed (pip install "jupyter-book>=1,<2")')
    if not (MATHJAX / "es5" / "tex-chtml-full.js").is_file() and not shutil.which("npm"):
        missing.append("npm, to install MathJax (apt-get install npm)")
    return missing


def build_site(out: Path) -> Path:
    """`make site`'s command, into ``out``."""
    done = subprocess.run([sys.executable, "tools/build_site.py", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"the site build failed:\n{done.stdout}\n{done.stderr}"
    return out


def pages(site: Path) -> list[Path]:
    """Every HTML page of the site (the theme's template fragments under _static/ left out)."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


# --- text of the pages, for the leak detector -----------------------------------------------------

def html_text(markup: str) -> str:
    """The text of an HTML page: scripts and styles dropped, tags removed (so that code split
    into highlighting spans reads as it was written), entities unescaped."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def write_texts(site: Path, dest: Path) -> Path:
    """dest/<page>.txt: the text of every HTML page of ``site``."""
    for page in site.rglob("*.html"):
        target = dest / page.relative_to(site).with_suffix(".txt")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html_text(page.read_text(encoding="utf-8", errors="replace")), encoding="utf-8")
    return dest


# --- serving and links -----------------------------------------------------------------------------

@contextmanager
def serve(folder: Path):
    """An HTTP server on loopback for ``folder``; yields its base URL."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


_IDS: dict[Path, set[str]] = {}


def _ids(page: Path) -> set[str]:
    if page not in _IDS:
        _IDS[page] = set(re.findall(r"""\bid=["']([^"']+)["']""", page.read_text(encoding="utf-8", errors="replace")))
    return _IDS[page]


def broken_link(site: Path, base: str, href: str) -> str | None:
    """Why the internal link ``href`` (absolute, under ``base``) does not resolve, or None."""
    parts = urlsplit(href)
    path = unquote(parts.path).lstrip("/")
    target = site / path
    if path == "" or path.endswith("/"):
        target = target / "index.html"
    if not target.is_file():
        return f"{href}: no file {target.relative_to(site)}"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in _ids(target):
        return f"{href}: no element with id {fragment!r} in {target.relative_to(site)}"
    return None


# --- one page in Chromium -------------------------------------------------------------------------

WAIT_FOR_MATHJAX = """async () => {
    if (!document.querySelector('.math')) return 'no math';
    for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
        await new Promise(resolve => setTimeout(resolve, 50));
    if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return 'MathJax did not load';
    await MathJax.startup.promise;
    return 'typeset';
}"""

INSPECT = """async () => {
    const images = [...document.images];
    images.forEach(img => { img.loading = 'eager'; });
    await Promise.all(images.map(img => img.complete ? null
        : new Promise(resolve => { img.onload = img.onerror = resolve; setTimeout(resolve, 15000); })));
    const prose = document.body.cloneNode(true);
    prose.querySelectorAll('pre, code, script, style, mjx-container, .highlight').forEach(n => n.remove());
    const math = [...document.querySelectorAll('.math')];
    return {
        math: math.length,
        typeset: document.querySelectorAll('mjx-container').length,
        untypeset: math.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80)),
        tex_errors: [...document.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 80)),
        raw_math: ['$$', '\\\\[', '\\\\(', '\\\\begin{'].filter(s => prose.textContent.includes(s)),
        images: images.length,
        broken_images: images.filter(img => !(img.naturalWidth > 0)).map(img => img.src),
        links: [...document.querySelectorAll('a[href]')].map(a => a.href),
        text: document.body.innerText,
    };
}"""


def block_the_internet(context) -> list[str]:
    """Abort every request of ``context`` to a host other than loopback; returns the list of
    URLs that were attempted (and blocked)."""
    attempted: list[str] = []

    def handle(route):
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname not in LOCAL_HOSTS:
            attempted.append(url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    context.route("**/*", handle)
    return attempted


def inspect(page, url: str) -> dict:
    """Open ``url`` and return what INSPECT finds, plus the console errors and uncaught page
    errors seen meanwhile, and the state of MathJax."""
    errors: list[str] = []
    on_console = lambda message: errors.append(message.text) if message.type == "error" else None
    on_error = lambda error: errors.append(f"uncaught: {error}")
    page.on("console", on_console)
    page.on("pageerror", on_error)
    try:
        page.goto(url, wait_until="load")
        mathjax = page.evaluate(WAIT_FOR_MATHJAX)
        found = page.evaluate(INSPECT)
        page.wait_for_timeout(100)  # late console messages of the page's own scripts
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_error)
    return {**found, "mathjax": mathjax, "console_errors": errors}


def redirect_target(page_file: Path) -> str | None:
    """Where a page that only redirects (Sphinx's index.html) sends the browser, else None."""
    match = re.search(r"""http-equiv=["']refresh["'][^>]*url=([^"'\s]+)""", page_file.read_text(encoding="utf-8"),
                      flags=re.I)
    return match.group(1) if match else None
