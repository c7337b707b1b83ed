"""A small CNN on the 8x8 digits whose pooling layer is a pair of NumPy functions.

- :func:`numpy_pool`: a torch function ``y = pool(x)`` whose forward and backward passes are
  NumPy functions ``forward(x, f, stride)`` and ``backward(dout, x, f, stride)``, called on
  float64 copies (the layout and conventions of assignment 02).
- :func:`pooling_cnn`: convolution 3x3 (padding 1) -> ReLU -> optional pooling -> linear
  read-out to 10 classes, in float64; the convolution depends on the seed only, so a net with
  pooling and one without start from the same filters.
- :func:`train_cnn`: Adam on random mini-batches of the cross-entropy, every choice seeded.
- :func:`predictor`: the net as a NumPy function from images (M, 1, 8, 8) to classes (M,).

Nothing here pools by itself: the pooling is whatever functions are passed in.

>>> net = pooling_cnn(pool=None, channels=2, seed=0)
>>> tuple(net(torch.zeros(3, 1, 8, 8, dtype=torch.float64)).shape)
(3, 10)
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_utils._args import require_int

__all__ = ["numpy_pool", "pooling_cnn", "train_cnn", "predictor"]


def _as_float64(value, what: str) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{what} returned {type(value).__name__}, expected a NumPy array")
    return np.array(value, dtype=np.float64)


def numpy_pool(forward, backward, f: int = 2, stride: int = 2):
    """Wrap NumPy pooling functions as a differentiable torch function.

    Args:
        forward: ``forward(x, f, stride)``, x (N, C, H, W) float64 -> out (N, C, H', W').
        backward: ``backward(dout, x, f, stride)`` -> dx (N, C, H, W), the gradient of
            sum(dout * out) with respect to x.
        f, stride: the window size and the stride passed to both.

    Returns:
        A function of a float64 tensor (N, C, H, W) returning a float64 tensor (N, C, H', W')
        that torch's autograd differentiates with ``backward``. Both NumPy functions get fresh
        copies; a result that is not an array of the expected shape raises an error that says so.
    """
    f = require_int("f", f, 1)
    stride = require_int("stride", stride, 1)

    class _NumpyPool(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x_np = x.detach().cpu().numpy().astype(np.float64, copy=True)
            n, c, h, w = x_np.shape
            expected = (n, c, (h - f) // stride + 1, (w - f) // stride + 1)
            out = _as_float64(forward(x_np.copy(), f, stride), "the pooling forward")
            if out.shape != expected:
                raise ValueError(f"the pooling forward returned shape {out.shape}, expected {expected}")
            ctx.x_np = x_np
            return torch.from_numpy(out).to(x.dtype)

        @staticmethod
        def backward(ctx, grad_out):
            dout = grad_out.detach().cpu().numpy().astype(np.float64, copy=True)
            dx = _as_float64(backward(dout, ctx.x_np.copy(), f, stride), "the pooling backward")
            if dx.shape != ctx.x_np.shape:
                raise ValueError(f"the pooling backward returned shape {dx.shape}, expected {ctx.x_np.shape}")
            return torch.from_numpy(dx).to(grad_out.dtype)

    return _NumpyPool.apply


class PoolingCNN(nn.Module):
    """conv 3x3 (1 -> channels, padding 1) -> ReLU -> pool (or nothing) -> flatten -> linear (10)."""

    def __init__(self, pool, channels: int, side: int, pooled_side: int, seed: int):
        super().__init__()
        generator_state = torch.random.get_rng_state()
        try:
            torch.manual_seed(seed)
            self.conv = nn.Conv2d(1, channels, 3, padding=1, dtype=torch.float64)
            self.readout = nn.Linear(channels * pooled_side * pooled_side, 10, dtype=torch.float64)
        finally:
            torch.random.set_rng_state(generator_state)
        self.pool = pool

    def forward(self, x):
        h = torch.relu(self.conv(x))
        if self.pool is not None:
            h = self.pool(h)
        return self.readout(h.flatten(1))


def pooling_cnn(pool=None, channels: int = 8, seed: int = 0, side: int = 8) -> PoolingCNN:
    """The digits CNN, with the 2x2 pooling ``pool`` (stride 2) after the ReLU, or none.

    Input (M, 1, side, side) float64, output (M, 10) class scores. With ``pool`` the read-out
    sees channels * (side // 2)**2 features, without it channels * side**2. The same seed gives
    the same convolution filters with or without pooling; torch's global generator is untouched.
    """
    channels = require_int("channels", channels, 1)
    side = require_int("side", side, 2)
    if pool is not None and not callable(pool):
        raise TypeError(f"pool must be a function of a tensor or None, got {type(pool).__name__}")
    pooled_side = side if pool is None else side // 2
    return PoolingCNN(pool, channels, side, pooled_side, seed)


def train_cnn(net: nn.Module, images, labels, steps: int = 150, batch_size: int = 64,
              learning_rate: float = 0.02, seed: int = 0) -> list[float]:
    """Adam on the cross-entropy of random mini-batches; returns the loss of every step.

    images: (M, 1, H, W) float64 array or tensor; labels: (M,) integer classes. Batches are drawn
    without replacement within a batch by ``np.random.default_rng(seed)``.
    """
    steps = require_int("steps", steps, 1)
    batch_size = require_int("batch_size", batch_size, 1)
    x = torch.as_tensor(np.asarray(images, dtype=np.float64))
    y = torch.as_tensor(np.asarray(labels, dtype=np.int64))
    if x.ndim != 4 or len(x) != len(y):
        raise ValueError(f"expected images (M, 1, H, W) and labels (M,), got {tuple(x.shape)} and {tuple(y.shape)}")
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.Adam(net.parameters(), lr=learning_rate)
    losses = []
    for _ in range(steps):
        batch = torch.from_numpy(rng.choice(len(y), size=min(batch_size, len(y)), replace=False))
        optimizer.zero_grad()
        loss = F.cross_entropy(net(x[batch]), y[batch])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def predictor(net: nn.Module):
    """``predict(images)``: the classes (M,) int64 the net gives to a NumPy array (M, 1, H, W)."""
    def predict(images) -> np.ndarray:
        with torch.no_grad():
            x = torch.as_tensor(np.array(images, dtype=np.float64))
            return net(x).argmax(dim=1).numpy()
    return predict
