"""Sphinx extension of the course website: "launch" buttons on every notebook page, and no
Thebe scripts (the site never runs code; Jupyter Book adds Thebe's set-up twice, which is an
error in the console, and Thebe itself would come from a CDN).

``course_launch_links`` (set by tools/build_site.py from tools/site/launch.toml) maps a button's
name (Binder, JupyterHub, Colab) to a URL template whose only field left is ``{path}``, the
notebook's path in the students' repository (the site's sources mirror its layout, e.g.
``lectures/02_pooling.ipynb``). The buttons join the header's rocket menu of sphinx-book-theme.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

# sphinx-book-theme's own logos, shipped in its _static/images/ (nothing is fetched)
ICONS = {"binder": "_static/images/logo_binder.svg", "jupyterhub": "_static/images/logo_jupyterhub.svg",
         "colab": "_static/images/logo_colab.png"}


def launch_urls(templates: dict[str, str], path: str) -> dict[str, str]:
    """{name: url} for the notebook at ``path`` (relative to the repository's root)."""
    return {name: template.format(path=quote(path)) for name, template in templates.items()}


def add_buttons(app, pagename, templatename, context, doctree):
    templates = app.config.course_launch_links
    source = Path(app.env.doc2path(pagename)) if pagename in app.env.all_docs else None
    if not templates or source is None or source.suffix != ".ipynb" or "header_buttons" not in context:
        return
    buttons = [{"type": "link", "text": name, "tooltip": f"Open this notebook on {name}", "url": url,
                "icon": ICONS.get(name.lower(), "fas fa-rocket"), "label": f"launch-{name.lower()}"}
               for name, url in launch_urls(templates, f"{pagename}.ipynb").items()]
    context["header_buttons"].append({"type": "group", "tooltip": "Run this notebook", "icon": "fas fa-rocket",
                                      "buttons": buttons, "label": "launch-buttons"})


def drop_thebe(app, pagename, templatename, context, doctree):
    def is_thebe(script) -> bool:
        return "thebe" in (getattr(script, "filename", None) or "") or \
            "THEBE_JS_URL" in getattr(script, "attributes", {}).get("body", "")
    if "script_files" in context:
        context["script_files"] = [script for script in context["script_files"] if not is_thebe(script)]


def setup(app):
    app.add_config_value("course_launch_links", {}, "html")
    app.connect("html-page-context", add_buttons, priority=501)
    app.connect("html-page-context", drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
