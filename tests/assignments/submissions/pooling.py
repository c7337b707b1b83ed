"""Submissions for assignment 02 (pooling)."""
from tests.assignments.submissions import CHEAT_TOOLS, Cheat, Mistake, oracle_in_caller_frame

ALTERNATIVES = {
    "pool-size": '''
def pool_output_size(n, f, stride):
    if min(f, stride) <= 0 or n < f:
        raise ValueError("the window or the stride does not fit")
    steps, leftover = divmod(n - f, stride)
    if leftover:
        raise ValueError("the stride does not fit")
    return int(steps) + 1
''',
    "max-pool": '''
def max_pool_forward(x, f, stride):
    pool_output_size(x.shape[2], f, stride)
    pool_output_size(x.shape[3], f, stride)
    windows = np.lib.stride_tricks.sliding_window_view(x, (f, f), axis=(2, 3))[:, :, ::stride, ::stride]
    return windows.max(axis=(-2, -1)).astype(np.float64)
''',
    "avg-pool": '''
def avg_pool_forward(x, f, stride):
    x = np.asarray(x, dtype=float)
    N, C, H, W = x.shape
    Ho, Wo = pool_output_size(H, f, stride), pool_output_size(W, f, stride)
    total = np.zeros((N, C, Ho, Wo))
    for u in range(f):               # a loop over the offsets inside the window
        for v in range(f):
            total += x[:, :, u:u + stride * (Ho - 1) + 1:stride, v:v + stride * (Wo - 1) + 1:stride]
    return total / f**2
''',
    "max-pool-backward": '''
def max_pool_backward(dout, x, f, stride):
    N, C, H, W = x.shape
    Ho, Wo = pool_output_size(H, f, stride), pool_output_size(W, f, stride)
    if tuple(dout.shape) != (N, C, Ho, Wo):
        raise ValueError("dout has the wrong shape")
    dx = np.zeros((N, C, H * W))
    images, channels = np.arange(N)[:, None], np.arange(C)[None, :]
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * stride:i * stride + f, j * stride:j * stride + f].reshape(N, C, f * f)
            u, v = np.divmod(window.argmax(axis=2), f)                  # first max, row-major
            flat = (i * stride + u) * W + (j * stride + v)              # its index in the H * W image
            np.add.at(dx, (images, channels, flat), dout[:, :, i, j])
    return dx.reshape(N, C, H, W)
''',
    "avg-pool-backward": '''
def avg_pool_backward(dout, x_shape, f, stride):
    N, C, H, W = x_shape
    Ho, Wo = pool_output_size(H, f, stride), pool_output_size(W, f, stride)
    if dout.shape != (N, C, Ho, Wo):
        raise ValueError("dout has the wrong shape")
    dx = np.zeros(tuple(x_shape))
    for u in range(f):
        for v in range(f):
            dx[:, :, u:u + stride * (Ho - 1) + 1:stride, v:v + stride * (Wo - 1) + 1:stride] += dout / (f * f)
    return dx
''',
}

# A forward pass written as a template: {reduce} turns the window (N, C, f, f) into (N, C).
_FORWARD = '''
def {name}(x, f, stride):
    n, c, h, w = x.shape
    h_out, w_out = pool_output_size(h, f, stride), pool_output_size(w, f, stride)
    out = np.zeros((n, c, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = x[:, :, {rows}, {cols}]
            out[:, :, i, j] = {reduce}
    return out
'''


def _forward(name="max_pool_forward", reduce="window.max(axis=(2, 3))",
             rows="i * stride:i * stride + f", cols="j * stride:j * stride + f"):
    return _FORWARD.format(name=name, reduce=reduce, rows=rows, cols=cols)


# A max-pool backward pass: {route} adds the gradient g of window (i, j) into dx[b, ch, rows, cols]
# given the window (f, f) of one image and channel.
_BACKWARD = '''
def max_pool_backward(dout, x, f, stride):
    n, c, h, w = x.shape
    h_out, w_out = pool_output_size(h, f, stride), pool_output_size(w, f, stride)
    if dout.shape != (n, c, h_out, w_out):
        raise ValueError("dout has the wrong shape")
    dx = np.zeros((n, c, h, w))
    for b in range(n):
        for ch in range(c):
            for i in range(h_out):
                for j in range(w_out):
                    r, s = i * stride, j * stride
                    window = x[b, ch, r:r + f, s:s + f]
                    g = dout[b, ch, i, j]
{route}
    return dx
'''


def _backward(route):
    return _BACKWARD.format(route="\n".join(" " * 20 + line for line in route.strip().splitlines()))


_FIRST_MAX = '''
u, v = np.unravel_index(np.argmax(window), window.shape)
dx[b, ch, r + u, s + v] += g
'''

MISTAKES = {
    "max-across-channels": Mistake("max-pool", '''
def max_pool_forward(x, f, stride):
    n, c, h, w = x.shape
    h_out, w_out = pool_output_size(h, f, stride), pool_output_size(w, f, stride)
    out = np.zeros((n, c, h_out, w_out))
    for b in range(n):
        for i in range(h_out):
            for j in range(w_out):
                # the maximum of the whole block, every channel at once
                out[b, :, i, j] = x[b, :, i * stride:i * stride + f, j * stride:j * stride + f].max()
    return out
''', ("max-pool-torch", "max-pool-overlap", "max-pool-dtype"), "pool each channel separately"),
    "max-window-start-ignores-stride": Mistake("max-pool", _forward(rows="i:i + f", cols="j:j + f"),
                                               ("max-pool-visible", "max-pool-torch", "max-pool-overlap"),
                                               "starts at row i*stride"),
    "backward-every-element": Mistake("max-pool-backward", _backward('''
dx[b, ch, r:r + f, s:s + f] += g
'''), ("max-pool-backward-visible", "max-pool-backward-torch", "max-pool-backward-ties",
       "max-pool-backward-overlap", "max-pool-backward-shape"), "not to every element of the window"),
    "backward-every-tied-max": Mistake("max-pool-backward", _backward('''
dx[b, ch, r:r + f, s:s + f] += g * (window == window.max())
'''), ("max-pool-backward-visible", "max-pool-backward-ties"), "not every tied element"),
    "forward-indices-instead-of-values": Mistake("max-pool", _forward(
        reduce="window.reshape(n, c, f * f).argmax(axis=2)"),
        ("max-pool-visible", "max-pool-torch", "max-pool-overlap"), "not their indices"),
    "backward-overwrite": Mistake("max-pool-backward", _backward('''
u, v = np.unravel_index(np.argmax(window), window.shape)
dx[b, ch, r + u, s + v] = g
'''), ("max-pool-backward-overlap",), "do not overwrite"),
    "forward-stride-ignored": Mistake("max-pool", '''
def max_pool_forward(x, f, stride):
    n, c, h, w = x.shape
    h_out, w_out = h - f + 1, w - f + 1
    out = np.zeros((n, c, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            out[:, :, i, j] = x[:, :, i:i + f, j:j + f].max(axis=(2, 3))
    return out
''', ("max-pool-visible", "max-pool-torch", "max-pool-invalid"), "is the stride applied?"),
    "forward-stride-equals-window": Mistake("max-pool", '''
def max_pool_forward(x, f, stride):
    n, c, h, w = x.shape
    pool_output_size(h, f, stride), pool_output_size(w, f, stride)
    out = np.zeros((n, c, h // f, w // f))
    for i in range(h // f):
        for j in range(w // f):
            out[:, :, i, j] = x[:, :, i * f:i * f + f, j * f:j * f + f].max(axis=(2, 3))
    return out
''', ("max-pool-overlap",), "not by the window size f"),
    "forward-running-max-from-zero": Mistake("max-pool", '''
def max_pool_forward(x, f, stride):
    n, c, h, w = x.shape
    h_out, w_out = pool_output_size(h, f, stride), pool_output_size(w, f, stride)
    out = np.zeros((n, c, h_out, w_out))
    for u in range(f):
        for v in range(f):
            part = x[:, :, u:u + stride * (h_out - 1) + 1:stride, v:v + stride * (w_out - 1) + 1:stride]
            out = np.maximum(out, part)
    return out
''', ("max-pool-torch", "max-pool-dtype"), "not at 0"),
    "backward-last-tied-max": Mistake("max-pool-backward", _backward('''
flat = window.ravel()
last = len(flat) - 1 - np.argmax(flat[::-1])
dx[b, ch, r + last // f, s + last % f] += g
'''), ("max-pool-backward-visible", "max-pool-backward-ties"), "not the last"),
    "backward-split-between-ties": Mistake("max-pool-backward", _backward('''
tied = window == window.max()
dx[b, ch, r:r + f, s:s + f] += g * tied / tied.sum()
'''), ("max-pool-backward-visible", "max-pool-backward-ties"), "not shared between the tied elements"),
    "backward-dout-ignored": Mistake("max-pool-backward", _backward('''
u, v = np.unravel_index(np.argmax(window), window.shape)
dx[b, ch, r + u, s + v] += 1
'''), ("max-pool-backward-visible", "max-pool-backward-torch"), "do not just mark the maximum"),
    "backward-window-start-ignores-stride": Mistake("max-pool-backward", _backward('''
window = x[b, ch, i:i + f, j:j + f]
u, v = np.unravel_index(np.argmax(window), window.shape)
dx[b, ch, i + u, j + v] += g
'''), ("max-pool-backward-visible", "max-pool-backward-torch"), "starts at row i*stride"),
    "backward-no-shape-check": Mistake("max-pool-backward", '''
def max_pool_backward(dout, x, f, stride):
    n, c, h, w = x.shape
    dx = np.zeros((n, c, h, w))
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            r, s = i * stride, j * stride
            window = x[:, :, r:r + f, s:s + f].reshape(n, c, f * f)
            first = np.arange(f * f) == window.argmax(axis=2)[:, :, None]
            dx[:, :, r:r + f, s:s + f] += (first * dout[:, :, i, j, None]).reshape(n, c, f, f)
    return dx
''', ("max-pool-backward-shape",), "raise ValueError"),
    "avg-across-channels": Mistake("avg-pool", _forward(
        name="avg_pool_forward", reduce="window.mean(axis=(1, 2, 3))[:, None]"),
        ("avg-pool-torch",), "pool each channel separately"),
    "avg-divided-by-f": Mistake("avg-pool", _forward(
        name="avg_pool_forward", reduce="window.sum(axis=(2, 3)) / f"),
        ("avg-pool-visible", "avg-pool-torch"), "not by f"),
    "avg-sum": Mistake("avg-pool", _forward(name="avg_pool_forward", reduce="window.sum(axis=(2, 3))"),
                       ("avg-pool-visible", "avg-pool-torch"), "that is the sum"),
    "avg-integer-output": Mistake("avg-pool", '''
def avg_pool_forward(x, f, stride):
    n, c, h, w = x.shape
    h_out, w_out = pool_output_size(h, f, stride), pool_output_size(w, f, stride)
    out = np.zeros((n, c, h_out, w_out), dtype=x.dtype)
    for i in range(h_out):
        for j in range(w_out):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + f, j * stride:j * stride + f].mean(axis=(2, 3))
    return out
''', ("avg-pool-invalid",), "not an integer"),
    "avg-backward-not-divided": Mistake("avg-pool-backward", '''
def avg_pool_backward(dout, x_shape, f, stride):
    n, c, h, w = x_shape
    h_out, w_out = pool_output_size(h, f, stride), pool_output_size(w, f, stride)
    if dout.shape != (n, c, h_out, w_out):
        raise ValueError("wrong shape")
    dx = np.zeros(x_shape)
    for i in range(h_out):
        for j in range(w_out):
            dx[:, :, i * stride:i * stride + f, j * stride:j * stride + f] += dout[:, :, i, j, None, None]
    return dx
''', ("avg-pool-backward-visible", "avg-pool-backward-torch"), "forget to divide"),
    "avg-backward-overwrite": Mistake("avg-pool-backward", '''
def avg_pool_backward(dout, x_shape, f, stride):
    n, c, h, w = x_shape
    h_out, w_out = pool_output_size(h, f, stride), pool_output_size(w, f, stride)
    if dout.shape != (n, c, h_out, w_out):
        raise ValueError("wrong shape")
    dx = np.zeros(x_shape)
    for i in range(h_out):
        for j in range(w_out):
            dx[:, :, i * stride:i * stride + f, j * stride:j * stride + f] = dout[:, :, i, j, None, None] / f**2
    return dx
''', ("avg-pool-backward-torch",), "do not overwrite"),
    "size-missing-plus-one": Mistake("pool-size", '''
def pool_output_size(n, f, stride):
    if f < 1 or stride < 1 or f > n or (n - f) % stride:
        raise ValueError("does not fit")
    return (n - f) // stride
''', ("pool-size-visible", "pool-size-torch"), "forget the + 1"),
    "size-n-over-stride": Mistake("pool-size", '''
def pool_output_size(n, f, stride):
    if f < 1 or stride < 1 or f > n or (n - f) % stride:
        raise ValueError("does not fit")
    return n // stride
''', ("pool-size-visible", "pool-size-torch"), "not n / stride"),
    "size-no-validation": Mistake("pool-size", '''
def pool_output_size(n, f, stride):
    return (n - f) // stride + 1
''', ("pool-size-visible", "pool-size-torch", "pool-size-invalid"), "raise ValueError"),
    "size-float": Mistake("pool-size", '''
def pool_output_size(n, f, stride):
    if f < 1 or stride < 1 or f > n or (n - f) % stride:
        raise ValueError("does not fit")
    return (n - f) / stride + 1
''', ("pool-size-visible", "pool-size-invalid"), "integer division"),
}


# The exercises forbid torch: each disguise of torch's pooling must be named at Validate time (the
# visible test) and keep the answer from being run at grading (test_assignment_logic.py).
_BY_TORCH = '''
def max_pool_forward(x, f, stride):
    pool_output_size(x.shape[2], f, stride), pool_output_size(x.shape[3], f, stride)
    {body}
'''
_TENSOR = "(t.from_numpy(np.asarray(x, dtype=np.float64)), f, stride).numpy()"

FORBIDDEN_USES = {
    "functional": Mistake("max-pool", _BY_TORCH.format(body="return F.max_pool2d" + _TENSOR.replace("t.", "torch.")),
                          ("max-pool-visible",), "which this exercise forbids: write it with NumPy"),
    "import-as": Mistake("max-pool", _BY_TORCH.format(
        body="import torch as t\n    return t.nn.functional.max_pool2d" + _TENSOR),
        ("max-pool-visible",), "which this exercise forbids"),
    "from-import": Mistake("max-pool", "from torch.nn import functional\nimport torch as t\n"
                           + _BY_TORCH.format(body="return functional.max_pool2d" + _TENSOR),
                           ("max-pool-visible",), "which this exercise forbids"),
    "module": Mistake("max-pool", _BY_TORCH.format(
        body="t = torch\n    return t.nn.MaxPool2d(f, stride)" + _TENSOR[:-len(", f, stride).numpy()")] + ").numpy()"),
        ("max-pool-visible",), "which this exercise forbids"),
    "dunder-import": Mistake("avg-pool", _BY_TORCH.replace("max_pool_forward", "avg_pool_forward").format(
        body="t = __import__('torch')\n    return t.nn.functional.avg_pool2d" + _TENSOR), ("avg-pool-visible",),
        "__import__"),
    "importlib": Mistake("avg-pool", "import importlib\n" + _BY_TORCH.replace("max_pool_forward", "avg_pool_forward")
                         .format(body="t = importlib.import_module('torch')\n    return t.nn.functional.avg_pool2d"
                                 + _TENSOR), ("avg-pool-visible",), "importlib"),
    "autograd-backward": Mistake("max-pool-backward", '''
def max_pool_backward(dout, x, f, stride):
    tx = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    out = torch.nn.functional.max_pool2d(tx, f, stride)
    if tuple(out.shape) != dout.shape:
        raise ValueError("dout has the wrong shape")
    out.backward(torch.tensor(np.asarray(dout, dtype=np.float64)))
    return tx.grad.numpy()
''', ("max-pool-backward-visible",), "which this exercise forbids"),
    # course_utils helpers are no answers: the lecture's explorer used as one
    "course-utils-helper": Mistake("avg-pool-backward", '''
from course_utils.topics.pooling import pool_view

def avg_pool_backward(dout, x_shape, f, stride):
    dx = np.zeros(x_shape)
    for n in range(x_shape[0]):
        for c in range(x_shape[1]):
            dx[n, c] = pool_view(np.zeros(x_shape[2:]), f, stride, kind="avg").gradient * dout[n, c].mean()
    return dx
''', ("avg-pool-backward-visible",), "course_utils"),
}


# Answers that compute nothing and look for the expected value instead (see Cheat).
CHEATS = {
    "frame-and-global-ints": Cheat("pool-size", CHEAT_TOOLS + '''
def pool_output_size(n, f, stride):
    if f < 1 or stride < 1 or f > n or (n - f) % stride:
        raise ValueError("does not fit")        # the errors are easy; the value is looked up
    found = _peek_named(("expected", "_expected", "_out", "out", "answer", "want"), int)
    return found if found is not None else -1
''', ("pool-size-visible", "pool-size-torch", "pool-size-invalid")),
    "gc-arrays-of-the-output-shape": Cheat("max-pool", CHEAT_TOOLS + '''
def max_pool_forward(x, f, stride):
    shape = (x.shape[0], x.shape[1], pool_output_size(x.shape[2], f, stride), pool_output_size(x.shape[3], f, stride))
    return _peek_array(shape, (x,))
''', ("max-pool-torch", "max-pool-overlap", "max-pool-dtype")),
    "gc-arrays-of-the-input-shape": Cheat("max-pool-backward", CHEAT_TOOLS + '''
def max_pool_backward(dout, x, f, stride):
    n, c, h, w = x.shape
    if dout.shape != (n, c, pool_output_size(h, f, stride), pool_output_size(w, f, stride)):
        raise ValueError("dout has the wrong shape")
    return _peek_array(x.shape, (dout, x))
''', ("max-pool-backward-torch", "max-pool-backward-ties", "max-pool-backward-overlap")),
    "call-the-oracle-in-a-caller-frame": oracle_in_caller_frame(
        "avg-pool-backward", "avg_pool_backward(dout, x_shape, f, stride)",
        ("avg-pool-backward-visible", "avg-pool-backward-torch")),
    "call-a-test-helper-by-name": Cheat("max-pool-backward", '''
def max_pool_backward(dout, x, f, stride):
    return _grad(np.asarray(x, dtype=float), np.asarray(dout, dtype=float), f, stride)
''', ("max-pool-backward-torch", "max-pool-backward-ties"), raw=False),
}


# Exercise 6: the student's max pooling inside a CNN, and the robustness of its prediction to shifts.
ALTERNATIVES["train-pool"] = '''
def shift_robustness(predict, images):
    padded = np.pad(images, ((0, 0), (0, 0), (1, 1), (1, 1)))
    H, W = images.shape[2:]
    reference = predict(images)
    hits = 0
    for dr, dc in [(1, 0), (-1, 0), (0, 1), (0, -1)]:
        moved = padded[:, :, 1 - dr:1 - dr + H, 1 - dc:1 - dc + W]
        hits += np.sum(predict(moved) == reference)
    return float(hits / (4 * len(images)))
'''

_ROBUSTNESS = '''
def shift_robustness(predict, images):
    x = np.asarray(images, dtype=np.float64)
    shifted = []
    for axis in {axes}:
        for step in (1, -1):
            {shift}
            shifted.append(s)
    base = predict(x)
    same = np.array([predict(s) == base for s in shifted])
    return {result}
'''

_ZERO_FILLED = '''s = np.zeros_like(x)
            src = [slice(None)] * 4
            dst = [slice(None)] * 4
            src[axis] = slice(None, -1) if step == 1 else slice(1, None)
            dst[axis] = slice(1, None) if step == 1 else slice(None, -1)
            s[tuple(dst)] = x[tuple(src)]'''


def _robustness(axes="(2, 3)", shift=_ZERO_FILLED, result="float(same.mean())"):
    return _ROBUSTNESS.format(axes=axes, shift=shift, result=result)


MISTAKES.update({
    "robustness-roll": Mistake("train-pool", _robustness(shift="s = np.roll(x, step, axis=axis)"),
                               ("train-pool-counts", "train-pool-shift"), "np.roll"),
    "robustness-all-directions": Mistake("train-pool", _robustness(result="float(same.all(axis=0).mean())"),
                                         ("train-pool-counts", "train-pool-shift"), "unchanged in all 4 directions"),
    "robustness-count": Mistake("train-pool", _robustness(result="float(same.sum())"),
                                ("train-pool-visible", "train-pool-shift"), "between 0 and 1"),
    "robustness-two-directions": Mistake("train-pool", _robustness().replace(
        "for step in (1, -1):", "for step in (1,):"), ("train-pool-counts", "train-pool-shift"), "all 4 directions"),
    "robustness-wrong-axes": Mistake("train-pool", _robustness(axes="(0, 1)"), ("train-pool-shift",),
                                     "the last two axes"),
})
# a wrong gradient is named by the gradient check of the training cell, before any training
MISTAKES["backward-dout-ignored"] = Mistake(
    MISTAKES["backward-dout-ignored"].cell, MISTAKES["backward-dout-ignored"].source,
    MISTAKES["backward-dout-ignored"].must_fail + ("train-pool-visible",), "do not just mark the maximum")
MISTAKES["train-pool-every-element"] = Mistake("max-pool-backward", _backward('''
dx[b, ch, r:r + f, s:s + f] += g
'''), ("train-pool-visible",), "not to every element of the window")

# More correct answers, each the way another student writes it from the prompt alone.
MORE_ALTERNATIVES = [
    # true division, then a check that the result is whole
    ("pool-size", '''
def pool_output_size(n, f, stride):
    if f < 1:
        raise ValueError(f"the window size must be at least 1, got {f}")
    if stride < 1:
        raise ValueError(f"the stride must be at least 1, got {stride}")
    if f > n:
        raise ValueError(f"the window ({f}) is larger than the input ({n})")
    out = (n - f) / stride + 1
    if out != int(out):
        raise ValueError(f"(n - f) / stride + 1 = {out} is not a whole number")
    return int(out)
'''),
    # a running maximum over the f*f offsets, started at -inf, updated in place with np.maximum
    ("max-pool", '''
def max_pool_forward(x, f, stride):
    N, C, H, W = x.shape
    Ho = pool_output_size(H, f, stride)
    Wo = pool_output_size(W, f, stride)
    out = np.full((N, C, Ho, Wo), -np.inf)
    for u in range(f):
        for v in range(f):
            shifted = x[:, :, u:u + stride * Ho:stride, v:v + stride * Wo:stride]
            np.maximum(out, shifted, out=out)
    return out
'''),
    # sliding windows and their mean; integers are averaged to float64 by np.mean
    ("avg-pool", '''
from numpy.lib.stride_tricks import sliding_window_view

def avg_pool_forward(x, f, stride):
    Ho = pool_output_size(x.shape[2], f, stride)
    Wo = pool_output_size(x.shape[3], f, stride)
    windows = sliding_window_view(x, window_shape=(f, f), axis=(2, 3))[:, :, ::stride, ::stride]
    out = np.mean(windows, axis=(4, 5), dtype=np.float64)
    return out
'''),
    # a loop over the output positions; the first maximum's (row, column) by np.unravel_index,
    # scattered with fancy indexing (each (n, c) pair once per position, so += adds correctly)
    ("max-pool-backward", '''
def max_pool_backward(dout, x, f, stride):
    N, C, H, W = x.shape
    Ho, Wo = pool_output_size(H, f, stride), pool_output_size(W, f, stride)
    if dout.shape != (N, C, Ho, Wo):
        raise ValueError(f"dout has shape {dout.shape}, expected {(N, C, Ho, Wo)}")
    dx = np.zeros(x.shape, dtype=np.float64)
    n_idx, c_idx = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * stride:i * stride + f, j * stride:j * stride + f].reshape(N, C, -1)
            r, s = np.unravel_index(np.argmax(window, axis=2), (f, f))
            dx[n_idx, c_idx, i * stride + r, j * stride + s] += dout[:, :, i, j]
    return dx
'''),
    # no loop at all: every window's first maximum at once, then np.add.at, which adds up the
    # gradients of overlapping windows that share a maximum
    ("max-pool-backward", '''
def max_pool_backward(dout, x, f, stride):
    N, C, H, W = x.shape
    Ho, Wo = pool_output_size(H, f, stride), pool_output_size(W, f, stride)
    if tuple(dout.shape) != (N, C, Ho, Wo):
        raise ValueError("dout does not have the shape of the forward output")
    windows = np.lib.stride_tricks.sliding_window_view(x, (f, f), axis=(2, 3))[:, :, ::stride, ::stride]
    first = windows.reshape(N, C, Ho, Wo, f * f).argmax(axis=-1)
    rows = np.arange(Ho)[:, None] * stride + first // f
    cols = np.arange(Wo)[None, :] * stride + first % f
    dx = np.zeros((N, C, H * W))
    np.add.at(dx, (np.arange(N)[:, None, None, None], np.arange(C)[None, :, None, None], rows * W + cols), dout)
    return dx.reshape(N, C, H, W)
'''),
    # a loop over the output positions, each window's share broadcast to f x f
    ("avg-pool-backward", '''
def avg_pool_backward(dout, x_shape, f, stride):
    N, C, H, W = x_shape
    Ho, Wo = pool_output_size(H, f, stride), pool_output_size(W, f, stride)
    if dout.shape != (N, C, Ho, Wo):
        raise ValueError(f"dout has shape {dout.shape}, expected {(N, C, Ho, Wo)}")
    dx = np.zeros(x_shape)
    for i in range(Ho):
        for j in range(Wo):
            share = np.broadcast_to(dout[:, :, i:i + 1, j:j + 1] / f**2, (N, C, f, f))
            dx[:, :, i * stride:i * stride + f, j * stride:j * stride + f] += share
    return dx
'''),
    # one zero-padded copy, cropped four ways (views); the count divided by 4 * M
    ("train-pool", '''
def shift_robustness(predict, images):
    M, C, H, W = images.shape
    padded = np.pad(images, ((0, 0), (0, 0), (1, 1), (1, 1)))
    base = np.asarray(predict(images))
    shifted = [padded[:, :, 0:H, 1:W + 1],      # down
               padded[:, :, 2:H + 2, 1:W + 1],  # up
               padded[:, :, 1:H + 1, 0:W],      # right
               padded[:, :, 1:H + 1, 2:W + 2]]  # left
    unchanged = sum(int(np.sum(np.asarray(predict(s)) == base)) for s in shifted)
    return unchanged / (4 * M)
'''),
    # np.roll, then the row or column that came round zeroed in the new array; the mean of the
    # four shares as a NumPy float64 (a float)
    ("train-pool", '''
def shift_robustness(predict, images):
    base = predict(images)
    shares = []
    for axis, step in [(2, 1), (2, -1), (3, 1), (3, -1)]:
        moved = np.roll(images, step, axis=axis)
        index = [slice(None)] * 4
        index[axis] = 0 if step == 1 else -1
        moved[tuple(index)] = 0
        shares.append(np.mean(predict(moved) == base))
    return np.mean(shares)
'''),
]
