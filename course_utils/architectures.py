"""The networks of lecture 03, built from their published tables, and a layer table for any model.

Networks (``torch.nn.Sequential`` with named layers; pass ``device="meta"`` to get the shapes
without allocating the weights, e.g. the 138M parameters of VGG16):

- :func:`lenet5`: LeNet-5 (LeCun et al. 1998), 1x32x32 input.
- :func:`alexnet`: AlexNet on a 3x227x227 input, as in the "full (simplified)" table of the
  slides, or with ``two_gpu=True`` the original of Krizhevsky et al. (2012), whose conv2, conv4
  and conv5 are grouped convolutions (``groups=2``: each half of the filters sees half of the
  input channels, one half per GPU).
- :func:`vgg`: configurations A, A-LRN, B, C, D and E of Simonyan and Zisserman (2015), written
  in :data:`VGG_CONFIGS` exactly as in the paper's table ("conv3-64", "maxpool", ...); 3x224x224
  input.
- :func:`plain_cnn`: a small conv/pool/fully-connected network from a few numbers (the explorer).

Analysis:

- :func:`layer_table`: one row per call of a leaf module (a module without children): output
  shape, parameters (weights and biases), activations (values and bytes) and multiply-adds, per
  image, with totals. Shapes are propagated on PyTorch's ``meta`` device, so VGG16 on a 224x224
  input takes milliseconds and no memory.
- :func:`plot_layer_costs`: where the parameters, the activations and the multiply-adds live.

>>> sum(p.numel() for p in vgg("D", device="meta").parameters())
138357544
>>> table = layer_table(alexnet(device="meta"), (3, 227, 227))
>>> table.row("conv1").output_shape, table.row("conv1").params
((96, 55, 55), 34944)
"""
from __future__ import annotations

import numbers
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import torch
from torch import nn

from .validation import require_int

__all__ = [
    "lenet5",
    "alexnet",
    "VGG_CONFIGS",
    "VGG_PAPER_PARAMS_M",
    "vgg",
    "plain_cnn",
    "LayerRow",
    "LayerTable",
    "layer_table",
    "plot_layer_costs",
    "draw_plain_cnn",
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


def plain_cnn(n_conv: int = 3, channels: int = 16, input_size: int = 32, kernel: int = 3,
              in_channels: int = 1, double_after_pool: bool = True, fc_units: int = 64,
              num_classes: int = 10, device=None) -> nn.Sequential:
    """A VGG-like stack for a (N, in_channels, input_size, input_size) input.

    ``n_conv`` blocks of [conv kernel x kernel (stride 1, padding (kernel - 1) // 2), ReLU,
    2x2 max-pooling], the first with ``channels`` filters and each next one with twice as many
    when ``double_after_pool``; then a fully connected layer of ``fc_units`` (with ReLU, left out
    when ``fc_units`` is 0) and one of ``num_classes``.

    Raises ValueError for a non-positive size, an even kernel (no padding keeps the size), or
    when the poolings shrink the maps below 1x1 (input_size < 2 ** n_conv).
    """
    n_conv = require_int("n_conv", n_conv, 1)
    channels = require_int("channels", channels, 1)
    input_size = require_int("input_size", input_size, 1)
    kernel = require_int("kernel", kernel, 1)
    in_channels = require_int("in_channels", in_channels, 1)
    fc_units = require_int("fc_units", fc_units, minimum=0)
    num_classes = require_int("num_classes", num_classes, 1)
    if kernel % 2 == 0:
        raise ValueError(f"kernel must be odd so that padding (kernel - 1) // 2 keeps the size, got {kernel}")
    if input_size >> n_conv < 1:
        raise ValueError(f"{n_conv} poolings by 2 shrink a {input_size}x{input_size} input below 1x1: "
                         f"use at most {input_size.bit_length() - 1} conv blocks or a larger input")
    layers, size, c_in, width = [], input_size, in_channels, channels
    for block in range(1, n_conv + 1):
        layers += [(f"conv{block}", nn.Conv2d(c_in, width, kernel, padding=(kernel - 1) // 2, device=device)),
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


# -------------------------------------------------------------------------------- layer table

@dataclass(frozen=True)
class LayerRow:
    """One call of a leaf module, per image (the batch axis is left out).

    Attributes:
        name: the module's name in the model (``"conv1"``, ``"features.0"``).
        kind: the module's class name (``"Conv2d"``, ``"ReLU"``, ``"MaxPool2d"``, ...).
        output_shape: shape of the output without the batch axis, e.g. (C, H, W) or (F,).
        weights: parameters of the module not named ``bias`` (0 on a second call of a module).
        biases: parameters named ``bias``.
        values: activations, the number of elements of the output.
        bytes: ``values`` times the size of one element.
        macs: multiply-adds: for a convolution, each output value is a dot product of length
            (C_in / groups) * kernel height * kernel width; for a linear layer of length
            in_features. 0 for every other module.
    """

    name: str
    kind: str
    output_shape: tuple[int, ...]
    weights: int
    biases: int
    values: int
    bytes: int
    macs: int

    @property
    def params(self) -> int:
        """weights + biases."""
        return self.weights + self.biases


_FIELDS = ("weights", "biases", "params", "values", "bytes", "macs")


@dataclass
class LayerTable:
    """The rows of :func:`layer_table`, in call order, with totals.

    ``input_values``/``input_bytes`` describe the input image (not counted in the rows' totals);
    ``other_params`` counts parameters that no row owns (held by a module with children, or by a
    module that was never called), so that ``params + other_params`` always equals
    ``sum(p.numel() for p in model.parameters())``.
    """

    input_shape: tuple[int, ...]
    input_values: int
    input_bytes: int
    rows: list[LayerRow] = field(default_factory=list)
    other_params: int = 0

    def select(self, kinds: Iterable[str] | None = None) -> list[LayerRow]:
        """The rows whose ``kind`` is in ``kinds`` (every row when ``kinds`` is None)."""
        if kinds is None:
            return list(self.rows)
        kinds = {kinds} if isinstance(kinds, str) else set(kinds)
        return [r for r in self.rows if r.kind in kinds]

    def total(self, what: str, kinds: Iterable[str] | None = None) -> int:
        """Sum of the column ``what`` (weights, biases, params, values, bytes, macs) over rows."""
        if what not in _FIELDS:
            raise ValueError(f"unknown column {what!r}: use one of {', '.join(_FIELDS)}")
        return sum(getattr(r, what) for r in self.select(kinds))

    @property
    def params(self) -> int:
        return self.total("params")

    @property
    def values(self) -> int:
        return self.total("values")

    @property
    def bytes(self) -> int:
        return self.total("bytes")

    @property
    def macs(self) -> int:
        return self.total("macs")

    def row(self, name: str) -> LayerRow:
        """The first row of the module called ``name``."""
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(f"no layer named {name!r}; layers: {', '.join(r.name for r in self.rows)}")

    def to_text(self, kinds: Iterable[str] | None = None) -> str:
        """A fixed-width text table (only the rows of ``kinds`` when given) with a totals line."""
        rows = self.select(kinds)
        header = ("layer", "type", "output shape", "weights", "biases", "activations", "memory", "mult-adds")
        body = [("input", "", _shape(self.input_shape), "", "", f"{self.input_values:,}",
                 _size(self.input_bytes), "")]
        for r in rows:
            body.append((r.name, r.kind, _shape(r.output_shape), f"{r.weights:,}", f"{r.biases:,}",
                         f"{r.values:,}", _size(r.bytes), f"{r.macs:,}"))
        total = ("total", "", "", f"{sum(r.weights for r in rows):,}", f"{sum(r.biases for r in rows):,}",
                 f"{sum(r.values for r in rows):,}", _size(sum(r.bytes for r in rows)),
                 f"{sum(r.macs for r in rows):,}")
        widths = [max(len(line[i]) for line in [header, total] + body) for i in range(len(header))]

        def fmt(line):
            left = [line[i].ljust(widths[i]) for i in range(3)]
            right = [line[i].rjust(widths[i]) for i in range(3, len(header))]
            return "  ".join(left + right).rstrip()

        rule = "-" * len(fmt(header))
        lines = [fmt(header), rule] + [fmt(line) for line in body] + [rule, fmt(total)]
        if self.other_params:
            lines.append(f"(+ {self.other_params:,} parameters held outside these rows)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def _shape(shape: Sequence[int]) -> str:
    return "x".join(str(n) for n in shape) if shape else "-"


def _size(n_bytes: int) -> str:
    """Bytes in decimal units (1 MB = 10**6 bytes), as in the slides."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes} B"


def _macs(module: nn.Module, output: torch.Tensor, batch: int) -> int:
    per_image = output.numel() // batch
    if isinstance(module, nn.modules.conv._ConvNd):
        kernel = 1
        for k in module.kernel_size:
            kernel *= k
        return per_image * (module.in_channels // module.groups) * kernel
    if isinstance(module, nn.Linear):
        return per_image * module.in_features
    return 0


def layer_table(model: nn.Module, input_shape: Sequence[int], dtype: torch.dtype | None = None,
                device: str | torch.device | None = "meta", batch_size: int = 1) -> LayerTable:
    """Run ``model`` once on a zero input of shape (batch_size, *input_shape); one row per call of
    a leaf module (forward hooks), per image.

    Args:
        model: any ``nn.Module`` whose forward takes one tensor; it is not changed.
        input_shape: the shape of one input without the batch axis, e.g. (3, 224, 224).
        dtype: the element type used for the ``bytes`` column (e.g. ``torch.float16`` to ask what
            half precision would take); by default each output's own dtype (float32 normally).
        device: ``"meta"`` (default) propagates shapes only: the parameters and buffers are
            replaced by meta tensors for this call, so nothing is computed or allocated. ``None``
            runs the model for real on the device of its parameters (for a model whose forward
            does something the meta device cannot), on copies of its buffers.
        batch_size: the batch size of the probe input (values are reported per image).

    Parameters are counted with ``numel`` on the module itself; a module called twice has a row
    per call, but its parameters are counted on its first row only.
    """
    if isinstance(input_shape, numbers.Integral) or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1 for n in input_shape):
        raise ValueError(f"input_shape must be a sequence of positive ints without the batch axis, "
                         f"got {input_shape!r}")
    batch_size = require_int("batch_size", batch_size, 1)
    input_shape = tuple(int(n) for n in input_shape)
    if device is not None and torch.device(device).type != "meta":
        raise ValueError(f"device must be 'meta' or None, got {device!r}")
    reference = next(iter(model.parameters()), None)
    param_dtype = reference.dtype if reference is not None and reference.is_floating_point() else torch.float32
    if device is None:
        run_device = reference.device if reference is not None else torch.device("cpu")
    else:
        run_device = torch.device("meta")
    x = torch.zeros((batch_size, *input_shape), dtype=param_dtype, device=run_device)
    element = (torch.empty((), dtype=dtype).element_size() if dtype is not None else None)

    rows: list[LayerRow] = []
    seen: set[int] = set()
    handles = []

    def hook_for(name):
        def hook(module, inputs, output):
            out = output
            if isinstance(out, (tuple, list)):
                out = next((o for o in out if isinstance(o, torch.Tensor)), None)
            first_call = id(module) not in seen
            seen.add(id(module))
            weights = biases = 0
            if first_call:
                for pname, p in module.named_parameters(recurse=False):
                    if pname == "bias":
                        biases += p.numel()
                    else:
                        weights += p.numel()
            if isinstance(out, torch.Tensor):
                shape = tuple(out.shape[1:])
                values = out.numel() // batch_size
                size = element if element is not None else out.element_size()
                macs = _macs(module, out, batch_size)
            else:
                shape, values, size, macs = (), 0, 0, 0
            rows.append(LayerRow(name, type(module).__name__, shape, weights, biases, values,
                                 values * size, macs))
        return hook

    for name, module in model.named_modules():
        if next(module.children(), None) is None:
            handles.append(module.register_forward_hook(hook_for(name or type(module).__name__)))
    try:
        with torch.no_grad():
            if run_device.type == "meta":
                tensors = {n: torch.empty_like(t, device="meta") for n, t in
                           list(model.named_parameters()) + list(model.named_buffers())}
            else:  # copies of the buffers, so that e.g. batch-norm statistics are not updated
                tensors = {n: t.clone() for n, t in model.named_buffers()}
            torch.func.functional_call(model, tensors, (x,))
    finally:
        for handle in handles:
            handle.remove()
    total = sum(p.numel() for p in model.parameters())
    in_size = element if element is not None else x.element_size()
    values_in = x.numel() // batch_size
    table = LayerTable(input_shape, values_in, values_in * in_size, rows)
    table.other_params = total - table.params
    return table


# ------------------------------------------------------------------------------------ figures

def plot_layer_costs(table: LayerTable, kinds: Iterable[str] | None = ("Conv2d", "Linear", "MaxPool2d"),
                     title: str | None = None, memory: str = "values"):
    """Three bar charts over the rows of ``kinds``: parameters, activations (``memory="values"``
    or ``"bytes"``) and multiply-adds, each as a share of its total (in %). Returns the figure."""
    import matplotlib.pyplot as plt

    if memory not in ("values", "bytes"):
        raise ValueError(f"memory must be 'values' or 'bytes', got {memory!r}")
    rows = table.select(kinds)
    if not rows:
        raise ValueError(f"the table has no rows of kinds {kinds!r}")
    names = [r.name for r in rows]
    columns = [("parameters", [r.params for r in rows], "tab:blue"),
               ("activations" if memory == "values" else "activation memory",
                [getattr(r, memory) for r in rows], "tab:orange"),
               ("multiply-adds", [r.macs for r in rows], "tab:green")]
    height = max(2.6, 0.2 * len(rows) + 1.2)
    fig, axes = plt.subplots(1, 3, figsize=(10, height), sharey=True)
    positions = list(range(len(rows)))
    for ax, (label, data, colour) in zip(axes, columns):
        total = sum(data)
        shares = [100.0 * d / total if total else 0.0 for d in data]
        ax.barh(positions, shares, color=colour)
        ax.set_xlabel(f"share of all {label} (%)")
        ax.set_title(f"{label}: {_count(total)} in all", fontsize=10)
        ax.set_xlim(0, max(shares) * 1.15 if max(shares) > 0 else 1)
    axes[0].set_yticks(positions, names, fontsize=8 if len(rows) > 12 else 9)
    axes[0].invert_yaxis()  # first layer at the top
    axes[0].set_ylabel("layer (input at the top)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _count(n: int) -> str:
    for unit, scale in (("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if n >= scale:
            return f"{n / scale:.1f}{unit}"
    return str(n)


def draw_plain_cnn(n_conv: int = 3, channels: int = 16, input_size: int = 32, kernel: int = 3,
                   double_after_pool: bool = True, fc_units: int = 64):
    """The explorer's view: print the layer table of :func:`plain_cnn` (1 input channel, 10
    classes) and return :func:`plot_layer_costs` of it; return a message string instead when the
    configuration does not fit."""
    try:
        model = plain_cnn(n_conv, channels, input_size, kernel, double_after_pool=double_after_pool,
                          fc_units=fc_units, device="meta")
    except ValueError as exc:
        return f"this configuration does not fit: {exc}"
    table = layer_table(model, (1, input_size, input_size))
    print(table.to_text(kinds=("Conv2d", "MaxPool2d", "Linear")))
    title = (f"{n_conv} conv blocks, {channels} filters first, {kernel}x{kernel} kernels, "
             f"{input_size}x{input_size} input: {table.params:,} parameters")
    return plot_layer_costs(table, title=title)
