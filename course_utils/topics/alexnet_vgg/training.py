"""A small training loop for the experiments of lecture 03: SGD with momentum and weight decay
(AlexNet's optimiser), full-batch or mini-batch, with the error rates tracked at every step.

- :func:`train_classifier`: train a classifier with the cross-entropy; returns its history.
- :func:`error_rate`: the fraction of misclassified examples (the model in eval mode).
- :func:`evaluate`: the error rate and the mean cross-entropy together (the model in eval mode).
- :func:`steps_to_reach`: the first step at which a tracked error reaches a target.

>>> import torch
>>> from torch import nn
>>> torch.manual_seed(0) and None
>>> x, y = torch.randn(40, 2), torch.arange(40) % 2
>>> x[y == 1] += 6.0
>>> history = train_classifier(nn.Linear(2, 2), x, y, steps=50, lr=0.1, track={"train": (x, y)})
>>> sorted(history), len(history["loss"]), history["train error"][-1]
(['loss', 'train error'], 50, 0.0)
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from course_utils._args import require_int, require_positive
from course_utils.progress import progress

__all__ = ["train_classifier", "error_rate", "evaluate", "steps_to_reach"]


def _check_xy(x, y, what: str) -> None:
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise ValueError(f"{what}: x and y must be tensors, got {type(x).__name__} and {type(y).__name__}")
    if y.dim() != 1 or x.shape[0] != y.shape[0] or y.dtype != torch.int64:
        raise ValueError(f"{what}: expected x of shape (N, ...) and int64 labels y of shape (N,), got "
                         f"{tuple(x.shape)} and {tuple(y.shape)} ({y.dtype})")


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """``(error rate, mean cross-entropy)`` of ``model`` on the N examples ``x`` (N, ...) with labels
    ``y`` (N,): the fraction whose highest score is not the label, and the mean over the N examples
    of ``-log softmax(scores)[label]``.

    Runs in eval mode (dropout off) without gradients, then restores the model's mode."""
    _check_xy(x, y, "evaluate")
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            scores = model(x)
            wrong = (scores.argmax(1) != y).sum().item()
            loss = F.cross_entropy(scores, y).item()
    finally:
        model.train(was_training)
    return wrong / len(y), loss


def error_rate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of the N examples ``x`` (N, ...) whose highest score is not the label ``y`` (N,).

    Runs in eval mode (dropout off) without gradients, then restores the model's mode."""
    _check_xy(x, y, "error_rate")
    return evaluate(model, x, y)[0]


def train_classifier(model: nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int, lr: float,
                     momentum: float = 0.9, weight_decay: float = 0.0, batch_size: int | None = None,
                     seed: int = 0, track: Mapping[str, tuple[torch.Tensor, torch.Tensor]] | None = None,
                     desc: str | None = None, track_loss: bool = False,
                     track_every: int = 1) -> dict[str, list[float]]:
    """Minimise the cross-entropy of ``model`` on ``x`` (N, ...) and labels ``y`` (N,) with
    ``torch.optim.SGD(lr, momentum, weight_decay)`` for ``steps`` steps.

    Args:
        batch_size: None for full-batch steps; else each step draws ``batch_size`` examples with
            replacement, from a generator seeded with ``seed`` (the model's initialisation is the
            caller's: seed torch before building it).
        track: name -> (x, y): after every ``track_every``-th step, the error rate on each (see
            :func:`error_rate`).
        desc: when given, show the loop's progress (:func:`course_utils.progress.progress`).
        track_loss: also record the mean cross-entropy on each tracked set in eval mode (see
            :func:`evaluate`), as ``"<name> loss"``.
        track_every: record the tracked values after steps ``track_every``, ``2 * track_every``,
            ...: ``steps // track_every`` values per list.

    Returns:
        ``{"loss": [loss of each step's batch], "<name> error": [error after each tracked step],
        ...}`` (and ``"<name> loss"`` with ``track_loss``): ``steps`` batch losses and
        ``steps // track_every`` values for each tracked set. The batch loss is taken in training
        mode (dropout on), the tracked values in eval mode. Raises FloatingPointError when the loss
        is not finite.
    """
    _check_xy(x, y, "train_classifier")
    steps = require_int("steps", steps, 1)
    lr = require_positive("lr", lr)
    if not 0.0 <= momentum < 1.0 or not 0.0 <= weight_decay:
        raise ValueError(f"expected 0 <= momentum < 1 and weight_decay >= 0, got {momentum} and {weight_decay}")
    if batch_size is not None:
        batch_size = require_int("batch_size", batch_size, 1)
    track_every = require_int("track_every", track_every, 1)
    if not isinstance(track_loss, bool):
        raise ValueError(f"track_loss must be True or False, got {track_loss!r}")
    track = dict(track or {})
    for name, (tx, ty) in track.items():
        _check_xy(tx, ty, f"track[{name!r}]")
    optimiser = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    generator = torch.Generator(device=x.device).manual_seed(seed)
    history: dict[str, list[float]] = {"loss": [], **{f"{name} error": [] for name in track}}
    if track_loss:
        history.update({f"{name} loss": [] for name in track})
    model.train()
    for _ in (progress(range(steps), desc=desc) if desc else range(steps)):
        if batch_size is None:
            xb, yb = x, y
        else:
            index = torch.randint(0, len(y), (batch_size,), generator=generator, device=x.device)
            xb, yb = x[index], y[index]
        optimiser.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        if not torch.isfinite(loss):
            raise FloatingPointError(f"the loss is {loss.item()} at step {len(history['loss']) + 1}: "
                                     "lower the learning rate")
        loss.backward()
        optimiser.step()
        history["loss"].append(loss.item())
        if len(history["loss"]) % track_every:
            continue
        for name, (tx, ty) in track.items():
            if track_loss:
                error, tracked_loss = evaluate(model, tx, ty)
                history[f"{name} loss"].append(tracked_loss)
            else:
                error = error_rate(model, tx, ty)
            history[f"{name} error"].append(error)
    return history


def steps_to_reach(errors: Sequence[float], target: float) -> int | None:
    """The first step (1-based) whose error is at most ``target``; None if none is."""
    if not 0.0 <= target <= 1.0:
        raise ValueError(f"target must be an error rate in [0, 1], got {target}")
    return next((step for step, e in enumerate(errors, start=1) if e <= target), None)
