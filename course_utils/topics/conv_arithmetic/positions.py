"""Where a convolution filter lands along one axis: the positions behind lecture 01's explorer.

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

__all__ = ["SlidingPositions", "sliding_positions"]


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
