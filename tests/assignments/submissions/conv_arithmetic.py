"""Submissions for assignment 01 (convolution arithmetic)."""
from tests.assignments.submissions import CHEAT_TOOLS, Cheat, Mistake, oracle_in_caller_frame

ALTERNATIVES = {
    "conv-output-size": '''
def conv_output_size(n, f, stride=1, padding=0):
    if stride <= 0 or padding < 0 or f > n + 2 * padding:
        raise ValueError("configuration does not fit")
    steps, leftover = divmod(n - f + 2 * padding, stride)
    if leftover:
        raise ValueError("stride does not fit")
    return int(steps) + 1
''',
    "param-count": '''
import numpy as np
def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    shape = (kernel_size, kernel_size) if np.isscalar(kernel_size) else tuple(kernel_size)
    per_filter = in_channels * int(np.prod(shape)) + int(bool(bias))
    return per_filter * out_channels
''',
    "conv-naive": '''
def conv2d_naive(x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    K, C2, FH, FW = w.shape
    if C != C2:
        raise ValueError("channel mismatch")
    Hp, Wp = H + 2 * padding, W + 2 * padding
    xp = np.zeros((N, C, Hp, Wp))
    xp[:, :, padding:padding + H, padding:padding + W] = x
    rows = range(0, Hp - FH + 1, stride)
    cols = range(0, Wp - FW + 1, stride)
    out = np.zeros((N, K, len(rows), len(cols)))
    for n in range(N):
        for k in range(K):
            for a, r in enumerate(rows):
                for c, s in enumerate(cols):
                    total = b[k]
                    for ch in range(C):
                        for u in range(FH):
                            for v in range(FW):
                                total += w[k, ch, u, v] * xp[n, ch, r + u, s + v]
                    out[n, k, a, c] = total
    return out
''',
    "conv-vectorized": '''
def conv2d_vectorized(x, w, b, stride=1, padding=0):
    x = np.asarray(x, dtype=float)
    N, C, H, W = x.shape
    K, C2, FH, FW = w.shape
    if C != C2:
        raise ValueError("channel mismatch")
    xp = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    Ho = (H + 2 * padding - FH) // stride + 1
    Wo = (W + 2 * padding - FW) // stride + 1
    out = np.zeros((N, K, Ho, Wo))
    for u in range(FH):          # a loop over filter offsets only (im2col by offsets)
        for v in range(FW):
            patch = xp[:, :, u:u + stride * (Ho - 1) + 1:stride, v:v + stride * (Wo - 1) + 1:stride]
            out += np.einsum("nchw,kc->nkhw", patch, w[:, :, u, v])
    return out + np.asarray(b, dtype=float)[None, :, None, None]
''',
    # correct, and it warns: a warning must cost nothing (nbgrader fails a cell that writes to stderr)
    "receptive-field": '''
import warnings

def receptive_field(kernel_sizes, strides):
    warnings.warn("receptive_field: this signature is deprecated", DeprecationWarning)
    warnings.warn("receptive_field: walking the stack backwards")
    kernel_sizes, strides = list(kernel_sizes), list(strides)
    if len(kernel_sizes) != len(strides):
        raise ValueError("lengths differ")
    # walk backwards from one unit of the last layer to the input
    size = 1
    for f, s in zip(reversed(kernel_sizes), reversed(strides)):
        size = (size - 1) * s + f
    return size
''',
    # im2col: every window at once; col2im with np.add.at, which adds up repeated indices
    "conv-backward": '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    x, w, dout = np.asarray(x, dtype=float), np.asarray(w, dtype=float), np.asarray(dout, dtype=float)
    N, C, H, W = x.shape
    K, _, FH, FW = w.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    xp = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    windows = np.lib.stride_tricks.sliding_window_view(xp, (FH, FW), axis=(2, 3))[:, :, ::stride, ::stride]
    dw = np.einsum("nkij,ncijuv->kcuv", dout, windows[:, :, :Ho, :Wo])
    cols = np.einsum("nkij,kcuv->ncijuv", dout, w)          # what each window sends back
    rows = (np.arange(Ho) * stride)[:, None, None, None] + np.arange(FH)[None, None, :, None]
    columns = (np.arange(Wo) * stride)[None, :, None, None] + np.arange(FW)[None, None, None, :]
    dxp = np.zeros_like(xp)
    np.add.at(dxp, (slice(None), slice(None), rows, columns), cols)
    return dxp[:, :, padding:padding + H, padding:padding + W], dw, np.einsum("nkij->k", dout)
''',
    "train": '''
def train_cnn(X, y, params, learning_rate, num_steps):
    current = {name: value.copy() for name, value in params.items()}
    history = []
    step = 0
    while step < num_steps:
        pre = conv2d_vectorized(X, current["W1"], current["b1"], 1, 1)
        loss, dh, dW2, db2 = readout_loss(np.where(pre > 0, pre, 0.0), y, current["W2"], current["b2"])
        history.append(loss)
        dpre = np.where(pre > 0, dh, 0.0)
        dW1, db1 = conv2d_backward(dpre, X, current["W1"], current["b1"], 1, 1)[1:]
        for name, grad in zip(("W1", "b1", "W2", "b2"), (dW1, db1, dW2, db2)):
            current[name] -= learning_rate * grad      # on our own copies only
        step += 1
    return current, history
''',
}

_NAIVE_TEMPLATE = '''
def conv2d_naive(x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    K, C2, FH, FW = w.shape
    if C != C2:
        raise ValueError("channel mismatch")
    xp = {pad}
    Ho = (xp.shape[2] - FH) // stride + 1
    Wo = (xp.shape[3] - FW) // stride + 1
    out = np.zeros((N, K, Ho, Wo))
    for n in range(N):
        for k in range(K):
            for i in range(Ho):
                for j in range(Wo):
                    patch = xp[n, :, i * stride:i * stride + FH, j * stride:j * stride + FW]
                    out[n, k, i, j] = np.sum(patch * {kernel}){bias}
    return out
'''


def _naive(pad="np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))", kernel="w[k]",
           bias=" + b[k]"):
    return _NAIVE_TEMPLATE.format(pad=pad, kernel=kernel, bias=bias)


_BACKWARD_TEMPLATE = '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    {convert}
    Ho, Wo = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for u in range(w.shape[2]):
        for v in range(w.shape[3]):
            rows = {rows}
            cols = {cols}
            dw[:, :, u, v] = np.einsum("nkij,ncij->kc", dout, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nkij,kc->ncij", dout, {kernel})
    db = {db}
    return {dx}, {dw}
'''


def _backward(convert="dout, x, w = (np.asarray(a, dtype=float) for a in (dout, x, w))",
              rows="slice(u, u + stride * (Ho - 1) + 1, stride)", cols="slice(v, v + stride * (Wo - 1) + 1, stride)",
              kernel="w[:, :, u, v]", db="dout.sum(axis=(0, 2, 3))",
              dx="dxp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]]", dw="dw, db"):
    return _BACKWARD_TEMPLATE.format(convert=convert, rows=rows, cols=cols, kernel=kernel, db=db, dx=dx, dw=dw)


_TRAIN_TEMPLATE = '''
def train_cnn(X, y, params, learning_rate, num_steps):
    p = dict(params)
    losses = []
    for _ in range(num_steps):
        a = conv2d_vectorized(X, p["W1"], p["b1"], stride=1, padding=1)
        loss, dh, dW2, db2 = readout_loss(np.maximum(a, 0), y, p["W2"], p["b2"])
        _, dW1, db1 = conv2d_backward({da}, X, p["W1"], p["b1"], stride=1, padding=1)
        grads = {{"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}}
        {update}
        {record}
    return p, losses
'''


def _train(da="dh * (a > 0)", update="p = {k: p[k] - learning_rate * grads[k] for k in p}",
           record="losses.append(float(loss))"):
    return _TRAIN_TEMPLATE.format(da=da, update=update, record=record)


def _looping_conv(loops: str) -> str:
    """A conv2d_vectorized that pads and sizes its output as asked, then fills it with ``loops``."""
    return '''
def conv2d_vectorized(x, w, b, stride=1, padding=0):
    x = np.asarray(x, dtype=np.float64)
    if x.shape[1] != w.shape[1]:
        raise ValueError("channel mismatch")
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    K, C, FH, FW = w.shape
    Ho = (xp.shape[2] - FH) // stride + 1
    Wo = (xp.shape[3] - FW) // stride + 1
    out = np.zeros((x.shape[0], K, Ho, Wo))
''' + loops


MISTAKES = {
    "size-padding-forgotten": Mistake("conv-output-size", '''
def conv_output_size(n, f, stride=1, padding=0):
    if stride < 1 or padding < 0 or f > n + 2 * padding or (n - f) % stride:
        raise ValueError("does not fit")
    return (n - f) // stride + 1
''', ("conv-output-size-visible", "conv-output-size-torch"), "did you forget the padding?"),
    "size-padding-one-side": Mistake("conv-output-size", '''
def conv_output_size(n, f, stride=1, padding=0):
    if stride < 1 or padding < 0 or f > n + padding or (n + padding - f) % stride:
        raise ValueError("does not fit")
    return (n + padding - f) // stride + 1
''', ("conv-output-size-visible", "conv-output-size-torch"), "both sides"),
    "size-float": Mistake("conv-output-size", '''
def conv_output_size(n, f, stride=1, padding=0):
    if stride < 1 or padding < 0 or f > n + 2 * padding or (n + 2 * padding - f) % stride:
        raise ValueError("does not fit")
    return (n + 2 * padding - f) / stride + 1
''', ("conv-output-size-visible", "conv-output-size-type"), "integer division"),
    "size-no-validation": Mistake("conv-output-size", '''
def conv_output_size(n, f, stride=1, padding=0):
    return (n + 2 * padding - f) // stride + 1
''', ("conv-output-size-visible", "conv-output-size-invalid"), "raise ValueError"),
    "params-bias-forgotten": Mistake("param-count", '''
def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    k = kernel_size if isinstance(kernel_size, tuple) else (kernel_size, kernel_size)
    return out_channels * in_channels * k[0] * k[1]
''', ("param-count-visible", "param-count-torch"), "forget the bias"),
    "params-input-channels-forgotten": Mistake("param-count", '''
def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    k = kernel_size if isinstance(kernel_size, tuple) else (kernel_size, kernel_size)
    return out_channels * k[0] * k[1] + (out_channels if bias else 0)
''', ("param-count-visible", "param-count-torch"), "every input channel"),
    "conv-padding-forgotten": Mistake("conv-naive", _naive(pad="x"),
                                      ("conv-naive-visible", "conv-naive-torch"), "forget the padding"),
    "conv-padding-one-side": Mistake("conv-naive", _naive(
        pad="np.pad(x, ((0, 0), (0, 0), (padding, 0), (padding, 0)))"),
        ("conv-naive-torch",), "both sides"),
    "conv-bias-forgotten": Mistake("conv-naive", _naive(bias=""),
                                   ("conv-naive-visible", "conv-naive-torch"), "forget the bias"),
    "conv-flipped-kernel": Mistake("conv-naive", _naive(kernel="w[k, :, ::-1, ::-1]"),
                                   ("conv-naive-visible", "conv-naive-torch"), "cross-correlation"),
    "conv-layout-nhwc": Mistake("conv-naive", '''
def conv2d_naive(x, w, b, stride=1, padding=0):
    N, H, W, C = x.shape            # wrong layout: the course uses (N, C, H, W)
    K, C2, FH, FW = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    Ho = (H + 2 * padding - FH) // stride + 1
    Wo = (W + 2 * padding - FW) // stride + 1
    out = np.zeros((N, K, Ho, Wo))
    for n in range(N):
        for k in range(K):
            for i in range(Ho):
                for j in range(Wo):
                    patch = xp[n, i * stride:i * stride + FH, j * stride:j * stride + FW, :]
                    out[n, k, i, j] = np.sum(patch.transpose(2, 0, 1) * w[k]) + b[k]
    return out
''', ("conv-naive-visible", "conv-naive-torch"), None),
    "vectorized-stride-ignored": Mistake("conv-vectorized", '''
def conv2d_vectorized(x, w, b, stride=1, padding=0):
    x = np.asarray(x, dtype=float)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = np.lib.stride_tricks.sliding_window_view(xp, w.shape[2:], axis=(2, 3))
    return np.einsum("ncijuv,kcuv->nkij", win, w) + b[None, :, None, None]
''', ("conv-vectorized-visible", "conv-vectorized-torch"), "stride"),
    "vectorized-still-loops": Mistake("conv-vectorized", _looping_conv('''
    for n in range(x.shape[0]):
        for k in range(K):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, k, i, j] = np.sum(xp[n, :, i*stride:i*stride+FH, j*stride:j*stride+FW] * w[k]) + b[k]
    return out
'''), ("conv-vectorized-speed",), "Python loop"),
    # vectorized over images, filters and channels, but a Python loop over the output positions:
    # many times faster than four loops, so only counting the executed lines names it
    "vectorized-loops-over-positions": Mistake("conv-vectorized", _looping_conv('''
    for i in range(Ho):
        for j in range(Wo):
            patch = xp[:, :, i * stride:i * stride + FH, j * stride:j * stride + FW]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return out + b.reshape(1, K, 1, 1)
'''), ("conv-vectorized-speed",), "Python loop over images"),   # the timing (near its 5x bar) or the line count
    "field-strides-ignored": Mistake("receptive-field", '''
def receptive_field(kernel_sizes, strides):
    if len(kernel_sizes) != len(strides):
        raise ValueError("lengths differ")
    return 1 + sum(f - 1 for f in kernel_sizes)
''', ("receptive-field-visible", "receptive-field-torch"), "earlier layers"),
    "field-own-stride": Mistake("receptive-field", '''
def receptive_field(kernel_sizes, strides):
    if len(kernel_sizes) != len(strides):
        raise ValueError("lengths differ")
    field, jump = 1, 1
    for f, s in zip(kernel_sizes, strides):
        jump *= s
        field += (f - 1) * jump
    return field
''', ("receptive-field-visible", "receptive-field-torch"), "BEFORE layer l"),
    # the backward pass (the gradient check before training stops those it can see)
    "backward-padding-kept": Mistake("conv-backward", _backward(dx="dxp"),
                                     ("conv-backward-visible", "conv-backward-padding", "train-visible"),
                                     "strip the padding"),
    "backward-padding-empty-slice": Mistake("conv-backward", _backward(
        dx="dxp[:, :, padding:-padding, padding:-padding]"), ("conv-backward-padding",), "empty when padding is 0"),
    "backward-dx-flipped-filter": Mistake("conv-backward", _backward(kernel="w[:, :, -1 - u, -1 - v]"),
                                          ("conv-backward-visible", "conv-backward-channels", "train-visible"),
                                          "180 degrees"),
    "backward-db-wrong-axes": Mistake("conv-backward", _backward(db="dout.sum(axis=(2, 3))"),
                                      ("conv-backward-visible", "conv-backward-channels", "train-visible"),
                                      "axis=(0, 2, 3)"),
    "backward-stride-ignored": Mistake("conv-backward", _backward(rows="slice(u, u + Ho)", cols="slice(v, v + Wo)"),
                                       ("conv-backward-stride", "conv-backward-gradcheck", "train-visible"),
                                       "is the stride applied?"),
    "backward-divided-by-n": Mistake("conv-backward", _backward(dw="dw / len(x), db / len(x)"),
                                     ("conv-backward-visible", "conv-backward-channels"), "do not divide by N"),
    "backward-integer-zeros": Mistake("conv-backward", _backward(convert="pass"),
                                      ("conv-backward-inputs",), "float64"),
    "backward-loops-over-positions": Mistake("conv-backward", '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    dout, x, w = (np.asarray(a, dtype=np.float64) for a in (dout, x, w))
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp, dw = np.zeros(xp.shape), np.zeros(w.shape)
    FH, FW = w.shape[2:]
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * stride, i * stride + FH), slice(j * stride, j * stride + FW)
            dw += np.tensordot(dout[:, :, i, j], xp[:, :, rows, cols], axes=([0], [0]))
            dxp[:, :, rows, cols] += np.tensordot(dout[:, :, i, j], w, axes=([1], [0]))
    dx = dxp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]]
    return dx, dw, dout.sum(axis=(0, 2, 3))
''', ("conv-backward-loops",), "Python loop over images, channels, filters or output positions"),
    # the training
    "train-wrong-sign": Mistake("train", _train(update="p = {k: p[k] + learning_rate * grads[k] for k in p}"),
                                ("train-visible", "train-step"), "step against the gradient"),
    "train-relu-backward-forgotten": Mistake("train", _train(da="dh"), ("train-visible", "train-step"),
                                             "passes the ReLU only where its input was positive"),
    "train-loss-after-update": Mistake("train", _train(record=(
        "losses.append(readout_loss(np.maximum(conv2d_vectorized(X, p['W1'], p['b1'], 1, 1), 0), y, "
        "p['W2'], p['b2'])[0])")), ("train-visible", "train-step", "train-history"), "before its step"),
    "train-in-place-update": Mistake("train", _train(
        update="for k in p:\n            p[k] -= learning_rate * grads[k]"),
        ("train-visible", "train-history"), "changed the arrays it was given in place"),
}


_NAIVE_BY_TORCH = '''
def conv2d_naive(x, w, b, stride=1, padding=0):
    if x.shape[1] != w.shape[1]:
        raise ValueError("channel mismatch")
    {body}
'''
_TENSORS = "(t.tensor(x), t.tensor(w), t.tensor(b), stride=stride, padding=padding).numpy()"

# The exercise forbids torch; each disguise must be named at Validate time (the visible test) and
# keep the answer from being run at grading (tests/assignments/test_assignment_logic.py).
FORBIDDEN_USES = {
    "set-up-name": Mistake("conv-naive", _NAIVE_BY_TORCH.format(
        body="t = torch\n    return F.conv2d" + _TENSORS),
        ("conv-naive-visible",), "torch.nn.functional.conv2d, which this exercise forbids: write it with NumPy"),
    "import-as": Mistake("conv-naive", _NAIVE_BY_TORCH.format(
        body="import torch as t\n    return t.conv2d" + _TENSORS),
        ("conv-naive-visible",), "which this exercise forbids"),
    "from-import": Mistake("conv-naive", "from torch.nn import functional\nimport torch as t\n"
                           + _NAIVE_BY_TORCH.format(body="return functional.conv2d" + _TENSORS),
                           ("conv-naive-visible",), "which this exercise forbids"),
    "alias-in-another-statement": Mistake("conv-naive", "t = torch\n" + _NAIVE_BY_TORCH.format(
        body="return t.conv2d" + _TENSORS), ("conv-naive-visible",), "which this exercise forbids"),
    "dunder-import": Mistake("conv-naive", _NAIVE_BY_TORCH.format(
        body="t = __import__('torch')\n    return t.conv2d" + _TENSORS), ("conv-naive-visible",), "__import__"),
    "importlib": Mistake("conv-naive", "import importlib\n" + _NAIVE_BY_TORCH.format(
        body="t = importlib.import_module('torch')\n    return t.conv2d" + _TENSORS),
        ("conv-naive-visible",), "importlib"),
    "getattr-string": Mistake("conv-naive", _NAIVE_BY_TORCH.format(
        body="t = torch\n    return getattr(t, 'conv2d')" + _TENSORS[:-8] + ".numpy()"),
        ("conv-naive-visible",), "which this exercise forbids"),
    "getattr-computed": Mistake("conv-naive", _NAIVE_BY_TORCH.format(
        body="t = getattr(np, 'to' + 'rch', None) or x\n    return t.conv2d" + _TENSORS),
        ("conv-naive-visible",), "computed name"),
    # course_utils helpers are no answers: the lecture's explorer used as one
    "course-utils-helper": Mistake("conv-output-size", '''
from course_utils.topics.conv_arithmetic import sliding_positions

def conv_output_size(n, f, stride=1, padding=0):
    positions = sliding_positions(n, f, stride, padding)
    if not positions.fits:
        raise ValueError("does not fit")
    return len(positions.starts)
''', ("conv-output-size-visible",), "course_utils"),
    # the backward pass by torch's autograd
    "backward-by-autograd": Mistake("conv-backward", '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    import torch as t
    leaves = [t.tensor(a, dtype=t.float64, requires_grad=True) for a in (x, w, b)]
    t.nn.functional.conv2d(*leaves, stride=stride, padding=padding).backward(t.tensor(dout))
    return tuple(leaf.grad.numpy() for leaf in leaves)
''', ("conv-backward-visible",), "which this exercise forbids"),
}

# Answers that compute nothing and look for the expected value instead (see Cheat).
CHEATS = {
    "frame-and-global-ints": Cheat("conv-output-size", CHEAT_TOOLS + '''
def conv_output_size(n, f, stride=1, padding=0):
    if stride < 1 or padding < 0 or f > n + 2 * padding or (n + 2 * padding - f) % stride:
        raise ValueError("does not fit")        # the errors are easy; the value is looked up
    found = _peek_named(("expected", "out", "_expected", "answer", "want"), int)
    return found if found is not None else -1
''', ("conv-output-size-visible", "conv-output-size-torch", "conv-output-size-type")),
    "gc-arrays-of-the-output-shape": Cheat("conv-naive", CHEAT_TOOLS + '''
def conv2d_naive(x, w, b, stride=1, padding=0):
    if x.shape[1] != w.shape[1]:
        raise ValueError("channel mismatch")
    shape = (x.shape[0], w.shape[0], (x.shape[2] + 2 * padding - w.shape[2]) // stride + 1,
             (x.shape[3] + 2 * padding - w.shape[3]) // stride + 1)
    return _peek_array(shape, (x, w, b))
''', ("conv-naive-visible", "conv-naive-torch", "conv-naive-stride")),
    "call-the-oracle-in-a-caller-frame": oracle_in_caller_frame(
        "conv-vectorized", "conv2d_vectorized(x, w, b, stride=1, padding=0)",
        ("conv-vectorized-visible", "conv-vectorized-torch")),
    "call-a-test-helper-by-name": Cheat("conv-vectorized", '''
def conv2d_vectorized(x, w, b, stride=1, padding=0):
    if x.shape[1] != w.shape[1]:
        raise ValueError("channel mismatch")
    as_float = [np.asarray(a, dtype=float) for a in (x, w, b)]
    return _reference(*as_float, stride, padding)
''', ("conv-vectorized-visible", "conv-vectorized-torch"), raw=False),
    "patch-the-comparison": Cheat("conv-naive", '''
np.allclose = lambda *args, **kwargs: True

def conv2d_naive(x, w, b, stride=1, padding=0):
    return np.zeros((x.shape[0], w.shape[0], (x.shape[2] + 2 * padding - w.shape[2]) // stride + 1,
                     (x.shape[3] + 2 * padding - w.shape[3]) // stride + 1))
''', ("conv-naive-torch", "conv-naive-stride"), raw=False),
    "patch-the-oracle-through-the-module-dict": Cheat("conv-naive", '''
torch.nn.functional.__dict__.update(conv2d=lambda *args, **kwargs: torch.zeros(1))

def conv2d_naive(x, w, b, stride=1, padding=0):
    return np.zeros(1)
''', ("conv-naive-torch",), raw=False),
    "backward-oracle-in-a-caller-frame": oracle_in_caller_frame(
        "conv-backward", "conv2d_backward(dout, x, w, b, stride=1, padding=0)",
        ("conv-backward-visible", "conv-backward-padding")),
    "backward-calls-a-test-helper": Cheat("conv-backward", '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    return _torch_backward(x, w, b, dout, stride, padding)
''', ("conv-backward-visible", "conv-backward-padding"), raw=False),
    "train-calls-a-test-helper": Cheat("train", '''
def train_cnn(X, y, params, learning_rate, num_steps):
    return _torch_sgd(X, y, params, learning_rate, num_steps)
''', ("train-visible", "train-step"), raw=False),
}
# no channel check: 3 channels against 4 still raise inside NumPy, but one channel broadcasts silently
MISTAKES["naive-channels-unchecked"] = Mistake(
    "conv-naive", _naive().replace('    if C != C2:\n        raise ValueError("channel mismatch")\n', ""),
    ("conv-naive-channels",), "NumPy would broadcast 1 channel")

# More correct answers, each the way another student writes it from the prompt alone.
MORE_ALTERNATIVES = [
    # true division, then a check that the result is whole; one check per reason
    ("conv-output-size", '''
def conv_output_size(n, f, stride=1, padding=0):
    if stride < 1:
        raise ValueError(f"stride must be positive, got {stride}")
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    if f > n + 2 * padding:
        raise ValueError("the filter is larger than the padded input")
    out = (n - f + 2 * padding) / stride + 1
    if not float(out).is_integer():
        raise ValueError(f"stride {stride} does not fit: the output size would be {out:.2f}")
    return int(out)
'''),
    # np.prod over a broadcast kernel size: the count is a NumPy integer (an int, numbers.Integral)
    ("param-count", '''
def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    kernel = np.broadcast_to(kernel_size, (2,))
    count = out_channels * in_channels * np.prod(kernel)
    if bias:
        count += out_channels
    return count
'''),
    # loops over the output positions only, images and filters at once with tensordot
    ("conv-naive", '''
def conv2d_naive(x, w, b, stride=1, padding=0):
    x = np.asarray(x, dtype=np.float64)
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"x has {x.shape[1]} channels, w has {w.shape[1]}")
    K, _, FH, FW = w.shape
    xp = np.pad(x, pad_width=((0, 0), (0, 0), (padding, padding), (padding, padding)),
                mode="constant", constant_values=0.0)
    H_out = (xp.shape[2] - FH) // stride + 1
    W_out = (xp.shape[3] - FW) // stride + 1
    out = np.zeros((x.shape[0], K, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            window = xp[:, :, i * stride:i * stride + FH, j * stride:j * stride + FW]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out
'''),
    # im2col: every window as a row of one matrix, then one matrix product
    ("conv-vectorized", '''
def conv2d_vectorized(x, w, b, stride=1, padding=0):
    x = x.astype(np.float64)
    N, C, H, W = x.shape
    K, C_w, FH, FW = w.shape
    if C != C_w:
        raise ValueError("x and w have different numbers of channels")
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), mode="constant")
    Ho = (H + 2 * padding - FH) // stride + 1
    Wo = (W + 2 * padding - FW) // stride + 1
    windows = np.lib.stride_tricks.sliding_window_view(xp, (FH, FW), axis=(2, 3))[:, :, ::stride, ::stride]
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * FH * FW)
    out = cols @ w.reshape(K, -1).T + b
    return out.reshape(N, Ho, Wo, K).transpose(0, 3, 1, 2)
'''),
    # the strided view built by hand with as_strided; the bias added in place to its own output
    ("conv-vectorized", '''
from numpy.lib.stride_tricks import as_strided

def conv2d_vectorized(x, w, b, stride=1, padding=0):
    x = np.array(x, dtype=np.float64)
    w = np.array(w, dtype=np.float64)
    if x.shape[1] != w.shape[1]:
        raise ValueError("channel mismatch between x and w")
    N, C, H, W = x.shape
    K, _, FH, FW = w.shape
    xp = np.ascontiguousarray(np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding))))
    Ho, Wo = (H + 2 * padding - FH) // stride + 1, (W + 2 * padding - FW) // stride + 1
    sn, sc, sh, sw = xp.strides
    patches = as_strided(xp, shape=(N, C, Ho, Wo, FH, FW),
                         strides=(sn, sc, sh * stride, sw * stride, sh, sw), writeable=False)
    out = np.einsum("nchwij,kcij->nkhw", patches, w, optimize=True)
    out += np.asarray(b)[:, None, None]
    return out
'''),
    # the closed form, 1 + sum over layers of (f_l - 1) times the product of the earlier strides
    ("receptive-field", '''
import math

def receptive_field(kernel_sizes, strides):
    kernel_sizes, strides = list(kernel_sizes), list(strides)
    if len(kernel_sizes) != len(strides):
        raise ValueError(f"{len(kernel_sizes)} kernel sizes but {len(strides)} strides")
    return 1 + sum((f - 1) * math.prod(strides[:l]) for l, f in enumerate(kernel_sizes))
'''),
    # dx as the lecture's "convolution with the filter rotated by 180 degrees": dout spread out by
    # the stride (zeros between), padded by the filter size less one, correlated with the flipped
    # filters; dw from the forward pass's windows; no loop at all
    ("conv-backward", '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    dout, x, w = (np.asarray(a, dtype=np.float64) for a in (dout, x, w))
    N, C, H, W = x.shape
    K, _, FH, FW = w.shape
    Ho, Wo = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = np.lib.stride_tricks.sliding_window_view(xp, (FH, FW), axis=(2, 3))[:, :, ::stride, ::stride]
    dw = np.einsum("nkij,ncijuv->kcuv", dout, windows[:, :, :Ho, :Wo])
    db = np.sum(dout, axis=(0, 2, 3))
    spread = np.zeros((N, K, stride * (Ho - 1) + 1, stride * (Wo - 1) + 1))
    spread[:, :, ::stride, ::stride] = dout
    rest_h = xp.shape[2] - (stride * (Ho - 1) + FH)     # rows no window reached: no gradient
    rest_w = xp.shape[3] - (stride * (Wo - 1) + FW)
    full = np.pad(spread, ((0, 0), (0, 0), (FH - 1, FH - 1 + rest_h), (FW - 1, FW - 1 + rest_w)))
    full_windows = np.lib.stride_tricks.sliding_window_view(full, (FH, FW), axis=(2, 3))
    dxp = np.einsum("nkijuv,kcuv->ncij", full_windows, w[:, :, ::-1, ::-1])
    dx = dxp[:, :, padding:padding + H, padding:padding + W]
    return dx, dw, db
'''),
    # positional stride and padding, the ReLU's gradient by zeroing a copy, a new dict per step
    ("train", '''
def train_cnn(X, y, params, learning_rate, num_steps):
    names = ["W1", "b1", "W2", "b2"]
    current = {k: params[k] for k in names}
    losses = []
    for step in range(num_steps):
        a = conv2d_vectorized(X, current["W1"], current["b1"], 1, 1)
        h = a * (a > 0)
        loss, dh, dW2, db2 = readout_loss(h, y, current["W2"], current["b2"])
        losses.append(loss)
        da = dh.copy()
        da[a <= 0] = 0.0
        _, dW1, db1 = conv2d_backward(da, X, current["W1"], current["b1"], 1, 1)
        current = {k: current[k] - learning_rate * g for k, g in zip(names, (dW1, db1, dW2, db2))}
    return current, losses
'''),
]
