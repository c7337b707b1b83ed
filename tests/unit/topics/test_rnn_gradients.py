"""Unit tests of course_utils.topics.rnn_gradients against torch's RNN cells, reverse-mode autograd and closed forms."""
import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils.topics.rnn_gradients import (  # noqa: E402
    INITS,
    NONLINEARITIES,
    draw_gradient_norms,
    draw_sequence_patterns,
    draw_unrolled,
    gradient_norms,
    jacobians_through_time,
    recurrent_matrix,
    trajectory,
)


def _inputs(T, H, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (scale * torch.randn(T, H, generator=g, dtype=torch.float64),
            0.5 * torch.randn(H, generator=g, dtype=torch.float64))


# ----------------------------------------------------------------------------- recurrent_matrix

@pytest.mark.parametrize("sigma", [0.5, 1.0, 1.7])
def test_orthogonal_matrix_has_every_singular_value_sigma(sigma):
    W = recurrent_matrix(12, sigma, "orthogonal", seed=3)
    assert W.shape == (12, 12) and W.dtype == torch.float64
    # closed form: W^T W = sigma^2 I for sigma times an orthogonal matrix
    assert torch.allclose(W.T @ W, sigma ** 2 * torch.eye(12, dtype=torch.float64), atol=1e-12)


def test_gaussian_matrix_has_largest_singular_value_sigma_and_smaller_others():
    W = recurrent_matrix(20, 0.8, "gaussian", seed=1)
    singular = np.linalg.svd(W.numpy(), compute_uv=False)
    assert singular[0] == pytest.approx(0.8, rel=1e-12)
    assert singular[-1] < 0.5 * singular[0]
    assert np.abs(np.linalg.eigvals(W.numpy())).max() < 0.8       # spectral radius below sigma


def test_identity_matrix():
    assert torch.equal(recurrent_matrix(5, 1.3, "identity"), 1.3 * torch.eye(5, dtype=torch.float64))


def test_matrices_are_reproducible_and_depend_on_the_seed():
    assert torch.equal(recurrent_matrix(6, 1.0, "orthogonal", seed=4), recurrent_matrix(6, 1.0, "orthogonal", seed=4))
    assert not torch.equal(recurrent_matrix(6, 1.0, "gaussian", seed=4), recurrent_matrix(6, 1.0, "gaussian", seed=5))


@pytest.mark.parametrize("args, match", [
    ((0, 1.0), "hidden"), ((2.5, 1.0), "hidden"), ((True, 1.0), "hidden"),
    ((4, 0.0), "sigma"), ((4, -1.0), "sigma"), ((4, math.nan), "sigma"), ((4, math.inf), "sigma"), ((4, "1"), "sigma"),
])
def test_recurrent_matrix_rejects_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        recurrent_matrix(*args)


def test_recurrent_matrix_rejects_unknown_init():
    with pytest.raises(ValueError, match="init"):
        recurrent_matrix(4, 1.0, "xavier")


# ----------------------------------------------------------------------------- trajectory

@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_trajectory_matches_torch_rnn_cell(nonlinearity):
    H, D, T = 6, 3, 9
    cell = torch.nn.RNNCell(D, H, nonlinearity=nonlinearity, dtype=torch.float64)
    x = torch.randn(T, D, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    h0 = torch.randn(H, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    with torch.no_grad():
        u = x @ cell.weight_ih.T + cell.bias_ih + cell.bias_hh       # the input contributions
        h, a = trajectory(cell.weight_hh, u, h0, nonlinearity)
        expected = [h0]
        for t in range(T):
            expected.append(cell(x[t:t + 1], expected[-1][None])[0])
    assert h.shape == (T + 1, H) and a.shape == (T, H)
    assert torch.allclose(h, torch.stack(expected), atol=1e-12)
    assert torch.allclose(a, torch.stack(expected[:-1]) @ cell.weight_hh.detach().T + u, atol=1e-12)


def test_linear_trajectory_closed_form():
    W = recurrent_matrix(4, 0.9, "gaussian", seed=0)
    u = torch.zeros(5, 4, dtype=torch.float64)
    h0 = torch.ones(4, dtype=torch.float64)
    h, _ = trajectory(W, u, h0, "linear")
    for t in range(6):
        assert torch.allclose(h[t], torch.linalg.matrix_power(W, t) @ h0, atol=1e-12)


def test_trajectory_of_length_zero():
    h, a = trajectory(torch.eye(3, dtype=torch.float64), torch.zeros(0, 3, dtype=torch.float64),
                      torch.ones(3, dtype=torch.float64))
    assert h.shape == (1, 3) and a.shape == (0, 3)


@pytest.mark.parametrize("W, u, h0, match", [
    (torch.zeros(3, 4), torch.zeros(2, 3), torch.zeros(3), "square"),
    (torch.zeros(3, 3), torch.zeros(2, 4), torch.zeros(3), "u must"),
    (torch.zeros(3, 3), torch.zeros(2, 3), torch.zeros(1, 3), "h0 must"),
])
def test_trajectory_rejects_bad_shapes(W, u, h0, match):
    with pytest.raises(ValueError, match=match):
        trajectory(W, u, h0)
    with pytest.raises(ValueError, match=match):
        jacobians_through_time(W, u, h0)


def test_trajectory_rejects_unknown_nonlinearity():
    with pytest.raises(ValueError, match="nonlinearity"):
        trajectory(torch.eye(2), torch.zeros(1, 2), torch.zeros(2), "sigmoid")


# ----------------------------------------------------------------------------- Jacobians

@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_jacobians_match_reverse_mode_autograd(nonlinearity):
    H, T = 5, 7
    W = recurrent_matrix(H, 1.2, "gaussian", seed=6)
    u, h0 = _inputs(T, H, seed=7)
    J = jacobians_through_time(W, u, h0, nonlinearity)
    assert J.shape == (T + 1, H, H)
    assert torch.equal(J[0], torch.eye(H, dtype=torch.float64))
    for t in (1, 3, T):
        expected = torch.autograd.functional.jacobian(lambda h, t=t: trajectory(W, u[:t], h, nonlinearity)[0][-1], h0)
        assert torch.allclose(J[t], expected, atol=1e-12)


def test_linear_jacobians_are_powers_of_W():
    W = recurrent_matrix(4, 1.1, "gaussian", seed=8)
    u, h0 = _inputs(6, 4, seed=9)
    J = jacobians_through_time(W, u, h0, "linear")
    for t in range(7):
        assert torch.allclose(J[t], torch.linalg.matrix_power(W, t), atol=1e-12)


def test_tanh_jacobians_are_the_product_of_the_slides():
    W = recurrent_matrix(6, 1.0, "orthogonal", seed=2)
    u, h0 = _inputs(5, 6, seed=3)
    h, _ = trajectory(W, u, h0, "tanh")
    J = jacobians_through_time(W, u, h0, "tanh")
    product = torch.eye(6, dtype=torch.float64)
    for t in range(1, 6):
        product = torch.diag(1 - h[t] ** 2) @ W @ product
        assert torch.allclose(J[t], product, atol=1e-12)


# ----------------------------------------------------------------------------- gradient_norms

@pytest.mark.parametrize("sigma", [0.8, 1.0, 1.15])
@pytest.mark.parametrize("init", ["orthogonal", "identity"])
def test_linear_norms_are_exactly_sigma_to_the_t(sigma, init):
    norms = gradient_norms(sigma, 40, nonlinearity="linear", init=init, hidden=8)
    assert norms.shape == (41,) and norms.dtype == np.float64
    np.testing.assert_allclose(norms, sigma ** np.arange(41.0), rtol=1e-10)


@pytest.mark.parametrize("init", INITS)
def test_tanh_norms_stay_below_sigma_to_the_t(init):
    norms = gradient_norms(1.2, 30, nonlinearity="tanh", init=init, hidden=8, input_scale=0.5)
    assert np.all(norms <= 1.2 ** np.arange(31.0) * (1 + 1e-9))
    assert norms[-1] < 1.2 ** 30 / 10                # saturation takes a visible share


def test_relu_with_identity_keeps_the_norm_at_one():
    np.testing.assert_allclose(gradient_norms(1.0, 50, nonlinearity="relu", init="identity", input_scale=0.3), 1.0)


def test_gaussian_rate_is_the_spectral_radius():
    W = recurrent_matrix(32, 1.0, "gaussian", seed=0)
    rho = float(np.abs(np.linalg.eigvals(W.numpy())).max())
    norms = gradient_norms(1.0, 200, nonlinearity="linear", init="gaussian", seed=0)
    assert abs(norms[-1] ** (1 / 200) - rho) < 0.02


def test_norms_of_zero_steps_and_zero_inputs():
    np.testing.assert_array_equal(gradient_norms(1.3, 0), [1.0])
    assert gradient_norms(1.0, 5, "tanh", input_scale=0.0).shape == (6,)


@pytest.mark.parametrize("kwargs, match", [
    ({"T": -1}, "T"), ({"T": 2.0}, "T"), ({"input_scale": -0.1}, "input_scale"),
    ({"nonlinearity": "gelu"}, "nonlinearity"), ({"init": "he"}, "init"), ({"sigma": 0}, "sigma"),
])
def test_gradient_norms_rejects_bad_arguments(kwargs, match):
    arguments = {"sigma": 1.0, "T": 5} | kwargs
    with pytest.raises(ValueError, match=match):
        gradient_norms(**arguments)


# ----------------------------------------------------------------------------- figures

@pytest.mark.parametrize("nonlinearity, init", [("tanh", "orthogonal"), ("linear", "gaussian"), ("relu", "identity")])
def test_draw_gradient_norms_labels_and_log_scale(nonlinearity, init):
    fig = draw_gradient_norms(sigma=0.9, T=30, nonlinearity=nonlinearity, init=init, input_scale=0.5)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.lines) == 2 and ax.get_legend() is not None
    measured = ax.lines[0].get_ydata()
    expected = gradient_norms(0.9, 30, nonlinearity, init, input_scale=0.5)
    np.testing.assert_allclose(measured, np.maximum(expected, 1e-300))
    assert "rate per step" in ax.get_title()


def test_draw_gradient_norms_shows_the_linear_rate_in_its_title():
    fig = draw_gradient_norms(sigma=0.8, T=20, nonlinearity="linear", init="orthogonal")
    assert "0.800" in fig.axes[0].get_title()


def test_draw_gradient_norms_with_one_step_and_a_vanished_gradient():
    draw_gradient_norms(sigma=1.0, T=1)
    # ReLU units that all switch off give an exact zero, which a log axis cannot show: no error
    fig = draw_gradient_norms(sigma=0.5, T=60, nonlinearity="relu", init="identity", input_scale=2.0)
    assert np.all(fig.axes[0].lines[0].get_ydata() > 0)


def test_draw_sequence_patterns():
    fig = draw_sequence_patterns()
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 3
    assert titles[0].startswith("one to one") and titles[1].startswith("many to one")
    assert titles[2].startswith("many to many")
    texts = [t.get_text() for t in fig.axes[2].texts]
    assert sum(t.startswith("$y_") for t in texts) == 4          # an output at every step
    assert sum(t.startswith("$y_") for t in (t.get_text() for t in fig.axes[1].texts)) == 1


@pytest.mark.parametrize("T", [1, 3, 6])
def test_draw_unrolled(T):
    fig = draw_unrolled(T)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "$h_0$" in texts and f"$x_{T}$" in texts and f"$h_{T}$" in texts
    assert texts.count("$W_{hh}$") == T
    assert str(T) in fig.axes[0].get_title()


def test_draw_unrolled_rejects_bad_length():
    with pytest.raises(ValueError, match="T"):
        draw_unrolled(0)
