"""The slides' diagram of one LSTM step (private; exported by :mod:`course_utils.topics.lstm_gates`).

A drawing only: it computes nothing about an LSTM.
"""
from __future__ import annotations

__all__ = ["draw_lstm_cell"]

_PATHS = {  # what each highlight colours: the gate boxes and the nodes of its path
    "forget": {"f", "times_f"}, "input": {"i", "g", "times_i"},
    "output": {"o", "tanh_c", "times_o"}, "cell": {"cell"},
}
_HIGHLIGHT, _INK = "tab:red", "0.2"


def _node(ax, xy, text, colour, r=0.24):
    from matplotlib.patches import Circle

    ax.add_patch(Circle(xy, r, facecolor="white", edgecolor=colour, linewidth=1.6, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=12, color=colour, zorder=4)


def _layer(ax, x, y, text, name, colour, w=1.1, h=0.8):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.03",
                                facecolor="#fff2cc", edgecolor=colour, linewidth=1.6, zorder=3))
    ax.text(x, y + 0.14, text, ha="center", va="center", fontsize=11, color=colour, zorder=4)
    ax.text(x, y - 0.2, name, ha="center", va="center", fontsize=7.5, color=colour, zorder=4)


def _path(ax, points, colour, head=True, label=None, where=(0.12, 0.0)):
    """A polyline through ``points`` (x, y), with an arrowhead at the last point when ``head``."""
    xs, ys = zip(*points)
    ax.plot(xs[:-1] if head else xs, ys[:-1] if head else ys, color=colour, linewidth=1.6,
            solid_capstyle="butt", zorder=2)
    if head:
        ax.annotate("", xy=points[-1], xytext=points[-2], zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color=colour, linewidth=1.6, shrinkA=0, shrinkB=0,
                                    mutation_scale=14))
    if label:
        (x0, y0), (x1, y1) = points[-2], points[-1]
        ax.text((x0 + x1) / 2 + where[0], (y0 + y1) / 2 + where[1], label, fontsize=10, color=colour,
                ha="left", va="center", zorder=4)


def draw_lstm_cell(highlight: str | None = None, title: str | None = None):
    """The slides' picture of one LSTM step: gates, cell state and the two states in and out.

    Along the top runs the cell state: ``C_{t-1}`` enters on the left, is multiplied by the forget
    gate (x), receives ``i_t * g_t`` (+) and leaves as ``C_t``. Below, ``h_{t-1}`` and ``x_t``
    enter and feed four layers: three sigmoid gates (forget ``f_t``, input ``i_t``, output ``o_t``)
    and the tanh candidate ``g_t`` (the slides' C~_t). On the right, ``h_t = o_t * tanh(C_t)``
    leaves. Circles are elementwise operations, boxes are layers with their own weights acting
    on ``[h_{t-1}, x_t]``.

    Args:
        highlight: ``None``, or one of ``"forget"``, ``"input"``, ``"output"`` (that gate's layers
            and operations in red) or ``"cell"`` (the cell-state path in red: the path along which
            ``dC_t/dC_{t-1} = diag(f_t)``).
        title: the figure's title (a default names the highlighted part).
    Returns:
        the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    if highlight is not None and highlight not in _PATHS:
        raise ValueError(f"highlight must be None or one of {tuple(_PATHS)}, got {highlight!r}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__}")
    red = _PATHS.get(highlight, set())
    ink = {part: (_HIGHLIGHT if part in red else _INK) for part in
           ("f", "i", "g", "o", "times_f", "times_i", "times_o", "tanh_c", "cell")}
    fig, ax = plt.subplots(figsize=(9.2, 5.4))
    top, bottom, r, box_h = 5.2, 1.1, 0.24, 0.8        # cell-state line, input line, node radius, box height
    xf, xi, xg, xo, xc = 3.0, 4.6, 6.1, 7.7, 9.3       # columns: gates, and tanh(C_t) with the output
    gate_y, mix_y, out_y, tanh_y = 2.5, 3.7, 3.45, 4.3
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((1.4, 0.45), 9.2, 5.35, boxstyle="round,pad=0.05", facecolor="#f3f6fa",
                                edgecolor="0.6", linewidth=1, zorder=0))
    # the cell state along the top
    cell = ink["cell"]
    _path(ax, [(0.55, top), (xf - r, top)], cell)
    _path(ax, [(xf + r, top), (xg - r, top)], cell)
    _path(ax, [(xg + r, top), (11.45, top)], cell)
    ax.text(0.45, top, "$C_{t-1}$", ha="right", va="center", fontsize=12, color=cell)
    ax.text(11.55, top, "$C_t$", ha="left", va="center", fontsize=12, color=cell)
    ax.text(7.7, top + 0.3, "cell state: $C_t = f_t * C_{t-1} + i_t * g_t$", ha="center", va="bottom",
            fontsize=9, color=cell)
    _node(ax, (xf, top), "×", ink["times_f"] if highlight != "cell" else cell)
    _node(ax, (xg, top), "+", cell)
    # inputs: h_{t-1} from the left, x_t from below, joined into [h_{t-1}, x_t]
    _path(ax, [(0.55, bottom), (xo, bottom)], _INK, head=False)
    _path(ax, [(2.0, -0.05), (2.0, bottom)], _INK, head=False)
    ax.plot([2.0], [bottom], "o", color=_INK, markersize=5, zorder=3)
    ax.text(0.45, bottom, "$h_{t-1}$", ha="right", va="center", fontsize=12, color=_INK)
    ax.text(2.0, -0.15, "$x_t$", ha="center", va="top", fontsize=12, color=_INK)
    ax.text(2.1, bottom - 0.2, "$[h_{t-1}, x_t]$", ha="left", va="top", fontsize=9, color=_INK)
    # the four layers, each fed by [h_{t-1}, x_t]
    for x, key, text, name in [(xf, "f", "σ", "forget gate"), (xi, "i", "σ", "input gate"),
                               (xg, "g", "tanh", "candidate"), (xo, "o", "σ", "output gate")]:
        _path(ax, [(x, bottom), (x, gate_y - box_h / 2 - 0.03)], _INK)
        _layer(ax, x, gate_y, text, name, ink[key])
    # forget: f_t up to the x on the cell line
    _path(ax, [(xf, gate_y + box_h / 2 + 0.03), (xf, top - r)], ink["f"], label="$f_t$")
    # input: i_t and g_t meet in a x, whose product goes up to the +
    _path(ax, [(xi, gate_y + box_h / 2 + 0.03), (xi, mix_y), (xg - r, mix_y)], ink["i"])
    ax.text(xi + 0.12, (gate_y + box_h / 2 + mix_y) / 2, "$i_t$", fontsize=10, color=ink["i"], va="center")
    _path(ax, [(xg, gate_y + box_h / 2 + 0.03), (xg, mix_y - r)], ink["g"], label="$g_t$")
    _node(ax, (xg, mix_y), "×", ink["times_i"])
    _path(ax, [(xg, mix_y + r), (xg, top - r)], ink["times_i"], label="$i_t * g_t$")
    # output: tanh(C_t) from the cell line, times o_t, gives h_t
    _path(ax, [(xc, top), (xc, tanh_y + 0.3)], ink["tanh_c"])
    from matplotlib.patches import Ellipse

    ax.add_patch(Ellipse((xc, tanh_y), 0.95, 0.6, facecolor="#fff2cc", edgecolor=ink["tanh_c"],
                         linewidth=1.6, zorder=3))
    ax.text(xc, tanh_y, "tanh", ha="center", va="center", fontsize=10, color=ink["tanh_c"], zorder=4)
    _path(ax, [(xc, tanh_y - 0.3), (xc, out_y + r)], ink["tanh_c"])
    _path(ax, [(xo, gate_y + box_h / 2 + 0.03), (xo, out_y), (xc - r, out_y)], ink["o"])
    ax.text(xo + 0.12, (gate_y + box_h / 2 + out_y) / 2, "$o_t$", fontsize=10, color=ink["o"], va="center")
    _node(ax, (xc, out_y), "×", ink["times_o"])
    _path(ax, [(xc, out_y - r), (xc, bottom), (11.45, bottom)], ink["times_o"])
    ax.text(11.55, bottom, "$h_t$", ha="left", va="center", fontsize=12, color=ink["times_o"])
    ax.text(xc + 0.12, (out_y + bottom) / 2 - 0.2, "$h_t = o_t * \\tanh(C_t)$", fontsize=9,
            color=ink["times_o"], ha="left", va="center")
    ax.text(6.0, -0.75, "boxes: layers with their own weights on $[h_{t-1}, x_t]$ (σ: sigmoid, values in "
            "(0, 1));   circles: elementwise × and +", ha="center", va="center", fontsize=8.5, color="0.3")
    ax.set_xlim(-0.3, 12.3)
    ax.set_ylim(-1.0, 6.1)
    ax.set_aspect("equal")
    ax.axis("off")
    named = {"forget": "the forget gate", "input": "the input gate and the candidate",
             "output": "the output gate", "cell": "the cell-state path"}
    default = "One step of an LSTM cell" + (f", {named[highlight]} in red" if highlight else "")
    ax.set_title(title or default, fontsize=11)
    fig.tight_layout()
    return fig
