"""Unit tests of course_utils.topics.conv_arithmetic against an independent closed form."""
import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils.topics.conv_arithmetic import (  # noqa: E402
    SlidingPositions,
    draw_sliding_positions,
    sliding_positions,
)


def closed_form(n, f, s, p):
    """Output size, positions and leftover from the textbook formula (P per side)."""
    out = (n + 2 * p - f) // s + 1
    positions = tuple(range(0, n + 2 * p - f + 1, s))
    last_covered = positions[-1] + f
    return out, positions, n + 2 * p - last_covered


CONFIGS = [
    (n, f, s, p)
    for n, f, s, p in itertools.product(range(1, 14), range(1, 8), range(1, 6), range(0, 4))
    if f <= n + 2 * p
]


def test_sweep_is_large_and_mixed():
    fitting = sum((n + 2 * p - f) % s == 0 for n, f, s, p in CONFIGS)
    assert len(CONFIGS) > 1000
    assert 0 < fitting < len(CONFIGS)


@pytest.mark.parametrize("n, f, s, p", CONFIGS[::7] + [(7, 3, 1, 0), (7, 3, 2, 0), (7, 3, 3, 0)])
def test_matches_closed_form(n, f, s, p):
    out, positions, leftover = closed_form(n, f, s, p)
    sp = sliding_positions(n, f, s, p)
    assert sp.output_size == out
    assert sp.positions == positions
    assert sp.leftover == leftover
    assert sp.padded == n + 2 * p
    assert (sp.n, sp.f, sp.stride, sp.padding) == (n, f, s, p)
    assert type(sp.output_size) is int and all(type(c) is int for c in sp.positions)


def test_full_sweep_output_size_and_leftover():
    for n, f, s, p in CONFIGS:
        sp = sliding_positions(n, f, s, p)
        assert sp.output_size == (n + 2 * p - f) // s + 1, (n, f, s, p)
        assert len(sp.positions) == sp.output_size
        assert np.all(np.diff(sp.positions) == s)
        assert (sp.leftover > 0) == ((n + 2 * p - f) % s != 0), (n, f, s, p)
        assert sp.fits == (sp.leftover == 0)
        assert 0 <= sp.leftover < s


def test_lecture_examples():
    # the slides' 7x7 input with a 3x3 filter
    assert sliding_positions(7, 3, 1, 0).output_size == 5
    assert sliding_positions(7, 3, 2, 0).positions == (0, 2, 4)
    three = sliding_positions(7, 3, 3, 0)
    assert three.positions == (0, 3) and three.output_size == 2 and three.leftover == 1
    assert not three.fits
    # zero padding (F - 1) / 2 keeps the size
    for f in (3, 5, 7):
        assert sliding_positions(7, f, 1, (f - 1) // 2).output_size == 7
    # 32x32 input, 5x5 filters, stride 1, pad 2
    assert sliding_positions(32, 5, 1, 2).output_size == 32


def test_filter_as_large_as_padded_input():
    sp = sliding_positions(3, 5, 2, 1)
    assert sp.positions == (0,) and sp.output_size == 1 and sp.leftover == 0


def test_numpy_integers_accepted():
    sp = sliding_positions(np.int64(7), np.int32(3), np.int64(2), np.int64(0))
    assert sp.output_size == 3 and isinstance(sp, SlidingPositions)


@pytest.mark.parametrize(
    "args, words",
    [
        ((7.0, 3, 1, 0), "int"),
        ((7, "3", 1, 0), "int"),
        ((7, 3, True, 0), "int"),
        ((7, 3, 1, 0.5), "int"),
        ((0, 1, 1, 0), ">= 1"),
        ((7, 0, 1, 0), ">= 1"),
        ((7, 3, 0, 0), ">= 1"),
        ((7, 3, -1, 0), ">= 1"),
        ((7, 3, 1, -1), ">= 0"),
        ((7, 8, 1, 0), "f <= 7"),
        ((3, 7, 1, 1), "f <= 5"),
    ],
)
def test_bad_input_raises(args, words):
    with pytest.raises(ValueError, match=words):
        sliding_positions(*args)
    with pytest.raises(ValueError):
        draw_sliding_positions(*args)


def _all_text(fig):
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


@pytest.mark.parametrize("args", [(7, 3, 2, 0), (7, 3, 1, 1), (16, 7, 4, 3), (1, 1, 1, 0)])
def test_drawing_is_a_labelled_figure(args):
    fig = draw_sliding_positions(*args)
    try:
        assert isinstance(fig, Figure)
        assert fig.axes
        ax = fig.axes[0]
        assert ax.get_xlabel().strip() and ax.get_ylabel().strip()
        n, f, s, p = args
        out = (n + 2 * p - f) // s + 1
        assert f"{out}x{out}" in _all_text(fig)
        assert ax.get_xlim() == (0, n + 2 * p)
    finally:
        plt.close(fig)


def test_drawing_warns_only_when_the_stride_does_not_fit():
    bad = draw_sliding_positions(7, 3, 3, 0)
    good = draw_sliding_positions(7, 3, 2, 0)
    try:
        assert "does not fit" in _all_text(bad)
        assert "last 1 row/col" in _all_text(bad)
        assert "does not fit" not in _all_text(good)
    finally:
        plt.close(bad)
        plt.close(good)
