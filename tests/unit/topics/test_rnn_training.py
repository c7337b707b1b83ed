"""Unit tests of course_utils.topics.rnn_gradients.training: the running-sum task and the RNN's initial parameters."""
import numpy as np
import pytest

from course_utils.topics.rnn_gradients.training import PARAMETER_NAMES, init_rnn, running_sum_task


def test_running_sum_targets_by_an_explicit_loop():
    x, y = running_sum_task(5, 7, seed=3)
    assert x.shape == y.shape == (5, 7, 1) and x.dtype == y.dtype == np.float64
    for n in range(5):
        total = 0.0
        for t in range(1, 8):
            total += x[n, t - 1, 0]
            assert y[n, t - 1, 0] == pytest.approx(total / t ** 0.5, rel=1e-12, abs=1e-12)


def test_running_sum_has_unit_variance_at_every_step():
    # y_t is a sum of t independent N(0, 1) divided by sqrt(t): variance 1 at every step
    _, y = running_sum_task(20000, 12, seed=0)
    assert np.allclose(y.var(axis=0)[:, 0], 1.0, atol=0.05)


def test_running_sum_is_seeded():
    a, b, c = running_sum_task(3, 4, seed=1), running_sum_task(3, 4, seed=1), running_sum_task(3, 4, seed=2)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not np.array_equal(a[0], c[0])


def test_init_rnn_shapes_scales_and_seed():
    p = init_rnn(3, 200, 2, seed=5, readout_scale=4.0)
    assert tuple(p) == PARAMETER_NAMES
    assert [p[k].shape for k in PARAMETER_NAMES] == [(200, 3), (200, 200), (200,), (2, 200), (2,)]
    assert not p["b"].any() and not p["b_y"].any()
    assert p["W_hh"].std() == pytest.approx(1 / np.sqrt(200), rel=0.05)
    assert p["W_xh"].std() == pytest.approx(1 / np.sqrt(3), rel=0.15)
    assert p["W_hy"].std() == pytest.approx(4.0 / np.sqrt(200), rel=0.15)
    q = init_rnn(3, 200, 2, seed=5, readout_scale=4.0)
    assert all(np.array_equal(p[k], q[k]) for k in p)


@pytest.mark.parametrize("call", [lambda: running_sum_task(0, 3), lambda: running_sum_task(2, 1.5),
                                  lambda: init_rnn(1, 0, 1), lambda: init_rnn(1, 4, 1, readout_scale=-1.0)])
def test_bad_arguments_are_refused(call):
    with pytest.raises(ValueError):
        call()
