"""Unit tests of course_utils.topics.conv_arithmetic's positions and window figures.

Expected values come from the textbook closed form and from the shapes torch's conv2d produces.
The feature-visualization functions are tested in test_feature_visualization.py.
"""
import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils.topics.conv_arithmetic import (  # noqa: E402
    SlidingPositions,
    conv_window,
    draw_conv_window,
    draw_sliding_positions,
    sliding_positions,
    window_controls,
)
from course_utils.topics.conv_arithmetic import window as window_module  # noqa: E402


@pytest.fixture(autouse=True)
def one_thread():
    """Thousands of tiny torch calls: one thread avoids the cost of waking others (restored after)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


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
    with pytest.raises(ValueError, match=words):
        conv_window(*args, position=0)
    with pytest.raises(ValueError):
        draw_conv_window(*args)
    with pytest.raises(ValueError):
        draw_sliding_positions(*args)


# ---- one position at a time ----------------------------------------------------------------

def torch_output_size(n, f, s, p):
    """The output side that torch's conv2d really produces: the independent oracle."""
    return torch.nn.functional.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, f, f),
                                      stride=s, padding=p).shape[-1]


def expected_cells(k, o, f, s):
    """The window of position k (reading order): from padded cell (row*S, col*S), F x F cells."""
    row, col = k // o, k % o
    return {(row * s + a, col * s + b) for a in range(f) for b in range(f)}


WINDOW_CONFIGS = CONFIGS[::23] + [(7, 3, 1, 1), (7, 3, 2, 1), (7, 3, 3, 0), (16, 7, 4, 3), (1, 1, 1, 0)]


@pytest.mark.parametrize("n, f, s, p", WINDOW_CONFIGS)
def test_every_window_sits_where_the_closed_form_puts_it(n, f, s, p):
    o = torch_output_size(n, f, s, p)
    every = range(o * o) if o * o <= 50 else sorted({1, o - 1, o, o * o - 1, *range(0, o * o, 7)})
    for k in every:
        w = conv_window(n, f, s, p, k)
        assert w.count == o * o
        assert (w.out_row, w.out_col) == (k // o, k % o)
        assert (w.top, w.left) == (k // o * s, k % o * s)
        assert set(w.cells) == expected_cells(k, o, f, s) and len(w.cells) == f * f
        pad = sum(not (p <= r < p + n and p <= c < p + n) for r, c in expected_cells(k, o, f, s))
        assert w.padding_cells == pad
    with pytest.raises(ValueError, match=f"position must be < {o * o}"):
        conv_window(n, f, s, p, o * o)


def test_window_examples_by_hand():
    # 7x7 input, 3x3 filter, stride 2, padding 1: 4x4 output; position 5 is output cell (1, 1)
    w = conv_window(7, 3, 2, 1, 5)
    assert (w.out_row, w.out_col, w.top, w.left, w.count) == (1, 1, 2, 2, 16)
    assert conv_window(7, 3, 2, 1, 0).padding_cells == 5        # a corner window: 5 of 9 cells
    assert conv_window(7, 3, 1, 1, 8).padding_cells == 0        # an interior one: none


@pytest.mark.parametrize("position", [-1, 1.0, True, "0"])
def test_bad_position_raises(position):
    with pytest.raises(ValueError, match="position"):
        conv_window(7, 3, 1, 1, position)


def _all_text(fig):
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def _image(ax, gid):
    (image,) = [im for im in ax.get_images() if im.get_gid() == gid]
    return np.asarray(image.get_array())


def _cells_of(rgb, colours):
    hit = np.zeros(rgb.shape[:2], dtype=bool)
    for colour in colours:
        hit |= np.isclose(rgb, np.array(to_rgb(colour))).all(axis=-1)
    return {(int(r), int(c)) for r, c in zip(*np.nonzero(hit))}


def _check_panels(ax_in, ax_out, n, f, s, p, k):
    o, size = torch_output_size(n, f, s, p), n + 2 * p
    rgb = _image(ax_in, "input")
    assert rgb.shape == (size, size, 3)
    window = _cells_of(rgb, [window_module.WINDOW, window_module.WINDOW_ON_PADDING])
    assert window == expected_cells(k, o, f, s)
    # padding cells outside the window are drawn as padding, input cells as input
    padding = {(r, c) for r in range(size) for c in range(size)
               if not (p <= r < p + n and p <= c < p + n)}
    last = (o - 1) * s + f                   # rows and columns from here on are never read
    never = {(r, c) for r in range(size) for c in range(size) if r >= last or c >= last}
    assert _cells_of(rgb, [window_module.NEVER]) == never - window
    assert _cells_of(rgb, [window_module.PADDING]) == padding - window - never
    assert _cells_of(rgb, [window_module.INPUT]) == (
        {(r, c) for r in range(size) for c in range(size)} - padding - window - never)
    out = _image(ax_out, "output")
    assert out.shape == (o, o, 3)
    assert _cells_of(out, [window_module.CURRENT]) == {(k // o, k % o)}
    assert len(_cells_of(out, [window_module.DONE])) == k
    assert ax_in.get_xlim() == (0, size) and ax_out.get_xlim() == (0, o)


@pytest.mark.parametrize("n, f, s, p, k", [(7, 3, 1, 1, 0), (7, 3, 1, 1, 48), (7, 3, 2, 1, 5),
                                           (7, 3, 3, 0, 3), (16, 7, 4, 3, 6), (1, 1, 1, 0, 0),
                                           (9, 4, 2, 2, 13)])
def test_draw_conv_window_highlights_exactly_the_window(n, f, s, p, k):
    fig = draw_conv_window(n, f, s, p, k)
    try:
        assert isinstance(fig, Figure)
        ax_in, ax_out = fig.axes
        _check_panels(ax_in, ax_out, n, f, s, p, k)
        for ax in (ax_in, ax_out):
            assert ax.get_xlabel().strip() and ax.get_ylabel().strip()
        o = torch_output_size(n, f, s, p)
        assert f"output {o}x{o}" in _all_text(fig)
        assert f"position {k} of 0..{o * o - 1}" in _all_text(fig)
        assert f"rows {k // o * s}..{k // o * s + f - 1}" in _all_text(fig)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("n, f, s, p", [(7, 3, 2, 1), (7, 3, 3, 0), (16, 7, 4, 3), (1, 1, 1, 0)])
def test_draw_sliding_positions_shows_a_few_positions(n, f, s, p):
    o = torch_output_size(n, f, s, p)
    fig = draw_sliding_positions(n, f, s, p)
    try:
        shown = sorted({0, min(1, o * o - 1), min(o, o * o - 1), o * o - 1})
        axes = fig.axes
        assert len(axes) == 2 * len(shown)
        columns = len(shown)
        for j, k in enumerate(shown):
            _check_panels(axes[j], axes[columns + j], n, f, s, p, k)
        assert axes[0].get_xlabel().strip() and axes[0].get_ylabel().strip()
    finally:
        plt.close(fig)
    fig = draw_sliding_positions(n, f, s, p, positions=[o * o - 1])
    try:
        _check_panels(fig.axes[0], fig.axes[1], n, f, s, p, o * o - 1)
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="at least one"):
        draw_sliding_positions(n, f, s, p, positions=[])


def test_drawing_warns_only_when_the_stride_does_not_fit():
    figures = {args: draw_conv_window(*args) for args in [(7, 3, 3, 0), (7, 3, 2, 0), (16, 7, 4, 3)]}
    try:
        assert "does not fit" in _all_text(figures[(7, 3, 3, 0)])
        assert "last row and column" in _all_text(figures[(7, 3, 3, 0)])
        assert "last 3 rows and columns" in _all_text(figures[(16, 7, 4, 3)])   # 22 - (3*4 + 7)
        assert "does not fit" not in _all_text(figures[(7, 3, 2, 0)])
    finally:
        for fig in figures.values():
            plt.close(fig)


def test_window_controls_follow_the_configuration():
    controls = window_controls(n=7, f=3, stride=1, padding=1, position=0)
    assert list(controls) == ["position", "n", "f", "stride", "padding"]
    assert controls["position"].max == torch_output_size(7, 3, 1, 1) ** 2 - 1 == 48
    controls["position"].value = 40
    controls["stride"].value = 2                                 # 4x4 output: positions 0..15
    assert controls["position"].max == torch_output_size(7, 3, 2, 1) ** 2 - 1 == 15
    assert controls["position"].value == 15                      # clamped, still drawable
    controls["n"].value = 16
    assert controls["position"].max == torch_output_size(16, 3, 2, 1) ** 2 - 1
    values = {name: c.value for name, c in controls.items()}
    plt.close(draw_conv_window(**values))
    # every slider combination is drawable: F <= 7 <= N
    for name in ("n", "f", "stride", "padding"):
        assert controls[name].min >= (7 if name == "n" else 0)
    assert controls["f"].max <= controls["n"].min


@pytest.mark.parametrize("kwargs", [{"n": 6}, {"n": 17}, {"f": 8}, {"stride": 0}, {"padding": 4},
                                    {"position": 49}, {"n": 7.5}])
def test_window_controls_reject_values_outside_the_sliders(kwargs):
    with pytest.raises(ValueError):
        window_controls(**kwargs)
