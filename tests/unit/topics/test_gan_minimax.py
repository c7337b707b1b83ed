"""Unit tests of course_utils.topics.gan_minimax against closed forms and NumPy."""
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402

from course_utils.data import gaussian_ring  # noqa: E402
from course_utils.topics.gan_minimax import (  # noqa: E402
    decision_surface,
    draw_densities,
    draw_snapshot,
    grid_points,
    mlp,
    ring_centres,
    ring_generator,
)


# ----------------------------------------------------------------------------- mlp
@pytest.mark.parametrize("sizes", [[2, 1], [2, 64, 64, 2], [16, 128, 64], [64, 128, 1], [3, 5, 7, 9, 11]])
def test_mlp_layers_and_parameter_count(sizes):
    net = mlp(sizes)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == list(zip(sizes[:-1], sizes[1:]))
    # one activation between consecutive linear layers, none after the last
    assert len(net) == 2 * len(linears) - 1
    assert all(isinstance(net[k], nn.ReLU) for k in range(1, len(net), 2))
    expected = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    assert sum(p.numel() for p in net.parameters()) == expected
    assert net(torch.zeros(7, sizes[0])).shape == (7, sizes[-1])


def test_mlp_activations():
    net = mlp([4, 8, 3], activation=nn.Tanh, out_activation=nn.Sigmoid)
    assert [type(m) for m in net] == [nn.Linear, nn.Tanh, nn.Linear, nn.Sigmoid]
    out = net(100 * torch.randn(50, 4))
    assert out.min() >= 0 and out.max() <= 1
    leaky = mlp([2, 4, 1], activation=lambda: nn.LeakyReLU(0.2))
    assert isinstance(leaky[1], nn.LeakyReLU) and leaky[1].negative_slope == 0.2


@pytest.mark.parametrize("sizes", [[], [3], [2, 0, 1], [2, -4, 1], [2, 3.0, 1], [2, True, 1]])
def test_mlp_bad_sizes(sizes):
    with pytest.raises(ValueError):
        mlp(sizes)


# ----------------------------------------------------------------------------- ring_centres
def test_ring_centres_closed_form():
    centres = ring_centres()
    assert centres.shape == (8, 2) and centres.dtype == torch.float32
    s = math.sqrt(2.0)
    expected = [[2, 0], [s, s], [0, 2], [-s, s], [-2, 0], [-s, -s], [0, -2], [s, -s]]
    np.testing.assert_allclose(centres.numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(ring_centres(4, 1.5).numpy(), [[1.5, 0], [0, 1.5], [-1.5, 0], [0, -1.5]], atol=1e-6)


@pytest.mark.parametrize("modes, radius", [(8, 2.0), (5, 1.0), (3, 4.0)])
def test_ring_centres_match_gaussian_ring(modes, radius):
    points, mode = gaussian_ring(2000, modes=modes, radius=radius, std=0.01, seed=3)
    centres = ring_centres(modes, radius)
    distance = (points - centres[mode]).norm(dim=1)
    assert distance.max() < 0.06            # 6 std of the components


@pytest.mark.parametrize("modes, radius", [(0, 2.0), (-1, 2.0), (2.5, 2.0), (8, -1.0)])
def test_ring_centres_bad_input(modes, radius):
    with pytest.raises(ValueError):
        ring_centres(modes, radius)


# ----------------------------------------------------------------------------- grid_points
def test_grid_points_order_matches_numpy_meshgrid():
    points = grid_points(2.0, 5)
    xs, ys = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-2, 2, 5))    # rows: y, columns: x
    assert points.shape == (25, 2) and points.dtype == torch.float32
    np.testing.assert_allclose(points[:, 0].reshape(5, 5).numpy(), xs, atol=1e-6)
    np.testing.assert_allclose(points[:, 1].reshape(5, 5).numpy(), ys, atol=1e-6)
    assert grid_points(1.0, 1).tolist() == [[-1.0, -1.0]]


@pytest.mark.parametrize("lim, n", [(0.0, 5), (-1.0, 5), (1.0, 0), (1.0, 2.5)])
def test_grid_points_bad_input(lim, n):
    with pytest.raises(ValueError):
        grid_points(lim, n)


# ----------------------------------------------------------------------------- decision_surface
def test_decision_surface_of_a_linear_discriminator():
    # logit = 3 x1 - x2 + 0.5: the surface is sigmoid of that, row i = y, column j = x
    linear = nn.Linear(2, 1)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[3.0, -1.0]]))
        linear.bias.fill_(0.5)
    surface = decision_surface(linear, lim=2.0, n=9)
    axis = np.linspace(-2, 2, 9)
    x1, x2 = np.meshgrid(axis, axis)
    expected = 1 / (1 + np.exp(-(3 * x1 - x2 + 0.5)))
    assert surface.shape == (9, 9) and surface.dtype == np.float64
    np.testing.assert_allclose(surface, expected, rtol=1e-5, atol=1e-6)
    assert surface[4, 8] > 0.99 and surface[4, 0] < 0.01     # right: real, left: fake


def test_decision_surface_flat_output_and_no_gradients():
    net = nn.Sequential(nn.Linear(2, 1), nn.Flatten(0))       # (N,) logits are accepted too
    surface = decision_surface(net, lim=1.0, n=4)
    assert surface.shape == (4, 4)
    assert all(p.grad is None for p in net.parameters())


def test_decision_surface_float64_discriminator():
    net = mlp([2, 8, 1]).double()
    assert decision_surface(net, n=5).shape == (5, 5)


def test_decision_surface_wrong_output_size():
    with pytest.raises(ValueError, match="one logit per point"):
        decision_surface(nn.Linear(2, 3), n=5)


# ----------------------------------------------------------------------------- drawings
def _texts(fig):
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def test_draw_snapshot_is_labelled():
    real, _ = gaussian_ring(200, seed=0)
    fake = torch.randn(100, 2)
    surface = decision_surface(mlp([2, 8, 1]), lim=3.0, n=21)
    fig = draw_snapshot(real, fake, surface, lim=3.0, centres=ring_centres(), radius=0.15, title="step 100")
    try:
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title() == "step 100"
        assert ax.get_xlim() == (-3.0, 3.0)
        assert len(ax.patches) == 8                              # one circle per mode
        assert len(ax.collections) >= 2                          # two scatters (and the contours)
    finally:
        plt.close(fig)


def test_draw_snapshot_into_given_axes_and_numpy_input():
    fig, axes = plt.subplots(1, 2)
    try:
        out = draw_snapshot(np.zeros((3, 2)), np.ones((4, 2)), ax=axes[1])
        assert out is fig and axes[1].get_xlabel() and not axes[0].collections
    finally:
        plt.close(fig)


def test_draw_snapshot_colour_bar_spans_zero_to_one_and_is_labelled():
    surface = np.tile(np.linspace(0.0, 1.0, 11), (11, 1))      # D(x) rising from left to right
    fig = draw_snapshot(np.zeros((3, 2)), np.ones((3, 2)), surface, colorbar=True)
    try:
        assert len(fig.axes) == 2                              # the plane and its colour bar
        bar = fig.axes[1]
        assert bar.get_ylabel() == "D(x): probability of real"
        assert bar.get_ylim() == (0.0, 1.0)
    finally:
        plt.close(fig)


def test_draw_snapshot_shared_colour_bar_for_several_panels():
    fig, axes = plt.subplots(1, 3, layout="constrained")
    try:
        for k, ax in enumerate(axes):
            draw_snapshot(np.zeros((3, 2)), np.ones((3, 2)), np.full((5, 5), 0.5), ax=ax,
                          colorbar=list(axes) if k == 2 else False)
        assert len(fig.axes) == 4                              # three panels, one bar
        assert fig.axes[3].get_ylabel() == "D(x): probability of real"
    finally:
        plt.close(fig)


def test_draw_snapshot_colour_bar_needs_a_surface():
    with pytest.raises(ValueError, match="surface"):
        draw_snapshot(np.zeros((3, 2)), np.ones((3, 2)), colorbar=True)
    plt.close("all")


@pytest.mark.parametrize("kwargs", [
    dict(real=np.zeros((3, 3)), fake=np.zeros((3, 2))),
    dict(real=np.zeros((3, 2)), fake=np.zeros(4)),
    dict(real=np.zeros((3, 2)), fake=np.zeros((3, 2)), surface=np.zeros((4, 5))),
    dict(real=np.zeros((3, 2)), fake=np.zeros((3, 2)), centres=np.zeros((8, 2))),
    dict(real=np.zeros((3, 2)), fake=np.zeros((3, 2)), centres=np.zeros((8, 2)), radius=0.0),
])
def test_draw_snapshot_bad_input(kwargs):
    with pytest.raises(ValueError):
        draw_snapshot(**kwargs)
    plt.close("all")


def test_draw_densities_is_labelled():
    x = np.linspace(-3, 3, 50)
    p = np.exp(-x ** 2 / 2)
    fig = draw_densities(torch.from_numpy(x), {"p_data": p, "p_g": p[::-1]},
                         {"D*": np.full(50, 0.5), "trained D": torch.full((50,), 0.4)}, title="t")
    try:
        assert len(fig.axes) == 2
        for ax in fig.axes:
            assert ax.get_xlabel() == "x" and ax.get_ylabel() and len(ax.get_lines()) == 2
        assert fig.axes[1].get_ylim()[0] < 0 < 1 < fig.axes[1].get_ylim()[1]
        assert fig.axes[1].get_lines()[1].get_linestyle() == "--"
        assert "t" in _texts(fig)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("x, densities, discriminators", [
    (np.zeros((5, 2)), {"p": np.zeros(5)}, {"D": np.zeros(5)}),
    (np.zeros(5), {"p": np.zeros(4)}, {"D": np.zeros(5)}),
    (np.zeros(5), {"p": np.zeros(5)}, {}),
])
def test_draw_densities_bad_input(x, densities, discriminators):
    with pytest.raises(ValueError):
        draw_densities(x, densities, discriminators)
    plt.close("all")


# ----------------------------------------------------------------------------- ring_generator
def test_ring_generator_is_skip_plus_network():
    torch.manual_seed(0)
    generator = ring_generator(hidden=8, skip=1.5)
    z = torch.randn(6, 2)
    linears = [m for m in generator.net if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(2, 8), (8, 8), (8, 2)]
    # the network by hand: two ReLU layers, then a linear one
    hand = z
    for k, layer in enumerate(linears):
        hand = hand @ layer.weight.T + layer.bias
        if k < 2:
            hand = hand.clamp(min=0)
    torch.testing.assert_close(generator(z), 1.5 * z + hand)
    with torch.no_grad():
        for p in generator.parameters():
            p.zero_()
    torch.testing.assert_close(generator(z), 1.5 * z)   # a zero network leaves the scaled noise


def test_ring_generator_arguments():
    assert sum(p.numel() for p in ring_generator(hidden=4).parameters()) == (2 * 4 + 4) + (4 * 4 + 4) + (4 * 2 + 2)
    assert ring_generator(skip=0.0)(torch.zeros(3, 2)).shape == (3, 2)
    with pytest.raises(ValueError, match="skip"):
        ring_generator(skip=-1.0)
    with pytest.raises((ValueError, TypeError)):
        ring_generator(hidden=0)
