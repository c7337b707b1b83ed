"""The explorer's figures: one position of the filter (:func:`draw_conv_window`) or a few side by side.

Drawn after Dumoulin & Visin's *A guide to convolution arithmetic for deep learning*: the padded
input with the window on exactly the cells it covers, beside the output with the cell it
produces. The cells' colours come from :func:`~.window.input_cells` and
:func:`~.window.output_cells`; each grid is one image, so that drawing stays fast.
"""
from __future__ import annotations

from .positions import SlidingPositions, sliding_positions
from .window import (
    CURRENT,
    DONE,
    INPUT,
    NEVER,
    PADDING,
    WINDOW,
    ConvWindow,
    _inside,
    conv_window,
    input_cells,
    output_cells,
)

__all__ = ["draw_conv_window", "draw_sliding_positions"]


def _grid_axes(ax, size: int, label: str, ticks: bool = True) -> None:
    ax.set_xlim(0, size)
    ax.set_ylim(size, 0)                      # row 0 at the top, as in an image
    ax.set_aspect("equal")
    ax.grid(False)
    step = 1 if size <= 16 else 2
    shown = range(0, size, step) if ticks else []
    ax.set_xticks([i + 0.5 for i in shown], [str(i) for i in shown])
    ax.set_yticks([i + 0.5 for i in shown], [str(i) for i in shown])
    ax.tick_params(length=0, labelsize=7)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    if ticks:
        ax.set_xlabel(f"column ({label})", fontsize=8)
        ax.set_ylabel(f"row ({label})", fontsize=8)
    for spine in ax.spines.values():
        spine.set_visible(False)


def _grid_lines(ax, size: int) -> None:
    ax.hlines(range(size + 1), 0, size, colors="0.4", linewidth=0.6, clip_on=False)
    ax.vlines(range(size + 1), 0, size, colors="0.4", linewidth=0.6, clip_on=False)


def _draw_input(ax, w: ConvWindow, ticks: bool = True, zeros: bool = True) -> None:
    from matplotlib.patches import Rectangle

    axis = w.axis
    size, f = axis.padded, axis.f
    ax.imshow(input_cells(w), extent=(0, size, size, 0), interpolation="nearest", gid="input")
    _grid_lines(ax, size)
    padding = [(r, c) for r in range(size) for c in range(size) if not _inside(axis, r, c)]
    for r, c in padding if zeros and size <= 14 else []:   # padding holds zeros: write them in
        ax.text(c + 0.5, r + 0.55, "0", ha="center", va="center", color="0.45",
                fontsize=min(8.0, 70.0 / size))
    ax.add_patch(Rectangle((w.left, w.top), f, f, fill=False, edgecolor="black", linewidth=2))
    starts = [(r, c) for r in axis.positions for c in axis.positions]
    ax.plot([c + 0.2 for _, c in starts], [r + 0.2 for r, _ in starts], "o", color="0.1",
            markersize=2.5)                       # in the top-left corner of each start cell
    _grid_axes(ax, size, "padded input", ticks)


def _draw_output(ax, w: ConvWindow, ticks: bool = True) -> None:
    o = w.axis.output_size
    ax.imshow(output_cells(w), extent=(0, o, o, 0), interpolation="nearest", gid="output")
    _grid_lines(ax, o)
    _grid_axes(ax, o, "output", ticks)


def _legend(fig, w: ConvWindow) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=INPUT, edgecolor="0.4", label="input")]
    if w.axis.padding:
        handles.append(Patch(facecolor=PADDING, edgecolor="0.4", label="zero padding (0)"))
    handles += [Patch(facecolor=WINDOW, edgecolor="black", label="window (F x F)"),
                Line2D([], [], marker="o", color="0.15", linestyle="", markersize=3,
                       label="window starts (every S cells)"),
                Patch(facecolor=CURRENT, label="output cell it produces"),
                Patch(facecolor=DONE, edgecolor="0.35", label="computed before")]
    if w.axis.leftover:
        handles.append(Patch(facecolor=NEVER, edgecolor="0.4", label="never read"))
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=7, frameon=False)


def _suptitle(fig, axis: SlidingPositions) -> None:
    o = axis.output_size
    text = f"N={axis.n}, F={axis.f}, S={axis.stride}, P={axis.padding}: output {o}x{o}"
    if axis.leftover:
        lines = ("row and column" if axis.leftover == 1 else
                 f"{axis.leftover} rows and columns")
        text += f"\nstride {axis.stride} does not fit: torch silently drops the last {lines}"
    fig.suptitle(text, fontsize=10, color="tab:red" if axis.leftover else "black")


def _window_title(w: ConvWindow) -> str:
    f = w.axis.f
    return (f"position {w.position} of 0..{w.count - 1}: rows {w.top}..{w.top + f - 1}, "
            f"cols {w.left}..{w.left + f - 1}")


def draw_conv_window(n: int, f: int, stride: int = 1, padding: int = 0, position: int = 0):
    """Draw one position: the padded input with its window, and the output cell it produces.

    Returns a matplotlib Figure with two axes: the padded input grid, shape (N + 2P, N + 2P), in
    padded coordinates (an image with ``gid="input"``, coloured by :func:`input_cells`), and the
    (O, O) output grid (``gid="output"``, coloured by :func:`output_cells`).
    Arguments as in :func:`conv_window`.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import ConnectionPatch

    w = conv_window(n, f, stride, padding, position)
    size, o = w.axis.padded, w.axis.output_size
    cell = min(0.36, 4.2 / size)              # inches per cell, the same in both panels
    fig, (ax_in, ax_out) = plt.subplots(
        1, 2, figsize=(cell * (size + o) + 1.8, cell * size + 1.6),
        gridspec_kw={"width_ratios": [size, o], "wspace": 0.35})
    _draw_input(ax_in, w)
    _draw_output(ax_out, w)
    ax_in.set_title(_window_title(w), fontsize=8)
    ax_out.set_title(f"output cell ({w.out_row}, {w.out_col})", fontsize=8)
    fig.add_artist(ConnectionPatch(
        xyA=(w.left + f, w.top + f / 2), coordsA=ax_in.transData,
        xyB=(w.out_col, w.out_row + 0.5), coordsB=ax_out.transData,
        arrowstyle="-|>", color=CURRENT, linewidth=1.5, alpha=0.8))
    _suptitle(fig, w.axis)
    _legend(fig, w)
    fig.subplots_adjust(left=0.08, right=0.97, top=0.8 if w.axis.leftover else 0.84, bottom=0.15)
    return fig


def _default_positions(o: int) -> list[int]:
    """First, second, first of the second row, last: the stride along both axes, then the end."""
    return sorted({0, min(1, o * o - 1), min(o, o * o - 1), o * o - 1})


def draw_sliding_positions(n: int, f: int, stride: int = 1, padding: int = 0,
                           positions=None):
    """Draw a few positions side by side; returns a matplotlib Figure.

    Column j shows position ``positions[j]``: on top the padded input (N + 2P, N + 2P) with its
    window, below the (O, O) output with the cell it produces (coordinates on the first column;
    no 0 is written into the padding, which stays white). By default: the first and second
    positions, the first of the second output row, and the last (fewer when O < 2).
    """
    import matplotlib.pyplot as plt

    axis = sliding_positions(n, f, stride, padding)
    o = axis.output_size
    if positions is None:
        positions = _default_positions(o)
    windows = [conv_window(n, f, stride, padding, k) for k in positions]
    if not windows:
        raise ValueError("positions must name at least one position")
    size = axis.padded
    cell = min(0.3, 2.2 / size)
    fig, axes = plt.subplots(2, len(windows), squeeze=False,
                             figsize=(len(windows) * (cell * size + 0.6) + 0.4,
                                      cell * (size + o) + 2.4),
                             gridspec_kw={"height_ratios": [size, o], "hspace": 0.35})
    for j, w in enumerate(windows):
        _draw_input(axes[0, j], w, ticks=j == 0, zeros=False)   # coordinates: first column
        _draw_output(axes[1, j], w, ticks=j == 0)
        axes[0, j].set_title(_window_title(w).replace(": ", "\n"), fontsize=8)
        axes[1, j].set_title(f"output cell ({w.out_row}, {w.out_col})", fontsize=8)
    _suptitle(fig, axis)
    _legend(fig, windows[0])
    fig.subplots_adjust(left=0.07, right=0.98, top=0.8 if axis.leftover else 0.84, bottom=0.16,
                        wspace=0.45)
    return fig
