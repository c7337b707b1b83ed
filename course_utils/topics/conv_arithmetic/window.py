"""One position of a filter at a time: the window, the colours of its figure, and its sliders.

The figure (:mod:`.window_figures`, after Dumoulin & Visin's convolution arithmetic figures)
draws the padded input of shape (N + 2P, N + 2P) as a grid (input cells blue, zero-padding cells
white), the F x F window of the current position shaded on exactly the cells it covers, and
beside it the (O, O) output grid with the one cell this window produces.
Positions are numbered in reading order: position k produces output cell ``divmod(k, O)`` and its
window starts at padded cell ``(row * S, col * S)``. All coordinates come from
:func:`~.positions.sliding_positions` (read off torch's ``unfold``).

>>> w = conv_window(7, 3, stride=2, padding=1, position=5)
>>> (w.out_row, w.out_col), (w.top, w.left), w.count
((1, 1), (2, 2), 16)
"""
from __future__ import annotations

from dataclasses import dataclass

from course_utils._args import require_int

from .positions import SlidingPositions, sliding_positions

__all__ = ["ConvWindow", "conv_window", "input_cells", "output_cells", "window_controls"]

# Dumoulin & Visin's colours: blue input, white padding, the window darker; a green output
INPUT, PADDING, NEVER = "#a6cee3", "#ffffff", "#f4b6b6"
WINDOW, WINDOW_ON_PADDING = "#1f78b4", "#8fbbd9"
OUTPUT, DONE, CURRENT = "#ffffff", "#c7e9c0", "#238b45"


@dataclass(frozen=True)
class ConvWindow:
    """Position ``position`` of an F x F filter over a zero-padded N x N input.

    Attributes:
        axis: the positions along one axis (:class:`SlidingPositions`).
        position: k, in reading order, 0 <= k < count.
        count: the number of positions, ``output_size ** 2``.
        out_row, out_col: the output cell this position produces, ``divmod(k, output_size)``.
        top, left: the window's first row and column in padded coordinates.
    """

    axis: SlidingPositions
    position: int
    count: int
    out_row: int
    out_col: int
    top: int
    left: int

    @property
    def cells(self) -> tuple[tuple[int, int], ...]:
        """The (row, col) padded-input cells under the window, F * F of them, in reading order."""
        f = self.axis.f
        return tuple((r, c) for r in range(self.top, self.top + f)
                     for c in range(self.left, self.left + f))

    @property
    def padding_cells(self) -> int:
        """How many of the window's cells are zero padding."""
        return sum(not _inside(self.axis, r, c) for r, c in self.cells)


def _inside(axis: SlidingPositions, r: int, c: int) -> bool:
    p, n = axis.padding, axis.n
    return p <= r < p + n and p <= c < p + n


def conv_window(n: int, f: int, stride: int = 1, padding: int = 0, position: int = 0) -> ConvWindow:
    """The window of position ``position`` (reading order) of an ``f x f`` filter.

    Args:
        n, f, stride, padding: as in :func:`~.positions.sliding_positions` (input (N, N), filter
            (F, F), stride S, zero padding P per side).
        position: k with 0 <= k < output_size ** 2.

    Returns:
        A :class:`ConvWindow`.

    Raises:
        ValueError: for a bad n, f, stride or padding, or a position out of range.
    """
    axis = sliding_positions(n, f, stride, padding)
    count = axis.output_size ** 2
    position = require_int("position", position, 0)
    if position >= count:
        raise ValueError(f"position must be < {count} (the output is {axis.output_size}x"
                         f"{axis.output_size}, so positions are 0..{count - 1}), got {position}")
    out_row, out_col = divmod(position, axis.output_size)
    return ConvWindow(axis=axis, position=position, count=count, out_row=out_row, out_col=out_col,
                      top=axis.positions[out_row], left=axis.positions[out_col])


def _rgb(colour: str):
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


def input_cells(w: ConvWindow):
    """The colour of every padded-input cell, an (N + 2P, N + 2P, 3) RGB array.

    INPUT for input cells, PADDING for zero padding, NEVER for cells the filter never reads,
    WINDOW (WINDOW_ON_PADDING where it covers padding) for the window's F x F cells.
    """
    import numpy as np

    axis = w.axis
    size = axis.padded
    rgb = np.empty((size, size, 3))
    for r in range(size):
        for c in range(size):
            never = r >= size - axis.leftover or c >= size - axis.leftover
            inside = _inside(axis, r, c)
            rgb[r, c] = _rgb(NEVER if never else INPUT if inside else PADDING)
    for r, c in w.cells:
        rgb[r, c] = _rgb(WINDOW if _inside(axis, r, c) else WINDOW_ON_PADDING)
    return rgb


def output_cells(w: ConvWindow):
    """The colour of every output cell, an (O, O, 3) RGB array: CURRENT for the cell position k
    produces, DONE for the cells of earlier positions, OUTPUT for the rest."""
    import numpy as np

    o = w.axis.output_size
    rgb = np.empty((o, o, 3))
    for k in range(w.count):
        rgb[divmod(k, o)] = _rgb(CURRENT if k == w.position else DONE if k < w.position else OUTPUT)
    return rgb


def window_controls(n: int = 7, f: int = 3, stride: int = 1, padding: int = 1, position: int = 0):
    """ipywidgets sliders for :func:`draw_conv_window`, keyed by its argument names.

    The position slider comes first; its maximum follows N, F, S and P (output_size ** 2 - 1), so
    it always stays in range. Ranges: N 7..16, F 1..7, S 1..4, P 0..3 (F always fits).
    """
    import ipywidgets as widgets

    ranges = {"n": (n, 7, 16), "f": (f, 1, 7), "stride": (stride, 1, 4), "padding": (padding, 0, 3)}
    for name, (value, low, high) in ranges.items():
        if require_int(name, value, low) > high:
            raise ValueError(f"{name} must lie in {low}..{high} (the slider's range), got {value}")
    count = conv_window(n, f, stride, padding, position).count
    sliders = {
        "position": widgets.IntSlider(value=position, min=0, max=count - 1,
                                      description="position"),
        "n": widgets.IntSlider(value=n, min=7, max=16, description="N (input)"),
        "f": widgets.IntSlider(value=f, min=1, max=7, description="F (filter)"),
        "stride": widgets.IntSlider(value=stride, min=1, max=4, description="S (stride)"),
        "padding": widgets.IntSlider(value=padding, min=0, max=3, description="P (padding)"),
    }

    def follow(_change=None) -> None:
        o = sliding_positions(*(sliders[k].value for k in ("n", "f", "stride", "padding")))
        sliders["position"].max = o.output_size ** 2 - 1   # clamps the value when it shrinks

    for name in ("n", "f", "stride", "padding"):
        sliders[name].observe(follow, names="value")
    return sliders
