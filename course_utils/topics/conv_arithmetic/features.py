"""What a trained CNN responds to, after Zeiler & Fergus (2014): the pure functions of lecture 01.

- :func:`neighbour_correlation`: how smooth a bank of filters is (0 for independent weights);
- :func:`top_patches`: the input patches that excite one unit most, one per image;
- :func:`occlusion_map`: how a class score drops as a square hides each part of an image.

The receptive field of a unit is an argument here (field size, stride and padding of the stack,
measured in the lecture), never computed from a list of layers.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from course_utils._args import require_int

__all__ = ["neighbour_correlation", "TopPatches", "top_patches", "occlusion_map"]


def _tensor(name: str, value, ndims: tuple[int, ...]) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if value.dim() not in ndims:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndims))} dimensions, "
                         f"got shape {tuple(value.shape)}")
    return value.detach().to("cpu", torch.float64)


def neighbour_correlation(filters) -> float:
    """Pearson correlation between each filter weight and its right and lower neighbours.

    Args:
        filters: a (K, F, F) or (K, 1, F, F) tensor (a first layer's weights), F >= 2.

    Returns:
        The correlation over all pairs (w[k, i, j], w[k, i, j + 1]) and (w[k, i, j], w[k, i + 1, j])
        of all K filters, pooled: about 0 for independent random weights, close to 1 for smooth
        filters (neighbours alike), negative for checkerboards.
    """
    w = _tensor("filters", filters, (3, 4))
    if w.dim() == 4:
        if w.shape[1] != 1:
            raise ValueError(f"filters of shape {tuple(w.shape)}: expected one input channel")
        w = w[:, 0]
    if w.shape[-1] < 2 or w.shape[-2] < 2:
        raise ValueError(f"filters need at least 2x2 weights to have neighbours, got {tuple(w.shape)}")
    first = torch.cat([w[:, :, :-1].reshape(-1), w[:, :-1, :].reshape(-1)])
    second = torch.cat([w[:, :, 1:].reshape(-1), w[:, 1:, :].reshape(-1)])
    return float(torch.corrcoef(torch.stack([first, second]))[0, 1])


@dataclass(frozen=True)
class TopPatches:
    """The k input patches that excite one unit most, strongest first.

    Attributes:
        patches: (k, field, field), cut from the zero-padded images.
        index: (k,) the image each patch comes from (k different images).
        row, col: (k,) where in the unit's activation map the maximum lies.
        top, left: (k,) the patch's first input row and column (negative inside the padding).
        value: (k,) the unit's activation there.
    """

    patches: torch.Tensor
    index: torch.Tensor
    row: torch.Tensor
    col: torch.Tensor
    top: torch.Tensor
    left: torch.Tensor
    value: torch.Tensor


def top_patches(images, activation, k: int, field: int, padding: int, stride: int = 1) -> TopPatches:
    """The ``k`` images whose strongest response of one unit is largest, and the patch it saw.

    Args:
        images: (N, H, W) or (N, 1, H, W) inputs.
        activation: (N, H', W') one channel's activation map for every image.
        k: how many patches, 1 <= k <= N.
        field: the receptive field's side in input pixels (measured beforehand).
        padding, stride: the unit at (i, j) sees input rows ``i * stride - padding`` to
            ``i * stride - padding + field - 1`` (and the same columns); rows outside the image
            read as zeros (zero padding).

    Returns:
        A :class:`TopPatches`. Each image contributes at most one patch, at its maximum (the
        first in reading order on a tie), as in Zeiler & Fergus's top-9 figures.
    """
    x = _tensor("images", images, (3, 4))
    if x.dim() == 4:
        if x.shape[1] != 1:
            raise ValueError(f"images of shape {tuple(x.shape)}: expected one channel")
        x = x[:, 0]
    a = _tensor("activation", activation, (3,))
    if a.shape[0] != x.shape[0]:
        raise ValueError(f"activation has {a.shape[0]} maps for {x.shape[0]} images")
    k = require_int("k", k, 1)
    if k > len(x):
        raise ValueError(f"k must be <= the number of images ({len(x)}), got {k}")
    field, padding = require_int("field", field, 1), require_int("padding", padding, 0)
    stride = require_int("stride", stride, 1)
    h_out, w_out = a.shape[1:]
    if any((units - 1) * stride - padding + field > pixels + padding
           for units, pixels in zip((h_out, w_out), x.shape[1:])):
        raise ValueError(f"field {field}, stride {stride}, padding {padding}: the last unit would "
                         f"read past the padded {tuple(x.shape[1:])} image; check the geometry")
    best, where = a.reshape(len(a), -1).max(dim=1)
    order = torch.sort(best, descending=True, stable=True).indices[:k]
    row, col = where[order] // w_out, where[order] % w_out
    top, left = row * stride - padding, col * stride - padding
    margin = field + padding                   # enough zeros on every side for any window
    padded = torch.nn.functional.pad(x, (margin, margin, margin, margin))
    patches = torch.stack([padded[n, t + margin:t + margin + field, s + margin:s + margin + field]
                           for n, t, s in zip(order.tolist(), top.tolist(), left.tolist())])
    return TopPatches(patches=patches, index=order, row=row, col=col, top=top, left=left,
                      value=best[order])


def occlusion_map(model, image, target: int, size: int = 3, value: float = 0.0,
                  softmax: bool = False) -> torch.Tensor:
    """How much the score of class ``target`` drops when a square hides each part of ``image``.

    Args:
        model: maps a (B, 1, H, W) batch to (B, classes) scores (on its own device).
        image: (1, H, W) or (H, W).
        target: the class whose score (the model's output for it) is followed.
        size: the side of the square, odd, centred on each pixel in turn and clipped at the border.
        value: what the square holds (the images' background, so that it hides without drawing).
        softmax: follow the probability of ``target`` (softmax of the outputs) instead of the
            raw score, as Zeiler & Fergus do.

    Returns:
        (H, W) float64 tensor on the CPU: entry (r, c) is score(image) minus the score with the
        square centred on pixel (r, c). Positive where hiding the pixels hurts the prediction.
    """
    x = _tensor("image", image, (2, 3))
    if x.dim() == 3:
        if x.shape[0] != 1:
            raise ValueError(f"image of shape {tuple(x.shape)}: expected one channel")
        x = x[0]
    size = require_int("size", size, 1)
    if size % 2 == 0:
        raise ValueError(f"size must be odd (the square is centred on a pixel), got {size}")
    target = require_int("target", target, 0)
    h, w = x.shape
    half = size // 2
    batch = x.repeat(h * w + 1, 1, 1)           # entry 0 stays the original image
    for r in range(h):
        for c in range(w):
            batch[1 + r * w + c, max(0, r - half):r + half + 1, max(0, c - half):c + half + 1] = value
    parameter = next(model.parameters(), None)
    like = parameter if parameter is not None else torch.zeros(())
    with torch.no_grad():
        scores = model(batch[:, None].to(like.device, like.dtype))
    if scores.dim() != 2 or target >= scores.shape[1]:
        raise ValueError(f"the model returned shape {tuple(scores.shape)}; expected (B, classes) "
                         f"with classes > target = {target}")
    scores = scores.detach().to("cpu", torch.float64)
    scores = (torch.softmax(scores, dim=1) if softmax else scores)[:, target]
    return (scores[0] - scores[1:]).reshape(h, w)
