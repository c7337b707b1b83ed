"""The perceptron and backpropagation: data, initialisation and figures for lecture 00.

- :func:`digits_split`: the bundled 8x8 digits as flat vectors, split once into train and test.
- :func:`init_mlp`: random weights of a two-layer MLP ``D -> H -> C`` (NumPy, float64).
- :func:`activation_curves`: sigmoid, tanh and ReLU and their derivatives, the derivatives taken
  by torch's automatic differentiation (never from a hand-written formula).
- ``draw_*``: the activation functions, a small fully connected network, loss curves of
  gradient descent at several learning rates. Each returns a matplotlib Figure.

Shapes: images ``X`` (N, 64) float64 in [0, 1]; labels ``y`` (N,) int64 in 0..9; weights
``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,). Nothing here computes a layer's forward or
backward pass: those are the assignment's exercises.

>>> X_train, y_train, X_test, y_test = digits_split(n_test=360, seed=0)
>>> X_train.shape, X_test.shape
((1437, 64), (360, 64))
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import torch

from course_utils._args import require_int

__all__ = ["ACTIVATIONS", "digits_split", "init_mlp", "activation_curves", "draw_activations",
           "draw_network", "draw_learning_rates"]

#: The activation functions g of the slides, by name.
ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "ReLU": torch.relu}


def digits_split(n_test: int = 360, seed: int = 0):
    """scikit-learn's digits as flat float64 vectors, shuffled once and split.

    Returns ``X_train`` (1797 - n_test, 64), ``y_train`` (1797 - n_test,), ``X_test`` (n_test, 64),
    ``y_test`` (n_test,): pixels in [0, 1], labels int64 in 0..9. The same ``seed`` gives the
    same split; the two parts never share an image.
    """
    from course_utils.data import load_digits

    images, labels = load_digits()
    n = len(labels)
    n_test = require_int("n_test", n_test, 1)
    if n_test >= n:
        raise ValueError(f"n_test must leave images to train on: expected n_test < {n}, got {n_test}")
    order = np.random.default_rng(seed).permutation(n)
    X = images.reshape(n, -1).numpy().astype(np.float64)[order]
    y = labels.numpy().astype(np.int64)[order]
    return X[n_test:], y[n_test:], X[:n_test], y[:n_test]


def init_mlp(d_in: int, d_hidden: int, d_out: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Random parameters of a two-layer MLP ``scores = relu(X W1 + b1) W2 + b2``.

    Returns ``{"W1": (d_in, d_hidden), "b1": (d_hidden,), "W2": (d_hidden, d_out), "b2": (d_out,)}``,
    float64. Weights are normal with standard deviation sqrt(2 / fan_in) for W1 (He's choice
    before a ReLU) and sqrt(1 / fan_in) for W2; biases are zero. Same seed, same parameters.
    """
    d_in, d_hidden, d_out = (require_int(name, v, 1) for name, v in
                             (("d_in", d_in), ("d_hidden", d_hidden), ("d_out", d_out)))
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(0.0, math.sqrt(2.0 / d_in), size=(d_in, d_hidden)),
        "b1": np.zeros(d_hidden),
        "W2": rng.normal(0.0, math.sqrt(1.0 / d_hidden), size=(d_hidden, d_out)),
        "b2": np.zeros(d_out),
    }


def activation_curves(z) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{name: (g(z), g'(z))}`` for each of :data:`ACTIVATIONS`, float64 arrays shaped like ``z``.

    g'(z) is computed by torch's autograd (the gradient of ``g(z).sum()`` with respect to z); at
    z = 0 torch takes ReLU's derivative to be 0.
    """
    z = torch.as_tensor(np.asarray(z, dtype=np.float64))
    if z.numel() == 0 or not torch.isfinite(z).all():
        raise ValueError("z must be a non-empty array of finite numbers")
    curves = {}
    for name, g in ACTIVATIONS.items():
        zz = z.clone().requires_grad_(True)
        value = g(zz)
        (slope,) = torch.autograd.grad(value.sum(), zz)
        curves[name] = (value.detach().numpy(), slope.numpy())
    return curves


def draw_activations(z_min: float = -5.0, z_max: float = 5.0):
    """Two panels over z in [z_min, z_max]: each activation g(z), and its derivative g'(z)."""
    import matplotlib.pyplot as plt

    if not (math.isfinite(z_min) and math.isfinite(z_max) and z_min < 0 < z_max):
        raise ValueError(f"expected z_min < 0 < z_max, got z_min={z_min}, z_max={z_max}")
    z = np.linspace(z_min, z_max, 401)
    curves = activation_curves(z)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 3.4), sharex=True)
    for name, (value, slope) in curves.items():
        left.plot(z, value, label=name)
        right.plot(z, slope, label=name)
    left.set_title("activation g(z)")
    right.set_title("derivative g'(z) (torch autograd)")
    for ax in (left, right):
        ax.set_xlabel("z = w0 + sum_i x_i w_i")
        ax.axhline(0, color="0.5", linewidth=0.6)
        ax.axvline(0, color="0.5", linewidth=0.6)
    left.set_ylabel("g(z)")
    right.set_ylabel("g'(z)")
    left.set_ylim(-1.2, min(z_max, 3.0) + 0.2)
    left.legend(loc="upper left")
    fig.tight_layout()
    return fig


def draw_network(layer_sizes: Sequence[int], layer_names: Sequence[str] | None = None):
    """A fully connected network: one column of circles per layer, every unit joined to every
    unit of the next layer. ``layer_sizes`` e.g. (3, 4, 2); names default to x, z, y-hat."""
    import matplotlib.pyplot as plt

    sizes = [require_int("layer size", s, 1) for s in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(f"a network needs at least two layers, got {len(sizes)}")
    if max(sizes) > 16:
        raise ValueError(f"at most 16 units per layer can be drawn, got {max(sizes)}")
    if layer_names is None:
        layer_names = ["inputs x"] + [f"hidden z ({k})" if len(sizes) > 3 else "hidden z"
                                      for k in range(1, len(sizes) - 1)] + ["outputs ŷ"]
    if len(layer_names) != len(sizes):
        raise ValueError(f"got {len(layer_names)} layer names for {len(sizes)} layers")
    height, gap = max(sizes), 2.4   # gap: horizontal distance between layers, in unit spacings
    fig, ax = plt.subplots(figsize=(1.5 * gap * len(sizes) / 2 + 1.0, 0.6 * height + 1.3))
    centres = [[(gap * col, (height - 1) / 2 - k) for k in range(size)] for col, size in enumerate(sizes)]
    for left, right in zip(centres, centres[1:]):
        for x0, y0 in left:
            for x1, y1 in right:
                ax.plot([x0, x1], [y0, y1], color="0.6", linewidth=0.8, zorder=1)
    colours = ["tab:blue"] + ["tab:orange"] * (len(sizes) - 2) + ["tab:green"]
    for col, (layer, colour) in enumerate(zip(centres, colours)):
        for x, y in layer:
            ax.add_patch(plt.Circle((x, y), 0.22, facecolor=colour, edgecolor="black", zorder=2))
        ax.text(gap * col, (height - 1) / 2 + 0.45, f"{layer_names[col]}\n{len(layer)} units",
                ha="center", va="bottom", fontsize=10)
    ax.set_xlim(-0.8, gap * (len(sizes) - 1) + 0.8)
    ax.set_ylim(-(height - 1) / 2 - 0.5, (height - 1) / 2 + 1.3)
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.tight_layout()
    return fig


def draw_learning_rates(histories: Mapping[str, Sequence[float]], cap: float = 1e3,
                        title: str | None = None):
    """Loss per step of gradient descent for several learning rates, on a log scale.

    ``histories`` maps a label (e.g. ``"lr=0.1"``) to its losses. A run whose loss leaves the
    finite range or exceeds ``cap`` is drawn up to that step and marked with a cross there,
    labelled "diverged".
    """
    import matplotlib.pyplot as plt

    if not histories:
        raise ValueError("histories is empty: give at least one {label: losses}")
    fig, ax = plt.subplots(figsize=(6.8, 3.8))
    for label, losses in histories.items():
        losses = np.asarray(losses, dtype=np.float64)
        if losses.ndim != 1 or losses.size == 0:
            raise ValueError(f"losses of {label!r} must be a non-empty 1-D sequence")
        bad = np.flatnonzero(~np.isfinite(losses) | (losses > cap))
        steps = np.arange(losses.size)
        end = bad[0] if bad.size else losses.size
        (line,) = ax.plot(steps[:end], losses[:end], label=label if not bad.size else f"{label} (diverged)")
        if bad.size:
            ax.plot([end], [cap], "x", color=line.get_color(), markersize=10, markeredgewidth=2)
    ax.set_yscale("log")
    ax.set_xlabel("step of gradient descent")
    ax.set_ylabel("training loss J(W)")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig
