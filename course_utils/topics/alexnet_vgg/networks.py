"""The networks of lecture 03, built from their published tables.

``torch.nn.Sequential`` with named layers; pass ``device="meta"`` to get the shapes without
allocating the weights, e.g. the 138M parameters of VGG16:

- :func:`lenet5`: LeNet-5 (LeCun et al. 1998), 1x32x32 input.
- :func:`alexnet`: AlexNet on a 3x227x227 input, as in the "full (simplified)" table of the
  slides, or with ``two_gpu=True`` the original of Krizhevsky et al. (2012), whose conv2, conv4
  and conv5 are grouped convolutions (``groups=2``: each half of the filters sees half of the
  input channels, one half per GPU).
- :func:`vgg`: configurations A, A-LRN, B, C, D and E of Simonyan and Zisserman (2015), written
  in :data:`VGG_CONFIGS` exactly as in the paper's table ("conv3-64", "maxpool", ...); 3x224x224
  input.
- :func:`plain_cnn`: a small conv/pool/fully-connected network from a few numbers (the explorer).

>>> sum(p.numel() for p in vgg("D", device="meta").parameters())
138357544
"""
from __future__ import annotations

import re
from collections import OrderedDict

from torch import nn

from course_utils._args import require_int

__all__ = [
    "lenet5",
    "alexnet",
    "VGG_CONFIGS",
    "VGG_PAPER_PARAMS_M",
    "vgg",
    "plain_cnn",
]


# ----------------------------------------------------------------------------------- networks

def lenet5(num_classes: int = 10, device=None) -> nn.Sequential:
    """LeNet-5 on a (N, 1, 32, 32) input; returns scores of shape (N, num_classes).

    C1: 6 filters 5x5 -> (6, 28, 28); S2: 2x2 average pooling -> (6, 14, 14); C3: 16 filters 5x5
    -> (16, 10, 10); S4 -> (16, 5, 5); C5: 120 filters 5x5 -> (120, 1, 1); F6: 84 units; output.
    tanh everywhere. Simplified as usual today: S2 and S4 are plain average pooling (the paper's
    subsampling had one trainable coefficient and bias per map), every C3 map sees all six S2
    maps (the paper connects each to a subset: 1,516 parameters instead of 2,416), and the output
    is a linear layer (the paper used radial basis function units). 61,706 parameters.
    """
    return nn.Sequential(OrderedDict([
        ("c1", nn.Conv2d(1, 6, 5, device=device)), ("tanh1", nn.Tanh()),
        ("s2", nn.AvgPool2d(2, 2)),
        ("c3", nn.Conv2d(6, 16, 5, device=device)), ("tanh3", nn.Tanh()),
        ("s4", nn.AvgPool2d(2, 2)),
        ("c5", nn.Conv2d(16, 120, 5, device=device)), ("tanh5", nn.Tanh()),
        ("flatten", nn.Flatten()),
        ("f6", nn.Linear(120, 84, device=device)), ("tanh6", nn.Tanh()),
        ("output", nn.Linear(84, num_classes, device=device)),
    ]))


def _lrn() -> nn.LocalResponseNorm:
    # Krizhevsky et al. (2012), section 3.3: k = 2, n = 5, alpha = 1e-4, beta = 0.75
    return nn.LocalResponseNorm(size=5, alpha=1e-4, beta=0.75, k=2.0)


def alexnet(two_gpu: bool = False, num_classes: int = 1000, device=None) -> nn.Sequential:
    """AlexNet on a (N, 3, 227, 227) input; returns scores of shape (N, num_classes).

    ``two_gpu=False``: the slides' "full (simplified)" table, layer by layer: conv1 (96 11x11,
    stride 4) -> (96, 55, 55), pool1 (3x3, stride 2) -> 27x27, norm1, conv2 (256 5x5, pad 2),
    pool2 -> 13x13, norm2, conv3 (384 3x3, pad 1), conv4 (384), conv5 (256), pool3 -> (256, 6, 6),
    fc6 4096, fc7 4096, fc8 num_classes; ReLU after every conv and fc6, fc7; dropout 0.5 after
    fc6 and fc7. 62,378,344 parameters.

    ``two_gpu=True``: the original network, trained on two GPUs: conv2, conv4 and conv5 only see
    the feature maps on their own GPU, which is a grouped convolution with ``groups=2``, and the
    response normalisation comes before the pooling, as in the paper. 60,965,224 parameters.
    The shapes are those of the simplified table.
    """
    groups = 2 if two_gpu else 1

    def block(index, conv):
        layers = [(f"conv{index}", conv), (f"relu{index}", nn.ReLU())]
        pool = (f"pool{index}", nn.MaxPool2d(3, 2))
        norm = (f"norm{index}", _lrn())
        return layers + ([norm, pool] if two_gpu else [pool, norm])

    layers = block(1, nn.Conv2d(3, 96, 11, stride=4, device=device))
    layers += block(2, nn.Conv2d(96, 256, 5, padding=2, groups=groups, device=device))
    layers += [
        ("conv3", nn.Conv2d(256, 384, 3, padding=1, device=device)), ("relu3", nn.ReLU()),
        ("conv4", nn.Conv2d(384, 384, 3, padding=1, groups=groups, device=device)), ("relu4", nn.ReLU()),
        ("conv5", nn.Conv2d(384, 256, 3, padding=1, groups=groups, device=device)), ("relu5", nn.ReLU()),
        ("pool3", nn.MaxPool2d(3, 2)),
        ("flatten", nn.Flatten()),
        ("fc6", nn.Linear(256 * 6 * 6, 4096, device=device)), ("relu6", nn.ReLU()), ("drop6", nn.Dropout(0.5)),
        ("fc7", nn.Linear(4096, 4096, device=device)), ("relu7", nn.ReLU()), ("drop7", nn.Dropout(0.5)),
        ("fc8", nn.Linear(4096, num_classes, device=device)),
    ]
    return nn.Sequential(OrderedDict(layers))


#: The ConvNet configurations of Simonyan and Zisserman (2015), Table 1, column by column:
#: "conv<receptive field size>-<number of channels>", "maxpool", "LRN". Every configuration ends
#: with FC-4096, FC-4096, FC-1000 and a soft-max (the soft-max is left to the loss here).
VGG_CONFIGS: dict[str, tuple[str, ...]] = {
    "A": ("conv3-64", "maxpool", "conv3-128", "maxpool", "conv3-256", "conv3-256", "maxpool",
          "conv3-512", "conv3-512", "maxpool", "conv3-512", "conv3-512", "maxpool"),
    "A-LRN": ("conv3-64", "LRN", "maxpool", "conv3-128", "maxpool", "conv3-256", "conv3-256", "maxpool",
              "conv3-512", "conv3-512", "maxpool", "conv3-512", "conv3-512", "maxpool"),
    "B": ("conv3-64", "conv3-64", "maxpool", "conv3-128", "conv3-128", "maxpool", "conv3-256", "conv3-256",
          "maxpool", "conv3-512", "conv3-512", "maxpool", "conv3-512", "conv3-512", "maxpool"),
    "C": ("conv3-64", "conv3-64", "maxpool", "conv3-128", "conv3-128", "maxpool", "conv3-256", "conv3-256",
          "conv1-256", "maxpool", "conv3-512", "conv3-512", "conv1-512", "maxpool", "conv3-512", "conv3-512",
          "conv1-512", "maxpool"),
    "D": ("conv3-64", "conv3-64", "maxpool", "conv3-128", "conv3-128", "maxpool", "conv3-256", "conv3-256",
          "conv3-256", "maxpool", "conv3-512", "conv3-512", "conv3-512", "maxpool", "conv3-512", "conv3-512",
          "conv3-512", "maxpool"),
    "E": ("conv3-64", "conv3-64", "maxpool", "conv3-128", "conv3-128", "maxpool", "conv3-256", "conv3-256",
          "conv3-256", "conv3-256", "maxpool", "conv3-512", "conv3-512", "conv3-512", "conv3-512", "maxpool",
          "conv3-512", "conv3-512", "conv3-512", "conv3-512", "maxpool"),
}

#: Table 2 of the paper: number of parameters in millions, per configuration.
VGG_PAPER_PARAMS_M: dict[str, int] = {"A": 133, "A-LRN": 133, "B": 133, "C": 134, "D": 138, "E": 144}

_CONV = re.compile(r"conv(\d+)-(\d+)")


def vgg(config: str = "D", num_classes: int = 1000, device=None) -> nn.Sequential:
    """VGG configuration ``config`` (one of :data:`VGG_CONFIGS`) on a (N, 3, 224, 224) input.

    Every convolution has stride 1 and padding (size - 1) // 2 (1 for 3x3, 0 for 1x1), so only
    the five 2x2 max-poolings (stride 2) shrink the maps: 224 -> 7. Then FC-4096, FC-4096 (ReLU
    and dropout 0.5 after each) and FC-num_classes. Layers are named as in Caffe's VGG models:
    conv<block>_<index>, relu<block>_<index>, norm1 (A-LRN only), pool<block>, fc6, fc7, fc8.
    Configuration D is VGG16 and E is VGG19 (counting the weight layers).
    """
    if config not in VGG_CONFIGS:
        raise ValueError(f"unknown VGG configuration {config!r}: use one of {', '.join(VGG_CONFIGS)}")
    layers, channels, block, index = [], 3, 1, 0
    for entry in VGG_CONFIGS[config]:
        match = _CONV.fullmatch(entry)
        if match:
            size, width = int(match.group(1)), int(match.group(2))
            index += 1
            layers.append((f"conv{block}_{index}",
                           nn.Conv2d(channels, width, size, padding=(size - 1) // 2, device=device)))
            layers.append((f"relu{block}_{index}", nn.ReLU()))
            channels = width
        elif entry == "LRN":
            layers.append((f"norm{block}", _lrn()))
        elif entry == "maxpool":
            layers.append((f"pool{block}", nn.MaxPool2d(2, 2)))
            block, index = block + 1, 0
        else:  # pragma: no cover - the table above is fixed
            raise ValueError(f"unknown entry {entry!r}")
    layers += [
        ("flatten", nn.Flatten()),
        ("fc6", nn.Linear(channels * 7 * 7, 4096, device=device)), ("relu6", nn.ReLU()), ("drop6", nn.Dropout(0.5)),
        ("fc7", nn.Linear(4096, 4096, device=device)), ("relu7", nn.ReLU()), ("drop7", nn.Dropout(0.5)),
        ("fc8", nn.Linear(4096, num_classes, device=device)),
    ]
    return nn.Sequential(OrderedDict(layers))


def plain_cnn(n_conv: int = 3, channels: int = 16, input_size: int = 32, f: int = 3,
              in_channels: int = 1, double_after_pool: bool = True, fc_units: int = 64,
              num_classes: int = 10, device=None) -> nn.Sequential:
    """A VGG-like stack for a (N, in_channels, input_size, input_size) input.

    ``n_conv`` blocks of [conv f x f (stride 1, padding (f - 1) // 2), ReLU,
    2x2 max-pooling], the first with ``channels`` filters and each next one with twice as many
    when ``double_after_pool``; then a fully connected layer of ``fc_units`` (with ReLU, left out
    when ``fc_units`` is 0) and one of ``num_classes``.

    Raises ValueError for a non-positive size, an even f (no padding keeps the size), or
    when the poolings shrink the maps below 1x1 (input_size < 2 ** n_conv).
    """
    n_conv = require_int("n_conv", n_conv, 1)
    channels = require_int("channels", channels, 1)
    input_size = require_int("input_size", input_size, 1)
    f = require_int("f", f, 1)
    in_channels = require_int("in_channels", in_channels, 1)
    fc_units = require_int("fc_units", fc_units, minimum=0)
    num_classes = require_int("num_classes", num_classes, 1)
    if f % 2 == 0:
        raise ValueError(f"f must be odd so that padding (f - 1) // 2 keeps the size, got {f}")
    if input_size >> n_conv < 1:
        raise ValueError(f"{n_conv} poolings by 2 shrink a {input_size}x{input_size} input below 1x1: "
                         f"use at most {input_size.bit_length() - 1} conv blocks or a larger input")
    layers, size, c_in, width = [], input_size, in_channels, channels
    for block in range(1, n_conv + 1):
        layers += [(f"conv{block}", nn.Conv2d(c_in, width, f, padding=(f - 1) // 2, device=device)),
                   (f"relu{block}", nn.ReLU()), (f"pool{block}", nn.MaxPool2d(2, 2))]
        size //= 2
        c_in = width
        width = width * 2 if double_after_pool else width
    layers.append(("flatten", nn.Flatten()))
    features = c_in * size * size
    if fc_units:
        layers += [("fc1", nn.Linear(features, fc_units, device=device)), ("relu_fc1", nn.ReLU())]
        features = fc_units
    layers.append(("out", nn.Linear(features, num_classes, device=device)))
    return nn.Sequential(OrderedDict(layers))
