"""Unit tests of course_utils.topics.backprop against closed forms and scikit-learn's own data."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils.topics.backprop import (  # noqa: E402
    ACTIVATIONS,
    activation_curves,
    digits_split,
    draw_activations,
    draw_learning_rates,
    draw_network,
    init_mlp,
)


def test_digits_split_sizes_ranges_and_disjointness():
    from sklearn.datasets import load_digits

    X_train, y_train, X_test, y_test = digits_split(n_test=360, seed=0)
    assert X_train.shape == (1437, 64) and X_test.shape == (360, 64)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert X_train.dtype == np.float64 and y_train.dtype == np.int64
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    # together the two parts are exactly scikit-learn's digits (pixels 0..16 scaled by 1/16), once each
    bunch = load_digits()
    expected = sorted(map(tuple, np.column_stack([bunch.data / 16.0, bunch.target])))
    got = sorted(map(tuple, np.column_stack([np.vstack([X_train, X_test]), np.concatenate([y_train, y_test])])))
    assert got == expected
    assert set(np.unique(y_test)) == set(range(10))


def test_digits_split_is_seeded():
    a, b = digits_split(100, seed=3), digits_split(100, seed=3)
    c = digits_split(100, seed=4)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not np.array_equal(a[2], c[2])


@pytest.mark.parametrize("n_test", [0, 1797, 2000, 1.5, True])
def test_digits_split_rejects_bad_sizes(n_test):
    with pytest.raises(ValueError, match="n_test"):
        digits_split(n_test)


def test_init_mlp_shapes_scale_and_seed():
    p = init_mlp(400, 300, 200, seed=0)
    assert {k: v.shape for k, v in p.items()} == {"W1": (400, 300), "b1": (300,), "W2": (300, 200), "b2": (200,)}
    assert all(v.dtype == np.float64 for v in p.values())
    assert np.all(p["b1"] == 0) and np.all(p["b2"] == 0)
    # He's sqrt(2 / fan_in) for W1, sqrt(1 / fan_in) for W2; 120,000 and 60,000 samples: within 2%
    assert p["W1"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert p["W2"].std() == pytest.approx(np.sqrt(1 / 300), rel=0.02)
    assert abs(p["W1"].mean()) < 0.01
    q = init_mlp(400, 300, 200, seed=0)
    assert all(np.array_equal(p[k], q[k]) for k in p)
    assert not np.array_equal(p["W1"], init_mlp(400, 300, 200, seed=1)["W1"])
    with pytest.raises(ValueError, match="d_hidden"):
        init_mlp(4, 0, 2)


def test_activation_curves_match_closed_forms():
    z = np.linspace(-6, 6, 241)
    curves = activation_curves(z)
    assert set(curves) == set(ACTIVATIONS) == {"sigmoid", "tanh", "ReLU"}
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(curves["sigmoid"][0], s, rtol=1e-12)
    np.testing.assert_allclose(curves["sigmoid"][1], s * (1 - s), rtol=1e-12)
    np.testing.assert_allclose(curves["tanh"][0], np.tanh(z), rtol=1e-12)
    np.testing.assert_allclose(curves["tanh"][1], 1 / np.cosh(z) ** 2, rtol=1e-10)
    np.testing.assert_array_equal(curves["ReLU"][0], np.maximum(z, 0))
    np.testing.assert_array_equal(curves["ReLU"][1], (z > 0).astype(float))   # torch: ReLU'(0) = 0
    assert curves["ReLU"][1][z == 0] == 0


def test_activation_curves_keep_shape_and_reject_bad_input():
    curves = activation_curves(np.zeros((2, 3)))
    assert curves["sigmoid"][0].shape == (2, 3) and np.all(curves["sigmoid"][1] == 0.25)
    for bad in ([], [0.0, np.nan], [np.inf]):
        with pytest.raises(ValueError, match="finite"):
            activation_curves(bad)


def test_draw_activations_returns_a_figure_with_both_panels():
    fig = draw_activations(-4, 4)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert [len(ax.lines) for ax in fig.axes] == [5, 5]    # three curves and two axis lines each
    assert "derivative" in fig.axes[1].get_title()
    with pytest.raises(ValueError):
        draw_activations(1, 5)


def test_draw_network_draws_every_unit_and_edge():
    fig = draw_network([3, 4, 2])
    ax = fig.axes[0]
    assert isinstance(fig, Figure)
    assert len(ax.patches) == 3 + 4 + 2              # one circle per unit
    assert len(ax.lines) == 3 * 4 + 4 * 2            # every unit joined to every unit of the next layer
    with pytest.raises(ValueError, match="two layers"):
        draw_network([3])
    with pytest.raises(ValueError, match="names"):
        draw_network([3, 2], layer_names=["x"])
    with pytest.raises(ValueError):
        draw_network([3, 0, 2])


def test_draw_learning_rates_marks_divergence():
    steady = [2.0 * 0.9 ** k for k in range(20)]
    exploding = [2.0 * 3.0 ** k for k in range(20)]          # passes 1e3 at step 6
    fig = draw_learning_rates({"lr=0.1": steady, "lr=10": exploding, "lr=100": [1.0, np.nan, np.nan]}, cap=1e3)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["lr=0.1", "lr=10 (diverged)", "lr=100 (diverged)"]
    curves = [line for line in ax.lines if line.get_marker() != "x"]
    crosses = [line for line in ax.lines if line.get_marker() == "x"]
    assert len(curves[0].get_xdata()) == 20 and len(curves[1].get_xdata()) == 6
    assert [tuple(c.get_xdata()) for c in crosses] == [(6,), (1,)]
    assert ax.get_yscale() == "log"
    with pytest.raises(ValueError):
        draw_learning_rates({})
    with pytest.raises(ValueError, match="non-empty"):
        draw_learning_rates({"a": []})
