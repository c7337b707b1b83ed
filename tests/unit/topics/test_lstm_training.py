"""Unit tests of course_utils.topics.lstm_gates.training against torch.nn.LSTMCell, explicit loops and
closed forms (Adam's first step, the cross-entropy of a softmax)."""
import math

import pytest
import torch

from course_utils.topics.lstm_gates.training import (
    FORGET_BIAS,
    HIDDEN,
    INPUT_BIAS,
    LENGTH,
    SYMBOLS,
    CellClassifier,
    RNNClassifier,
    accuracy,
    recall_data,
    train_classifier,
)


def _cell_by_torch(x, h, c, W, b):
    """One step of torch.nn.LSTMCell holding W (row blocks f, i, g, o on [h, x]) and b: an independent cell."""
    H = h.shape[1]
    rows = torch.cat([torch.arange(k * H, (k + 1) * H) for k in (1, 0, 2, 3)])   # torch stores i, f, g, o
    cell = torch.nn.LSTMCell(x.shape[1], H, dtype=x.dtype)
    weights = {"weight_hh": W[rows, :H], "weight_ih": W[rows, H:], "bias_ih": b[rows], "bias_hh": torch.zeros_like(b)}
    return torch.func.functional_call(cell, weights, (x, (h, c)))


def test_recall_data_shapes_labels_and_seed():
    x, y, x_test, y_test = recall_data(3, steps=4, batch=5, test=7)
    assert x.shape == (20, LENGTH, SYMBOLS) and x.dtype == torch.float32 and y.shape == (20,)
    assert x_test.shape == (7, LENGTH, SYMBOLS) and y_test.dtype == torch.int64
    assert torch.equal(x[:, 0].argmax(1), y) and torch.equal(x_test[:, 0].argmax(1), y_test)
    assert torch.equal(x.sum(-1), torch.ones(20, LENGTH))                       # one-hot
    again = recall_data(3, steps=4, batch=5, test=7)
    assert all(torch.equal(a, b) for a, b in zip((x, y, x_test, y_test), again))
    assert not torch.equal(recall_data(4, steps=4, batch=5, test=7)[0], x)
    assert not torch.equal(x_test, x[:7])                                      # test sequences are new ones


def test_cell_classifier_runs_the_cell_and_reads_out_the_last_state():
    model = CellClassifier(_cell_by_torch, input_size=3, hidden_size=5, classes=4, seed=1).double()
    x = torch.randn(6, 7, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    # the same network through torch.nn.LSTM, read out by hand
    H, W, b = 5, model.W.detach(), model.b.detach()
    rows = torch.cat([torch.arange(k * H, (k + 1) * H) for k in (1, 0, 2, 3)])
    lstm = torch.nn.LSTM(3, H, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        lstm.weight_hh_l0.copy_(W[rows, :H])
        lstm.weight_ih_l0.copy_(W[rows, H:])
        lstm.bias_ih_l0.copy_(b[rows])
        lstm.bias_hh_l0.zero_()
        expected = lstm(x)[0][:, -1] @ model.V.detach().T + model.a.detach()
        torch.testing.assert_close(model(x), expected, rtol=1e-10, atol=1e-12)


def test_cell_classifier_initialisation():
    before = torch.random.get_rng_state()
    model = CellClassifier(_cell_by_torch, seed=5)
    assert torch.equal(torch.random.get_rng_state(), before)                   # the global generator is untouched
    H, bound = HIDDEN, 1 / math.sqrt(HIDDEN)
    assert model.W.shape == (4 * H, H + SYMBOLS) and model.b.shape == (4 * H,) and model.V.shape == (SYMBOLS, H)
    assert model.W.abs().max() <= bound and model.V.abs().max() <= bound and not model.a.any()
    assert ((model.b[:H] - FORGET_BIAS).abs() <= bound).all()
    assert ((model.b[H:2 * H] - INPUT_BIAS).abs() <= bound).all()
    assert (model.b[2 * H:].abs() <= bound).all()
    assert torch.equal(CellClassifier(_cell_by_torch, seed=5).W, model.W)
    assert not torch.equal(CellClassifier(_cell_by_torch, seed=6).W, model.W)


@pytest.mark.parametrize("cell, error", [(lambda x, h, c, W, b: h, TypeError),
                                         (lambda x, h, c, W, b: (h[:, :1], c), ValueError)])
def test_cell_classifier_names_a_cell_that_returns_the_wrong_thing(cell, error):
    with pytest.raises(error, match="the cell returned"):
        CellClassifier(cell)(torch.zeros(2, 3, SYMBOLS))


def test_rnn_classifier_is_a_tanh_recurrence_with_a_read_out():
    before = torch.random.get_rng_state()
    model = RNNClassifier(input_size=3, hidden_size=4, classes=2, seed=2)
    assert torch.equal(torch.random.get_rng_state(), before)
    x = torch.randn(5, 6, 3, generator=torch.Generator().manual_seed(1))
    r = model.rnn
    h = torch.zeros(5, 4)
    for t in range(6):
        h = torch.tanh(x[:, t] @ r.weight_ih_l0.T + r.bias_ih_l0 + h @ r.weight_hh_l0.T + r.bias_hh_l0)
    torch.testing.assert_close(model(x), model.readout(h))
    assert torch.equal(RNNClassifier(3, 4, 2, seed=2).rnn.weight_hh_l0, r.weight_hh_l0)


def test_train_classifier_first_step_is_adams_sign_step():
    x, y, _, _ = recall_data(0, steps=1, batch=16)
    model = CellClassifier(_cell_by_torch, seed=0)
    start = {k: v.detach().clone() for k, v in model.named_parameters()}
    logits = model(x)
    # cross-entropy by its formula, and the gradient it gives
    loss = (torch.logsumexp(logits, 1) - logits[torch.arange(16), y]).mean()
    grads = dict(zip(start, torch.autograd.grad(loss, list(model.parameters()))))
    losses = train_classifier(model, x, y, steps=1, batch=16, learning_rate=0.01, max_norm=1.0)
    assert len(losses) == 1 and losses[0] == pytest.approx(loss.item(), rel=1e-6)
    # Adam's first update is -lr * m / (sqrt(v) + eps) with m = (1 - b1) g / (1 - b1), v likewise: -lr * sign(g)
    for name, value in model.named_parameters():
        g = grads[name]
        moved = g.abs() > 1e-5                                                    # far from Adam's eps
        torch.testing.assert_close((value.detach() - start[name])[moved], -0.01 * g.sign()[moved], rtol=1e-3, atol=1e-6)


def test_accuracy_counts_the_largest_logit():
    class Fixed(torch.nn.Module):
        def forward(self, x):
            return torch.tensor([[0.0, 1.0], [2.0, 1.0], [0.0, 3.0], [5.0, 4.0]])
    assert accuracy(Fixed(), torch.zeros(4, 1, 1), torch.tensor([1, 0, 0, 1])) == 0.5


@pytest.mark.parametrize("call", [
    lambda: recall_data(-1), lambda: recall_data(0, steps=0), lambda: CellClassifier(_cell_by_torch, hidden_size=0),
    lambda: train_classifier(RNNClassifier(), *recall_data(0, steps=1, batch=4)[:2], steps=2, batch=4),
    lambda: train_classifier(RNNClassifier(), *recall_data(0, steps=1, batch=4)[:2], steps=1, batch=4,
                             learning_rate=-1.0)])
def test_bad_arguments_are_refused(call):
    with pytest.raises(ValueError):
        call()


def test_a_non_function_cell_is_refused():
    with pytest.raises(TypeError, match="cell must be a function"):
        CellClassifier("lstm")
