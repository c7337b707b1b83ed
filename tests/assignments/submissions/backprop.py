"""Submissions for assignment 00 (backpropagation by hand)."""
from tests.assignments.submissions import Mistake

ALTERNATIVES = {
    # einsum and np.add.reduce instead of @ and .sum; the cache as a dict
    "affine": '''
def affine_forward(x, w, b):
    out = np.einsum("nd,dm->nm", x, w) + b[None, :]
    return out, {"x": x, "w": w}

def affine_backward(dout, cache):
    x, w = cache["x"], cache["w"]
    dx = np.einsum("nm,dm->nd", dout, w)
    dw = np.einsum("nd,nm->dm", x, dout)
    db = np.add.reduce(dout, axis=0)
    return dx, dw, db
''',
    # np.where, and the output (not the input) kept as cache: out > 0 exactly where x > 0
    "relu": '''
def relu_forward(x):
    out = np.where(x > 0, x, 0.0)
    return out, out

def relu_backward(dout, cache):
    return np.where(cache > 0, dout, 0.0)
''',
    # the softmax probabilities first, scipy's logsumexp for the loss, a one-hot matrix
    "softmax-loss": '''
from scipy.special import logsumexp
def softmax_loss(scores, y):
    n, c = scores.shape
    log_norm = logsumexp(scores, axis=1)
    loss = np.mean(log_norm - scores[np.arange(n), y])
    probs = np.exp(scores - log_norm[:, None])
    one_hot = np.eye(c)[y]
    return loss, (probs - one_hot) / n
''',
    # a loop over the two affine layers; the same tuple of caches
    "mlp-forward": '''
def mlp_forward(X, params):
    caches = []
    out = X
    for layer in (1, 2):
        out, cache = affine_forward(out, params["W%d" % layer], params["b%d" % layer])
        caches.append(cache)
        if layer == 1:
            out, cache = relu_forward(out)
            caches.append(cache)
    return out, tuple(caches)
''',
    # gradients written into the dict as they come
    "mlp-backward": '''
def mlp_backward(dscores, cache):
    first, relu_cache, second = cache
    grads = {}
    da, grads["W2"], grads["b2"] = affine_backward(dscores, second)
    dh = relu_backward(da, relu_cache)
    _, grads["W1"], grads["b1"] = affine_backward(dh, first)
    return grads
''',
    # a copy of x per evaluation, flat indices over a raveled view
    "grad-check": '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.empty(x.size)
    for i in range(x.size):
        step = np.zeros(x.size)
        step[i] = h
        step = step.reshape(x.shape)
        grad[i] = (f(x + step) - f(x - step)) / (2.0 * h)
    return grad.reshape(x.shape)
''',
    # losses as NumPy floats, parameters copied then updated in place (the copies, not params)
    "train": '''
def train_mlp(X, y, params, learning_rate, num_steps):
    current = {name: value.copy() for name, value in params.items()}
    losses = []
    step = 0
    while step < num_steps:
        scores, cache = mlp_forward(X, current)
        loss, dscores = softmax_loss(scores, y)
        losses.append(loss)
        for name, g in mlp_backward(dscores, cache).items():
            current[name] -= learning_rate * g
        step += 1
    return current, losses
''',
}

_SOFTMAX = '''
def softmax_loss(scores, y):
    n = scores.shape[0]
    {shift}
    log_probs = shifted - np.log(np.exp(shifted).sum(axis={axis}, keepdims=True))
    loss = {loss}
    dscores = np.exp(log_probs)
    {minus_one}
    return loss, dscores{scale}
'''


def _softmax(shift="shifted = scores - scores.max(axis=1, keepdims=True)", axis=1,
             loss="-log_probs[np.arange(n), y].mean()", minus_one="dscores[np.arange(n), y] -= 1",
             scale=" / n"):
    return _SOFTMAX.format(shift=shift, axis=axis, loss=loss, minus_one=minus_one, scale=scale)


_AFFINE = '''
def affine_forward(x, w, b):
    return {forward}, (x, w, b)

def affine_backward(dout, cache):
    x, w, b = cache
    return {dx}, {dw}, {db}
'''


def _affine(forward="x @ w + b", dx="dout @ w.T", dw="x.T @ dout", db="dout.sum(axis=0)"):
    return _AFFINE.format(forward=forward, dx=dx, dw=dw, db=db)


_RELU = '''
def relu_forward(x):
    {forward}
    return out, x

def relu_backward(dout, cache):
    x = cache
    return {backward}
'''


def _relu(forward="out = np.maximum(0, x)", backward="dout * (x > 0)"):
    return _RELU.format(forward=forward, backward=backward)


_GRAD_CHECK = '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = {minus_point}
        minus = f(x)
        {restore}
        grad[i] = (plus - minus) / {denominator}
    return grad
'''


def _grad_check(minus_point="old - h", restore="x[i] = old", denominator="(2 * h)"):
    return _GRAD_CHECK.format(minus_point=minus_point, restore=restore, denominator=denominator)


_TRAIN = '''
def train_mlp(X, y, params, learning_rate, num_steps):
    {start}
    losses = []
    for _ in range(num_steps):
        scores, cache = mlp_forward(X, p)
        loss, dscores = softmax_loss(scores, y)
        grads = mlp_backward(dscores, cache)
        {update}
        {record}
    return p, losses
'''


def _train(start="p = dict(params)", update="p = {k: p[k] - learning_rate * grads[k] for k in p}",
           record="losses.append(loss)"):
    return _TRAIN.format(start=start, update=update, record=record)


MISTAKES = {
    # affine
    "affine-forward-bias-forgotten": Mistake("affine", _affine(forward="x @ w"),
                                             ("affine-visible", "affine-forward-torch"), "forget the bias"),
    "affine-bias-gradient-wrong-axis": Mistake("affine", _affine(db="dout.sum(axis=1)"),
                                               ("affine-visible", "affine-backward-torch"), "batch axis 0"),
    "affine-dw-wrong-transpose": Mistake("affine", _affine(dw="dout.T @ x"),
                                         ("affine-visible", "affine-backward-torch"), "x.T @ dout"),
    "affine-dx-no-transpose": Mistake("affine", _affine(dx="dout @ w"),
                                      ("affine-visible", "affine-backward-torch"), "dout @ w.T"),
    "affine-dw-averaged": Mistake("affine", _affine(dw="x.T @ dout / x.shape[0]"),
                                  ("affine-backward-torch",), "not its mean"),
    # relu
    "relu-mask-on-dout": Mistake("relu", _relu(backward="dout * (dout > 0)"),
                                 ("relu-visible", "relu-torch"), "not from dout"),
    "relu-gradient-at-zero": Mistake("relu", _relu(backward="dout * (x >= 0)"),
                                     ("relu-visible", "relu-zero"), "x >= 0"),
    "relu-mask-without-dout": Mistake("relu", _relu(backward="(x > 0).astype(float)"),
                                      ("relu-visible", "relu-torch"), "multiply the mask by dout"),
    "relu-forward-in-place": Mistake("relu", _relu(forward="x[x < 0] = 0\n    out = x"),
                                     ("relu-zero",), "changed the arrays"),
    # softmax cross-entropy
    "softmax-gradient-without-1/N": Mistake("softmax-loss", _softmax(scale=""),
                                            ("softmax-loss-visible", "softmax-loss-torch"), "forget the 1/N"),
    "softmax-without-max-shift": Mistake("softmax-loss", _softmax(shift="shifted = scores"),
                                         ("softmax-loss-stable",), "maximum"),
    "softmax-loss-summed": Mistake("softmax-loss", _softmax(loss="-log_probs[np.arange(n), y].sum()"),
                                   ("softmax-loss-visible", "softmax-loss-torch"), "do not sum"),
    "softmax-gradient-without-one-hot": Mistake("softmax-loss", _softmax(minus_one="pass"),
                                                ("softmax-loss-visible", "softmax-loss-torch"), "subtract 1"),
    "softmax-normalised-over-batch": Mistake("softmax-loss", _softmax(
        shift="shifted = scores - scores.max(axis=0, keepdims=True)", axis=0,
        minus_one="dscores[np.arange(n), y] -= 1"), ("softmax-loss-torch",), "axis 1"),
    "softmax-in-place-shift": Mistake("softmax-loss", _softmax(
        shift="scores -= scores.max(axis=1, keepdims=True)\n    shifted = scores"),
        ("softmax-loss-inputs",), "changed the arrays it was given"),
    # the network
    "mlp-forward-no-relu": Mistake("mlp-forward", '''
def mlp_forward(X, params):
    h, c1 = affine_forward(X, params["W1"], params["b1"])
    s, c2 = affine_forward(h, params["W2"], params["b2"])
    return s, (c1, h, c2)
''', ("mlp-forward-visible", "mlp-forward-torch"), "ReLU between the two layers"),
    "mlp-forward-relu-on-scores": Mistake("mlp-forward", '''
def mlp_forward(X, params):
    h, c1 = affine_forward(X, params["W1"], params["b1"])
    a, cr = relu_forward(h)
    s, c2 = affine_forward(a, params["W2"], params["b2"])
    s, _ = relu_forward(s)
    return s, (c1, cr, c2)
''', ("mlp-forward-torch",), "no ReLU after the last layer"),
    "mlp-backward-skips-relu": Mistake("mlp-backward", '''
def mlp_backward(dscores, cache):
    c1, cr, c2 = cache
    da, dW2, db2 = affine_backward(dscores, c2)
    _, dW1, db1 = affine_backward(da, c1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
''', ("mlp-backward-visible", "mlp-backward-torch", "mlp-backward-digits"), "backpropagate through the ReLU"),
    "mlp-backward-gradients-swapped": Mistake("mlp-backward", '''
def mlp_backward(dscores, cache):
    c1, cr, c2 = cache
    da, dW2, db2 = affine_backward(dscores, c2)
    dh = relu_backward(da, cr)
    _, dW1, db1 = affine_backward(dh, c1)
    return {"W1": dW2, "b1": db2, "W2": dW1, "b2": db1}
''', ("mlp-backward-visible", "mlp-backward-torch", "mlp-backward-digits"), None),
    "mlp-backward-list": Mistake("mlp-backward", '''
def mlp_backward(dscores, cache):
    c1, cr, c2 = cache
    da, dW2, db2 = affine_backward(dscores, c2)
    dh = relu_backward(da, cr)
    _, dW1, db1 = affine_backward(dh, c1)
    return [dW1, db1, dW2, db2]
''', ("mlp-backward-visible", "mlp-backward-torch"), "expected a dict"),
    # the gradient check
    "gradcheck-one-sided": Mistake("grad-check", _grad_check(minus_point="old", denominator="h"),
                                   ("grad-check-visible", "grad-check-closed-form", "grad-check-torch"), "centred"),
    "gradcheck-divided-by-h": Mistake("grad-check", _grad_check(denominator="h"),
                                      ("grad-check-visible", "grad-check-closed-form"), "divide by 2h"),
    "gradcheck-not-restored": Mistake("grad-check", _grad_check(restore="pass"),
                                      ("grad-check-restores",), "changed the arrays it was given"),
    "gradcheck-fixed-step": Mistake("grad-check", _grad_check().replace("(f, x, h=1e-5):",
                                                                        "(f, x, h=1e-5):\n    h = 1e-5"),
                                    ("grad-check-visible", "grad-check-closed-form"), "step h you are given"),
    # training
    "train-wrong-sign": Mistake("train", _train(update="p = {k: p[k] + learning_rate * grads[k] for k in p}"),
                                ("train-visible", "train-step"), None),
    "train-loss-after-update": Mistake("train", _train(
        update="p = {k: p[k] - learning_rate * grads[k] for k in p}\n"
               "        loss, _ = softmax_loss(mlp_forward(X, p)[0], y)"),
        ("train-step", "train-history"), "before each update"),
    "train-in-place-update": Mistake("train", _train(
        start="p = params", update="for k in p:\n            p[k] -= learning_rate * grads[k]"),
        ("train-history",), "changed params"),
    "train-fixed-learning-rate": Mistake("train", _train(update="p = {k: p[k] - 0.1 * grads[k] for k in p}"),
                                         ("train-step",), "learning_rate you are given"),
}

# More correct answers, each the way another student writes it from the prompt alone.
MORE_ALTERNATIVES = [
    # np.dot and np.sum, the cache a list; CS231n's habit of flattening x to rows first
    ("affine", '''
def affine_forward(x, w, b):
    rows = x.reshape(x.shape[0], -1)
    out = np.dot(rows, w) + b
    cache = [x, w, b]
    return out, cache

def affine_backward(dout, cache):
    x, w, b = cache
    dx = np.dot(dout, w.T).reshape(x.shape)
    dw = np.dot(x.reshape(x.shape[0], -1).T, dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db
'''),
    # np.clip for the forward pass; the backward pass zeroes a copy of dout in place
    ("relu", '''
def relu_forward(x):
    return np.clip(x, 0, None), x

def relu_backward(dout, cache):
    dx = dout.copy()
    dx[cache <= 0] = 0
    return dx
'''),
    # x * (x > 0) (gives -0.0 for negatives, equal to 0.0), the mask kept as a float array
    ("relu", '''
def relu_forward(x):
    mask = (x > 0).astype(x.dtype)
    return x * mask, x

def relu_backward(dout, cache):
    return np.multiply(dout, np.greater(cache, 0))
'''),
    # probabilities first, the picked log-probabilities with take_along_axis; the loss left a
    # NumPy float64 (a float), np.row_stack's DeprecationWarning on every call (harmless)
    ("softmax-loss", '''
def softmax_loss(scores, y):
    N = len(y)
    z = scores - np.max(scores, axis=1)[:, np.newaxis]
    log_sum = np.log(np.sum(np.exp(z), axis=1))
    log_p = z - log_sum[:, np.newaxis]
    picked = np.take_along_axis(log_p, np.asarray(y)[:, None], axis=1)
    loss = -np.sum(picked) / N
    one_hot = np.row_stack([np.arange(scores.shape[1]) == label for label in y])
    dscores = (np.exp(log_p) - one_hot) / N
    return loss, dscores
'''),
    # a Python loop over the examples, one row at a time
    ("softmax-loss", '''
import math

def softmax_loss(scores, y):
    n, c = scores.shape
    loss = 0.0
    dscores = np.zeros((n, c))
    for i in range(n):
        row = scores[i] - scores[i].max()
        log_p = row - math.log(np.exp(row).sum())
        loss -= log_p[y[i]]
        dscores[i] = np.exp(log_p)
        dscores[i, y[i]] -= 1.0
    return loss / n, dscores / n
'''),
    # the caches in a dict keyed by layer name, and the backward pass reading the tuple by index
    ("mlp-backward", '''
def mlp_backward(dscores, cache):
    grads = dict()
    dh, grads["W2"], grads["b2"] = affine_backward(dscores, cache[2])
    dz = relu_backward(dh, cache[1])
    dX, grads["W1"], grads["b1"] = affine_backward(dz, cache[0])
    return grads
'''),
    # np.nditer with multi_index; a new perturbed copy of x per evaluation (x itself never moves)
    ("grad-check", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        idx = it.multi_index
        x_plus = x.copy()
        x_plus[idx] += h
        x_minus = x.copy()
        x_minus[idx] -= h
        grad[idx] = (f(x_plus) - f(x_minus)) / (2 * h)
        it.iternext()
    return grad
'''),
    # a flat view of x changed and put back in place; float32 never involved, h used as given
    ("grad-check", '''
def numerical_gradient(f, x, h=1e-5):
    flat = x.reshape(-1)          # a view: writing into it moves x
    grad = np.zeros_like(flat, dtype=float)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + h
        fp = f(x)
        flat[i] = saved - h
        fm = f(x)
        flat[i] = saved
        grad[i] = (fp - fm) / (2 * h)
    return grad.reshape(x.shape)
'''),
    # copy.deepcopy of params, then in-place updates on the copies; losses as NumPy floats
    ("train", '''
import copy

def train_mlp(X, y, params, learning_rate, num_steps):
    trained = copy.deepcopy(params)
    losses = []
    for step in range(num_steps):
        scores, cache = mlp_forward(X, trained)
        loss, dscores = softmax_loss(scores, y)
        losses.append(loss)
        grads = mlp_backward(dscores, cache)
        for key in trained:
            trained[key] -= learning_rate * grads[key]
    return trained, losses
'''),
]
