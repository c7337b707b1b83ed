"""The widget convention: an explorer is a thin ipywidgets layer over a pure function.

``render(**values)`` draws one view (a matplotlib figure, or text) and is unit-tested on its own.
:func:`explorer` wires controls to it:

- live (in JupyterLab or Notebook): the controls and a view that redraws on every change;
- static (executed headless, e.g. by nbval or ``nbconvert``): the view at the controls' initial
  values, drawn once, so the stored notebook shows something meaningful.

The mode is chosen from ``$COURSE_WIDGETS`` (``live``, ``static`` or ``auto``, the default): auto
means live when a Jupyter server started the kernel (it sets ``JPY_SESSION_NAME``).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["widget_mode", "explorer"]

MODE_ENV = "COURSE_WIDGETS"


def widget_mode() -> str:
    """``"live"`` or ``"static"``, from ``$COURSE_WIDGETS`` and the kernel's environment."""
    mode = os.environ.get(MODE_ENV, "auto").strip().lower() or "auto"
    if mode not in {"auto", "live", "static"}:
        raise ValueError(f"{MODE_ENV}={mode!r}: use live, static or auto")
    if mode == "auto":
        return "live" if os.environ.get("JPY_SESSION_NAME") else "static"
    return mode


def _show(result: Any) -> None:
    import matplotlib.pyplot as plt
    from IPython.display import display

    if result is None:
        return
    if hasattr(result, "savefig"):
        display(result)
        plt.close(result)
    else:
        print(result)


def explorer(render: Callable[..., Any], controls: Mapping[str, Any], title: str | None = None,
             mode: str | None = None):
    """Show an explorer: ``controls`` maps each keyword of ``render`` to an ipywidgets control.

    Returns the container widget in live mode and ``None`` in static mode.
    """
    import ipywidgets as widgets
    from IPython.display import display

    mode = mode or widget_mode()
    unknown = [name for name, control in controls.items() if not hasattr(control, "value")]
    if unknown:
        raise TypeError(f"controls {unknown} are not ipywidgets controls (they have no .value)")
    if mode == "static":
        if title:
            print(title)
        values = ", ".join(f"{k}={c.value!r}" for k, c in controls.items())
        print(f"[static view at {values}; open the notebook in JupyterLab to move the controls]")
        _show(render(**{name: control.value for name, control in controls.items()}))
        return None
    def redraw(**values):
        _show(render(**values))

    view = widgets.interactive_output(redraw, dict(controls))
    children = ([widgets.HTML(f"<b>{title}</b>")] if title else []) + [
        widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap")), view]
    box = widgets.VBox(children)
    display(box)
    return box
