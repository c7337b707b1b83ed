"""The figures of lecture 01's feature visualization; each ``draw_*`` returns a Figure.

Colour always carries a value here, so every image row has a colour bar: filters and occlusion
maps on a symmetric red-blue scale (0 is white), activations and pixels on a one-sided scale.
Small images of one row are laid side by side in one picture (:func:`mosaic`), one axes per row:
far cheaper to draw than an axes per tile.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from course_utils._arrays import to_numpy

from .features import TopPatches

__all__ = ["mosaic", "draw_filter_rows", "draw_activation_maps", "draw_top_patches",
           "draw_occlusion"]

GAP = 1  # pixels of blank between neighbouring tiles


def _stack(name: str, value) -> np.ndarray:
    arr = to_numpy(value, float)
    if arr.ndim == 4 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 3 or not len(arr):
        raise ValueError(f"{name} must have shape (K, H, W) or (K, 1, H, W) with K >= 1, "
                         f"got {arr.shape}")
    return arr


def mosaic(tiles) -> np.ndarray:
    """Tiles (K, H, W) side by side, ``GAP`` NaN columns between them: shape (H, K W + (K-1) GAP).

    Tile j occupies columns ``j * (W + GAP)`` to ``j * (W + GAP) + W - 1``; NaN is drawn blank.
    """
    arr = _stack("tiles", tiles)
    k, h, w = arr.shape
    out = np.full((h, k * w + (k - 1) * GAP), np.nan)
    for j in range(k):
        out[:, j * (w + GAP):j * (w + GAP) + w] = arr[j]
    return out


def _show(ax, tiles: np.ndarray, cmap: str, vmin: float, vmax: float,
          labels: Sequence[str] | None = None):
    import matplotlib.pyplot as plt

    colours = plt.get_cmap(cmap).with_extremes(bad="white")
    shown = ax.imshow(mosaic(tiles), cmap=colours, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    w = tiles.shape[-1]
    for j, label in enumerate(labels or []):
        ax.text(j * (w + GAP) + (w - 1) / 2, -0.7, label, ha="center", va="bottom", fontsize=7)
    return shown


def _check_titles(titles, count: int) -> None:
    if titles is not None and len(titles) != count:
        raise ValueError(f"got {len(titles)} titles for {count} images")


def draw_filter_rows(rows: Mapping[str, object], suptitle: str | None = None):
    """One row of filters per entry of ``rows`` (name -> (K, F, F) or (K, 1, F, F) weights).

    Each row has its own symmetric colour scale (red positive, blue negative) and colour bar.
    """
    import matplotlib.pyplot as plt

    banks = {name: _stack(f"rows[{name!r}]", bank) for name, bank in rows.items()}
    if not banks:
        raise ValueError("rows must hold at least one bank of filters")
    k = max(len(b) for b in banks.values())
    fig, axes = plt.subplots(len(banks), 1, figsize=(0.75 * k + 2.0, 1.15 * len(banks) + 0.5),
                             squeeze=False)
    for ax, (name, bank) in zip(axes[:, 0], banks.items()):
        bound = float(np.abs(bank).max()) or 1.0
        shown = _show(ax, bank, "RdBu_r", -bound, bound, [str(j) for j in range(len(bank))])
        ax.set_ylabel(name, fontsize=8)
        fig.colorbar(shown, ax=ax, fraction=0.03, pad=0.02).set_label("weight", fontsize=7)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    return fig


def draw_activation_maps(image, maps, titles: Sequence[str] | None = None,
                         suptitle: str | None = None):
    """The input image (H, W) and, beside it, the C maps (C, H', W') it produces.

    Maps that are all >= 0 (after a ReLU) use a one-sided scale from 0; others a symmetric one.
    Both panels have a colour bar.
    """
    import matplotlib.pyplot as plt

    img = to_numpy(image, float).squeeze()
    if img.ndim != 2:
        raise ValueError(f"image must have shape (H, W) or (1, H, W), got {to_numpy(image).shape}")
    arr = _stack("maps", maps)
    _check_titles(titles, len(arr))
    fig, (ax_in, ax_maps) = plt.subplots(
        1, 2, figsize=(0.95 * len(arr) + 3.0, 2.1), gridspec_kw={"width_ratios": [1.6, len(arr)]})
    pixels = _show(ax_in, img[None], "gray", 0.0, 1.0, ["input"])
    fig.colorbar(pixels, ax=ax_in, fraction=0.08, pad=0.04).set_label("pixel", fontsize=7)
    signed = bool(arr.min() < 0)
    bound = float(np.abs(arr).max()) or 1.0
    shown = _show(ax_maps, arr, "RdBu_r" if signed else "viridis", -bound if signed else 0.0, bound,
                  list(titles) if titles is not None else [f"map {j}" for j in range(len(arr))])
    fig.colorbar(shown, ax=ax_maps, fraction=0.02, pad=0.01).set_label("activation", fontsize=7)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    return fig


def draw_top_patches(images, units: Mapping[str, TopPatches], suptitle: str | None = None):
    """One row per unit: the image of its strongest patch with the field outlined, then the patches.

    ``images`` (N, H, W) or (N, 1, H, W) holds the images the :class:`TopPatches` index into,
    with pixel values in [0, 1]; the number above a patch is the unit's response to it.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    pictures = _stack("images", images)
    if not units:
        raise ValueError("units must name at least one unit")
    k = max(len(t.patches) for t in units.values())
    field = max(t.patches.shape[-1] for t in units.values())
    fig, axes = plt.subplots(len(units), 2, figsize=(0.7 * k + 2.6, 1.05 * len(units) + 0.5),
                             squeeze=False, gridspec_kw={"width_ratios": [1.3, k]})
    for (ax_image, ax_patches), (name, top) in zip(axes, units.items()):
        _show(ax_image, pictures[int(top.index[0])][None], "gray", 0.0, 1.0)
        size = top.patches.shape[-1]
        ax_image.add_patch(Rectangle((int(top.left[0]) - 0.5, int(top.top[0]) - 0.5), size, size,
                                     fill=False, edgecolor="tab:red", linewidth=1.5, clip_on=False))
        ax_image.set_ylabel(name, fontsize=8)
        shown = _show(ax_patches, to_numpy(top.patches, float), "gray", 0.0, 1.0,
                      [f"{float(v):.1f}" for v in top.value])
        ax_patches.set_xlim(-0.5, k * (field + GAP) - GAP - 0.5)
    axes[0, 0].set_title("strongest,\nin its image", fontsize=7)
    fig.colorbar(shown, ax=list(axes[:, 1]), fraction=0.02, pad=0.01).set_label("pixel value",
                                                                               fontsize=7)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    return fig


def draw_occlusion(images, maps, titles: Sequence[str] | None = None, suptitle: str | None = None,
                   bound: float | None = None, label: str = "drop in class score"):
    """Images (K, H, W) above their occlusion maps (K, H, W), the maps on one symmetric scale.

    The maps' colour scale runs from ``-bound`` to ``bound`` (default: their largest magnitude);
    ``label`` names it on the colour bar.
    """
    import matplotlib.pyplot as plt

    pictures, drops = _stack("images", images), _stack("maps", maps)
    if pictures.shape != drops.shape:
        raise ValueError(f"images {pictures.shape} and maps {drops.shape} must have the same shape")
    _check_titles(titles, len(drops))
    fig, (ax_images, ax_maps) = plt.subplots(2, 1, figsize=(1.0 * len(drops) + 1.8, 3.3))
    shown = _show(ax_images, pictures, "gray", 0.0, 1.0, list(titles) if titles is not None else None)
    fig.colorbar(shown, ax=ax_images, fraction=0.03, pad=0.02).set_label("pixel", fontsize=7)
    if bound is None:
        bound = float(np.abs(drops).max()) or 1.0
    elif not bound > 0:
        raise ValueError(f"bound must be positive, got {bound}")
    shown = _show(ax_maps, drops, "RdBu_r", -bound, bound)
    fig.colorbar(shown, ax=ax_maps, fraction=0.03, pad=0.02).set_label(label, fontsize=7)
    ax_images.set_ylabel("image", fontsize=8)
    ax_maps.set_ylabel("occlusion map", fontsize=8)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    return fig
