"""A layer table for any model: where the parameters, the activations and the multiply-adds live.

- :func:`layer_table`: one row per call of a leaf module (a module without children): output
  shape, parameters (weights and biases), activations (values and bytes) and multiply-adds, per
  image, with totals. Shapes are propagated on PyTorch's ``meta`` device, so VGG16 on a 224x224
  input takes milliseconds and no memory.

The figures drawn from a table are in :mod:`.figures`.

>>> from course_utils.topics.alexnet_vgg import alexnet
>>> table = layer_table(alexnet(device="meta"), (3, 227, 227))
>>> table.row("conv1").output_shape, table.row("conv1").params
((96, 55, 55), 34944)
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from course_utils._args import require_int

__all__ = ["LayerRow", "LayerTable", "layer_table"]


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

    def activations(self, kinds: Iterable[str] | None = None, include_input: bool = True) -> int:
        """Activation values per image: the ``values`` of the rows of ``kinds`` (every row when
        None), plus the input image's values when ``include_input`` (the forward memory of a
        table such as the slides' VGG16, whose first line is the input)."""
        if not isinstance(include_input, bool):
            raise ValueError(f"include_input must be True or False, got {include_input!r}")
        return self.total("values", kinds) + (self.input_values if include_input else 0)

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
