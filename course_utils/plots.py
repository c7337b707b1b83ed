"""One plotting style for every notebook. Each function returns the figure it drew.

Curves always get axis labels (the functions require them); image grids get titles.
End a notebook cell that calls one of these with ``;`` or assign the figure, so that it is drawn
once.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from ._arrays import to_numpy

__all__ = ["use_course_style", "draw_image_grid", "draw_curves", "draw_history", "draw_feature_maps"]

_STYLE = {
    "figure.dpi": 90,
    "figure.figsize": (6.4, 3.6),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "image.cmap": "gray",
}


def use_course_style() -> None:
    """Apply the course's matplotlib settings (call once at the top of a notebook)."""
    plt.rcParams.update(_STYLE)


def draw_image_grid(images, titles: Sequence[str] | None = None, ncols: int = 8,
               suptitle: str | None = None, cmap: str = "gray", size: float = 1.1,
               vmin: float | None = None, vmax: float | None = None):
    """Show images of shape (N, H, W) or (N, 1, H, W) in a grid with ``ncols`` columns."""
    arr = to_numpy(images, float)
    if arr.ndim == 4 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 3:
        raise ValueError(f"draw_image_grid expects (N, H, W) or (N, 1, H, W), got shape {arr.shape}")
    if titles is not None and len(titles) != len(arr):
        raise ValueError(f"got {len(titles)} titles for {len(arr)} images")
    n = len(arr)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if suptitle else 0)),
                             squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k < n:
            ax.imshow(arr[k], cmap=cmap, vmin=vmin, vmax=vmax)
            if titles is not None:
                ax.set_title(str(titles[k]), fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def draw_curves(x, curves: Mapping[str, Sequence[float]], xlabel: str, ylabel: str,
                title: str | None = None, logy: bool = False, ax=None, markers: bool = False):
    """Plot several named curves over the same ``x``; returns the figure."""
    if not xlabel or not ylabel:
        raise ValueError("every figure needs an x label and a y label")
    if ax is None:
        fig, ax = plt.subplots()
    else:
        fig = ax.figure
    x = to_numpy(x, float)
    for name, y in curves.items():
        y = to_numpy(y, float)
        if y.shape != x.shape:
            raise ValueError(f"curve {name!r} has shape {y.shape}, x has shape {x.shape}")
        ax.plot(x, y, marker="o" if markers else None, markersize=3, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    fig.tight_layout()
    return fig


def draw_history(history: Mapping[str, Sequence[float]], xlabel: str = "step",
                 ylabel: str = "loss", title: str | None = None, logy: bool = False):
    """Plot a training history ``{"name": [value per step], ...}``; returns the figure."""
    lengths = {len(v) for v in history.values()}
    if len(lengths) != 1:
        raise ValueError(f"all histories need the same length, got {sorted(lengths)}")
    steps = np.arange(1, lengths.pop() + 1)
    return draw_curves(steps, history, xlabel, ylabel, title=title, logy=logy)


def draw_feature_maps(maps, titles: Sequence[str] | None = None, suptitle: str | None = None,
                 cmap: str = "RdBu_r"):
    """Show the channels of one feature map of shape (C, H, W), with a symmetric colour scale."""
    arr = to_numpy(maps, float)
    if arr.ndim != 3:
        raise ValueError(f"feature_maps expects (C, H, W), got shape {arr.shape}")
    bound = float(np.abs(arr).max()) or 1.0
    return draw_image_grid(arr, titles=titles, ncols=len(arr), suptitle=suptitle, cmap=cmap,
                      size=1.8, vmin=-bound, vmax=bound)
