"""A network designed as a list of layer specs, built in torch and trained on the 8x8 digits.

The specs use the format of assignment 03 (no batch axis in any shape):

- ``{"type": "conv", "out_channels": K, "kernel": F, "stride": S, "padding": P, "bias": True}``
  (stride 1, padding 0 and bias True when missing): ``nn.Conv2d``;
- ``{"type": "pool", "kernel": F, "stride": S}`` (stride = kernel when missing): ``nn.MaxPool2d``;
- ``{"type": "fc", "out_features": M, "bias": True}``: ``nn.Flatten`` (on a (C, H, W) input)
  then ``nn.Linear``.

- :func:`build_model`: the ``nn.Sequential`` of the specs, with a ReLU after every conv and fc
  layer except the last layer of the list (whose outputs are the class scores).
- :func:`digits_images_split`: the digits as (N, 1, 8, 8) images, split once into train and test.
"""
from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

__all__ = ["build_model", "digits_images_split"]

_KEYS = {"conv": {"type", "out_channels", "kernel", "stride", "padding", "bias"},
         "pool": {"type", "kernel", "stride"},
         "fc": {"type", "out_features", "bias"}}


def _check_spec(index: int, spec) -> None:
    if not isinstance(spec, dict) or spec.get("type") not in _KEYS:
        raise ValueError(f"specs[{index}] is {spec!r}: expected a dict whose 'type' is 'conv', 'pool' or 'fc'")
    unknown = set(spec) - _KEYS[spec["type"]]
    if unknown:
        raise ValueError(f"specs[{index}] ({spec['type']}) has unknown keys {sorted(unknown)}: "
                         f"use only {sorted(_KEYS[spec['type']])}")


def build_model(specs, input_shape) -> nn.Sequential:
    """The torch network of ``specs`` for inputs of shape ``input_shape`` = (C, H, W).

    Each conv and fc layer is followed by ``nn.ReLU()`` except the last layer of ``specs``. The
    model maps a batch (N, C, H, W) to the output of the last layer, (N, M) for a final fc layer.
    Parameters are initialised by torch's defaults (seed torch's generator first). Raises
    ValueError for an unknown type or key, an empty list, or a conv or pool layer after an fc layer.
    """
    specs = list(specs)
    if not specs:
        raise ValueError("specs is empty: expected at least one layer")
    shape = tuple(int(v) for v in input_shape)
    if len(shape) != 3:
        raise ValueError(f"input_shape must be (C, H, W), got {input_shape!r}")
    layers, probe = [], torch.zeros((1, *shape), device="meta")
    for index, spec in enumerate(specs):
        _check_spec(index, spec)
        kind = spec["type"]
        if kind in ("conv", "pool") and probe.dim() != 4:
            raise ValueError(f"specs[{index}] is a {kind} layer after a fully connected one: it needs (C, H, W) maps")
        if kind == "conv":
            new = [nn.Conv2d(probe.shape[1], spec["out_channels"], spec["kernel"], stride=spec.get("stride", 1),
                             padding=spec.get("padding", 0), bias=spec.get("bias", True))]
        elif kind == "pool":
            new = [nn.MaxPool2d(spec["kernel"], stride=spec.get("stride"))]
        else:
            new = [nn.Flatten()] if probe.dim() == 4 else []
            n_in = int(np.prod(probe.shape[1:]))
            new.append(nn.Linear(n_in, spec["out_features"], bias=spec.get("bias", True)))
        probe = copy.deepcopy(nn.Sequential(*new)).to("meta")(probe)   # shapes only, on copies of the layers
        if kind != "pool" and index < len(specs) - 1:
            new.append(nn.ReLU())
        layers += new
    return nn.Sequential(*layers)


def digits_images_split(n_test: int = 360, seed: int = 0):
    """The 1797 digits as float32 images (N, 1, 8, 8) in [0, 1] and int64 labels, shuffled once
    with ``seed`` and split: returns ``(x_train, y_train, x_test, y_test)`` with ``n_test`` test
    images, tensors; the two parts never share an image."""
    from course_utils.data import load_digits

    images, labels = load_digits()
    n = len(labels)
    if not 0 < n_test < n:
        raise ValueError(f"n_test must be in 1..{n - 1}, got {n_test}")
    order = torch.from_numpy(np.random.default_rng(seed).permutation(n))
    images, labels = images[order], labels[order]
    return images[n_test:], labels[n_test:], images[:n_test], labels[:n_test]
