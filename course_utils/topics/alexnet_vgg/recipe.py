"""AlexNet's recipe at small scale: the networks and the figure of its experiments.

- :func:`mlp`: a fully connected network with a chosen activation (ReLU or tanh), dropout and,
  optionally, AlexNet's Gaussian initialisation (zero-mean weights of a given standard deviation,
  zero biases).
- :func:`draw_error_curves`: error curves side by side, with a dashed line at a target error, as
  in Figure 1 of Krizhevsky et al. (2012).

>>> net = mlp([64, 32, 10], activation="tanh", dropout=0.5)
>>> [type(m).__name__ for m in net]
['Flatten', 'Linear', 'Tanh', 'Dropout', 'Linear']
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from torch import nn

from course_utils._args import require_int, require_positive

__all__ = ["mlp", "draw_error_curves"]

_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh}


def mlp(sizes: Sequence[int], activation: str = "relu", dropout: float = 0.0,
        init_std: float | None = None) -> nn.Sequential:
    """Flatten, then ``Linear(sizes[i], sizes[i + 1])`` layers with ``activation`` after every
    layer but the last, and ``Dropout(dropout)`` after each activation when ``dropout`` > 0.

    Input (N, sizes[0]) (or any (N, ...) with sizes[0] values per example), output (N, sizes[-1]).
    ``init_std``: None keeps PyTorch's default initialisation; a number draws every weight from
    N(0, init_std**2) and sets every bias to 0.
    """
    if isinstance(sizes, (str, bytes)) or len(sizes) < 2:
        raise ValueError(f"sizes must list at least the input and output sizes, got {sizes!r}")
    sizes = [require_int(f"sizes[{i}]", n, 1) for i, n in enumerate(sizes)]
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
    if isinstance(dropout, bool) or not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
    if init_std is not None:
        init_std = require_positive("init_std", init_std)
    layers: list[nn.Module] = [nn.Flatten()]
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(n_in, n_out)
        if init_std is not None:
            nn.init.normal_(linear.weight, std=init_std)
            nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(sizes) - 2:
            layers.append(_ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def draw_error_curves(panels: Mapping[str, Mapping[str, Sequence[float]]], x_per_step: float = 1.0,
                      xlabel: str = "step", target: float | None = None, ylabel: str = "error rate"):
    """One panel per entry of ``panels`` (title -> {curve name: error after each step}), the x
    axis in steps times ``x_per_step`` (e.g. batch size / training-set size for epochs), and a
    dashed horizontal line at ``target`` when given. Returns the figure."""
    import matplotlib.pyplot as plt

    if not panels:
        raise ValueError("panels must hold at least one panel of curves")
    x_per_step = require_positive("x_per_step", x_per_step)
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.4), sharey=True, squeeze=False)
    for ax, (title, curves) in zip(axes[0], panels.items()):
        if not curves:
            raise ValueError(f"panel {title!r} has no curves")
        for name, errors in curves.items():
            ax.plot([x_per_step * (i + 1) for i in range(len(errors))], list(errors), label=name)
        if target is not None:
            ax.axhline(target, color="black", linestyle="--", linewidth=1, label=f"{target:.0%} error")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.legend(fontsize=8)
    axes[0][0].set_ylabel(ylabel)
    fig.tight_layout()
    return fig
