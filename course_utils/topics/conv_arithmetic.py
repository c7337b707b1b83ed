"""Where a convolution filter lands: the pure functions behind lecture 01's explorer.

A square input of N x N pixels is zero-padded with P pixels on every side (so the padded input
is (N + 2P) x (N + 2P)) and an F x F filter slides over it with stride S. Because the input and
the filter are square, the filter visits the same coordinates along the rows as along the
columns; :func:`sliding_positions` returns them for one axis.

The positions are read off torch itself (``torch.nn.functional.unfold`` over a tensor of
coordinates), never from an output-size formula, so that this module is an independent oracle.

>>> sp = sliding_positions(7, 3, stride=3, padding=0)
>>> sp.positions, sp.output_size, sp.leftover
((0, 3), 2, 1)
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from course_utils._args import require_int

__all__ = ["SlidingPositions", "sliding_positions", "draw_sliding_positions"]


@dataclass(frozen=True)
class SlidingPositions:
    """The filter positions along one axis of a square, zero-padded input.

    Attributes:
        n: input size N (the input is N x N).
        f: filter size F (the filter is F x F).
        stride: stride S.
        padding: zero padding P on each side.
        padded: N + 2P, the size of the padded input.
        positions: the coordinate of the filter's first row (or column) at each position, in
            padded-input coordinates (0 is the first padding row when P > 0), in increasing order.
        output_size: the number of positions along one axis; the output is
            ``output_size x output_size``.
        leftover: how many of the last rows (and columns) of the padded input the filter never
            covers: ``padded - (positions[-1] + f)``; 0 when the configuration fits.
    """

    n: int
    f: int
    stride: int
    padding: int
    padded: int
    positions: tuple[int, ...]
    output_size: int
    leftover: int

    @property
    def fits(self) -> bool:
        """True when the filter's last position ends exactly at the padded input's border."""
        return self.leftover == 0


def sliding_positions(n: int, f: int, stride: int = 1, padding: int = 0) -> SlidingPositions:
    """Positions of an ``f x f`` filter sliding with ``stride`` over an ``n x n`` input.

    Args:
        n: input size N >= 1 (input of shape (N, N)).
        f: filter size F >= 1 (filter of shape (F, F)); needs F <= N + 2P.
        stride: stride S >= 1, the same along both axes.
        padding: zero padding P >= 0 added on each side (the padded input is (N+2P, N+2P)).

    Returns:
        A :class:`SlidingPositions` for one axis. The output of the convolution has shape
        (output_size, output_size).

    Raises:
        ValueError: for a non-integer argument, a value below its minimum, or a filter larger
        than the padded input.

    The positions come from ``torch.nn.functional.unfold`` applied to a (1, 1, 1, N + 2P) tensor
    holding the column coordinates 0, 1, ..., N + 2P - 1 (one row suffices: the input is square).
    """
    n = require_int("n (input size)", n, 1)
    f = require_int("f (filter size)", f, 1)
    stride = require_int("stride", stride, 1)
    padding = require_int("padding (per side)", padding, 0)
    padded = n + 2 * padding
    if f > padded:
        raise ValueError(
            f"the filter (f={f}) must fit in the padded input (n + 2*padding = {n} + 2*{padding} = "
            f"{padded}): expected f <= {padded}"
        )
    coordinates = torch.arange(padded, dtype=torch.float64).reshape(1, 1, 1, padded)
    # patches: (1, f, L), one column per filter position; row 0 is the first column it covers.
    patches = torch.nn.functional.unfold(coordinates, kernel_size=(1, f), stride=(1, stride))
    positions = tuple(int(c) for c in patches[0, 0].tolist())
    leftover = padded - (positions[-1] + f)
    return SlidingPositions(n=n, f=f, stride=stride, padding=padding, padded=padded,
                            positions=positions, output_size=len(positions), leftover=leftover)


def draw_sliding_positions(n: int, f: int, stride: int = 1, padding: int = 0, max_all: int = 9):
    """Draw the padded input and the filter's positions; returns a matplotlib Figure.

    The padded input of shape (N + 2P, N + 2P) is drawn as a grid: input cells white, padding
    cells grey, cells the filter never covers hatched in red. Each filter position is outlined in
    its own colour: every position when there are at most ``max_all`` of them
    (output_size ** 2 <= max_all), otherwise those along the first row and down the first column.
    The title gives N, F, S, P and the output size; a red line warns when the stride does not fit.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    sp = sliding_positions(n, f, stride, padding)
    size, pos = sp.padded, sp.positions
    # (ri, ci): index of the position along the rows and along the columns
    if sp.output_size ** 2 <= max_all:
        shown = [(ri, ci) for ri in range(len(pos)) for ci in range(len(pos))]
        which = "all positions"
    else:
        shown = [(0, ci) for ci in range(len(pos))] + [(ri, 0) for ri in range(1, len(pos))]
        which = "positions along the first row and column"

    side = round(2 * min(7.5, max(5.0, 0.42 * size + 1.6))) / 2  # inches, a multiple of 0.5
    fig, ax = plt.subplots(figsize=(side, side + 0.5))
    for r in range(size):
        for c in range(size):
            is_pad = not (padding <= r < padding + n and padding <= c < padding + n)
            never = r >= size - sp.leftover or c >= size - sp.leftover
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor="0.82" if is_pad else "white",
                                   edgecolor="0.55", linewidth=0.6))
            if never:
                ax.add_patch(Rectangle((c, r), 1, 1, fill=False, edgecolor="tab:red",
                                       linewidth=0, hatch="///"))
    colours = plt.get_cmap("tab10")
    for k, (ri, ci) in enumerate(shown):
        r, c = pos[ri], pos[ci]
        colour = colours(k % 10)
        # neighbouring positions get different insets, so that overlapping outlines stay apart
        inset = 0.08 if (ri + ci) % 2 == 0 else 0.2
        ax.add_patch(Rectangle((c + inset, r + inset), f - 2 * inset, f - 2 * inset, fill=False,
                               edgecolor=colour, linewidth=1.8))
        # a numbered dot on the cell where this position starts (its top-left cell)
        ax.plot(c + 0.5, r + 0.5, "o", color=colour, markersize=11, alpha=0.9)
        ax.text(c + 0.5, r + 0.5, str(k + 1), color="white", fontsize=7, ha="center",
                va="center", fontweight="bold")
    ax.set_xlim(0, size)
    ax.set_ylim(size, 0)  # row 0 at the top, as in an image
    ax.set_aspect("equal")
    ax.grid(False)
    step = 1 if size <= 16 else 2
    ax.set_xticks([i + 0.5 for i in range(0, size, step)], [str(i) for i in range(0, size, step)])
    ax.set_yticks([i + 0.5 for i in range(0, size, step)], [str(i) for i in range(0, size, step)])
    ax.tick_params(length=0, labelsize=8)
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    ax.set_xlabel("column (padded input)")
    ax.set_ylabel("row (padded input)")
    title = (f"N={n}, F={f}, S={stride}, P={padding}: output {sp.output_size}x{sp.output_size}\n"
             f"{which}" + (" (grey: zero padding)" if padding else ""))
    fig.suptitle(title, fontsize=10)
    if sp.leftover:
        lines = "row/col" if sp.leftover == 1 else "rows/cols"
        ax.set_title(f"stride {stride} does not fit: torch silently drops the last "
                     f"{sp.leftover} {lines}\n(hatched: never covered by the filter)",
                     color="tab:red", fontsize=9)
    fig.tight_layout()
    return fig
