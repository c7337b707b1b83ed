"""The NumPy-pooled digits CNN: the wrapper against torch's max_pool2d, the builder and the trainer."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils.topics.pooling.cnn import numpy_pool, pooling_cnn, predictor, train_cnn


def _torch_forward(x, f, stride):          # NumPy in, NumPy out: torch stands in for a student's pooling
    return F.max_pool2d(torch.from_numpy(x), f, stride).numpy()


def _torch_backward(dout, x, f, stride):
    tx = torch.from_numpy(x).requires_grad_(True)
    with torch.enable_grad():                 # the wrapper's backward runs with autograd off
        F.max_pool2d(tx, f, stride).backward(torch.from_numpy(dout))
    return tx.grad.numpy()


def test_wrapper_matches_max_pool2d_forward_and_gradient():
    x = torch.randn(2, 3, 6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    dout = torch.randn(2, 3, 3, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    a, b = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    out = numpy_pool(_torch_forward, _torch_backward)(a)
    out.backward(dout)
    F.max_pool2d(b, 2, 2).backward(dout)
    torch.testing.assert_close(out, F.max_pool2d(x, 2, 2), rtol=0, atol=0)
    torch.testing.assert_close(a.grad, b.grad, rtol=0, atol=0)


def test_wrapper_passes_f_and_stride_and_copies():
    seen = []

    def forward(x, f, stride):
        seen.append((f, stride))
        x[...] = 0.0                               # a function that writes into its input
        return np.zeros((x.shape[0], x.shape[1], 2, 2))

    x = torch.ones(1, 1, 5, 5, dtype=torch.float64)
    numpy_pool(forward, _torch_backward, f=3, stride=2)(x)
    assert seen == [(3, 2)] and torch.equal(x, torch.ones(1, 1, 5, 5, dtype=torch.float64))


def test_wrapper_rejects_wrong_results():
    x = torch.zeros(1, 1, 4, 4, dtype=torch.float64, requires_grad=True)
    with pytest.raises(ValueError, match=r"expected \(1, 1, 2, 2\)"):
        numpy_pool(lambda x, f, s: np.zeros((1, 1, 3, 3)), _torch_backward)(x)
    with pytest.raises(TypeError, match="NumPy array"):
        numpy_pool(lambda x, f, s: [[0.0]], _torch_backward)(x)
    out = numpy_pool(_torch_forward, lambda d, x, f, s: np.zeros((1, 1, 2, 2)))(x)
    with pytest.raises(ValueError, match=r"backward returned shape \(1, 1, 2, 2\)"):
        out.sum().backward()


def test_builder_shapes_and_shared_filters():
    pooled = pooling_cnn(pool=lambda h: F.max_pool2d(h, 2, 2), channels=3, seed=5)
    plain = pooling_cnn(pool=None, channels=3, seed=5)
    assert pooled.readout.in_features == 3 * 16 and plain.readout.in_features == 3 * 64
    assert torch.equal(pooled.conv.weight, plain.conv.weight)
    assert not torch.equal(pooling_cnn(None, 3, seed=6).conv.weight, plain.conv.weight)
    x = torch.zeros(4, 1, 8, 8, dtype=torch.float64)
    assert pooled(x).shape == (4, 10) and plain(x).shape == (4, 10)
    with pytest.raises(TypeError, match="pool must be"):
        pooling_cnn(pool=3)


def test_training_learns_the_digits_and_is_seeded():
    from course_utils.topics.backprop import digits_split

    X, y, X_test, y_test = digits_split(n_test=360, seed=0)
    X, X_test = X.reshape(-1, 1, 8, 8), X_test.reshape(-1, 1, 8, 8)
    runs = []
    for _ in range(2):
        net = pooling_cnn(pool=lambda h: F.max_pool2d(h, 2, 2), channels=4, seed=0)
        runs.append((train_cnn(net, X, y, steps=60, seed=0), predictor(net)(X_test)))
    assert runs[0][0] == runs[1][0] and np.array_equal(runs[0][1], runs[1][1])
    assert np.mean(runs[0][0][-10:]) < 0.5 * runs[0][0][0]
    assert np.mean(runs[0][1] == y_test) > 0.85      # ten classes: chance is 0.1
    with pytest.raises(ValueError, match="expected images"):
        train_cnn(net, X[:, 0], y)
