"""Figures of lecture 03 drawn from a layer table.

- :func:`draw_layer_costs`: bar charts of the table's shares of parameters, activations and
  multiply-adds.
- :func:`draw_plain_cnn`: the explorer's view of :func:`~.networks.plain_cnn`.
"""
from __future__ import annotations

from collections.abc import Iterable

from .layer_table import LayerTable, layer_table
from .networks import plain_cnn

__all__ = ["draw_layer_costs", "draw_plain_cnn"]


def draw_layer_costs(table: LayerTable, kinds: Iterable[str] | None = ("Conv2d", "Linear", "MaxPool2d"),
                     title: str | None = None, memory: str = "values"):
    """Three bar charts over the rows of ``kinds``: parameters, activations (``memory="values"``
    or ``"bytes"``) and multiply-adds, each as a share of its total (in %). Returns the figure."""
    import matplotlib.pyplot as plt

    if memory not in ("values", "bytes"):
        raise ValueError(f"memory must be 'values' or 'bytes', got {memory!r}")
    rows = table.select(kinds)
    if not rows:
        raise ValueError(f"the table has no rows of kinds {kinds!r}")
    names = [r.name for r in rows]
    columns = [("parameters", [r.params for r in rows], "tab:blue"),
               ("activations" if memory == "values" else "activation memory",
                [getattr(r, memory) for r in rows], "tab:orange"),
               ("multiply-adds", [r.macs for r in rows], "tab:green")]
    height = max(2.6, 0.2 * len(rows) + 1.2)
    fig, axes = plt.subplots(1, 3, figsize=(10, height), sharey=True)
    positions = list(range(len(rows)))
    for ax, (label, data, colour) in zip(axes, columns):
        total = sum(data)
        shares = [100.0 * d / total if total else 0.0 for d in data]
        ax.barh(positions, shares, color=colour)
        ax.set_xlabel(f"share of all {label} (%)")
        ax.set_title(f"{label}: {_count(total)} in all", fontsize=10)
        ax.set_xlim(0, max(shares) * 1.15 if max(shares) > 0 else 1)
    axes[0].set_yticks(positions, names, fontsize=8 if len(rows) > 12 else 9)
    axes[0].invert_yaxis()  # first layer at the top
    axes[0].set_ylabel("layer (input at the top)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _count(n: int) -> str:
    for unit, scale in (("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if n >= scale:
            return f"{n / scale:.1f}{unit}"
    return str(n)


def draw_plain_cnn(n_conv: int = 3, channels: int = 16, input_size: int = 32, f: int = 3,
                   double_after_pool: bool = True, fc_units: int = 64):
    """The explorer's view: print the layer table of :func:`plain_cnn` (1 input channel, 10
    classes) and return :func:`draw_layer_costs` of it; return a message string instead when the
    configuration does not fit."""
    try:
        model = plain_cnn(n_conv, channels, input_size, f, double_after_pool=double_after_pool,
                          fc_units=fc_units, device="meta")
    except ValueError as exc:
        return f"this configuration does not fit: {exc}"
    table = layer_table(model, (1, input_size, input_size))
    print(table.to_text(kinds=("Conv2d", "MaxPool2d", "Linear")))
    title = (f"{n_conv} conv blocks, {channels} filters first, {f}x{f} kernels, "
             f"{input_size}x{input_size} input: {table.params:,} parameters")
    return draw_layer_costs(table, title=title)
