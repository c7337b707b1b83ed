"""Latent spaces of generative models: the pure functions behind lecture 06's figures and explorer.

A *decoder* here is any callable (a ``torch.nn.Module`` or a function) that maps latent codes
``z`` of shape (n, d) to pixel values of shape (n, H*W), (n, H, W) or (n, 1, H, W). These helpers
decode points, walk along lines and grids of a latent space, and draw a 2-D latent space with the
image decoded at one point. :class:`DigitsVAE` is the fixed network that assignment 06 trains: an
encoder and a decoder only; sampling the code and the loss are the student's, and the lecture
defines its own model and loss.

>>> import torch
>>> interpolate(torch.zeros(2), torch.ones(2), steps=3)
tensor([[0.0000, 0.0000],
        [0.5000, 0.5000],
        [1.0000, 1.0000]])
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from course_utils._args import require_int
from course_utils._arrays import to_numpy

__all__ = ["interpolate", "latent_grid", "decode", "image_mosaic", "draw_latent_scatter", "draw_latent_point",
           "draw_sample_panels", "DigitsVAE"]

Decoder = Callable[[torch.Tensor], torch.Tensor]


def interpolate(start: torch.Tensor, end: torch.Tensor, steps: int) -> torch.Tensor:
    """``steps`` points on the straight line from ``start`` to ``end``, both included.

    ``start`` and ``end`` have the same shape S (for a latent code, (d,)); the result has shape
    (steps, *S) and dtype of ``start``: row k is ``start + k / (steps - 1) * (end - start)``.
    """
    start, end = torch.as_tensor(start), torch.as_tensor(end)
    if start.shape != end.shape:
        raise ValueError(f"start and end need the same shape, got {tuple(start.shape)} and {tuple(end.shape)}")
    steps = require_int("steps", steps, 2)
    t = torch.linspace(0.0, 1.0, steps, dtype=start.dtype, device=start.device)
    t = t.reshape(steps, *([1] * start.dim()))
    return (1 - t) * start + t * end.to(start.dtype)


def latent_grid(n: int, bound: float = 2.0) -> torch.Tensor:
    """An n x n grid of 2-D points covering [-bound, bound]^2, shape (n * n, 2), float32.

    Row-major in *picture* order: the first n points form the top row (z2 = +bound) from left
    (z1 = -bound) to right (z1 = +bound), and the last row has z2 = -bound. Decoding the points
    and showing them with ``draw_image_grid(..., ncols=n)`` therefore lays the images out like a
    scatter plot with z1 to the right and z2 upwards.
    """
    n = require_int("n", n, 1)
    if not bound > 0:
        raise ValueError(f"bound must be positive, got {bound}")
    values = torch.linspace(-bound, bound, n) if n > 1 else torch.zeros(1)
    z2, z1 = torch.meshgrid(values.flip(0), values, indexing="ij")
    return torch.stack([z1.reshape(-1), z2.reshape(-1)], dim=1)


def _device_of(decoder) -> torch.device:
    parameters = getattr(decoder, "parameters", None)
    if callable(parameters):
        for parameter in parameters():
            return parameter.device
    return torch.device("cpu")


def decode(decoder: Decoder, z, image_shape: Sequence[int] = (8, 8)) -> np.ndarray:
    """Decode latent codes ``z`` (n, d) into images: a float64 NumPy array (n, H, W).

    Runs without gradients on the decoder's device (the device of its first parameter, the CPU
    for a plain function) and brings the result back to the CPU. ``image_shape`` is (H, W); the
    decoder's output must hold exactly H * W values per code.
    """
    z = torch.as_tensor(z, dtype=torch.float32)
    if z.dim() != 2:
        raise ValueError(f"z must have shape (n, d), got {tuple(z.shape)}")
    height, width = (int(v) for v in image_shape)
    with torch.no_grad():
        out = decoder(z.to(_device_of(decoder)))
    out = out.detach().cpu().to(torch.float64)
    if out.shape[0] != z.shape[0] or out[0].numel() != height * width:
        raise ValueError(f"the decoder returned shape {tuple(out.shape)} for {z.shape[0]} codes; "
                         f"expected {height * width} values per code for images of shape ({height}, {width})")
    return out.reshape(z.shape[0], height, width).numpy()


def image_mosaic(images, ncols: int, pad: int = 0, fill: float = 1.0) -> np.ndarray:
    """Tile images (n, H, W) or (n, 1, H, W) into one float64 array, ``ncols`` images per row.

    Row-major: image k sits in tile row ``k // ncols``, tile column ``k % ncols``. ``pad`` rows and
    columns of value ``fill`` separate neighbouring tiles (none around the border); a last row
    that is not full is filled with ``fill``. The result has shape
    (rows * H + (rows - 1) * pad, ncols * W + (ncols - 1) * pad) with rows = ceil(n / ncols).
    """
    arr = to_numpy(images, float)
    if arr.ndim == 4 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 3 or len(arr) == 0:
        raise ValueError(f"images must have shape (n, H, W) or (n, 1, H, W) with n >= 1, got {arr.shape}")
    ncols = require_int("ncols", ncols, 1)
    pad = require_int("pad", pad, 0)
    n, height, width = arr.shape
    rows = -(-n // ncols)
    out = np.full((rows * height + (rows - 1) * pad, ncols * width + (ncols - 1) * pad), float(fill))
    for k in range(n):
        top, left = (k // ncols) * (height + pad), (k % ncols) * (width + pad)
        out[top:top + height, left:left + width] = arr[k]
    return out


def draw_latent_scatter(codes, labels=None, ax=None, title: str | None = None, prior_circles: bool = False,
                        max_points: int = 2000):
    """Scatter 2-D latent codes (n, 2), coloured by integer ``labels`` (n,) when given.

    ``prior_circles`` adds the circles of radius 1 and 2 (one and two standard deviations of the
    prior N(0, I)). At most ``max_points`` codes are drawn (the first ones). Returns the figure.
    """
    codes = to_numpy(codes, float)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(f"codes must have shape (n, 2), got {codes.shape}")
    if labels is not None:
        labels = to_numpy(labels)
        if labels.shape != (len(codes),):
            raise ValueError(f"labels must have shape ({len(codes)},), got {labels.shape}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.6, 4.0))
    else:
        fig = ax.figure
    shown = slice(0, max_points)
    if labels is None:
        ax.scatter(codes[shown, 0], codes[shown, 1], s=4, alpha=0.6)
    else:
        points = ax.scatter(codes[shown, 0], codes[shown, 1], c=labels[shown], cmap="tab10", s=4,
                            vmin=-0.5, vmax=9.5, alpha=0.7)
        bar = fig.colorbar(points, ax=ax, ticks=range(10), fraction=0.046, pad=0.03)
        bar.set_label("class (used for colour only)")
    if prior_circles:
        angle = np.linspace(0, 2 * np.pi, 200)
        for radius in (1, 2):
            ax.plot(radius * np.cos(angle), radius * np.sin(angle), "k--", lw=0.8, alpha=0.6)
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.set_aspect("equal", adjustable="datalim")
    if title:
        ax.set_title(title)
    return fig


def draw_latent_point(decoder: Decoder, z1: float, z2: float, codes=None, labels=None,
                      image_shape: Sequence[int] = (8, 8), prior_circles: bool = True):
    """The explorer's view: the latent plane with a marker at (z1, z2), and the image decoded there.

    Left: ``codes`` (n, 2) scattered (coloured by ``labels``) when given, with the marker.
    Right: ``decode(decoder, [[z1, z2]], image_shape)``, grey levels from 0 (black) to 1 (white).
    Returns the figure.
    """
    image = decode(decoder, torch.tensor([[float(z1), float(z2)]]), image_shape)[0]
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.8, 3.6), gridspec_kw={"width_ratios": [1.35, 1]})
    if codes is not None:
        draw_latent_scatter(codes, labels, ax=left, prior_circles=prior_circles)
    else:
        left.set_xlabel("$z_1$")
        left.set_ylabel("$z_2$")
        left.set_xlim(-3, 3)
        left.set_ylim(-3, 3)
    left.plot([z1], [z2], marker="X", color="red", markersize=12, markeredgecolor="white", linestyle="none")
    left.set_title("latent plane")
    right.imshow(image, cmap="gray", vmin=0.0, vmax=1.0)
    right.set_title(f"decoded at z = ({z1:.1f}, {z2:.1f})")
    right.set_axis_off()
    fig.tight_layout()
    return fig


def draw_sample_panels(panels, ncols: int = 8, image_shape: Sequence[int] = (8, 8), suptitle: str | None = None):
    """One figure, one labelled panel per entry of ``panels`` (a mapping title -> images).

    Each value holds n images as (n, H*W), (n, H, W) or (n, 1, H, W) gray values in [0, 1]
    (H, W = ``image_shape``); a panel shows them as an ``image_mosaic`` with ``ncols`` columns,
    tiles separated by one white pixel, gray levels from 0 (black) to 1 (white). Panels sit side by
    side in the order given. Returns the figure.
    """
    if not panels:
        raise ValueError("panels is empty: give at least one title -> images entry")
    height, width = (int(v) for v in image_shape)
    mosaics = {}
    for title, images in panels.items():
        arr = to_numpy(images, float)
        if arr.ndim < 2 or arr[0].size != height * width:
            raise ValueError(f"panel {title!r}: expected images of {height * width} values each "
                             f"(image_shape {(height, width)}), got an array of shape {arr.shape}")
        mosaics[str(title)] = image_mosaic(arr.reshape(len(arr), height, width), ncols, pad=1)
    height_ratio = max(m.shape[0] / m.shape[1] for m in mosaics.values())
    panel_width = 4.8
    figsize = (panel_width * len(mosaics), panel_width * height_ratio + (1.0 if suptitle else 0.6))
    fig, axes = plt.subplots(1, len(mosaics), squeeze=False, figsize=figsize)
    for ax, (title, mosaic) in zip(axes[0], mosaics.items()):
        ax.imshow(mosaic, cmap="gray", vmin=0.0, vmax=1.0)
        ax.set_title(title, fontsize=10)
        ax.set_axis_off()
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


class DigitsVAE(nn.Module):
    """A small VAE network for flattened images: an encoder and a decoder, without sampling or loss.

    - ``encoder``: Linear(pixels, hidden), ReLU, Linear(hidden, 2 * latent); its output is split
      into the mean and the log-variance of q(z | x).
    - ``decoder``: Linear(latent, hidden), ReLU, Linear(hidden, pixels), Sigmoid: pixel
      probabilities.

    :meth:`encode` maps x (N, pixels) to ``(mu, logvar)``, each (N, latent); :meth:`decode` maps
    z (N, latent) to x_hat (N, pixels). There is no ``forward``: drawing z between the two is the
    reparameterization trick, which the user writes. Parameters are float32 (``.double()`` for
    float64), initialised by torch's default rule from the global seed.
    """

    def __init__(self, pixels: int = 64, hidden: int = 128, latent: int = 2):
        super().__init__()
        pixels, hidden = require_int("pixels", pixels, 1), require_int("hidden", hidden, 1)
        self.latent = require_int("latent", latent, 1)
        self.encoder = nn.Sequential(nn.Linear(pixels, hidden), nn.ReLU(), nn.Linear(hidden, 2 * self.latent))
        self.decoder = nn.Sequential(nn.Linear(self.latent, hidden), nn.ReLU(), nn.Linear(hidden, pixels), nn.Sigmoid())

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (N, pixels), or (N, 1, H, W) with H * W = pixels -> (mu, logvar), each (N, latent)."""
        mu, logvar = self.encoder(x.flatten(1)).chunk(2, dim=1)
        return mu, logvar

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z (N, latent) -> pixel probabilities x_hat (N, pixels), in [0, 1]."""
        return self.decoder(z)

    def forward(self, x):
        raise TypeError("DigitsVAE has no forward pass: call encode(x) for (mu, logvar), draw z from them, "
                        "then decode(z)")
