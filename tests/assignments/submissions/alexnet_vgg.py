"""Submissions for assignment 03 (counting parameters and memory)."""
from tests.assignments.submissions import CHEAT_TOOLS, Cheat, Mistake, oracle_in_caller_frame

ALTERNATIVES = {
    "layer-params": '''
def layer_params(spec, in_shape):
    has_bias = spec.get("bias", True)
    if spec["type"] == "conv":
        c_in = in_shape[0]
        f = spec["kernel"]
        per_filter = f * f * c_in + (1 if has_bias else 0)
        return spec["out_channels"] * per_filter
    if spec["type"] == "fc":
        n_in = 1
        for size in in_shape:
            n_in *= size
        return spec["out_features"] * (n_in + int(bool(has_bias)))
    if spec["type"] == "pool":
        return 0
    raise ValueError("unknown layer type " + str(spec["type"]))
''',
    "output-shape": '''
def layer_output_shape(spec, in_shape):
    def size(n, f, s, p):
        out = (n + 2 * p - f) // s + 1
        if out <= 0:
            raise ValueError("the kernel does not fit")
        return out

    t = spec["type"]
    if t == "fc":
        return (int(spec["out_features"]),)
    if t == "conv" or t == "pool":
        if len(in_shape) != 3:
            raise ValueError("expected a (C, H, W) input")
        c, h, w = in_shape
        f = spec["kernel"]
        if t == "conv":
            s, p, c = spec.get("stride", 1), spec.get("padding", 0), spec["out_channels"]
        else:
            s, p = spec.get("stride") or f, 0
        return tuple([c, size(h, f, s, p), size(w, f, s, p)])
    raise ValueError(f"unknown type {t}")
''',
    "activation-memory": '''
def activation_memory(shape, dtype=torch.float32, batch_size=1):
    if not batch_size >= 1:
        raise ValueError("batch_size must be positive")
    info = torch.finfo(dtype) if dtype.is_floating_point else torch.iinfo(dtype)
    per_value = info.bits // 8
    values = int(np.prod(shape, dtype=np.int64)) * batch_size
    return (values, values * per_value)
''',
    "layer-table": '''
def layer_table(specs, input_shape):
    table = []
    current = tuple(input_shape)
    for spec in specs:
        params = layer_params(spec, current)
        current = layer_output_shape(spec, current)
        table.append(dict(type=spec["type"], output_shape=current, params=params))
    return table
''',
}

_PARAMS_TEMPLATE = '''
def layer_params(spec, in_shape):
    kind = spec["type"]
    if kind == "pool":
        return 0
    bias = spec.get("bias", True)
    if kind == "conv":
        k, c_in, n = spec["kernel"], in_shape[0], spec["out_channels"]
        weights = {conv_weights}
    elif kind == "fc":
        n = spec["out_features"]
        weights = {fc_weights}
    else:
        raise ValueError("unknown layer type")
    return weights + {bias}
'''


def _params(conv_weights="n * c_in * k * k", fc_weights="n * math.prod(in_shape)", bias="(n if bias else 0)"):
    return _PARAMS_TEMPLATE.format(conv_weights=conv_weights, fc_weights=fc_weights, bias=bias)


_SHAPE_TEMPLATE = '''
def layer_output_shape(spec, in_shape):
    kind = spec["type"]
    if kind == "fc":
        return (spec["out_features"],)
    if kind not in ("conv", "pool") or len(in_shape) != 3:
        raise ValueError("bad layer or input")
    c, h, w = in_shape
    k = spec["kernel"]
    if kind == "conv":
        c, s, p = spec["out_channels"], spec.get("stride", 1), spec.get("padding", 0)
    else:
        s, p = spec.get("stride", {pool_stride}), 0
    out_h = {size_h}
    out_w = {size_w}
    if out_h < 1 or out_w < 1:
        raise ValueError("does not fit")
    return (c, out_h, out_w)
'''


def _shape(pool_stride="k", size_h="(h + 2 * p - k) // s + 1", size_w="(w + 2 * p - k) // s + 1"):
    return _SHAPE_TEMPLATE.format(pool_stride=pool_stride, size_h=size_h, size_w=size_w)


_MEMORY_TEMPLATE = '''
def activation_memory(shape, dtype=torch.float32, batch_size=1):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    values = {values}
    return values, {n_bytes}
'''


def _memory(values="batch_size * math.prod(shape)", n_bytes="values * dtype.itemsize"):
    return _MEMORY_TEMPLATE.format(values=values, n_bytes=n_bytes)


MISTAKES = {
    # the three mistakes named in the course's issue come first (also graded by nbgrader itself)
    "params-bias-forgotten": Mistake("layer-params", _params(bias="0"),
                                     ("layer-params-visible", "layer-params-conv", "layer-params-fc"),
                                     "forget the bias"),
    "params-input-channels-forgotten": Mistake("layer-params", _params(conv_weights="n * k * k"),
                                               ("layer-params-visible", "layer-params-conv"), "every input channel"),
    "table-fc-before-last-pool": Mistake("layer-table", '''
def layer_table(specs, input_shape):
    rows, shape, previous = [], tuple(input_shape), tuple(input_shape)
    for spec in specs:
        out = layer_output_shape(spec, shape)
        # sizes the fully connected layer from the maps before the last pooling
        source = previous if spec["type"] == "fc" and len(shape) == 3 else shape
        rows.append({"type": spec["type"], "output_shape": out, "params": layer_params(spec, source)})
        previous, shape = shape, out
    return rows
''', ("layer-table-visible", "layer-table-unseen", "layer-table-fc-input"), "output of the last pooling layer"),
    "params-fc-channels-only": Mistake("layer-params", _params(fc_weights="n * in_shape[0]"),
                                       ("layer-params-visible", "layer-params-fc"), "flattens its (C, H, W) input"),
    "params-kernel-not-squared": Mistake("layer-params", _params(conv_weights="n * c_in * k"),
                                         ("layer-params-conv",), "F * F weights per input channel"),
    "params-bias-false-ignored": Mistake("layer-params", _params(bias="n"),
                                         ("layer-params-visible", "layer-params-bias-pool"),
                                         "bias False means no bias parameters"),
    "shape-padding-forgotten": Mistake("output-shape", _shape(size_h="(h - k) // s + 1", size_w="(w - k) // s + 1"),
                                       ("output-shape-visible", "output-shape-conv"), "forget the padding"),
    "shape-padding-one-side": Mistake("output-shape",
                                      _shape(size_h="(h + p - k) // s + 1", size_w="(w + p - k) // s + 1"),
                                      ("output-shape-visible", "output-shape-conv"), "both sides"),
    "shape-pool-stride-one": Mistake("output-shape", _shape(pool_stride="1"),
                                     ("output-shape-visible", "output-shape-pool"), "defaults to its kernel size"),
    "shape-true-division": Mistake("output-shape", _shape(size_h="(h + 2 * p - k) / s + 1",
                                                          size_w="(w + 2 * p - k) / s + 1"),
                                   ("output-shape-visible", "output-shape-conv", "output-shape-pool"),
                                   "integer division"),
    "shape-square-input-assumed": Mistake("output-shape", _shape(size_w="(h + 2 * p - k) // s + 1"),
                                          ("output-shape-conv", "output-shape-pool", "output-shape-invalid"), None),
    "memory-bytes-forgotten": Mistake("activation-memory", _memory(n_bytes="values"),
                                      ("activation-memory-visible", "activation-memory-torch"), "bytes per element"),
    "memory-batch-forgotten": Mistake("activation-memory", _memory(values="math.prod(shape)"),
                                      ("activation-memory-visible", "activation-memory-torch"), "batch size"),
    "memory-always-four-bytes": Mistake("activation-memory", _memory(n_bytes="4 * values"),
                                        ("activation-memory-visible", "activation-memory-torch"), "itemsize"),
    "memory-bits": Mistake("activation-memory", _memory(n_bytes="8 * values * dtype.itemsize"),
                           ("activation-memory-torch",), "not bits"),
    "table-shape-not-propagated": Mistake("layer-table", '''
def layer_table(specs, input_shape):
    return [{"type": spec["type"], "output_shape": layer_output_shape(spec, tuple(input_shape)),
             "params": layer_params(spec, tuple(input_shape))} for spec in specs]
''', ("layer-table-visible", "layer-table-unseen"), "previous layer's output"),
}


# The exercises forbid torch (activation_memory may name torch.float32, torch.finfo, torch.iinfo):
# each disguise must be named at Validate time and not be run at grading.
_META_SHAPE = """
def layer_output_shape(spec, in_shape):
    if spec["type"] not in ("conv", "pool", "fc"):
        raise ValueError("unknown type")
    if spec["type"] != "fc" and len(in_shape) != 3:
        raise ValueError("needs (C, H, W)")
    {prelude}
    x = {zeros}((1, *in_shape), device="meta")
    if spec["type"] == "conv":
        layer = {nn}.Conv2d(in_shape[0], spec["out_channels"], spec["kernel"], spec.get("stride", 1),
                            spec.get("padding", 0), device="meta")
    elif spec["type"] == "pool":
        layer = {nn}.MaxPool2d(spec["kernel"], spec.get("stride"))
    else:
        layer = {nn}.Sequential({nn}.Flatten(), {nn}.LazyLinear(spec["out_features"], device="meta"))
    try:
        return tuple(int(v) for v in layer(x).shape[1:])
    except RuntimeError as error:
        raise ValueError(str(error))
"""


def _meta(prelude="pass", zeros="torch.zeros", nn="torch.nn", head=""):
    return head + _META_SHAPE.format(prelude=prelude, zeros=zeros, nn=nn)


FORBIDDEN_USES = {
    "torch-layers": Mistake("output-shape", _meta(), ("output-shape-visible",),
                            "which this exercise forbids: compute the sizes with plain Python arithmetic"),
    "import-as": Mistake("output-shape", _meta(prelude="import torch as t", zeros="t.zeros", nn="t.nn"),
                         ("output-shape-visible",), "which this exercise forbids"),
    "from-import": Mistake("output-shape", _meta(zeros="zeros", nn="nn", head="from torch import nn, zeros\n"),
                           ("output-shape-visible",), "which this exercise forbids"),
    "dunder-import": Mistake("output-shape", _meta(prelude="t = __import__('torch')", zeros="t.zeros", nn="t.nn"),
                             ("output-shape-visible",), "__import__"),
    "importlib": Mistake("output-shape", _meta(prelude="t = importlib.import_module('torch')", zeros="t.zeros",
                                               nn="t.nn", head="import importlib\n"),
                         ("output-shape-visible",), "importlib"),
    "count-with-torch-layers": Mistake("layer-params", '''
def layer_params(spec, in_shape):
    if spec["type"] == "pool":
        return 0
    bias = spec.get("bias", True)
    if spec["type"] == "conv":
        layer = torch.nn.Conv2d(in_shape[0], spec["out_channels"], spec["kernel"], bias=bias, device="meta")
    elif spec["type"] == "fc":
        layer = torch.nn.Linear(math.prod(in_shape), spec["out_features"], bias=bias, device="meta")
    else:
        raise ValueError("unknown type")
    return sum(p.numel() for p in layer.parameters())
''', ("layer-params-visible",), "which this exercise forbids: count the weights and biases"),
    "memory-of-a-meta-tensor": Mistake("activation-memory", '''
def activation_memory(shape, dtype=torch.float32, batch_size=1):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    t = torch.empty((batch_size, *shape), dtype=dtype, device="meta")
    return t.numel(), t.numel() * t.element_size()
''', ("activation-memory-visible",), "which this exercise forbids"),
    # course_utils helpers are no answers: the lecture's layer table used as one
    "course-utils-helper": Mistake("layer-table", '''
from course_utils.topics.alexnet_vgg import layer_table as _table

def layer_table(specs, input_shape):
    return _table(specs, input_shape)
''', ("layer-table-visible",), "course_utils"),
}


# Answers that compute nothing and look for the expected value instead (see Cheat).
CHEATS = {
    "frame-and-global-ints": Cheat("layer-params", CHEAT_TOOLS + '''
def layer_params(spec, in_shape):
    if spec["type"] not in ("conv", "pool", "fc"):
        raise ValueError("unknown type")
    found = _peek_named(("expected", "_expected", "want", "params", "_count_expected"), int)
    return found if found is not None else -1
''', ("layer-params-visible", "layer-params-conv", "layer-params-fc")),
    "frame-and-global-tuples": Cheat("output-shape", CHEAT_TOOLS + '''
def layer_output_shape(spec, in_shape):
    if spec["type"] not in ("conv", "pool", "fc"):
        raise ValueError("unknown type")
    found = _peek_named(("expected", "_expected", "want", "_shape_expected"), tuple)
    return found if found is not None else (0,)
''', ("output-shape-visible", "output-shape-conv", "output-shape-pool")),
    "call-the-oracle-in-a-caller-frame": oracle_in_caller_frame(
        "layer-table", "layer_table(specs, input_shape)", ("layer-table-visible", "layer-table-unseen")),
    "call-a-test-helper-by-name": Cheat("layer-table", '''
def layer_table(specs, input_shape):
    return _torch_table(specs, tuple(input_shape))
''', ("layer-table-unseen", "layer-table-fc-input"), raw=False),
}


# Exercise 5: a CNN designed within a parameter and a memory budget, trained on the digits.
ALTERNATIVES["design"] = '''
def conv(k, f, **extra):
    return dict(type="conv", out_channels=k, kernel=f, **extra)

# two unpadded 3x3 convolutions (8x8 -> 6x6 -> 4x4), then one pooling: 1,210 parameters, 1,864 bytes
design = [conv(6, 3), conv(12, 3), {"type": "pool", "kernel": 2, "stride": 2}, {"type": "fc", "out_features": 10}]
'''

_DESIGN = '''
design = [
    {layers}
]
'''


def _design(*layers: str) -> str:
    return _DESIGN.format(layers=",\n    ".join(layers))


MISTAKES.update({
    # a wide hidden fc layer on the 8 x 4 x 4 pooled maps: 4,128 weights and biases in it alone
    "design-over-parameter-budget": Mistake("design", _design(
        '{"type": "conv", "out_channels": 8, "kernel": 3, "padding": 1}', '{"type": "pool", "kernel": 2}',
        '{"type": "fc", "out_features": 32}', '{"type": "fc", "out_features": 10}'),
        ("design-visible",), "over the parameter budget"),
    # 16 channels at full 8x8 resolution: 1,024 values before any pooling
    "design-over-memory-budget": Mistake("design", _design(
        '{"type": "conv", "out_channels": 16, "kernel": 3, "padding": 1}', '{"type": "pool", "kernel": 4}',
        '{"type": "fc", "out_features": 10}'),
        ("design-visible",), "over the activation memory budget"),
    # fits both budgets, but a 1x1 convolution to one channel, pooled to a single value, cannot tell 10 digits apart
    "design-one-channel-bottleneck": Mistake("design", _design(
        '{"type": "conv", "out_channels": 8, "kernel": 3, "padding": 1}', '{"type": "pool", "kernel": 2}',
        '{"type": "conv", "out_channels": 1, "kernel": 1}', '{"type": "pool", "kernel": 4}',
        '{"type": "fc", "out_features": 10}'),
        ("design-visible",), "bottleneck"),
    "design-no-conv": Mistake("design", _design('{"type": "fc", "out_features": 24}',
                                                '{"type": "fc", "out_features": 10}'),
                              ("design-visible",), "no conv layer"),
    # a table that sizes pooling layers itself, with a stride of 1 when none is given: LeNet's
    # explicit strides pass Exercise 4's visible test, the design's {"type": "pool", "kernel": 2} does not
    "design-table-pool-stride-one": Mistake("layer-table", '''
def layer_table(specs, input_shape):
    rows, shape = [], tuple(input_shape)
    for spec in specs:
        if spec["type"] == "pool":
            c, h, w = shape
            s = spec.get("stride", 1)
            out = (c, (h - spec["kernel"]) // s + 1, (w - spec["kernel"]) // s + 1)
        else:
            out = layer_output_shape(spec, shape)
        rows.append({"type": spec["type"], "output_shape": out, "params": layer_params(spec, shape)})
        shape = out
    return rows
''', ("design-visible", "layer-table-unseen"), "row 1 of layer_table(design, (1, 8, 8))"),
})

# Mistakes that follow a loose reading of the prompt (both now named in it)
MISTAKES.update({
    # the defaults written into the caller's spec: Exercise 4 reuses the function on specs it must not change
    "shape-spec-setdefault": Mistake("output-shape", '''
def layer_output_shape(spec, in_shape):
    kind = spec["type"]
    if kind == "fc":
        return (spec["out_features"],)
    if kind not in ("conv", "pool") or len(in_shape) != 3:
        raise ValueError("bad layer or input")
    spec.setdefault("stride", 1 if kind == "conv" else spec["kernel"])
    spec.setdefault("padding", 0)
    c, h, w = in_shape
    k, s = spec["kernel"], spec["stride"]
    p = spec["padding"] if kind == "conv" else 0
    out_h, out_w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    if out_h < 1 or out_w < 1:
        raise ValueError("does not fit")
    return (spec["out_channels"] if kind == "conv" else c, out_h, out_w)
''', ("output-shape-invalid", "layer-table-unseen"), "read the defaults with spec.get(key, default)"),
    # torch.finfo knows floating-point dtypes only: torch.int8 and the other integer dtypes raise
    "memory-finfo-for-every-dtype": Mistake(
        "activation-memory", _memory(n_bytes="values * torch.finfo(dtype).bits // 8"),
        ("activation-memory-torch", "activation-memory-edge"), "finfo"),
})

# More correct answers, each the way another student writes it from the prompt alone.
MORE_ALTERNATIVES = [
    # a match statement; the bias count set to zero when the spec says so
    ("layer-params", '''
def layer_params(spec, in_shape):
    match spec["type"]:
        case "pool":
            return 0
        case "conv":
            f = spec["kernel"]
            outputs = spec["out_channels"]
            weights = outputs * f * f * in_shape[0]
        case "fc":
            outputs = spec["out_features"]
            weights = outputs * math.prod(in_shape)
        case other:
            raise ValueError(f"unknown layer type {other!r}")
    biases = outputs if spec.get("bias", True) else 0
    return weights + biases
'''),
    # functools.reduce for the flattened size; the bias flag as 0 or 1 per output
    ("layer-params", '''
from functools import reduce
from operator import mul

def layer_params(spec, in_shape):
    kind = spec.get("type")
    if kind == "pool":
        return 0
    bias = int(spec.get("bias", True))
    if kind == "conv":
        return spec["out_channels"] * (spec["kernel"] ** 2 * in_shape[0] + bias)
    if kind == "fc":
        return spec["out_features"] * (reduce(mul, in_shape, 1) + bias)
    raise ValueError("layer type must be 'conv', 'pool' or 'fc', got " + repr(kind))
'''),
    # a loop for the product (shape may be a tuple, a list or a torch.Size); itemsize for the bytes
    ("activation-memory", '''
def activation_memory(shape, dtype=torch.float32, batch_size=1):
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    values = batch_size
    for size in shape:
        values *= size
    n_bytes = values * dtype.itemsize
    return int(values), int(n_bytes)
'''),
    # the bits of the dtype: torch.finfo for floating-point dtypes, torch.iinfo for integer ones
    ("activation-memory", '''
def activation_memory(shape, dtype=torch.float32, batch_size=1):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    bits = torch.finfo(dtype).bits if dtype.is_floating_point else torch.iinfo(dtype).bits
    values = math.prod([batch_size, *shape])
    return values, values * bits // 8
'''),
    # the defaults merged into a new dict (the spec itself stays as it is); math.floor of a true
    # division is an int; "does not fit" checked on the kernel before dividing
    ("output-shape", '''
def layer_output_shape(spec, in_shape):
    kind = spec["type"]
    if kind not in {"conv", "pool", "fc"}:
        raise ValueError(f"unknown layer type: {kind}")
    if kind == "fc":
        return (spec["out_features"],)
    if len(in_shape) != 3:
        raise ValueError(f"{kind} needs a (C, H, W) input, got {in_shape}")
    settings = {"stride": 1 if kind == "conv" else spec["kernel"], "padding": 0} | spec
    C, H, W = in_shape
    F, S = settings["kernel"], settings["stride"]
    P = settings["padding"] if kind == "conv" else 0
    if F > H + 2 * P or F > W + 2 * P:
        raise ValueError("the kernel does not fit in the padded input")
    H_out = math.floor((H + 2 * P - F) / S) + 1
    W_out = math.floor((W + 2 * P - F) / S) + 1
    return (settings["out_channels"] if kind == "conv" else C, H_out, W_out)
'''),
    # the shapes kept in a list, each layer reading the last one
    ("layer-table", '''
def layer_table(specs, input_shape):
    shapes = [tuple(input_shape)]
    table = []
    for spec in specs:
        table.append({"type": spec["type"], "params": layer_params(spec, shapes[-1]),
                      "output_shape": layer_output_shape(spec, shapes[-1])})
        shapes.append(table[-1]["output_shape"])
    return table
'''),
    # one unpadded convolution, one pooling: 810 parameters, 1,480 bytes of activations
    ("design", '''
design = [
    {"type": "conv", "out_channels": 8, "kernel": 3},
    {"type": "pool", "kernel": 2, "stride": 2},
    {"type": "fc", "out_features": 10},
]
'''),
    # a strided convolution instead of pooling, then a small hidden fc layer: 1,758 parameters, 600 bytes
    ("design", '''
design = [dict(type="conv", out_channels=8, kernel=3, stride=2, padding=1),
          dict(type="fc", out_features=12),
          dict(type="fc", out_features=10, bias=True)]
'''),
]
