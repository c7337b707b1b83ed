"""Training a hand-written LSTM cell on the recall task (assignment 05's last exercise).

The task is :func:`course_utils.data.recall_first_task`: sequences of ``LENGTH`` one-hot symbols
(``SYMBOLS`` of them) whose label is the **first** symbol, so that a model must carry it through
every later step; guessing scores ``1 / SYMBOLS``.

- :class:`CellClassifier` unrolls a cell function ``cell(x_t, h, c, W, b) -> (h, c)`` (the
  assignment's layout: ``W`` (4H, H + D) with row blocks f, i, g, o acting on ``[h, x]``, ``b``
  (4H,)) from zero states, and reads the class scores from the last hidden state:
  ``logits = h_T V^T + a``. It owns the parameters ``W``, ``b``, ``V`` (K, H) and ``a`` (K,); the
  gate biases start at ``forget_bias`` (f) and ``input_bias`` (i).
- :class:`RNNClassifier` is the same read-out on a vanilla ``torch.nn.RNN`` (tanh).
- :func:`train_classifier` trains either with Adam on consecutive batches, clipping the gradient
  norm, and returns the loss of every batch; :func:`accuracy` scores a model.

Shapes (batch first): ``x`` (N, T, D) float32, labels ``y`` (N,) int64, logits (N, K).

>>> x, y, x_test, y_test = recall_data(0, steps=2, batch=3, test=5)
>>> tuple(x.shape), tuple(y.shape), tuple(x_test.shape)
((6, 30, 4), (6,), (5, 30, 4))
"""
from __future__ import annotations

import math

import torch

from course_utils._args import require_int, require_positive
from course_utils.data import recall_first_task

__all__ = ["LENGTH", "SYMBOLS", "HIDDEN", "FORGET_BIAS", "INPUT_BIAS", "STEPS", "BATCH", "LEARNING_RATE",
           "MAX_NORM", "recall_data", "CellClassifier", "RNNClassifier", "train_classifier", "accuracy"]

LENGTH, SYMBOLS, HIDDEN = 30, 4, 16          # the task and the size of the models
FORGET_BIAS, INPUT_BIAS = 4.0, -1.0          # start with f near 1 (remember) and i below 1/2
STEPS, BATCH, LEARNING_RATE, MAX_NORM = 100, 128, 0.01, 1.0
_TEST_SEED_OFFSET = 1_000_003                # the test set never shares a seed with a training set


def recall_data(seed: int, steps: int = STEPS, batch: int = BATCH, test: int = 1000,
                length: int = LENGTH, symbols: int = SYMBOLS):
    """``(x, y, x_test, y_test)``: ``steps * batch`` training sequences (consecutive batches of
    ``batch``) and ``test`` test sequences of the recall task, each (n, length, symbols) float32
    with labels (n,) int64. Seeded: the same seed gives the same tensors."""
    seed = require_int("seed", seed, 0)
    steps, batch, test = require_int("steps", steps, 1), require_int("batch", batch, 1), require_int("test", test, 1)
    x, y = recall_first_task(steps * batch, length, symbols, seed=seed)
    x_test, y_test = recall_first_task(test, length, symbols, seed=seed + _TEST_SEED_OFFSET)
    return x, y, x_test, y_test


def _uniform(generator: torch.Generator, shape, bound: float) -> torch.Tensor:
    return (torch.rand(shape, generator=generator) * 2 - 1) * bound


class CellClassifier(torch.nn.Module):
    """A cell function unrolled over a sequence, with a linear read-out of the last hidden state.

    ``cell(x_t, h_prev, c_prev, W, b)`` gets tensors x_t (N, D), h_prev and c_prev (N, H), W
    (4H, H + D) and b (4H,), and returns ``(h, c)``, each (N, H). Parameters start uniform in
    ``[-1/sqrt(H), 1/sqrt(H)]`` (as in ``torch.nn.LSTMCell``), drawn from ``seed`` without touching
    torch's global generator; the read-out's bias ``a`` starts at zero, and the bias rows of the
    forget gate (0:H) and of the input gate (H:2H) are shifted by ``forget_bias``, ``input_bias``.
    """

    def __init__(self, cell, input_size: int = SYMBOLS, hidden_size: int = HIDDEN, classes: int = SYMBOLS,
                 seed: int = 0, forget_bias: float = FORGET_BIAS, input_bias: float = INPUT_BIAS):
        super().__init__()
        if not callable(cell):
            raise TypeError(f"cell must be a function (x_t, h_prev, c_prev, W, b) -> (h, c), got {type(cell).__name__}")
        D, H = require_int("input_size", input_size, 1), require_int("hidden_size", hidden_size, 1)
        K = require_int("classes", classes, 2)
        generator = torch.Generator().manual_seed(require_int("seed", seed, 0))
        bound = 1 / math.sqrt(H)
        self.cell = cell
        self.W = torch.nn.Parameter(_uniform(generator, (4 * H, H + D), bound))
        b = _uniform(generator, (4 * H,), bound)
        b[:H] += float(forget_bias)
        b[H:2 * H] += float(input_bias)
        self.b = torch.nn.Parameter(b)
        self.V = torch.nn.Parameter(_uniform(generator, (K, H), bound))
        self.a = torch.nn.Parameter(torch.zeros(K))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, K) for sequences x (N, T, D)."""
        N, T, _ = x.shape
        H = self.W.shape[0] // 4
        h = c = x.new_zeros(N, H)
        for t in range(T):
            out = self.cell(x[:, t], h, c, self.W, self.b)
            if not (isinstance(out, tuple) and len(out) == 2 and all(isinstance(v, torch.Tensor) for v in out)):
                raise TypeError(f"the cell returned {type(out).__name__}, expected a tuple (h, c) of two tensors")
            h, c = out
            if h.shape != (N, H) or c.shape != (N, H):
                raise ValueError(f"the cell returned h {tuple(h.shape)} and c {tuple(c.shape)}, "
                                 f"expected ({N}, {H}) each")
        return h @ self.V.T + self.a


class RNNClassifier(torch.nn.Module):
    """A vanilla ``torch.nn.RNN`` (tanh, batch first) with a linear read-out of its last hidden
    state; torch's default initialisation, drawn from ``seed`` without touching torch's global
    generator. Logits (N, K) for sequences x (N, T, D)."""

    def __init__(self, input_size: int = SYMBOLS, hidden_size: int = HIDDEN, classes: int = SYMBOLS, seed: int = 0):
        super().__init__()
        D, H = require_int("input_size", input_size, 1), require_int("hidden_size", hidden_size, 1)
        K = require_int("classes", classes, 2)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(require_int("seed", seed, 0))
            self.rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True)
            self.readout = torch.nn.Linear(H, K)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states, _ = self.rnn(x)
        return self.readout(states[:, -1])


def train_classifier(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int = STEPS, batch: int = BATCH,
                     learning_rate: float = LEARNING_RATE, max_norm: float = MAX_NORM) -> list[float]:
    """Adam on the cross-entropy of ``steps`` consecutive batches of ``batch`` sequences from x
    (at least steps * batch, (N, T, D)) and y (N,), the gradient norm clipped at ``max_norm``
    before each update. Returns the ``steps`` batch losses, each before its update."""
    steps, batch = require_int("steps", steps, 1), require_int("batch", batch, 1)
    learning_rate, max_norm = require_positive("learning_rate", learning_rate), require_positive("max_norm", max_norm)
    if x.shape[0] < steps * batch or y.shape[0] != x.shape[0]:
        raise ValueError(f"need at least steps * batch = {steps * batch} sequences and one label each, "
                         f"got x {tuple(x.shape)} and y {tuple(y.shape)}")
    parameters = list(model.parameters())
    optimiser = torch.optim.Adam(parameters, lr=learning_rate)
    losses = []
    for step in range(steps):
        rows = slice(step * batch, (step + 1) * batch)
        loss = torch.nn.functional.cross_entropy(model(x[rows]), y[rows])
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, max_norm)
        optimiser.step()
        losses.append(float(loss.detach()))
    return losses


def accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """The fraction of sequences x (N, T, D) whose largest logit is their label y (N,)."""
    with torch.no_grad():
        return float((model(x).argmax(dim=1) == y).double().mean())
