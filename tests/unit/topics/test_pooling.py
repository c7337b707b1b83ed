"""Unit tests of course_utils.topics.pooling against closed forms.

On the map x[r, c] = r * W + c, which grows along every row and down every column, the maximum
of a window is its bottom-right element and its average is the value at its centre; on a
constant map every element of a window ties, and torch picks the first (top-left) one.
"""
import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils.topics.pooling import PoolView, draw_pooling, pool_view  # noqa: E402

CONFIGS = [(h, w, f, s) for h, w, f, s in itertools.product((1, 4, 5, 7, 8), (3, 6, 9), range(1, 5), range(1, 5))
           if f <= min(h, w)]


def ramp(h, w):
    return np.arange(h * w, dtype=np.float64).reshape(h, w)


def coverage(n, f, s):
    """How many windows cover each of the n positions along one axis (closed form by counting)."""
    starts = range(0, n - f + 1, s)
    return np.array([sum(start <= a < start + f for start in starts) for a in range(n)], dtype=float)


def test_sweep_is_large_and_mixed():
    fitting = [(h - f) % s == 0 and (w - f) % s == 0 for h, w, f, s in CONFIGS]
    assert len(CONFIGS) > 100 and 0 < sum(fitting) < len(CONFIGS)


@pytest.mark.parametrize("h, w, f, s", CONFIGS)
def test_max_on_a_ramp(h, w, f, s):
    view = pool_view(ramp(h, w), f, s, "max")
    ho, wo = (h - f) // s + 1, (w - f) // s + 1
    rows, cols = np.arange(ho) * s + f - 1, np.arange(wo) * s + f - 1     # bottom-right corners
    assert isinstance(view, PoolView) and view.kind == "max"
    np.testing.assert_array_equal(view.output, rows[:, None] * w + cols[None, :])
    assert view.argmax.shape == (ho, wo, 2)
    np.testing.assert_array_equal(view.argmax[..., 0], np.broadcast_to(rows[:, None], (ho, wo)))
    np.testing.assert_array_equal(view.argmax[..., 1], np.broadcast_to(cols[None, :], (ho, wo)))
    expected_grad = np.zeros((h, w))
    expected_grad[np.ix_(rows, cols)] = 1.0      # each window sends its gradient to one corner
    np.testing.assert_array_equal(view.gradient, expected_grad)
    assert view.rows == tuple(range(0, ho * s, s)) and view.cols == tuple(range(0, wo * s, s))
    assert view.leftover == (h - (ho - 1) * s - f, w - (wo - 1) * s - f)
    assert view.fits == ((h - f) % s == 0 and (w - f) % s == 0)


@pytest.mark.parametrize("h, w, f, s", CONFIGS)
def test_average_on_a_ramp(h, w, f, s):
    view = pool_view(ramp(h, w), f, s, "avg")
    ho, wo = (h - f) // s + 1, (w - f) // s + 1
    centre_r, centre_c = np.arange(ho) * s + (f - 1) / 2, np.arange(wo) * s + (f - 1) / 2
    np.testing.assert_allclose(view.output, centre_r[:, None] * w + centre_c[None, :], atol=1e-9)
    assert view.argmax is None
    expected_grad = np.outer(coverage(h, f, s), coverage(w, f, s)) / f**2
    np.testing.assert_allclose(view.gradient, expected_grad, atol=1e-12)


def test_overlapping_windows_accumulate_at_a_shared_maximum():
    # 3x3 windows at stride 2 on 5x5: all four windows contain the centre
    image = np.zeros((5, 5))
    image[2, 2] = 9.0
    view = pool_view(image, 3, 2, "max")
    np.testing.assert_array_equal(view.output, np.full((2, 2), 9.0))
    expected = np.zeros((5, 5))
    expected[2, 2] = 4.0
    np.testing.assert_array_equal(view.gradient, expected)


def test_ties_go_to_the_first_maximum_in_row_major_order():
    view = pool_view(np.ones((6, 6)), 3, 3, "max")
    np.testing.assert_array_equal(view.argmax.reshape(-1, 2), [[0, 0], [0, 3], [3, 0], [3, 3]])
    # a tie in the second row of the window: the leftmost wins
    image = np.zeros((2, 2))
    image[1, :] = 5.0
    np.testing.assert_array_equal(pool_view(image, 2, 2).argmax[0, 0], [1, 0])


def test_accepts_tensors_and_lists_and_leaves_the_input_alone():
    tensor = torch.arange(16.0).reshape(4, 4)
    view = pool_view(tensor, 2, 2, "max")
    np.testing.assert_array_equal(view.output, [[5.0, 7.0], [13.0, 15.0]])
    assert not tensor.requires_grad
    listed = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]   # the slide's depth slice
    np.testing.assert_array_equal(pool_view(listed, 2, 2, "max").output, [[6, 8], [3, 4]])
    np.testing.assert_allclose(pool_view(listed, 2, 2, "avg").output, [[3.25, 5.25], [2.0, 2.0]])
    assert pool_view(listed, 2, 2).output.dtype == np.float64


@pytest.mark.parametrize("args, message", [
    ((np.zeros((1, 4, 4)), 2, 2, "max"), "shape"),
    ((np.zeros(4), 2, 2, "max"), "shape"),
    ((np.zeros((4, 4)), 0, 1, "max"), "f must be >= 1"),
    ((np.zeros((4, 4)), 2, 0, "max"), "stride"),
    ((np.zeros((4, 4)), 2.0, 2, "max"), "int"),
    ((np.zeros((4, 4)), True, 1, "max"), "int"),
    ((np.zeros((4, 4)), 5, 1, "max"), "does not fit"),
    ((np.zeros((3, 6)), 4, 1, "max"), "does not fit"),
    ((np.zeros((4, 4)), 2, 2, "min"), "kind"),
])
def test_bad_input_raises(args, message):
    with pytest.raises(ValueError, match=message):
        pool_view(*args)
    with pytest.raises(ValueError, match=message):
        draw_pooling(*args)


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_draw_returns_a_labelled_figure(kind):
    fig = draw_pooling(ramp(16, 16), 2, 2, kind)
    assert isinstance(fig, Figure)
    panels = fig.axes[:3]
    assert all(ax.get_xlabel() == "column" and ax.get_ylabel() == "row" for ax in panels)
    assert "16x16 -> 8x8" in fig._suptitle.get_text()
    assert not any("does not fit" in t.get_text() for t in fig.texts)
    plt.close(fig)


def test_draw_warns_when_the_stride_does_not_fit():
    fig = draw_pooling(ramp(16, 16), 3, 2, "max")
    assert "16x16 -> 7x7" in fig._suptitle.get_text()
    warning = [t.get_text() for t in fig.texts if "does not fit" in t.get_text()]
    assert warning and "1 row(s) and 1 column(s)" in warning[0]
    plt.close(fig)


def test_small_maps_show_every_window_and_their_values():
    depth_slice = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]
    fig = draw_pooling(depth_slice, 2, 2, "max")
    ax_in, ax_out, ax_grad = fig.axes[:3]
    assert len(ax_in.patches) == 4 and "every window" in ax_in.get_title()
    assert [t.get_text() for t in ax_in.texts] == [str(v) for row in depth_slice for v in row]
    assert [t.get_text() for t in ax_out.texts] == ["6", "8", "3", "4"]
    assert sorted(t.get_text() for t in ax_grad.texts) == ["0"] * 12 + ["1"] * 4
    rings = ax_in.lines[0].get_xydata()                       # (col, row) of each window's maximum
    assert sorted(map(tuple, rings.astype(int).tolist())) == [(0, 2), (1, 1), (3, 1), (3, 3)]
    plt.close(fig)


def test_large_maps_show_the_first_row_and_column_of_windows():
    fig = draw_pooling(ramp(16, 16), 2, 2, "max")
    ax_in = fig.axes[0]
    assert len(ax_in.patches) == 8 + 7 and "first row and column" in ax_in.get_title()
    assert not ax_in.texts
    plt.close(fig)
