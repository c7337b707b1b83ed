"""Unit tests of lecture 01's feature visualization (course_utils.topics.conv_arithmetic).

Expected values come from explicit loops over the definitions, from torch (conv2d, softmax) and
from closed forms (a linear model's score drop, the correlation of constant or checkerboard
filters, 0 for independent weights), never from the code under test.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils.topics.conv_arithmetic import (  # noqa: E402
    TopPatches,
    draw_activation_maps,
    draw_filter_rows,
    draw_occlusion,
    draw_top_patches,
    neighbour_correlation,
    occlusion_map,
    top_patches,
)
from course_utils.topics.conv_arithmetic.feature_figures import GAP, mosaic  # noqa: E402

# ---- neighbour correlation ------------------------------------------------------------------

def correlation_by_loops(w):
    """Pearson correlation of the (weight, right neighbour) and (weight, lower neighbour) pairs."""
    w = np.asarray(w, dtype=float)
    k, h, v = w.shape
    first, second = [], []
    for f in range(k):
        for i in range(h):
            for j in range(v):
                if j + 1 < v:
                    first.append(w[f, i, j])
                    second.append(w[f, i, j + 1])
                if i + 1 < h:
                    first.append(w[f, i, j])
                    second.append(w[f, i + 1, j])
    return np.corrcoef(first, second)[0, 1]


@pytest.mark.parametrize("shape", [(8, 3, 3), (1, 2, 2), (5, 4, 6), (3, 5, 5)])
def test_neighbour_correlation_matches_its_definition(shape):
    w = torch.randn(*shape, generator=torch.Generator().manual_seed(sum(shape)))
    assert neighbour_correlation(w) == pytest.approx(correlation_by_loops(w.numpy()), abs=1e-12)
    assert neighbour_correlation(w[:, None]) == pytest.approx(correlation_by_loops(w.numpy()), abs=1e-12)


def test_neighbour_correlation_closed_forms():
    amplitude = torch.linspace(-2.0, 3.0, 7)[:, None, None]
    flat = amplitude * torch.ones(7, 3, 3)                        # neighbours equal: r = 1
    assert neighbour_correlation(flat) == pytest.approx(1.0)
    signs = torch.tensor([[(-1.0) ** (i + j) for j in range(3)] for i in range(3)])
    assert neighbour_correlation(amplitude * signs) == pytest.approx(-1.0)   # checkerboard: r = -1
    # independent weights: r = 0 in expectation; 20000 filters put it within a few hundredths
    noise = torch.randn(20000, 3, 3, generator=torch.Generator().manual_seed(0))
    assert abs(neighbour_correlation(noise)) < 0.02
    # torch's own initialisation is independent too
    torch.manual_seed(0)
    inits = [neighbour_correlation(torch.nn.Conv2d(1, 8, 3).weight) for _ in range(300)]
    assert abs(np.mean(inits)) < 0.03


@pytest.mark.parametrize("bad, error", [(np.zeros((2, 3, 3)), TypeError), (torch.zeros(3, 3), ValueError),
                                        (torch.zeros(2, 2, 3, 3), ValueError),
                                        (torch.zeros(4, 1, 1), ValueError)])
def test_neighbour_correlation_rejects_bad_input(bad, error):
    with pytest.raises(error):
        neighbour_correlation(bad)


# ---- top patches ----------------------------------------------------------------------------

def crop(image, top, left, field):
    """The field x field square from (top, left) of an (H, W) array, zeros outside: by np.pad."""
    margin = 2 * field
    padded = np.pad(np.asarray(image, dtype=float), margin)
    return padded[top + margin:top + margin + field, left + margin:left + margin + field]


@pytest.mark.parametrize("field, stride, padding, out", [(5, 1, 2, 8), (3, 2, 0, 3), (3, 1, 0, 6),
                                                         (4, 2, 1, 4)])
def test_top_patches_against_an_independent_search(field, stride, padding, out):
    g = torch.Generator().manual_seed(field * 10 + stride)
    images = torch.rand(30, 1, 8, 8, generator=g)
    activation = torch.randn(30, out, out, generator=g)
    result = top_patches(images, activation, k=6, field=field, padding=padding, stride=stride)
    assert isinstance(result, TopPatches)
    a = activation.numpy()
    peaks = a.reshape(30, -1).max(axis=1)
    expected = np.argsort(-peaks, kind="stable")[:6]
    assert result.index.tolist() == expected.tolist()
    np.testing.assert_allclose(result.value.numpy(), peaks[expected], rtol=1e-6)
    for j, n in enumerate(expected):
        i, jj = np.unravel_index(np.argmax(a[n]), a[n].shape)
        assert (int(result.row[j]), int(result.col[j])) == (i, jj)
        top, left = i * stride - padding, jj * stride - padding
        assert (int(result.top[j]), int(result.left[j])) == (top, left)
        np.testing.assert_allclose(result.patches[j].numpy(), crop(images[n, 0], top, left, field))
    assert result.patches.shape == (6, field, field)


def test_a_top_patch_is_what_a_conv_unit_sees():
    # one 5x5 conv layer with padding 2: a unit's value is the dot product of its patch with the
    # filter, plus the bias (torch computes both sides)
    torch.manual_seed(0)
    layer = torch.nn.Conv2d(1, 1, 5, padding=2)
    images = torch.rand(40, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        activation = layer(images)[:, 0]
        result = top_patches(images, activation, k=5, field=5, padding=2)
        for patch, value in zip(result.patches, result.value):
            alone = torch.nn.functional.conv2d(patch[None, None].float(), layer.weight, layer.bias)
            assert alone.item() == pytest.approx(float(value), abs=1e-5)


def test_top_patches_ties_and_one_patch_per_image():
    images = torch.zeros(3, 6, 6)
    activation = torch.zeros(3, 6, 6)
    activation[1, 2, 3] = activation[1, 4, 4] = 5.0     # a tie inside image 1: the first wins
    activation[2, 0, 0] = 5.0                            # a tie between images: the first wins
    result = top_patches(images, activation, k=3, field=3, padding=1)
    assert result.index.tolist() == [1, 2, 0]
    assert (int(result.row[0]), int(result.col[0])) == (2, 3)
    assert len(set(result.index.tolist())) == 3


@pytest.mark.parametrize("kwargs, words", [
    ({"k": 0}, "k must be >= 1"), ({"k": 11}, "k must be <="), ({"field": 0}, "field"),
    ({"padding": -1}, "padding"), ({"field": 9}, "past the padded"),
    ({"activation": torch.zeros(9, 8, 8)}, "9 maps for 10 images"),
    ({"images": torch.zeros(10, 2, 8, 8)}, "one channel"), ({"activation": torch.zeros(10, 64)}, "3"),
])
def test_top_patches_rejects_bad_input(kwargs, words):
    args = {"images": torch.zeros(10, 1, 8, 8), "activation": torch.zeros(10, 8, 8), "k": 3,
            "field": 5, "padding": 2}
    args.update(kwargs)
    with pytest.raises(ValueError, match=words):
        top_patches(**args)


# ---- occlusion ------------------------------------------------------------------------------

class Linear(torch.nn.Module):
    """score_c = sum_p W[c, p] x_p + b_c over the flattened (1, H, W) image."""

    def __init__(self, weight, bias):
        super().__init__()
        self.linear = torch.nn.Linear(weight.shape[1], weight.shape[0]).double()
        with torch.no_grad():
            self.linear.weight.copy_(weight)
            self.linear.bias.copy_(bias)

    def forward(self, x):
        return self.linear(x.flatten(1))


@pytest.mark.parametrize("size, value", [(3, 0.0), (1, 0.5), (5, 0.25)])
def test_occlusion_of_a_linear_model_in_closed_form(size, value):
    g = torch.Generator().manual_seed(size)
    h, w = 6, 7
    weight = torch.randn(3, h * w, generator=g, dtype=torch.float64)
    model = Linear(weight, torch.randn(3, generator=g, dtype=torch.float64))
    image = torch.rand(1, h, w, generator=g, dtype=torch.float64)
    drop = occlusion_map(model, image, target=2, size=size, value=value)
    x, wt = image[0].numpy(), weight[2].numpy().reshape(h, w)
    half = size // 2
    expected = np.zeros((h, w))
    for r in range(h):
        for c in range(w):          # drop = sum over the hidden pixels of w_p (x_p - value)
            for rr in range(max(0, r - half), min(h, r + half + 1)):
                for cc in range(max(0, c - half), min(w, c + half + 1)):
                    expected[r, c] += wt[rr, cc] * (x[rr, cc] - value)
    assert drop.shape == (h, w) and drop.dtype == torch.float64
    np.testing.assert_allclose(drop.numpy(), expected, atol=1e-10)


def test_occlusion_with_softmax_follows_the_probability():
    torch.manual_seed(3)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(),
                                torch.nn.Linear(2 * 5 * 5, 4))
    image = torch.rand(1, 5, 5, generator=torch.Generator().manual_seed(4))
    drop = occlusion_map(model, image, target=1, size=3, value=0.0, softmax=True)
    with torch.no_grad():
        base = torch.softmax(model(image[None]), dim=1)[0, 1].item()
        for r, c in [(0, 0), (2, 3), (4, 4)]:
            hidden = image.clone()
            hidden[:, max(0, r - 1):r + 2, max(0, c - 1):c + 2] = 0.0
            after = torch.softmax(model(hidden[None]), dim=1)[0, 1].item()
            assert drop[r, c].item() == pytest.approx(base - after, abs=1e-6)
    assert drop.abs().max() <= 1.0


def test_hiding_background_with_background_changes_nothing():
    torch.manual_seed(5)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 3))
    image = torch.zeros(1, 8, 8)
    image[0, 6:, 6:] = 1.0                   # ink only in the bottom-right corner
    drop = occlusion_map(model, image, target=0, size=3, value=0.0)
    assert torch.equal(drop[:4, :4], torch.zeros(4, 4))     # squares that touch no ink
    assert drop[6:, 6:].abs().sum() > 0


@pytest.mark.parametrize("kwargs, error", [({"size": 2}, ValueError), ({"size": 0}, ValueError),
                                           ({"target": 3}, ValueError), ({"target": -1}, ValueError),
                                           ({"image": torch.zeros(2, 8, 8)}, ValueError),
                                           ({"image": np.zeros((8, 8))}, TypeError)])
def test_occlusion_rejects_bad_input(kwargs, error):
    args = {"model": torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 3)),
            "image": torch.zeros(1, 8, 8), "target": 0}
    args.update(kwargs)
    with pytest.raises(error):
        occlusion_map(**args)


# ---- figures --------------------------------------------------------------------------------

def test_mosaic_places_each_tile():
    tiles = np.arange(3 * 2 * 4, dtype=float).reshape(3, 2, 4)
    out = mosaic(tiles)
    assert out.shape == (2, 3 * 4 + 2 * GAP)
    for j in range(3):
        np.testing.assert_array_equal(out[:, j * (4 + GAP):j * (4 + GAP) + 4], tiles[j])
    assert np.isnan(out[:, 4:4 + GAP]).all()


def _colour_bar_labels(fig):
    return [ax.get_ylabel() for ax in fig.axes if ax.get_label() == "<colorbar>"]


def test_figures_are_labelled():
    g = torch.Generator().manual_seed(0)
    images = torch.rand(12, 1, 8, 8, generator=g)
    units = {"unit a": top_patches(images, torch.rand(12, 8, 8, generator=g), k=4, field=5, padding=2),
             "unit b": top_patches(images, torch.rand(12, 8, 8, generator=g), k=4, field=5, padding=2)}
    figures = [
        draw_filter_rows({"before": torch.randn(8, 1, 3, 3), "after": torch.randn(8, 1, 3, 3)}),
        draw_activation_maps(images[0], torch.rand(8, 8, 8)),
        draw_top_patches(images, units),
        draw_occlusion(images[:3], torch.randn(3, 8, 8), titles=["a", "b", "c"], bound=1.0,
                       label="drop in probability"),
    ]
    try:
        assert all(isinstance(fig, Figure) for fig in figures)
        assert _colour_bar_labels(figures[0]) == ["weight", "weight"]
        assert _colour_bar_labels(figures[1]) == ["pixel", "activation"]
        assert _colour_bar_labels(figures[2]) == ["pixel value"]
        assert _colour_bar_labels(figures[3]) == ["pixel", "drop in probability"]
        occlusion_image = figures[3].axes[1].get_images()[0]
        assert occlusion_image.get_clim() == (-1.0, 1.0)
        # ReLU maps (all >= 0) use a one-sided scale from 0
        assert figures[1].axes[1].get_images()[0].get_clim()[0] == 0.0
    finally:
        for fig in figures:
            plt.close(fig)


@pytest.mark.parametrize("call", [
    lambda: draw_filter_rows({}),
    lambda: draw_filter_rows({"a": torch.zeros(3, 3)}),
    lambda: draw_activation_maps(torch.zeros(2, 8, 8), torch.zeros(8, 8, 8)),
    lambda: draw_activation_maps(torch.zeros(8, 8), torch.zeros(8, 8, 8), titles=["x"]),
    lambda: draw_top_patches(torch.zeros(3, 8, 8), {}),
    lambda: draw_occlusion(torch.zeros(3, 8, 8), torch.zeros(2, 8, 8)),
    lambda: draw_occlusion(torch.zeros(3, 8, 8), torch.zeros(3, 8, 8), bound=0.0),
])
def test_figures_reject_bad_input(call):
    with pytest.raises(ValueError):
        call()
