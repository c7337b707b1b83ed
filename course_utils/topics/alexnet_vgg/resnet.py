"""Plain and residual stacks of the same blocks: what the identity skip does to the gradient.

- :class:`DeepMLP` / :func:`deep_mlp`: a stem ``Linear(in_features, width)``, ``depth`` blocks
  ``Linear(width, width)(ReLU(h))`` and a head ``Linear(width, num_classes)(ReLU(h))``. A plain
  stack replaces ``h`` by the block's output; a residual stack adds it: ``h + block(h)``. The two
  have the same parameters (the skip has none) and the same initialisation for a given seed.
- :func:`first_layer_grad_norm`: the norm of the gradient of the cross-entropy with respect to the
  stem's weight, the layer farthest from the loss.
- :func:`draw_grad_norm_vs_depth`: those norms against the depth, on a log scale.

>>> import torch
>>> torch.manual_seed(0) and None
>>> plain, residual = deep_mlp(3, 8), deep_mlp(3, 8, residual=True)
>>> sum(p.numel() for p in plain.parameters()) == sum(p.numel() for p in residual.parameters())
True
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from course_utils._args import require_int

__all__ = ["DeepMLP", "deep_mlp", "first_layer_grad_norm", "draw_grad_norm_vs_depth"]


class DeepMLP(nn.Module):
    """A stack of ``depth`` fully connected blocks of ``width`` units, plain or residual.

    Input (N, in_features) (or (N, C, H, W), flattened), output scores (N, num_classes)::

        h = stem(x)
        for block in blocks:   h = block(relu(h))        (plain)
                               h = h + block(relu(h))    (residual: the identity skip)
        scores = head(relu(h))

    Each block is one ``nn.Linear(width, width)`` with PyTorch's default initialisation, without
    normalisation, so that the skip is the only difference between the two kinds.
    """

    def __init__(self, depth: int, width: int, residual: bool = False, in_features: int = 64,
                 num_classes: int = 10):
        super().__init__()
        depth = require_int("depth", depth, 0)
        width = require_int("width", width, 1)
        in_features = require_int("in_features", in_features, 1)
        num_classes = require_int("num_classes", num_classes, 1)
        if not isinstance(residual, bool):
            raise ValueError(f"residual must be True or False, got {residual!r}")
        self.residual = residual
        self.stem = nn.Linear(in_features, width)
        self.blocks = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
        self.head = nn.Linear(width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stem(x.flatten(1))
        for block in self.blocks:
            out = block(F.relu(h))
            h = h + out if self.residual else out
        return self.head(F.relu(h))

    def extra_repr(self) -> str:
        return f"depth={len(self.blocks)}, residual={self.residual}"


def deep_mlp(depth: int, width: int = 32, residual: bool = False, in_features: int = 64,
             num_classes: int = 10) -> DeepMLP:
    """A :class:`DeepMLP` of ``depth`` blocks (0: stem and head only)."""
    return DeepMLP(depth, width, residual, in_features, num_classes)


def first_layer_grad_norm(model: DeepMLP, x: torch.Tensor, y: torch.Tensor) -> float:
    """The Frobenius norm of d(cross-entropy)/d(stem weight) on the batch ``x`` (N, in_features)
    with labels ``y`` (N,) (int64). The model's gradients are left as they were."""
    if not isinstance(model, DeepMLP):
        raise TypeError(f"model must be a DeepMLP, got {type(model).__name__}")
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor) or x.shape[0] != y.shape[0]:
        raise ValueError("x (N, in_features) and y (N,) must be tensors with the same first size, got "
                         f"{getattr(x, 'shape', type(x))} and {getattr(y, 'shape', type(y))}")
    loss = F.cross_entropy(model(x), y)
    (grad,) = torch.autograd.grad(loss, model.stem.weight)
    return float(grad.norm())


def draw_grad_norm_vs_depth(depths: Sequence[int], norms: Mapping[str, Sequence[float]],
                            title: str | None = None):
    """One curve per entry of ``norms`` (name -> first-layer gradient norm at each depth of
    ``depths``), on a logarithmic y axis. Returns the figure."""
    import matplotlib.pyplot as plt

    if not norms:
        raise ValueError("norms must name at least one curve")
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for (name, values), marker in zip(norms.items(), "osd^v"):
        if len(values) != len(depths):
            raise ValueError(f"curve {name!r} has {len(values)} values for {len(depths)} depths")
        if min(values) <= 0:
            raise ValueError(f"curve {name!r} has a non-positive norm; a log scale needs positive values")
        ax.plot(list(depths), list(values), marker=marker, markersize=4, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("depth (number of hidden blocks)")
    ax.set_ylabel("gradient norm at the first layer")
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
