"""A small sequence task for training a vanilla RNN by hand (assignment 04's last exercise).

The task is a **running sum**: ``N`` sequences of ``T`` inputs ``x_t ~ N(0, 1)`` (one feature),
and at every step the target ``y_t = (x_1 + ... + x_t) / sqrt(t)``, which has variance 1 at every
step (predicting 0 gives a mean squared error of about 1). The network reads its hidden states
out linearly, ``yhat_t = h_t W_hy^T + b_y``, and is scored by the mean squared error over all
``N * T * K`` outputs (the assignment gives that read-out and its gradients in a cell of its own).

Shapes (batch first, as in assignment 04): ``x`` (N, T, D), ``y`` (N, T, K), parameters as in
:func:`init_rnn`. Everything is float64 NumPy.

>>> x, y = running_sum_task(4, 3, seed=0)
>>> bool(np.allclose(y[:, 1, 0], (x[:, 0, 0] + x[:, 1, 0]) / np.sqrt(2)))
True
"""
from __future__ import annotations

import numpy as np

from course_utils._args import require_int, require_positive

__all__ = ["PARAMETER_NAMES", "running_sum_task", "init_rnn"]

#: The parameters of the RNN and its read-out, in the order their gradients are clipped together.
PARAMETER_NAMES = ("W_xh", "W_hh", "b", "W_hy", "b_y")


def running_sum_task(n: int, T: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)``: ``x`` (n, T, 1) standard normal, ``y`` (n, T, 1) the running sum scaled by
    ``1 / sqrt(t)`` at step ``t = 1..T``. Seeded: the same seed gives the same arrays."""
    n, T = require_int("n", n, 1), require_int("T", T, 1)
    x = np.random.default_rng(seed).normal(size=(n, T, 1))
    y = np.cumsum(x, axis=1) / np.sqrt(np.arange(1, T + 1))[None, :, None]
    return x, y


def init_rnn(d_in: int, hidden: int, d_out: int, seed: int = 0, readout_scale: float = 1.0) -> dict[str, np.ndarray]:
    """Random parameters ``{"W_xh": (H, D), "W_hh": (H, H), "b": (H,), "W_hy": (K, H), "b_y": (K,)}``.

    ``W_xh`` and ``W_hh`` have entries ``N(0, 1/D)`` and ``N(0, 1/H)``; ``W_hy`` has entries
    ``N(0, readout_scale**2 / H)``; the biases are zero. Seeded."""
    d_in = require_int("d_in", d_in, 1)
    hidden = require_int("hidden", hidden, 1)
    d_out = require_int("d_out", d_out, 1)
    readout_scale = require_positive("readout_scale", readout_scale)
    rng = np.random.default_rng(seed)
    return {"W_xh": rng.normal(size=(hidden, d_in)) / np.sqrt(d_in),
            "W_hh": rng.normal(size=(hidden, hidden)) / np.sqrt(hidden),
            "b": np.zeros(hidden),
            "W_hy": readout_scale * rng.normal(size=(d_out, hidden)) / np.sqrt(hidden),
            "b_y": np.zeros(d_out)}
