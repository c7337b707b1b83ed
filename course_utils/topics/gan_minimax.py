"""Small networks and pictures for lecture 07 (generative adversarial networks).

Nothing here computes a GAN loss, an optimal discriminator, a divergence or a coverage score:
those are the lecture's subject and the assignment's exercises. This module builds multilayer
perceptrons, evaluates a discriminator on a grid of 2-D points, and draws.

Shapes: a batch of 2-D points is a tensor or array of shape (N, 2); a decision surface is an
(n, n) array whose row ``i`` and column ``j`` hold the value at the point
``(xs[j], ys[i])`` with ``xs = ys = linspace(-lim, lim, n)`` (the layout of ``imshow`` with
``origin="lower"`` and of ``contourf(xs, ys, surface)``).

>>> net = mlp([2, 16, 1])
>>> net(torch.zeros(5, 2)).shape
torch.Size([5, 1])
>>> grid_points(1.0, 3)[:4].tolist()
[[-1.0, -1.0], [0.0, -1.0], [1.0, -1.0], [-1.0, 0.0]]
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
import torch
from torch import nn

from course_utils._args import require_int
from course_utils._arrays import to_numpy

__all__ = ["mlp", "SkipGenerator", "ring_generator", "ring_centres", "grid_points", "decision_surface",
           "draw_snapshot", "draw_densities"]


def mlp(sizes, activation: Callable[[], nn.Module] = nn.ReLU,
        out_activation: Callable[[], nn.Module] | None = None) -> nn.Sequential:
    """A multilayer perceptron ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

    ``nn.Linear`` layers with ``activation()`` between consecutive layers (not after the last),
    and ``out_activation()`` after the last one when given (e.g. ``nn.Sigmoid`` for pixel values).
    Input (N, sizes[0]), output (N, sizes[-1]).
    """
    sizes = [require_int("every layer size", s, 1) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"an MLP needs at least an input and an output size, got {sizes}")
    layers: list[nn.Module] = []
    for index, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if index < len(sizes) - 2:
            layers.append(activation())
    if out_activation is not None:
        layers.append(out_activation())
    return nn.Sequential(*layers)


class SkipGenerator(nn.Module):
    """A generator ``G(z) = skip * z + net(z)``: the noise itself, reshaped by a network.

    ``net`` maps (N, d) noise to (N, d) points (the same size, so that the two can be added).
    At initialisation ``net(z)`` is small and the samples are a Gaussian cloud of standard
    deviation ``skip`` around the origin; training moves that cloud rather than growing one
    from a point, which makes a small GAN on the ring far less prone to collapse.
    """

    def __init__(self, net: nn.Module, skip: float):
        super().__init__()
        self.net = net
        self.skip = float(skip)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.skip * z + self.net(z)


def ring_generator(hidden: int = 64, skip: float = 2.0) -> SkipGenerator:
    """``SkipGenerator(mlp([2, hidden, hidden, 2]), skip)``: 2-D noise (N, 2) -> 2-D samples (N, 2)."""
    hidden = require_int("hidden", hidden, 1)
    if not skip >= 0:
        raise ValueError(f"skip must be >= 0, got {skip}")
    return SkipGenerator(mlp([2, hidden, hidden, 2]), skip)


def ring_centres(modes: int = 8, radius: float = 2.0) -> torch.Tensor:
    """The (modes, 2) float32 centres of ``course_utils.data.gaussian_ring``'s components.

    Centre k is ``radius * (cos(2 pi k / modes), sin(2 pi k / modes))``.
    """
    modes = require_int("modes", modes, 1)
    if radius < 0:
        raise ValueError(f"radius must be >= 0, got {radius}")
    angle = 2 * math.pi * torch.arange(modes, dtype=torch.float64) / modes
    return (radius * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)).float()


def grid_points(lim: float, n: int) -> torch.Tensor:
    """The n x n points of the square [-lim, lim]^2, as an (n * n, 2) float32 tensor.

    Point ``i * n + j`` is ``(xs[j], ys[i])`` with ``xs = ys = linspace(-lim, lim, n)``, so that
    values computed on the points and reshaped to (n, n) form a decision surface (module docstring).
    """
    n = require_int("n", n, 1)
    if not lim > 0:
        raise ValueError(f"lim must be positive, got {lim}")
    axis = torch.linspace(-lim, lim, n)
    ys, xs = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=1)


@torch.no_grad()
def decision_surface(discriminator: nn.Module, lim: float = 3.0, n: int = 101) -> np.ndarray:
    """``sigmoid(discriminator(points))`` on ``grid_points(lim, n)``, as an (n, n) float64 array.

    ``discriminator`` maps (N, 2) points to (N, 1) or (N,) logits; it is evaluated on the device of
    its parameters, and its probability that a point is real is the sigmoid of its logit.
    """
    points = grid_points(lim, n)
    parameter = next(discriminator.parameters(), None)
    if parameter is not None:
        points = points.to(device=parameter.device, dtype=parameter.dtype)
    logits = discriminator(points).reshape(-1)
    if logits.numel() != n * n:
        raise ValueError(f"the discriminator returned {logits.numel()} values for {n * n} points: "
                         "expected one logit per point")
    return torch.sigmoid(logits).double().cpu().numpy().reshape(n, n)


def _points(value, name: str) -> np.ndarray:
    array = to_numpy(value, float)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{name} must have shape (N, 2), got {array.shape}")
    return array


def draw_snapshot(real, fake, surface=None, lim: float = 3.0, centres=None, radius: float | None = None,
                  title: str | None = None, ax=None, colorbar=False):
    """Draw real and generated 2-D samples over a discriminator's decision surface.

    real: (N, 2) and fake: (M, 2) points; surface: optional (n, n) array of probabilities in
    [0, 1] on ``grid_points(lim, n)`` (see :func:`decision_surface`), drawn as filled contours
    (red: "real", blue: "fake"); centres: optional (K, 2) mode centres, drawn as circles of
    ``radius``. ``colorbar``: ``True`` adds a colour bar for the surface beside ``ax``; a list of
    axes adds one shared by them (every surface uses the same levels 0, 0.1, ..., 1, so one bar
    reads them all). Draws into ``ax`` when given; returns the figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle

    real, fake = _points(real, "real"), _points(fake, "fake")
    if ax is None:
        fig, ax = plt.subplots(figsize=(3.6, 3.6))
    fig = ax.figure
    if surface is not None:
        surface = np.asarray(surface, dtype=float)
        if surface.ndim != 2 or surface.shape[0] != surface.shape[1]:
            raise ValueError(f"surface must be a square (n, n) array, got shape {surface.shape}")
        axis = np.linspace(-lim, lim, surface.shape[0])
        filled = ax.contourf(axis, axis, surface, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.55)
        if colorbar is not False:
            host = ax if colorbar is True else list(colorbar)
            bar = fig.colorbar(filled, ax=host, fraction=0.046, pad=0.04, ticks=np.linspace(0, 1, 6))
            bar.set_label("D(x): probability of real")
    elif colorbar is not False:
        raise ValueError("a colour bar needs a surface to describe: pass surface=...")
    ax.scatter(real[:, 0], real[:, 1], s=3, color="0.25", alpha=0.5, label="real")
    ax.scatter(fake[:, 0], fake[:, 1], s=3, color="tab:orange", alpha=0.7, label="generated")
    if centres is not None:
        centres = _points(centres, "centres")
        if radius is None or not radius > 0:
            raise ValueError("drawing the centres needs a positive radius")
        for cx, cy in centres:
            ax.add_patch(Circle((cx, cy), radius, fill=False, color="black", linewidth=0.8))
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return fig


def draw_densities(x, densities: Mapping[str, object], discriminators: Mapping[str, object],
                   title: str | None = None):
    """Two panels over the same 1-D grid ``x``: densities (left) and discriminators in [0, 1] (right).

    ``densities`` and ``discriminators`` map a legend label to an array of ``len(x)`` values; the
    curves of a panel are drawn solid, dashed, dotted, ... in order. Returns the figure.
    """
    import matplotlib.pyplot as plt

    x = to_numpy(x, float)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D, got shape {x.shape}")
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.2))
    for axis, curves, ylabel in [(left, densities, "density"), (right, discriminators, "probability of real")]:
        if not curves:
            raise ValueError(f"nothing to draw in the {ylabel} panel")
        for index, (label, values) in enumerate(curves.items()):
            values = to_numpy(values, float)
            if values.shape != x.shape:
                raise ValueError(f"{label!r} has shape {values.shape}, x has shape {x.shape}")
            axis.plot(x, values, ["-", "--", ":", "-."][index % 4], label=label)
        axis.set_xlabel("x")
        axis.set_ylabel(ylabel)
        axis.legend(loc="best")
    right.set_ylim(-0.03, 1.03)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
