"""What a pooling layer does to one feature map: the pure functions behind lecture 02's explorer.

A single feature map of shape (H, W) is pooled with a square window of ``f`` x ``f`` and
a ``stride``, by maximum or by average, exactly as ``torch.nn.functional.max_pool2d`` and
``avg_pool2d`` do (no padding, floor mode). Everything is read off torch itself: the output,
the position of each window's maximum (``return_indices=True``) and the gradient of the summed
output with respect to the input (autograd), so that this module is an independent oracle and
contains no pooling code of its own.

>>> import numpy as np
>>> view = pool_view(np.arange(16.0).reshape(4, 4), f=2, stride=2, kind="max")
>>> view.output.tolist()
[[5.0, 7.0], [13.0, 15.0]]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from course_utils._args import require_int
from course_utils._arrays import to_numpy

__all__ = ["PoolView", "pool_view", "draw_pooling"]

KINDS = ("max", "avg")


@dataclass(frozen=True)
class PoolView:
    """One feature map pooled by torch, with what is needed to draw it.

    Attributes:
        kind: ``"max"`` or ``"avg"``.
        f: window size F (the window is F x F).
        stride: stride S, the same along both axes.
        output: the pooled map, shape (H', W'), float64, with H' = (H - F) // S + 1.
        rows: the first row of each window, length H' (``rows[i] = i * S``).
        cols: the first column of each window, length W'.
        leftover: (rows, cols) of the input at the bottom and at the right that no window
            covers; (0, 0) when the stride fits.
        argmax: for max pooling, shape (H', W', 2): the (row, col) in the input of each window's
            maximum, as torch chose it (on a tie, the first maximum in row-major order); ``None``
            for average pooling.
        gradient: d(sum of the output) / d(input), shape (H, W): for max pooling, how many
            windows route their gradient to each input element; for average pooling, the
            number of windows covering it divided by F * F.
    """

    kind: str
    f: int
    stride: int
    output: np.ndarray
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    leftover: tuple[int, int]
    argmax: np.ndarray | None
    gradient: np.ndarray

    @property
    def fits(self) -> bool:
        """True when the windows cover the input exactly (the stride fits along both axes)."""
        return self.leftover == (0, 0)


def _as_map(image) -> torch.Tensor:
    array = to_numpy(image, np.float64)
    if array.ndim != 2:
        raise ValueError(f"expected one feature map of shape (H, W), got shape {array.shape}")
    return torch.tensor(array, dtype=torch.float64)


def pool_view(image, f: int, stride: int, kind: str = "max") -> PoolView:
    """Pool one feature map with torch and report the output, the windows and the gradient.

    Args:
        image: array or tensor of shape (H, W).
        f: window size F >= 1, at most min(H, W).
        stride: stride S >= 1.
        kind: ``"max"`` or ``"avg"``.

    Returns:
        A :class:`PoolView`; its ``output`` has shape ((H - F) // S + 1, (W - F) // S + 1).

    Raises:
        ValueError: for an image that is not 2-D, a non-integer or too small f or stride,
            a window larger than the image, or an unknown kind.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    x = _as_map(image)
    height, width = x.shape
    f = require_int("f", f, 1)
    stride = require_int("stride", stride, 1)
    if f > min(height, width):
        raise ValueError(f"a {f}x{f} window does not fit in a {height}x{width} map")
    x = x[None, None].requires_grad_(True)                         # (1, 1, H, W)
    if kind == "max":
        out, indices = F.max_pool2d(x, f, stride, return_indices=True)
        flat = indices[0, 0].numpy()                               # (H', W'), index into H * W
        argmax = np.stack(np.divmod(flat, width), axis=-1)         # (H', W', 2)
    else:
        out, argmax = F.avg_pool2d(x, f, stride), None
    out.sum().backward()
    out = out.detach()[0, 0].numpy()
    rows = tuple(range(0, out.shape[0] * stride, stride))
    cols = tuple(range(0, out.shape[1] * stride, stride))
    leftover = (height - rows[-1] - f, width - cols[-1] - f)
    return PoolView(kind=kind, f=f, stride=stride, output=out, rows=rows, cols=cols,
                    leftover=leftover, argmax=argmax, gradient=x.grad[0, 0].numpy())


def _outline(ax, view: PoolView, max_all: int = 9) -> str:
    """Outline every window when there are at most ``max_all``, else those of the first row and
    column; return which."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    every = [(i, j) for i in range(len(view.rows)) for j in range(len(view.cols))]
    if len(every) <= max_all:
        shown, which = every, "every window"
    else:
        shown = [(0, j) for j in range(len(view.cols))] + [(i, 0) for i in range(1, len(view.rows))]
        which = "windows of the first row and column"
    palette = [plt.get_cmap("tab10")(k) for k in (0, 1, 2, 4, 5, 6, 8, 9)]   # no red: red marks maxima
    for k, (i, j) in enumerate(shown):
        inset = 0.1 if (i + j) % 2 == 0 else 0.25   # neighbouring windows stay apart
        ax.add_patch(Rectangle((view.cols[j] - 0.5 + inset, view.rows[i] - 0.5 + inset),
                               view.f - 2 * inset, view.f - 2 * inset, fill=False,
                               edgecolor=palette[k % len(palette)], linewidth=1.6))
    return which


def _annotate(ax, values, colour_above: float, values_shown=None) -> None:
    """Write each value into its cell (for small maps): black text where ``values`` exceeds
    ``colour_above`` (a light cell), white elsewhere. ``values_shown`` replaces the text."""
    shown = values if values_shown is None else values_shown
    for (r, c), value in np.ndenumerate(values):
        number = float(shown[r, c])
        text = f"{number:.0f}" if number.is_integer() else f"{number:.2f}"
        ax.text(c, r, text, ha="center", va="center", fontsize=9,
                color="black" if value > colour_above else "white")


def _hatch_leftover(ax, view: PoolView, shape) -> None:
    from matplotlib.patches import Rectangle

    height, width = shape
    bottom, right = view.leftover
    if bottom:
        ax.add_patch(Rectangle((-0.5, height - bottom - 0.5), width, bottom, fill=False,
                               edgecolor="tab:red", hatch="///", linewidth=0))
    if right:
        ax.add_patch(Rectangle((width - right - 0.5, -0.5), right, height, fill=False,
                               edgecolor="tab:red", hatch="///", linewidth=0))


def draw_pooling(image, f: int, stride: int, kind: str = "max", name: str = "feature map",
                 annotate: bool | None = None):
    """Draw a feature map, its pooled version and the gradient; returns a matplotlib Figure.

    Three panels: the input (H, W) with its windows outlined (every window when there are at most
    9, else those of the first row and column) and, for max pooling, a dot on the maximum of
    every window; the output (H', W') on the same colour scale; the gradient of the summed
    output with respect to the input. Rows and columns that no window covers are hatched in red,
    with a warning under the title. ``annotate`` writes the values into the cells (default: when
    the input has at most 64 elements).
    """
    import matplotlib.pyplot as plt

    view = pool_view(image, f, stride, kind)
    x = _as_map(image).numpy()
    low, high = float(x.min()), float(x.max())
    fig, axes = plt.subplots(1, 3, figsize=(10.2, 3.9))
    ax_in, ax_out, ax_grad = axes

    if annotate is None:
        annotate = x.size <= 64
    middle = (low + high) / 2
    ax_in.imshow(x, cmap="viridis", vmin=low, vmax=high)
    which = _outline(ax_in, view)
    if view.argmax is not None:
        points = view.argmax.reshape(-1, 2)
        if annotate:       # a ring around the value, which stays readable
            ax_in.plot(points[:, 1], points[:, 0], "o", markersize=20, markerfacecolor="none",
                       markeredgecolor="tab:red", markeredgewidth=2.0)
        else:
            ax_in.plot(points[:, 1], points[:, 0], "o", color="tab:red", markersize=3.5,
                       markeredgecolor="white", markeredgewidth=0.6)
    _hatch_leftover(ax_in, view, x.shape)
    marker = "circles" if annotate else "dots"
    dots = f"\nred {marker}: the maximum of each window" if view.argmax is not None else ""
    ax_in.set_title(f"input {name}, {x.shape[0]}x{x.shape[1]}\n"
                    f"outlined: {which}{dots}", fontsize=8)

    ax_out.imshow(view.output, cmap="viridis", vmin=low, vmax=high)
    if annotate:
        for ax, values in ((ax_in, x), (ax_out, view.output)):
            _annotate(ax, values, colour_above=middle)
    ax_out.set_title(f"output, {view.output.shape[0]}x{view.output.shape[1]}", fontsize=9)

    top = float(view.gradient.max())      # > 0: every window sends its gradient somewhere
    shown = ax_grad.imshow(view.gradient, cmap="OrRd", vmin=0.0, vmax=top)
    _hatch_leftover(ax_grad, view, x.shape)
    what = "number of windows whose maximum it is" if kind == "max" else "(windows covering it) / F²"
    ax_grad.set_title(f"gradient of sum(output) per input:\n{what}", fontsize=8)
    bar = fig.colorbar(shown, ax=ax_grad, fraction=0.046, pad=0.04)
    if kind == "max":
        bar.set_ticks(range(int(top) + 1))
    if annotate:
        # OrRd is light for small values: black text there, white on the dark end
        _annotate(ax_grad, -view.gradient, colour_above=-top / 2, values_shown=view.gradient)

    from matplotlib.ticker import MaxNLocator

    for ax in axes:
        ax.grid(False)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    label = "max" if kind == "max" else "average"
    title = (f"{label} pooling, {f}x{f} window, stride {stride}: "
             f"{x.shape[0]}x{x.shape[1]} -> {view.output.shape[0]}x{view.output.shape[1]}")
    fig.suptitle(title + ("\n" if not view.fits else ""), fontsize=10)
    if not view.fits:
        fig.text(0.5, 0.90, f"stride {stride} does not fit: torch drops the last {view.leftover[0]} "
                 f"row(s) and {view.leftover[1]} column(s) (hatched)", color="tab:red", ha="center",
                 fontsize=9)
    fig.tight_layout()
    return fig
