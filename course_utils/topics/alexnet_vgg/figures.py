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
                     title: str | None = None, memory: str = "values", include_input: bool = True):
    """Three bar charts over the rows of ``kinds``: parameters, activations (``memory="values"``
    or ``"bytes"``) and multiply-adds, each as a share of its total (in %). Returns the figure.

    ``include_input`` (default) adds the input image as a first bar, with no parameters and no
    multiply-adds, so that the activation total in the title is
    ``table.activations(kinds, include_input=True)`` (in bytes: times the element size), the
    forward memory of the slides' tables; the title says whether the input is counted.
    """
    import matplotlib.pyplot as plt

    if memory not in ("values", "bytes"):
        raise ValueError(f"memory must be 'values' or 'bytes', got {memory!r}")
    if not isinstance(include_input, bool):
        raise ValueError(f"include_input must be True or False, got {include_input!r}")
    rows = table.select(kinds)
    if not rows:
        raise ValueError(f"the table has no rows of kinds {kinds!r}")
    names = [r.name for r in rows]
    params = [r.params for r in rows]
    acts = [getattr(r, memory) for r in rows]
    macs = [r.macs for r in rows]
    if include_input:
        names = ["input"] + names
        params, macs = [0] + params, [0] + macs
        acts = [table.input_values if memory == "values" else table.input_bytes] + acts
    label = "activations" if memory == "values" else "activation memory"
    columns = [("parameters", params, "tab:blue", ""),
               (label, acts, "tab:orange", ", input included" if include_input else ", input not counted"),
               ("multiply-adds", macs, "tab:green", "")]
    height = max(2.6, 0.2 * len(names) + 1.2)
    fig, axes = plt.subplots(1, 3, figsize=(10, height), sharey=True)
    positions = list(range(len(names)))
    for ax, (name, data, colour, note) in zip(axes, columns):
        total = sum(data)
        shares = [100.0 * d / total if total else 0.0 for d in data]
        ax.barh(positions, shares, color=colour)
        ax.set_xlabel(f"share of all {name} (%)")
        unit = "B" if name == "activation memory" else ""
        ax.set_title(f"{name}: {_count(total)}{unit} in all{note}", fontsize=9)
        ax.set_xlim(0, max(shares) * 1.15 if max(shares) > 0 else 1)
    axes[0].set_yticks(positions, names, fontsize=8 if len(names) > 12 else 9)
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
