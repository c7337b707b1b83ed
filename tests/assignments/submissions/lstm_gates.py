"""Submissions for assignment 05 (LSTM gates)."""
from tests.assignments.submissions import CHEAT_TOOLS, Cheat, Mistake

ALTERNATIVES = {
    "lstm-cell": '''
def lstm_cell_forward(x, h_prev, c_prev, W, b):
    n_hidden = h_prev.shape[-1]
    if W.shape[0] != 4 * n_hidden or W.shape[1] != n_hidden + x.shape[-1] or b.shape != (4 * n_hidden,):
        raise ValueError("W or b has the wrong shape")
    # W split by columns: the h part and the x part, then the four row blocks
    W_h, W_x = W[:, :n_hidden], W[:, n_hidden:]
    z = h_prev @ W_h.T + x @ W_x.T + b
    z_f, z_i, z_g, z_o = np.split(z, 4, axis=1)
    sigmoid = lambda v: 0.5 * (1.0 + np.tanh(0.5 * v))
    c = sigmoid(z_f) * c_prev + sigmoid(z_i) * np.tanh(z_g)
    return sigmoid(z_o) * np.tanh(c), c
''',
    "from-torch": '''
def lstm_weights_from_torch(cell):
    H, D = cell.hidden_size, cell.input_size
    W = np.zeros((4 * H, H + D))
    b = np.zeros(4 * H)
    torch_block = {"f": 1, "i": 0, "g": 2, "o": 3}
    for ours, name in enumerate("figo"):
        k = torch_block[name]
        W[ours * H:(ours + 1) * H, :H] = cell.weight_hh[k * H:(k + 1) * H].detach().numpy()
        W[ours * H:(ours + 1) * H, H:] = cell.weight_ih[k * H:(k + 1) * H].detach().numpy()
        if cell.bias_ih is not None:
            rows = slice(k * H, (k + 1) * H)
            b[ours * H:(ours + 1) * H] = (cell.bias_ih[rows] + cell.bias_hh[rows]).detach().numpy()
    return W, b
''',
    "sequence": '''
def lstm_forward(xs, h0, c0, W, b):
    xs = np.asarray(xs, dtype=np.float64)
    if len(xs.shape) != 3:
        raise ValueError("xs must be (N, T, D)")
    N, T, _ = xs.shape
    H = h0.shape[1]
    hs, cs = np.zeros((N, T, H)), np.zeros((N, T, H))
    state = (h0, c0)
    for t in range(T):
        state = lstm_cell_forward(xs[:, t, :], state[0], state[1], W, b)
        hs[:, t], cs[:, t] = state
    return hs, cs
''',
    "cell-gradient": '''
def cell_path_gradient(xs, h0, c0, W, b):
    H = h0.shape[1]
    hs, cs = lstm_forward(xs, h0, c0, W, b)
    G = np.empty_like(cs)
    running = np.ones_like(c0)
    h_prev = h0
    for t in range(xs.shape[1]):
        z = np.concatenate([h_prev, xs[:, t]], axis=1) @ W.T + b
        f = 1 / (1 + np.exp(-z[:, :H]))
        running = running * f
        G[:, t] = running
        h_prev = hs[:, t]
    return G
''',
}

_CELL = '''
def lstm_cell_forward(x, h_prev, c_prev, W, b):
    H, D = h_prev.shape[1], x.shape[1]
    if W.shape != (4 * H, H + D) or b.shape != (4 * H,):
        raise ValueError("bad shapes")
    z = {concat} @ W.T + b
    sig = lambda v: 1 / (1 + np.exp(-v))
    {blocks} = z[:, :H], z[:, H:2 * H], z[:, 2 * H:3 * H], z[:, 3 * H:]
    f, i, g, o = {gate}(z_f), {gate}(z_i), {cand}(z_g), {gate}(z_o)
    c = f * c_prev + i * g
    h = o * {out}(c)
    return h, c
'''


def _cell(concat="np.concatenate([h_prev, x], axis=1)", blocks="z_f, z_i, z_g, z_o", gate="sig",
          cand="np.tanh", out="np.tanh"):
    return _CELL.format(concat=concat, blocks=blocks, gate=gate, cand=cand, out=out)


_FROM_TORCH = '''
def lstm_weights_from_torch(cell):
    H = cell.hidden_size
    w_ih = cell.weight_ih.detach().double().numpy()
    w_hh = cell.weight_hh.detach().double().numpy()
    bias = {bias} if cell.bias else np.zeros(4 * H)
    rows = [slice(k * H, (k + 1) * H) for k in {order}]
    W = np.vstack([np.hstack([{columns}]) for r in rows])
    return W, np.concatenate([bias[r] for r in rows])
'''


def _from_torch(bias="(cell.bias_ih + cell.bias_hh).detach().double().numpy()", order="(1, 0, 2, 3)",
                columns="w_hh[r], w_ih[r]"):
    return _FROM_TORCH.format(bias=bias, order=order, columns=columns)


MISTAKES = {
    # the three mistakes of the issue, also graded by the real nbgrader pipeline
    "gate-order-torch": Mistake("lstm-cell", _cell(blocks="z_i, z_f, z_g, z_o"),
                                ("lstm-cell-visible", "lstm-cell-torch", "lstm-cell-gate-order"),
                                "check the gate order"),
    "concat-x-h": Mistake("lstm-cell", _cell(concat="np.concatenate([x, h_prev], axis=1)"),
                          ("lstm-cell-visible", "lstm-cell-torch", "lstm-cell-concat"),
                          "the concatenation is [h_prev, x]"),
    "sigmoid-tanh-swapped": Mistake("lstm-cell", _cell(gate="np.tanh", cand="sig"),
                                    ("lstm-cell-visible", "lstm-cell-activations"),
                                    "sigmoid and tanh are swapped"),
    # more mistakes, graded in process
    "output-without-tanh": Mistake("lstm-cell", _cell(out=""),
                                   ("lstm-cell-visible", "lstm-cell-activations"), "did you forget the tanh?"),
    "gate-order-g-o": Mistake("lstm-cell", _cell(blocks="z_f, z_i, z_o, z_g"),
                              ("lstm-cell-torch", "lstm-cell-gate-order"), "check the gate order"),
    "no-shape-check": Mistake("lstm-cell", '''
def lstm_cell_forward(x, h_prev, c_prev, W, b):
    H = h_prev.shape[1]
    z = np.concatenate([h_prev, x], axis=1) @ W.T + b
    sig = lambda v: 1 / (1 + np.exp(-v))
    c = sig(z[:, :H]) * c_prev + sig(z[:, H:2 * H]) * np.tanh(z[:, 2 * H:3 * H])
    return sig(z[:, 3 * H:]) * np.tanh(c), c
''', ("lstm-cell-invalid",), "raise ValueError"),
    "torch-order-kept": Mistake("from-torch", _from_torch(order="(0, 1, 2, 3)"),
                                ("from-torch-visible", "from-torch-gates"), "check the gate order"),
    "columns-x-h": Mistake("from-torch", _from_torch(columns="w_ih[r], w_hh[r]"),
                           ("from-torch-visible", "from-torch-gates"), "the columns of W are [h, x]"),
    "bias-ih-only": Mistake("from-torch", _from_torch(bias="cell.bias_ih.detach().double().numpy()"),
                            ("from-torch-visible", "from-torch-gates"), "you used bias_ih only"),
    "bias-false-crashes": Mistake("from-torch", _from_torch().replace(" if cell.bias else np.zeros(4 * H)", ""),
                                  ("from-torch-no-bias",), None),
    "float32-kept": Mistake("from-torch", _from_torch().replace(".double()", ""), ("from-torch-float32",),
                            "expected a float64 NumPy array"),
    "state-not-carried": Mistake("sequence", '''
def lstm_forward(xs, h0, c0, W, b):
    if xs.ndim != 3:
        raise ValueError("xs must be 3-D")
    pairs = [lstm_cell_forward(xs[:, t], h0, c0, W, b) for t in range(xs.shape[1])]
    return np.stack([p[0] for p in pairs], axis=1), np.stack([p[1] for p in pairs], axis=1)
''', ("sequence-visible", "sequence-torch", "sequence-state"), "not from h0 and c0"),
    "time-axis-first": Mistake("sequence", '''
def lstm_forward(xs, h0, c0, W, b):
    if xs.ndim != 3:
        raise ValueError("xs must be 3-D")
    h, c, hs, cs = h0, c0, [], []
    for t in range(xs.shape[1]):
        h, c = lstm_cell_forward(xs[:, t], h, c, W, b)
        hs.append(h)
        cs.append(c)
    return np.array(hs), np.array(cs)
''', ("sequence-visible", "sequence-torch"), "stack the states along axis 1"),
    "initial-state-included": Mistake("sequence", '''
def lstm_forward(xs, h0, c0, W, b):
    if xs.ndim != 3:
        raise ValueError("xs must be 3-D")
    h, c, hs, cs = h0, c0, [], []
    for t in range(xs.shape[1]):
        hs.append(h)
        cs.append(c)
        h, c = lstm_cell_forward(xs[:, t], h, c, W, b)
    return np.stack(hs, axis=1), np.stack(cs, axis=1)
''', ("sequence-visible", "sequence-torch"), "not C_0 .. C_{T-1}"),
    "gradient-last-gate-only": Mistake("cell-gradient", '''
def cell_path_gradient(xs, h0, c0, W, b):
    H = h0.shape[1]
    hs, _ = lstm_forward(xs, h0, c0, W, b)
    h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    return 1 / (1 + np.exp(-(np.concatenate([h_prev, xs], axis=2) @ W[:H].T + b[:H])))
''', ("cell-gradient-visible", "cell-gradient-autograd"), "not the forget gate of step t alone"),
    "gradient-h-off-by-one": Mistake("cell-gradient", '''
def cell_path_gradient(xs, h0, c0, W, b):
    H = h0.shape[1]
    hs, _ = lstm_forward(xs, h0, c0, W, b)
    f = 1 / (1 + np.exp(-(np.concatenate([hs, xs], axis=2) @ W[:H].T + b[:H])))
    return np.cumprod(f, axis=1)
''', ("cell-gradient-autograd", "cell-gradient-previous-h"), "not h_t"),
    "gradient-starts-at-one": Mistake("cell-gradient", '''
def cell_path_gradient(xs, h0, c0, W, b):
    H = h0.shape[1]
    hs, _ = lstm_forward(xs, h0, c0, W, b)
    h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    f = 1 / (1 + np.exp(-(np.concatenate([h_prev, xs], axis=2) @ W[:H].T + b[:H])))
    G = np.cumprod(f, axis=1)
    return np.concatenate([np.ones_like(G[:, :1]), G[:, :-1]], axis=1)
''', ("cell-gradient-visible", "cell-gradient-autograd"), "the first entry is f_1, not 1"),
    "gradient-input-gate": Mistake("cell-gradient", '''
def cell_path_gradient(xs, h0, c0, W, b):
    H = h0.shape[1]
    hs, _ = lstm_forward(xs, h0, c0, W, b)
    h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    z = np.concatenate([h_prev, xs], axis=2) @ W[H:2 * H].T + b[H:2 * H]
    return np.cumprod(1 / (1 + np.exp(-z)), axis=1)
''', ("cell-gradient-visible", "cell-gradient-autograd"), "the forget gate is the first block"),
}


_CELL_BY_TORCH = '''
def lstm_cell_forward(x, h_prev, c_prev, W, b):
    H, D = h_prev.shape[1], x.shape[1]
    if W.shape != (4 * H, H + D) or b.shape != (4 * H,):
        raise ValueError("W or b has the wrong shape")
    {body}
    order = [1, 0, 2, 3]                      # torch keeps the blocks i, f, g, o
    rows = np.concatenate([np.arange(k * H, (k + 1) * H) for k in order])
    with t.no_grad():
        cell.weight_hh.copy_(t.from_numpy(W[rows, :H]))
        cell.weight_ih.copy_(t.from_numpy(W[rows, H:]))
        cell.bias_ih.copy_(t.from_numpy(b[rows]))
        cell.bias_hh.zero_()
        h, c = cell(t.from_numpy(x), (t.from_numpy(h_prev), t.from_numpy(c_prev)))
    return h.numpy(), c.numpy()
'''

# Exercises 1, 3 and 4 forbid torch, Exercise 2 the rest of torch.nn: each disguise is named at
# Validate time (the visible test) and keeps the answer from being run at grading.
FORBIDDEN_USES = {
    "cell-import-as": Mistake("lstm-cell", _CELL_BY_TORCH.format(
        body="import torch as t\n    cell = t.nn.LSTMCell(D, H, dtype=t.float64)"),
        ("lstm-cell-visible",), "torch.nn.LSTMCell, which this exercise forbids: write it with NumPy"),
    "cell-from-import": Mistake("lstm-cell", "from torch.nn import LSTMCell as Cell\nimport torch as t\n"
                                + _CELL_BY_TORCH.format(body="cell = Cell(D, H, dtype=t.float64)"),
                                ("lstm-cell-visible",), "which this exercise forbids"),
    "cell-set-up-name": Mistake("lstm-cell", "t = torch\n" + _CELL_BY_TORCH.format(
        body="cell = t.nn.LSTMCell(D, H, dtype=t.float64)"), ("lstm-cell-visible",), "which this exercise forbids"),
    "cell-dunder-import": Mistake("lstm-cell", _CELL_BY_TORCH.format(
        body="t = __import__('torch')\n    cell = t.nn.LSTMCell(D, H, dtype=t.float64)"),
        ("lstm-cell-visible",), "__import__"),
    "cell-importlib": Mistake("lstm-cell", "import importlib\n" + _CELL_BY_TORCH.format(
        body="t = importlib.import_module('torch')\n    cell = t.nn.LSTMCell(D, H, dtype=t.float64)"),
        ("lstm-cell-visible",), "importlib"),
    "cell-lstm-cell-function": Mistake("lstm-cell", '''
from torch import lstm_cell, from_numpy

def lstm_cell_forward(x, h_prev, c_prev, W, b):
    H = h_prev.shape[1]
    rows = np.concatenate([np.arange(k * H, (k + 1) * H) for k in (1, 0, 2, 3)])
    h, c = lstm_cell(from_numpy(x), [from_numpy(h_prev), from_numpy(c_prev)], from_numpy(W[rows, H:]),
                     from_numpy(W[rows, :H]), from_numpy(b[rows]), from_numpy(0 * b))
    return h.numpy(), c.numpy()
''', ("lstm-cell-visible",), "which this exercise forbids: write it with NumPy"),
    "sequence-nn-lstm": Mistake("sequence", '''
import torch.nn as tnn

def lstm_forward(xs, h0, c0, W, b):
    if xs.ndim != 3:
        raise ValueError("xs must be (N, T, D)")
    H, D = h0.shape[1], xs.shape[2]
    lstm = tnn.LSTM(D, H, batch_first=True, dtype=torch.float64)
    rows = np.concatenate([np.arange(k * H, (k + 1) * H) for k in (1, 0, 2, 3)])
    with torch.no_grad():
        lstm.weight_hh_l0.copy_(torch.from_numpy(W[rows, :H]))
        lstm.weight_ih_l0.copy_(torch.from_numpy(W[rows, H:]))
        lstm.bias_ih_l0.copy_(torch.from_numpy(b[rows]))
        lstm.bias_hh_l0.zero_()
        hs, _ = lstm(torch.from_numpy(xs), (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))
    return hs.numpy(), None
''', ("sequence-visible",), "torch.nn.LSTM, which this exercise forbids"),
    "gradient-by-autograd": Mistake("cell-gradient", '''
from torch import func as autodiff

def cell_path_gradient(xs, h0, c0, W, b):
    H = h0.shape[1]
    hs, _ = lstm_forward(xs, h0, c0, W, b)
    h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    z_f = np.concatenate([h_prev, xs], axis=2) @ W[:H].T + b[:H]
    ones = np.ones_like(z_f)
    _, G = autodiff.jvp(lambda c: c * (1 / (1 + np.exp(-z_f))), (ones,), (ones,))
    return np.cumprod(G, axis=1)
''', ("cell-gradient-visible",), "uses torch.func"),
    "from-torch-new-module": Mistake("from-torch", '''
def lstm_weights_from_torch(cell):
    H, D = cell.hidden_size, cell.input_size
    copy = torch.nn.LSTMCell(D, H, dtype=torch.float64)
    copy.load_state_dict(cell.state_dict())
    rows = np.concatenate([np.arange(k * H, (k + 1) * H) for k in (1, 0, 2, 3)])
    W = np.hstack([copy.weight_hh.detach().numpy(), copy.weight_ih.detach().numpy()])[rows]
    return W, (copy.bias_ih + copy.bias_hh).detach().numpy()[rows]
''', ("from-torch-visible",), "torch.nn.LSTMCell, which this exercise forbids"),
    # course_utils helpers are no answers: the lecture's tracer used as one
    "course-utils-helper": Mistake("lstm-cell", '''
from course_utils.topics.lstm_gates import trace_lstm

def lstm_cell_forward(x, h_prev, c_prev, W, b):
    trace = trace_lstm(None, x[:, None], h_prev, c_prev)
    return trace.h[:, 0], trace.c[:, 0]
''', ("lstm-cell-visible",), "course_utils"),
}

# Answers that compute nothing and look for the expected value instead (see Cheat).
CHEATS = {
    "gc-arrays-of-the-state-shape": Cheat("lstm-cell", CHEAT_TOOLS + '''
def lstm_cell_forward(x, h_prev, c_prev, W, b):
    H, D = h_prev.shape[1], x.shape[1]
    if W.shape != (4 * H, H + D) or b.shape != (4 * H,):
        raise ValueError("W or b has the wrong shape")      # the errors are easy; the states are looked up
    inputs = (x, h_prev, c_prev, W, b)
    return _peek_array(h_prev.shape, inputs), _peek_array(c_prev.shape, inputs)
''', ("lstm-cell-visible", "lstm-cell-torch", "lstm-cell-gate-order", "lstm-cell-concat")),
    "gc-arrays-of-the-gradient-shape": Cheat("cell-gradient", CHEAT_TOOLS + '''
def cell_path_gradient(xs, h0, c0, W, b):
    return _peek_array((xs.shape[0], xs.shape[1], h0.shape[1]), (xs, h0, c0, W, b))
''', ("cell-gradient-visible", "cell-gradient-autograd")),
    "patch-the-reference-cell": Cheat("lstm-cell", '''
torch.nn.LSTMCell.forward = lambda self, x, state=None: (state[0] * 0, state[1] * 0)

def lstm_cell_forward(x, h_prev, c_prev, W, b):
    return np.zeros_like(h_prev), np.zeros_like(c_prev)
''', ("lstm-cell-torch",), raw=False),
}


# Exercise 5: the cell in torch, checked against torch.nn.LSTMCell, then trained on the recall task.
ALTERNATIVES["train-lstm"] = '''
def lstm_cell_torch(x, h_prev, c_prev, W, b):
    n_hidden = h_prev.shape[-1]
    # the columns of W split into the part that multiplies h and the part that multiplies x
    z = torch.addmm(b, h_prev, W[:, :n_hidden].T) + x @ W[:, n_hidden:].T
    z_f, z_i, z_g, z_o = torch.split(z, n_hidden, dim=1)
    sigmoid = lambda v: 0.5 * (1.0 + torch.tanh(0.5 * v))
    c_new = sigmoid(z_f) * c_prev + sigmoid(z_i) * torch.tanh(z_g)
    return sigmoid(z_o) * torch.tanh(c_new), c_new
'''

_TORCH_CELL = '''
def lstm_cell_torch(x, h_prev, c_prev, W, b):
    H = h_prev.shape[1]
    z = torch.cat([h_prev, x], dim=1) @ W.T + b
    sig = {sig}
    {blocks} = z[:, :H], z[:, H:2 * H], z[:, 2 * H:3 * H], z[:, 3 * H:]
    f, i, g, o = sig(z_f), sig(z_i), {cand}(z_g), sig(z_o)
    c = {update}
    h = o * {out}
    return h, {c_out}
'''


def _torch_cell(sig="torch.sigmoid", blocks="z_f, z_i, z_g, z_o", cand="torch.tanh", update="f * c_prev + i * g",
                out="torch.tanh(c)", c_out="c"):
    return _TORCH_CELL.format(sig=sig, blocks=blocks, cand=cand, update=update, out=out, c_out=c_out)


_NUMPY_ROUND_TRIP = '''
def lstm_cell_torch(x, h_prev, c_prev, W, b):
    arrays = [t.detach().double().numpy() for t in (x, h_prev, c_prev, W, b)]
    h, c = lstm_cell_forward(*arrays)
    return torch.from_numpy(h).to(x.dtype), torch.from_numpy(c).to(x.dtype)
'''

# label: (the answer, the hint its failure must name); each fails the visible test before any training
MISTAKES.update({label: Mistake("train-lstm", source, ("train-lstm-visible", "train-lstm-cell"), hint)
                 for label, (source, hint) in {
    "torch-cell-torch-gate-order": (_torch_cell(blocks="z_i, z_f, z_g, z_o"), "check the gate order"),
    "torch-cell-g-o-swapped": (_torch_cell(blocks="z_f, z_i, z_o, z_g"), "rows 3H:4H the output gate o"),
    "torch-cell-candidate-sigmoid": (_torch_cell(cand="sig"), "the candidate g uses tanh"),
    "torch-cell-state-not-carried": (_torch_cell(update="i * g"), "the term f_t * C_{t-1} is missing"),
    "torch-cell-forget-on-candidate": (_torch_cell(update="f * g + i * c_prev"), "which multiplies C_{t-1}"),
    "torch-cell-output-without-tanh": (_torch_cell(out="c"), "did you forget the tanh?"),
    "torch-cell-h-from-previous-c": (_torch_cell(out="torch.tanh(c_prev)"), "not C_{t-1}"),
    "torch-cell-detached-state": (_torch_cell(update="f * c_prev.detach() + i * g"), "Do not detach the cell state"),
    "torch-cell-returns-detached-state": (_torch_cell(c_out="c.detach()"), "Do not detach the cell state"),
    "torch-cell-numpy-round-trip": (_NUMPY_ROUND_TRIP, "the computation was cut"),
    "torch-cell-float64": (_torch_cell(sig="lambda v: 1 / (1 + torch.exp(-v.double()))"), "expected float32"),
    "torch-cell-in-place": (_torch_cell(update="c_prev.mul_(f).add_(i * g)"), "changed a tensor it was given in place"),
}.items()})

FORBIDDEN_USES.update({
    "torch-cell-lstmcell": Mistake("train-lstm", '''
def lstm_cell_torch(x, h_prev, c_prev, W, b):
    H, D = h_prev.shape[1], x.shape[1]
    rows = torch.cat([torch.arange(k * H, (k + 1) * H) for k in (1, 0, 2, 3)])
    cell = torch.nn.LSTMCell(D, H, dtype=x.dtype)
    weights = {"weight_hh": W[rows, :H], "weight_ih": W[rows, H:], "bias_ih": b[rows], "bias_hh": 0 * b}
    return torch.func.functional_call(cell, weights, (x, (h_prev, c_prev)))
''', ("train-lstm-visible",), "which this exercise forbids: write the gates with torch operations"),
    "torch-cell-lstm-cell-function": Mistake("train-lstm", '''
from torch import lstm_cell as fused

def lstm_cell_torch(x, h_prev, c_prev, W, b):
    H = h_prev.shape[1]
    rows = torch.cat([torch.arange(k * H, (k + 1) * H) for k in (1, 0, 2, 3)])
    return tuple(fused(x, [h_prev, c_prev], W[rows, H:], W[rows, :H], b[rows], 0 * b))
''', ("train-lstm-visible",), "torch.lstm_cell, which this exercise forbids"),
    "torch-cell-autograd-function": Mistake("train-lstm", '''
class _Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v):
        out = 1 / (1 + torch.exp(-v))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad * out * (1 - out)

def lstm_cell_torch(x, h_prev, c_prev, W, b):
    H = h_prev.shape[1]
    z = torch.cat([h_prev, x], dim=1) @ W.T + b
    f, i, o = (_Sigmoid.apply(z[:, k * H:(k + 1) * H]) for k in (0, 1, 3))
    c = f * c_prev + i * torch.tanh(z[:, 2 * H:3 * H])
    return o * torch.tanh(c), c
''', ("train-lstm-visible",), "torch.autograd"),
})


# More correct answers, written from the prompts the way other students would (graded in process).
MORE_ALTERNATIVES = [
    # np.hstack and .dot, the four blocks by a generator, a sigmoid that cannot overflow
    ("lstm-cell", '''
def lstm_cell_forward(x, h_prev, c_prev, W, b):
    N, H = h_prev.shape
    D = x.shape[1]
    if W.shape != (4 * H, H + D):
        raise ValueError(f"W has shape {W.shape}, expected {(4 * H, H + D)}")
    if b.shape != (4 * H,):
        raise ValueError(f"b has shape {b.shape}, expected {(4 * H,)}")
    z = np.hstack((h_prev, x)).dot(W.T) + b
    f, i, g, o = (z[:, k * H:(k + 1) * H] for k in range(4))
    sigmoid = lambda v: np.exp(-np.logaddexp(0.0, -v))          # 1 / (1 + e^-v)
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c
'''),
    # column vectors as in the slides, the pre-activations reshaped to (4, H, N) and activated in place
    ("lstm-cell", '''
def lstm_cell_forward(x, h_prev, c_prev, W, b):
    H, D = h_prev.shape[1], x.shape[1]
    if W.ndim != 2 or W.shape[0] != 4 * H or W.shape[1] != H + D or b.ndim != 1 or b.shape[0] != 4 * H:
        raise ValueError("W must have shape (4H, H + D) and b shape (4H,)")
    z = (W[:, :H] @ h_prev.T + W[:, H:] @ x.T + b[:, None]).reshape(4, H, -1)     # f, i, g, o; (H, N) each
    z[[0, 1, 3]] = 1.0 / (1.0 + np.exp(-z[[0, 1, 3]]))
    z[2] = np.tanh(z[2])
    f, i, g, o = z
    c = f * c_prev.T + i * g
    return (o * np.tanh(c)).T, c.T
'''),
    # torch.tensor(parameter) copies (torch warns that detach().clone() is preferred: no matter),
    # the blocks reordered with torch.chunk and torch.cat
    ("from-torch", '''
def lstm_weights_from_torch(cell):
    H = cell.hidden_size
    w_hh = torch.tensor(cell.weight_hh, dtype=torch.float64)
    w_ih = torch.tensor(cell.weight_ih, dtype=torch.float64)
    i, f, g, o = torch.chunk(torch.cat([w_hh, w_ih], dim=1), 4, dim=0)
    W = torch.cat([f, i, g, o], dim=0).numpy()
    if cell.bias_ih is None:
        return W, np.zeros(4 * H)
    bias = torch.tensor(cell.bias_ih, dtype=torch.float64) + torch.tensor(cell.bias_hh, dtype=torch.float64)
    bi, bf, bg, bo = torch.chunk(bias, 4)
    return W, torch.cat([bf, bi, bg, bo]).numpy()
'''),
    # .data instead of .detach(), the columns side by side in the cell's dtype, then one row permutation
    ("from-torch", '''
def lstm_weights_from_torch(cell):
    H = cell.hidden_size
    weights = np.concatenate([cell.weight_hh.data.numpy(), cell.weight_ih.data.numpy()], axis=1).astype(np.float64)
    bias = np.zeros(4 * H)
    if cell.bias:
        bias = cell.bias_ih.data.numpy().astype(np.float64) + cell.bias_hh.data.numpy().astype(np.float64)
    order = np.r_[H:2 * H, 0:H, 2 * H:4 * H]            # torch's rows i, f, g, o -> ours f, i, g, o
    return weights[order], bias[order]
'''),
    # a while loop over the steps, the states collected time first and transposed at the end
    ("sequence", '''
def lstm_forward(xs, h0, c0, W, b):
    if np.ndim(xs) != 3:
        raise ValueError(f"xs must have shape (N, T, D), got {np.shape(xs)}")
    state, hs, cs = (h0, c0), [], []
    t = 0
    while t < xs.shape[1]:
        state = lstm_cell_forward(xs[:, t, :], state[0], state[1], W, b)
        hs.append(state[0])
        cs.append(state[1])
        t += 1
    return np.transpose(np.array(hs), (1, 0, 2)), np.transpose(np.array(cs), (1, 0, 2))
'''),
    # the running product as the exponential of a running sum of log sigmoids
    ("cell-gradient", '''
def cell_path_gradient(xs, h0, c0, W, b):
    H = h0.shape[1]
    hs, _ = lstm_forward(xs, h0, c0, W, b)
    h_before = np.concatenate([h0[:, None, :], hs[:, :-1, :]], axis=1)        # h_{t-1} for t = 1..T
    z_f = np.einsum("ntk,hk->nth", np.concatenate([h_before, xs], axis=2), W[:H]) + b[:H]
    return np.exp(np.cumsum(-np.logaddexp(0.0, -z_f), axis=1))               # log sigmoid = -log(1 + e^-z)
'''),
    # with h_{t-1} held fixed, C_t is linear in C_{t-1} with slope f_t: read it off my cell
    ("cell-gradient", '''
def cell_path_gradient(xs, h0, c0, W, b):
    N, T, _ = xs.shape
    H = h0.shape[1]
    hs, _ = lstm_forward(xs, h0, c0, W, b)
    G = np.zeros((N, T, H))
    running = np.ones((N, H))
    for t in range(T):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        _, c_one = lstm_cell_forward(xs[:, t], h_prev, np.ones((N, H)), W, b)
        _, c_zero = lstm_cell_forward(xs[:, t], h_prev, np.zeros((N, H)), W, b)
        running = running * (c_one - c_zero)                                  # f_t = C(1) - C(0)
        G[:, t] = running
    return G
'''),
    # F.linear (torch.nn.functional is allowed) and Tensor.chunk
    ("train-lstm", '''
import torch.nn.functional as F

def lstm_cell_torch(x, h_prev, c_prev, W, b):
    z = F.linear(torch.cat((h_prev, x), dim=1), W, b)              # [h, x] W^T + b
    f, i, g, o = z.chunk(4, dim=1)
    c = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c
'''),
]
