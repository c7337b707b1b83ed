"""AlexNet's recipe at small scale: the networks and the figure of its experiments.

- :func:`mlp`: a fully connected network with a chosen activation (ReLU or tanh), dropout and,
  optionally, AlexNet's Gaussian initialisation (zero-mean weights of a given standard deviation,
  zero biases).
- :func:`draw_error_curves`: error curves side by side, with a dashed line at a target error, as
  in Figure 1 of Krizhevsky et al. (2012).
- :func:`final_gaps`: the gap between training and test performance at the end of a run (accuracy
  and cross-entropy).
- :func:`draw_train_test_curves`: training and test accuracy and cross-entropy of several runs,
  to compare their gaps (e.g. with and without dropout).

>>> net = mlp([64, 32, 10], activation="tanh", dropout=0.5)
>>> [type(m).__name__ for m in net]
['Flatten', 'Linear', 'Tanh', 'Dropout', 'Linear']
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from torch import nn

from course_utils._args import require_int, require_positive

__all__ = ["mlp", "draw_error_curves", "final_gaps", "draw_train_test_curves"]

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


_GAP_KEYS = ("train error", "test error", "train loss", "test loss")


def _check_history(name: str, history: Mapping[str, Sequence[float]]) -> int:
    missing = [key for key in _GAP_KEYS if key not in history]
    if missing:
        raise ValueError(f"history {name!r} lacks {missing}: train with track={{'train': ..., 'test': ...}} "
                         "and track_loss=True")
    lengths = {len(history[key]) for key in _GAP_KEYS}
    if len(lengths) != 1 or 0 in lengths:
        raise ValueError(f"history {name!r}: {', '.join(_GAP_KEYS)} must be non-empty lists of one length, "
                         f"got lengths {[len(history[key]) for key in _GAP_KEYS]}")
    return lengths.pop()


def final_gaps(history: Mapping[str, Sequence[float]], last: int = 1) -> dict[str, float]:
    """The gaps between training and test performance at the end of ``history`` (with "train
    error", "test error", "train loss" and "test loss", as returned by
    ``train_classifier(..., track_loss=True)``), each value averaged over the ``last`` steps:

    ``{"accuracy": train accuracy - test accuracy, "loss": test loss - train loss}``, the accuracy
    gap as a fraction (0.2 is 20 points), the loss gap in nats.
    """
    steps = _check_history("history", history)
    last = require_int("last", last, 1)
    if last > steps:
        raise ValueError(f"last must be at most the {steps} steps of the history, got {last}")

    def mean(key: str) -> float:
        return sum(history[key][-last:]) / last

    return {"accuracy": mean("test error") - mean("train error"), "loss": mean("test loss") - mean("train loss")}


def draw_train_test_curves(histories: Mapping[str, Mapping[str, Sequence[float]]], last: int = 1,
                           x_per_step: float = 1.0, xlabel: str = "step"):
    """Two panels: accuracy (%) and cross-entropy after each step, on the training set (solid
    lines) and the test set (dashed), one colour per run.

    ``histories``: run name -> history with "train error", "test error", "train loss" and "test
    loss" (lists of one length per run); value i is drawn at x = (i + 1) * ``x_per_step`` (e.g.
    the ``track_every`` of :func:`~.training.train_classifier`). Each panel's title gives every
    run's gap averaged over its ``last`` values (:func:`final_gaps`); when ``last`` > 1 the x range
    of those values is shaded. Returns the figure."""
    import matplotlib.pyplot as plt

    if not histories:
        raise ValueError("histories must hold at least one run")
    x_per_step = require_positive("x_per_step", x_per_step)
    lengths = {name: _check_history(name, history) for name, history in histories.items()}
    gaps = {name: final_gaps(history, last) for name, history in histories.items()}
    fig, (acc_ax, loss_ax) = plt.subplots(1, 2, figsize=(10, 4.2))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (name, history) in enumerate(histories.items()):
        x = [x_per_step * (i + 1) for i in range(lengths[name])]
        for part, style in (("train", "-"), ("test", "--")):
            label = f"{name}, {part}"
            acc_ax.plot(x, [100 * (1 - e) for e in history[f"{part} error"]], style, color=colours[k % len(colours)],
                        label=label)
            loss_ax.plot(x, list(history[f"{part} loss"]), style, color=colours[k % len(colours)], label=label)
    longest = max(lengths.values())
    first_x, last_x = x_per_step * (longest - last + 1), x_per_step * longest
    where = f"at {xlabel} {last_x:g}" if last == 1 else f"mean over {xlabel} {first_x:g} to {last_x:g}"
    acc_gaps = ", ".join(f"{name} {100 * g['accuracy']:.1f}" for name, g in gaps.items())
    loss_gaps = ", ".join(f"{name} {g['loss']:.2f}" for name, g in gaps.items())
    acc_ax.set_title(f"accuracy; gap = train - test ({where}):\n{acc_gaps} points", fontsize=10)
    loss_ax.set_title(f"cross-entropy; gap = test - train ({where}):\n{loss_gaps}", fontsize=10)
    acc_ax.set_ylabel("accuracy (%)")
    loss_ax.set_ylabel("cross-entropy (nats)")
    for ax in (acc_ax, loss_ax):
        if last > 1:
            ax.axvspan(first_x, last_x, color="0.88", zorder=0, label="averaged for the gaps")
        ax.set_xlabel(xlabel)
    handles, labels = acc_ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 5), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig
