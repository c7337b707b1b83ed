"""Submissions for assignment 04 (backpropagation through time, RNN gradients)."""
from tests.assignments.submissions import CHEAT_TOOLS, Cheat, Mistake, oracle_in_caller_frame

ALTERNATIVES = {
    "rnn-step": '''
def rnn_step(x_t, h_prev, W_xh, W_hh, b):
    # the slides' column-vector form W_hh h + W_xh x, one column per sequence, then back to rows
    a = W_xh @ x_t.T + W_hh @ h_prev.T + b[:, None]
    return np.tanh(a).T
''',
    "rnn-forward": '''
def rnn_forward(x, h0, W_xh, W_hh, b):
    N, T, _ = x.shape
    hs = np.zeros((N, T, h0.shape[1]))
    inputs = np.einsum("ntd,hd->nth", x, W_xh) + b      # every step's input term at once
    h = h0.copy()
    for t in range(T):
        h = np.tanh(inputs[:, t] + h @ W_hh.T)
        hs[:, t] = h
    return hs
''',
    "rnn-backward": '''
def rnn_backward(x, h0, W_xh, W_hh, b, dhs):
    N, T, D = x.shape
    states, pre = [h0], []
    for t in range(T):                      # forward, keeping the pre-activations
        a = x[:, t] @ W_xh.T + states[-1] @ W_hh.T + b
        pre.append(a)
        states.append(np.tanh(a))
    grads = {"W_xh": np.zeros(W_xh.shape), "W_hh": np.zeros(W_hh.shape), "b": np.zeros(b.shape)}
    carry = np.zeros(h0.shape)
    for t in reversed(range(T)):            # t indexes arrays: state t + 1 is h_(t+1)
        g = dhs[:, t] + carry
        delta = g * (1 - np.tanh(pre[t]) ** 2)
        grads["W_xh"] = grads["W_xh"] + np.einsum("nh,nd->hd", delta, x[:, t])
        grads["W_hh"] = grads["W_hh"] + np.einsum("nh,nk->hk", delta, states[t])
        grads["b"] = grads["b"] + delta.sum(0)
        carry = np.einsum("nh,hk->nk", delta, W_hh)
    return carry, grads["W_xh"], grads["W_hh"], grads["b"]
''',
    "grad-norms": '''
def hidden_grad_norms(x, h0, W_xh, W_hh, b, dhs):
    T = x.shape[1]
    states = np.concatenate([h0[:, None], rnn_forward(x, h0, W_xh, W_hh, b)], axis=1)
    out = np.zeros(T + 1)
    g = dhs[:, T - 1].copy()
    out[T] = np.sqrt((g ** 2).sum())
    for t in range(T - 1, -1, -1):
        g = (g * (1 - states[:, t + 1] ** 2)) @ W_hh
        if t > 0:
            g = g + dhs[:, t - 1]
        out[t] = np.sqrt((g ** 2).sum())
    return out
''',
    "clip": '''
def clip_grad_norm(grads, max_norm):
    if not max_norm > 0:
        raise ValueError("max_norm must be > 0")
    flat = np.concatenate([np.ravel(g) for g in grads]) if grads else np.zeros(0)
    total = float(np.linalg.norm(flat))
    if total + 1e-6 > max_norm:
        factor = max_norm / (total + 1e-6)
        return [np.multiply(g, factor) for g in grads], total
    return [np.array(g, copy=True) for g in grads], total
''',
}

# A correct rnn_backward with one line changed per mistake.
_BACKWARD = '''
def rnn_backward(x, h0, W_xh, W_hh, b, dhs):
    N, T, D = x.shape
    hs, pre = [h0], []
    for t in range(T):
        a = x[:, t] @ W_xh.T + hs[-1] @ W_hh.T + b
        pre.append(a)
        hs.append(np.tanh(a))
    dW_xh, dW_hh, db = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b)
    dh = np.zeros_like(h0)
    for t in range(T, 0, -1):
        dh = dh + dhs[:, t - 1]
        da = dh * {derivative}
        dW_xh {accumulate} da.T @ x[:, t - 1]
        dW_hh {accumulate} {dW_hh}
        db {accumulate} da.sum(axis=0)
        {last}dh = da @ {back}
    return {dh0}, dW_xh, dW_hh, db
'''


def _backward(derivative="(1 - hs[t] ** 2)", accumulate="+=", dW_hh="da.T @ hs[t - 1]", back="W_hh",
              last="", dh0="dh"):
    return _BACKWARD.format(derivative=derivative, accumulate=accumulate, dW_hh=dW_hh, back=back,
                            last=last, dh0=dh0)


_FORWARD = '''
def rnn_forward(x, h0, W_xh, W_hh, b):
    h = h0
    states = []
    for t in range(x.shape[1]):
        {body}
    return {result}
'''

_CLIP = '''
def clip_grad_norm(grads, max_norm):
    {check}
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    {body}
'''
_CLIP_CHECK = 'if max_norm <= 0:\n        raise ValueError("max_norm must be positive")'

MISTAKES = {
    # the three mistakes named first in the course's issue (also graded by the real nbgrader pipeline)
    "tanh-derivative-at-pre-activation": Mistake("rnn-backward", _backward(derivative="(1 - pre[t - 1] ** 2)"),
                                                 ("rnn-backward-visible", "rnn-backward-torch",
                                                  "rnn-backward-tanh"),
                                                 "use the state h_t, not the pre-activation a_t"),
    "dW_hh-transposed": Mistake("rnn-backward", _backward(dW_hh="hs[t - 1].T @ da"),
                                ("rnn-backward-torch", "rnn-backward-transposed"), "dW is transposed"),
    "shared-weight-gradient-not-summed": Mistake("rnn-backward", _backward(accumulate="="),
                                                 ("rnn-backward-visible", "rnn-backward-torch",
                                                  "rnn-backward-shared"),
                                                 "SUM of the contributions of all T steps"),
    # more mistakes, graded in process
    "tanh-applied-twice": Mistake("rnn-backward", _backward(derivative="(1 - np.tanh(hs[t]) ** 2)"),
                                  ("rnn-backward-visible", "rnn-backward-torch", "rnn-backward-tanh"),
                                  "do not apply tanh to h_t again"),
    "tanh-derivative-at-previous-state": Mistake("rnn-backward", _backward(derivative="(1 - hs[t - 1] ** 2)"),
                                                 ("rnn-backward-visible", "rnn-backward-torch"),
                                                 "not h_(t-1)"),
    "backprop-through-transposed-W_hh": Mistake("rnn-backward", _backward(back="W_hh.T"),
                                                ("rnn-backward-torch", "rnn-backward-transposed"),
                                                "(not W_hh.T)"),
    "dh0-stops-at-h1": Mistake("rnn-backward", _backward(last="dh1 = dh\n        ", dh0="dh1"),
                               ("rnn-backward-visible", "rnn-backward-torch"), "dh0 must go back through step 1"),
    "backward-modifies-dhs": Mistake("rnn-backward", '''
def rnn_backward(x, h0, W_xh, W_hh, b, dhs):
    T = x.shape[1]
    hs = [h0] + [rnn_forward(x, h0, W_xh, W_hh, b)[:, t] for t in range(T)]
    dW_xh, dW_hh, db = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b)
    for t in range(T, 0, -1):
        da = dhs[:, t - 1] * (1 - hs[t] ** 2)
        dW_xh += da.T @ x[:, t - 1]
        dW_hh += da.T @ hs[t - 1]
        db += da.sum(axis=0)
        if t > 1:
            dhs[:, t - 2] += da @ W_hh          # accumulates into the caller's array
        else:
            dh0 = da @ W_hh
    return dh0, dW_xh, dW_hh, db
''', ("rnn-backward-torch",), "changed the arrays it was given"),
    "step-W_hh-transposed": Mistake("rnn-step", '''
def rnn_step(x_t, h_prev, W_xh, W_hh, b):
    return np.tanh(x_t @ W_xh.T + h_prev @ W_hh + b)
''', ("rnn-step-visible", "rnn-step-torch", "rnn-step-transposed"), "W_hh is transposed"),
    "step-W_xh-transposed": Mistake("rnn-step", '''
def rnn_step(x_t, h_prev, W_xh, W_hh, b):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh.T + b)
''', ("rnn-step-transposed",), "W_xh is transposed"),
    "step-no-tanh": Mistake("rnn-step", '''
def rnn_step(x_t, h_prev, W_xh, W_hh, b):
    return x_t @ W_xh.T + h_prev @ W_hh.T + b
''', ("rnn-step-visible", "rnn-step-torch", "rnn-step-transposed"), "forget the tanh"),
    "step-no-bias": Mistake("rnn-step", '''
def rnn_step(x_t, h_prev, W_xh, W_hh, b):
    return np.tanh(x_t @ W_xh.T + h_prev @ W_hh.T)
''', ("rnn-step-visible", "rnn-step-torch", "rnn-step-transposed"), "forget the bias"),
    "forward-states-shifted": Mistake("rnn-forward", _FORWARD.format(
        body="states.append(h)\n        h = rnn_step(x[:, t], h, W_xh, W_hh, b)",
        result="np.stack(states, axis=1)"),
        ("rnn-forward-visible", "rnn-forward-torch", "rnn-forward-edge"), "return h_1..h_T"),
    "forward-h0-at-every-step": Mistake("rnn-forward", _FORWARD.format(
        body="states.append(rnn_step(x[:, t], h0, W_xh, W_hh, b))", result="np.stack(states, axis=1)"),
        ("rnn-forward-visible", "rnn-forward-torch"), "carry the hidden state"),
    "forward-time-major": Mistake("rnn-forward", _FORWARD.format(
        body="h = rnn_step(x[:, t], h, W_xh, W_hh, b)\n        states.append(h)", result="np.stack(states)"),
        ("rnn-forward-visible", "rnn-forward-torch"), "batch first"),
    "forward-from-zeros": Mistake("rnn-forward", _FORWARD.format(
        body="h = rnn_step(x[:, t], h if t else np.zeros_like(h0), W_xh, W_hh, b)\n        states.append(h)",
        result="np.stack(states, axis=1)"),
        ("rnn-forward-torch", "rnn-forward-edge"), "start from h0"),
    "norms-reversed": Mistake("grad-norms", '''
def hidden_grad_norms(x, h0, W_xh, W_hh, b, dhs):
    hs = rnn_forward(x, h0, W_xh, W_hh, b)
    norms, dh = [], np.zeros_like(h0)
    for t in range(x.shape[1], 0, -1):
        dh = dh + dhs[:, t - 1]
        norms.append(np.linalg.norm(dh))
        dh = (dh * (1 - hs[:, t - 1] ** 2)) @ W_hh
    norms.append(np.linalg.norm(dh))
    return np.array(norms)
''', ("grad-norms-visible", "grad-norms-torch", "grad-norms-closed-form"), "order reversed"),
    "norms-direct-gradient-only": Mistake("grad-norms", '''
def hidden_grad_norms(x, h0, W_xh, W_hh, b, dhs):
    return np.array([0.0] + [np.linalg.norm(dhs[:, t]) for t in range(x.shape[1])])
''', ("grad-norms-visible", "grad-norms-torch"), "TOTAL gradient"),
    "norms-without-h0": Mistake("grad-norms", '''
def hidden_grad_norms(x, h0, W_xh, W_hh, b, dhs):
    hs = rnn_forward(x, h0, W_xh, W_hh, b)
    norms, dh = [], np.zeros_like(h0)
    for t in range(x.shape[1], 0, -1):
        dh = dh + dhs[:, t - 1]
        norms.append(np.linalg.norm(dh))
        dh = (dh * (1 - hs[:, t - 1] ** 2)) @ W_hh
    return np.array(norms[::-1])
''', ("grad-norms-visible", "grad-norms-torch", "grad-norms-closed-form"), "h_0 included"),
    "clip-each-array-separately": Mistake("clip", _CLIP.format(check=_CLIP_CHECK, body='''out = []
    for g in grads:
        n = np.sqrt(np.sum(g ** 2))
        out.append(g * min(1.0, max_norm / (n + 1e-6)))
    return out, total'''), ("clip-visible", "clip-torch"), "GLOBAL norm"),
    "clip-always-rescales": Mistake("clip", _CLIP.format(check=_CLIP_CHECK, body='''scale = max_norm / (total + 1e-6)
    return [g * scale for g in grads], total'''), ("clip-visible", "clip-torch", "clip-edge"),
        "below max_norm nothing changes"),
    "clip-returns-norm-after": Mistake("clip", _CLIP.format(check=_CLIP_CHECK, body='''\
scale = min(1.0, max_norm / (total + 1e-6))
    return [g * scale for g in grads], total * scale'''), ("clip-visible", "clip-torch"), "BEFORE clipping"),
    "clip-in-place": Mistake("clip", _CLIP.format(check=_CLIP_CHECK, body='''scale = min(1.0, max_norm / (total + 1e-6))
    for g in grads:
        g *= scale
    return grads, total'''), ("clip-torch",), "changed the arrays it was given"),
    "clip-no-validation": Mistake("clip", _CLIP.format(check="pass", body='''scale = min(1.0, max_norm / (total + 1e-6))
    return [g * scale for g in grads], total'''), ("clip-edge",), "raise ValueError"),
}


# The exercises forbid torch: each disguise must be named at Validate time (the visible test) and
# keep the answer from being run at grading (test_assignment_logic.py).
_STEP = '''
def rnn_step(x_t, h_prev, W_xh, W_hh, b):
    {body}
    return {t}.tanh({t}.from_numpy(x_t @ W_xh.T + h_prev @ W_hh.T + b)).numpy()
'''

FORBIDDEN_USES = {
    "torch-tanh": Mistake("rnn-step", _STEP.format(body="pass", t="torch"), ("rnn-step-visible",),
                          "which this exercise forbids: write it with NumPy"),
    "import-as": Mistake("rnn-step", _STEP.format(body="import torch as t", t="t"), ("rnn-step-visible",),
                         "which this exercise forbids"),
    "dunder-import": Mistake("rnn-step", _STEP.format(body="t = __import__('torch')", t="t"), ("rnn-step-visible",),
                             "__import__"),
    "importlib": Mistake("rnn-step", "import importlib\n" + _STEP.format(
        body="t = importlib.import_module('torch')", t="t"), ("rnn-step-visible",), "importlib"),
    "torch-rnn": Mistake("rnn-forward", '''
from torch import nn

def rnn_forward(x, h0, W_xh, W_hh, b):
    rnn = nn.RNN(W_xh.shape[1], W_xh.shape[0], batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(W_xh))
        rnn.weight_hh_l0.copy_(torch.from_numpy(W_hh))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b))
        rnn.bias_hh_l0.zero_()
        return rnn(torch.from_numpy(x), torch.from_numpy(h0)[None])[0].numpy()
''', ("rnn-forward-visible",), "which this exercise forbids"),
    "autograd": Mistake("rnn-backward", '''
def rnn_backward(x, h0, W_xh, W_hh, b, dhs):
    leaves = [torch.tensor(a, requires_grad=True) for a in (h0, W_xh, W_hh, b)]
    h, total = leaves[0], 0
    for t in range(x.shape[1]):
        h = torch.tanh(torch.from_numpy(x[:, t]) @ leaves[1].T + h @ leaves[2].T + leaves[3])
        total = total + (h * torch.from_numpy(dhs[:, t])).sum()
    total.backward()
    return tuple(leaf.grad.numpy() for leaf in leaves)
''', ("rnn-backward-visible",), "which this exercise forbids"),
    "torch-clipping": Mistake("clip", '''
from torch.nn.utils import clip_grad_norm_

def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    total = float(clip_grad_norm_(params, max_norm))
    return [p.grad.numpy() for p in params], total
''', ("clip-visible",), "which this exercise forbids"),
    # course_utils helpers are no answers: the lecture's module used as one
    "course-utils-helper": Mistake("grad-norms", '''
from course_utils.topics import rnn_gradients

def hidden_grad_norms(x, h0, W_xh, W_hh, b, dhs):
    return np.asarray(rnn_gradients.gradient_norms(1.0, x.shape[1]))
''', ("grad-norms-visible",), "course_utils"),
}


# Answers that compute nothing and look for the expected value instead (see Cheat).
CHEATS = {
    "gc-arrays-of-the-output-shape": Cheat("rnn-forward", CHEAT_TOOLS + '''
def rnn_forward(x, h0, W_xh, W_hh, b):
    return _peek_array((x.shape[0], x.shape[1], h0.shape[1]), (x, h0, W_xh, W_hh, b))
''', ("rnn-forward-visible", "rnn-forward-torch", "rnn-forward-edge")),
    "gc-arrays-of-the-gradient-shapes": Cheat("rnn-backward", CHEAT_TOOLS + '''
def rnn_backward(x, h0, W_xh, W_hh, b, dhs):
    inputs = (x, h0, W_xh, W_hh, b, dhs)
    return tuple(_peek_array(a.shape, inputs) for a in (h0, W_xh, W_hh, b))
''', ("rnn-backward-visible", "rnn-backward-torch", "rnn-backward-shared")),
    "frame-and-global-floats": Cheat("clip", CHEAT_TOOLS + '''
def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be positive")
    total = _peek_named(("expected_total", "_norm", "total", "_total", "expected"), float)
    total = float(total) if total is not None else 1.0
    scale = min(1.0, max_norm / (total + 1e-6))
    return [g * scale for g in grads], total
''', ("clip-torch", "clip-edge")),
    "call-the-oracle-in-a-caller-frame": oracle_in_caller_frame(
        "grad-norms", "hidden_grad_norms(x, h0, W_xh, W_hh, b, dhs)",
        ("grad-norms-visible", "grad-norms-torch", "grad-norms-closed-form")),
    "call-a-test-helper-by-name": Cheat("rnn-backward", '''
def rnn_backward(x, h0, W_xh, W_hh, b, dhs):
    return tuple(_reference(x, h0, W_xh, W_hh, b, dhs))
''', ("rnn-backward-torch", "rnn-backward-tanh"), raw=False),
    "patch-the-comparison": Cheat("rnn-step", '''
np.allclose = lambda *args, **kwargs: True

def rnn_step(x_t, h_prev, W_xh, W_hh, b):
    return np.zeros((x_t.shape[0], W_hh.shape[0]))
''', ("rnn-step-torch", "rnn-step-transposed"), raw=False),
}


# Exercise 6: training with the student's own functions, with and without clipping.
ALTERNATIVES["train-rnn"] = '''
def train_rnn(x, y, params, learning_rate, num_steps, max_norm=None):
    order = ["W_xh", "W_hh", "b", "W_hy", "b_y"]
    current = {k: np.array(v, copy=True) for k, v in params.items()}
    N, H = x.shape[0], current["W_hh"].shape[0]
    history, norms = np.zeros(num_steps), np.zeros(num_steps)
    for step in range(num_steps):
        start = np.zeros((N, H))
        states = rnn_forward(x, start, current["W_xh"], current["W_hh"], current["b"])
        history[step], dhs, g_hy, g_by = readout_loss(states, y, current["W_hy"], current["b_y"])
        grads = list(rnn_backward(x, start, current["W_xh"], current["W_hh"], current["b"], dhs)[1:]) + [g_hy, g_by]
        clipped, norms[step] = clip_grad_norm(grads, np.inf if max_norm is None else max_norm)
        for name, g in zip(order, clipped):
            current[name] = current[name] - learning_rate * g
    return current, history.tolist(), norms.tolist()
'''

_TRAIN = '''
def train_rnn(x, y, params, learning_rate, num_steps, max_norm=None):
    names = ("W_xh", "W_hh", "b", "W_hy", "b_y")
    p = dict(params)
    h0 = np.zeros((x.shape[0], p["W_hh"].shape[0]))
    losses, grad_norms = [], []
    for _ in range(num_steps):
        hs = rnn_forward(x, h0, p["W_xh"], p["W_hh"], p["b"])
        loss, dhs, dW_hy, db_y = readout_loss(hs, y, p["W_hy"], p["b_y"])
        _, dW_xh, dW_hh, db = rnn_backward(x, h0, p["W_xh"], p["W_hh"], p["b"], dhs)
        grads = [dW_xh, dW_hh, db, dW_hy, db_y]
        total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
        {clip}
        p = {{k: p[k] {sign} learning_rate * g for k, g in zip(names, grads)}}
        losses.append(float(loss))
        grad_norms.append({norm})
    return p, losses, grad_norms
'''


def _train(clip="if max_norm is not None:\n            grads, total = clip_grad_norm(grads, max_norm)",
           sign="-", norm="total"):
    return _TRAIN.format(clip=clip, sign=sign, norm=norm)


MISTAKES.update({
    "train-never-clips": Mistake("train-rnn", _train(clip="pass"), ("train-rnn-visible", "train-rnn-step"),
                                 "clip the gradients with clip_grad_norm"),
    "train-always-clips": Mistake("train-rnn", _train(
        clip="grads, total = clip_grad_norm(grads, 0.5 if max_norm is None else max_norm)"),
        ("train-rnn-visible",), "clip only when max_norm is not None"),
    "train-wrong-sign": Mistake("train-rnn", _train(sign="+"), ("train-rnn-visible", "train-rnn-step"), None),
    "train-clips-rnn-only": Mistake("train-rnn", _train(
        clip="if max_norm is not None:\n            grads[:3], total = clip_grad_norm(grads[:3], max_norm)"),
        ("train-rnn-step",), "read-out's dW_hy and db_y included"),
    "train-clips-each-array": Mistake("train-rnn", _train(
        clip="if max_norm is not None:\n            grads = [clip_grad_norm([g], max_norm)[0][0] for g in grads]"),
        ("train-rnn-step",), "not each array on its own"),
    "train-norm-after-clipping": Mistake("train-rnn", _train(
        clip="if max_norm is not None:\n            grads, _ = clip_grad_norm(grads, max_norm)\n"
             "            total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))"),
        ("train-rnn-step", "train-rnn-history"), "BEFORE clipping"),
    "train-in-place-update": Mistake("train-rnn", _train().replace(
        "p = {k: p[k] - learning_rate * g for k, g in zip(names, grads)}",
        "for k, g in zip(names, grads):\n            p[k] -= learning_rate * g"),
        ("train-rnn-visible",), "changed the arrays it was given"),
})


# More correct answers, written from the prompts the way other students would (graded in process).
MORE_ALTERNATIVES = [
    # one weight matrix on the concatenation [x_t, h_prev], as some textbooks write the step
    ("rnn-step", '''
def rnn_step(x_t, h_prev, W_xh, W_hh, b):
    W = np.concatenate([W_xh, W_hh], axis=1)            # (H, D + H)
    xh = np.concatenate([x_t, h_prev], axis=1)          # (N, D + H)
    return np.tanh(xh @ W.T + b)
'''),
    # einsum for the products, tanh from its definition through exp
    ("rnn-step", '''
def rnn_step(x_t, h_prev, W_xh, W_hh, b):
    a = np.einsum("nd,hd->nh", x_t, W_xh) + np.einsum("nk,hk->nh", h_prev, W_hh) + b
    return 1.0 - 2.0 / (np.exp(2.0 * a) + 1.0)          # tanh(a) = (e^2a - 1) / (e^2a + 1)
'''),
    # a preallocated result, the pre-activation built in place and tanh written straight into it
    ("rnn-forward", '''
def rnn_forward(x, h0, W_xh, W_hh, b):
    N, T, D = x.shape
    hs = np.empty((N, T, W_hh.shape[0]))
    h = h0
    for t in range(T):
        a = x[:, t, :] @ W_xh.T
        a += h @ W_hh.T
        a += b
        np.tanh(a, out=hs[:, t, :])
        h = hs[:, t, :]
    return hs
'''),
    # the steps of Exercise 1 over the time axis moved to the front, stacked along a third axis
    ("rnn-forward", '''
def rnn_forward(x, h0, W_xh, W_hh, b):
    h, states = h0, []
    for x_t in np.moveaxis(x, 1, 0):                    # x_1, ..., x_T, each (N, D)
        h = rnn_step(x_t, h, W_xh, W_hh, b)
        states.append(h)
    return np.dstack(states).transpose(0, 2, 1)         # (N, H, T) -> (N, T, H)
'''),
    # a loop over the batch with outer products, and my own copy of dhs that later steps add into
    ("rnn-backward", '''
def rnn_backward(x, h0, W_xh, W_hh, b, dhs):
    N, T, D = x.shape
    H = h0.shape[1]
    hs = np.concatenate([h0[:, None, :], rnn_forward(x, h0, W_xh, W_hh, b)], axis=1)   # h_0 .. h_T
    g = dhs.copy()
    dW_xh, dW_hh, db = np.zeros((H, D)), np.zeros((H, H)), np.zeros(H)
    dh0 = np.zeros((N, H))
    for t in range(T - 1, -1, -1):                      # index t holds step t + 1
        delta = g[:, t] * (1.0 - hs[:, t + 1] ** 2)
        for n in range(N):
            dW_xh += np.outer(delta[n], x[n, t])
            dW_hh += np.outer(delta[n], hs[n, t])
        db += delta.sum(axis=0)
        back = delta @ W_hh
        if t > 0:
            g[:, t - 1] += back
        else:
            dh0 = back
    return dh0, dW_xh, dW_hh, db
'''),
    # every delta first (tanh' as sech^2 of the kept pre-activation), then the weight gradients in one
    # einsum over batch and time; the four gradients returned as a list
    ("rnn-backward", '''
def rnn_backward(x, h0, W_xh, W_hh, b, dhs):
    T = x.shape[1]
    states, pre = [h0], []
    for t in range(T):
        pre.append(x[:, t] @ W_xh.T + states[-1] @ W_hh.T + b)
        states.append(np.tanh(pre[-1]))
    hs = np.stack(states, axis=1)                       # (N, T + 1, H): h_0 .. h_T
    deltas = np.zeros(dhs.shape)
    carry = np.zeros(h0.shape)                          # what step t + 1 sends back into h_t
    for t in reversed(range(T)):
        deltas[:, t] = (dhs[:, t] + carry) / np.cosh(pre[t]) ** 2
        carry = deltas[:, t] @ W_hh
    dW_xh = np.einsum("nth,ntd->hd", deltas, x)
    dW_hh = np.einsum("nth,ntk->hk", deltas, hs[:, :-1])
    return [carry, dW_xh, dW_hh, deltas.sum(axis=(0, 1))]
'''),
    # the total gradient of h_t from rnn_backward run on the rest of the sequence, started at h_t
    ("grad-norms", '''
def hidden_grad_norms(x, h0, W_xh, W_hh, b, dhs):
    T = x.shape[1]
    hs = rnn_forward(x, h0, W_xh, W_hh, b)
    norms = np.zeros(T + 1)
    for t in range(T + 1):
        h_t = h0 if t == 0 else hs[:, t - 1]
        g = np.zeros_like(h0) if t == 0 else dhs[:, t - 1].copy()        # the loss's direct term
        if t < T:
            g += rnn_backward(x[:, t:], h_t, W_xh, W_hh, b, dhs[:, t:])[0]  # what the later steps send back
        norms[t] = np.linalg.norm(g)
    return norms
'''),
    # the total as a NumPy float64 (a subclass of Python's float); scaling done in place on my own copies
    ("clip", '''
def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    total = np.sqrt(sum(np.vdot(g, g) for g in grads))
    factor = max_norm / (total + 1e-6)
    clipped = [np.array(g, dtype=np.float64) for g in grads]      # copies
    if factor < 1.0:
        for c in clipped:
            c *= factor
    return clipped, total
'''),
    # a deep copy of the parameters updated in place, the norm of all gradients flattened into one vector
    ("train-rnn", '''
import copy

def train_rnn(x, y, params, learning_rate, num_steps, max_norm=None):
    p = copy.deepcopy(params)
    h0 = np.zeros((x.shape[0], p["W_hh"].shape[0]))
    losses, grad_norms = [], []
    for step in range(num_steps):
        hs = rnn_forward(x, h0, p["W_xh"], p["W_hh"], p["b"])
        loss, dhs, dW_hy, db_y = readout_loss(hs, y, p["W_hy"], p["b_y"])
        _, dW_xh, dW_hh, db = rnn_backward(x, h0, p["W_xh"], p["W_hh"], p["b"], dhs)
        grads = [dW_xh, dW_hh, db, dW_hy, db_y]
        norm = float(np.linalg.norm(np.concatenate([g.ravel() for g in grads])))
        if max_norm is not None:
            grads, norm = clip_grad_norm(grads, max_norm)
        for name, g in zip(["W_xh", "W_hh", "b", "W_hy", "b_y"], grads):
            p[name] -= learning_rate * g
        losses.append(loss)
        grad_norms.append(norm)
    return p, losses, grad_norms
'''),
]
