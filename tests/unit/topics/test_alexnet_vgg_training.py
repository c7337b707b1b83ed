"""Unit tests of lecture 03's training helpers: the activation total of a layer table and its
figure, plain and residual stacks, the training loop, AlexNet's recipe networks, the gaps between
training and test performance and the ImageNet figure. Expected values come from closed forms,
from sums done by hand and from torch's own autograd and optimisers."""
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402

from course_utils.topics.alexnet_vgg import (  # noqa: E402
    ALEXNET_ENSEMBLE,
    ILSVRC_2012_RESULTS,
    ILSVRC_WINNERS,
    DeepMLP,
    deep_mlp,
    draw_error_curves,
    draw_grad_norm_vs_depth,
    draw_ilsvrc_errors,
    draw_layer_costs,
    draw_train_test_curves,
    error_rate,
    evaluate,
    final_gaps,
    first_layer_grad_norm,
    layer_table,
    mlp,
    steps_to_reach,
    train_classifier,
    vgg,
)

KINDS = ("Conv2d", "MaxPool2d", "Linear")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------------- activations, input included

def vgg16_values_closed_form(include_input):
    """The slide's lines: 2+2+3+3+3 convolutions of 64..512 channels, five poolings, 3 fc."""
    values, size = 0, 224
    for channels, convs in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        values += convs * channels * size * size
        size //= 2
        values += channels * size * size          # the pooling
    values += 4096 + 4096 + 1000
    return values + (3 * 224 * 224 if include_input else 0)


def test_activations_of_vgg16_with_and_without_the_input():
    table = layer_table(vgg("D", device="meta"), (3, 224, 224))
    assert table.activations(KINDS) == vgg16_values_closed_form(True) == 15_237_608
    assert table.activations(KINDS, include_input=False) == vgg16_values_closed_form(False)
    with pytest.raises(ValueError, match="include_input"):
        table.activations(KINDS, include_input="yes")


def test_layer_costs_figure_counts_the_input_and_says_so():
    table = layer_table(vgg("D", device="meta"), (3, 224, 224))
    fig = draw_layer_costs(table)
    title = fig.axes[1].get_title()
    assert f"activations: {vgg16_values_closed_form(True) / 1e6:.1f}M in all, input included" == title
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][0] == "input"
    bars = fig.axes[1].patches
    assert bars[0].get_width() == pytest.approx(100 * 3 * 224 * 224 / vgg16_values_closed_form(True))
    assert sum(b.get_width() for b in bars) == pytest.approx(100)
    without = draw_layer_costs(table, include_input=False)
    assert "15.1M in all, input not counted" in without.axes[1].get_title()
    assert len(without.axes[1].patches) == len(bars) - 1
    with pytest.raises(ValueError, match="include_input"):
        draw_layer_costs(table, include_input=1)


# -------------------------------------------------------------------------- plain and residual

def mlp_params(depth, width, n_in=64, n_out=10):
    return (n_in + 1) * width + depth * (width + 1) * width + (width + 1) * n_out


@pytest.mark.parametrize("residual", [False, True])
def test_deep_mlp_shapes_and_parameters(residual):
    net = deep_mlp(5, width=16, residual=residual)
    assert isinstance(net, DeepMLP)
    assert sum(p.numel() for p in net.parameters()) == mlp_params(5, 16)
    assert net(torch.zeros(3, 1, 8, 8)).shape == (3, 10)      # images are flattened


def test_residual_blocks_with_zero_weights_are_the_identity():
    torch.manual_seed(0)
    net = deep_mlp(4, width=8, residual=True)
    for block in net.blocks:
        nn.init.zeros_(block.weight)
        nn.init.zeros_(block.bias)
    x = torch.randn(5, 64)
    expected = F.linear(F.relu(F.linear(x, net.stem.weight, net.stem.bias)), net.head.weight, net.head.bias)
    torch.testing.assert_close(net(x), expected)
    plain = deep_mlp(4, width=8)
    plain.load_state_dict(net.state_dict())                  # the same weights, no skip: the signal is 0
    torch.testing.assert_close(plain(x), net.head.bias.expand(5, 10))


def test_first_layer_grad_norm_matches_backward():
    torch.manual_seed(1)
    net = deep_mlp(3, width=8, residual=True)
    x, y = torch.randn(20, 64), torch.randint(0, 10, (20,))
    norm = first_layer_grad_norm(net, x, y)
    F.cross_entropy(net(x), y).backward()
    assert norm == pytest.approx(net.stem.weight.grad.norm().item(), rel=1e-6)


def test_plain_gradient_shrinks_as_the_closed_form_says():
    # default init: each plain block multiplies the squared gradient norm by about 1/6 on average,
    # each residual block by about 1 + 1/6
    x, y = torch.randn(512, 64), torch.randint(0, 10, (512,))
    ratios = {}
    for residual in (False, True):
        norms = []
        for depth in (0, 10):
            torch.manual_seed(0)
            norms.append(first_layer_grad_norm(deep_mlp(depth, width=128, residual=residual), x, y))
        ratios[residual] = (norms[1] / norms[0]) ** (1 / 10)
    assert ratios[False] == pytest.approx(1 / math.sqrt(6), rel=0.25)
    assert ratios[True] == pytest.approx(math.sqrt(7 / 6), rel=0.15)


def test_deep_mlp_and_grad_norm_reject_bad_input():
    with pytest.raises(ValueError, match="depth"):
        deep_mlp(-1)
    with pytest.raises(ValueError, match="width"):
        deep_mlp(2, width=0)
    with pytest.raises(ValueError, match="residual"):
        deep_mlp(2, residual="yes")
    with pytest.raises(TypeError, match="DeepMLP"):
        first_layer_grad_norm(nn.Linear(64, 10), torch.zeros(2, 64), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match="same first size"):
        first_layer_grad_norm(deep_mlp(1), torch.zeros(2, 64), torch.zeros(3, dtype=torch.long))


def test_grad_norm_figure():
    fig = draw_grad_norm_vs_depth([0, 1, 2], {"plain": [1.0, 0.1, 0.01], "residual": [1.0, 1.1, 1.2]})
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["plain", "residual"]
    with pytest.raises(ValueError, match="2 values for 3 depths"):
        draw_grad_norm_vs_depth([0, 1, 2], {"plain": [1.0, 0.1]})
    with pytest.raises(ValueError, match="non-positive"):
        draw_grad_norm_vs_depth([0, 1], {"plain": [1.0, 0.0]})


# ------------------------------------------------------------------------------ training loop

def test_train_classifier_takes_torch_sgd_steps():
    torch.manual_seed(0)
    x, y = torch.randn(30, 4), torch.randint(0, 3, (30,))
    ours, reference = nn.Linear(4, 3), nn.Linear(4, 3)
    reference.load_state_dict(ours.state_dict())
    history = train_classifier(ours, x, y, steps=5, lr=0.1, momentum=0.9, weight_decay=0.01)
    optimiser = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01)
    losses = []
    for _ in range(5):
        optimiser.zero_grad()
        loss = F.cross_entropy(reference(x), y)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    assert history["loss"] == pytest.approx(losses)
    torch.testing.assert_close(ours.weight, reference.weight)


def test_train_classifier_minibatches_are_seeded_and_tracked():
    x = torch.cat([torch.randn(50, 2) - 3, torch.randn(50, 2) + 3])
    y = torch.cat([torch.zeros(50, dtype=torch.long), torch.ones(50, dtype=torch.long)])
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        runs.append(train_classifier(nn.Linear(2, 2), x, y, steps=40, lr=0.1, batch_size=8, seed=3,
                                     track={"train": (x, y)}))
    assert runs[0] == runs[1]
    assert len(runs[0]["train error"]) == 40 and runs[0]["train error"][-1] == 0.0


def test_train_classifier_rejects_bad_input():
    x, y = torch.zeros(4, 2), torch.zeros(4, dtype=torch.long)
    net = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="int64 labels"):
        train_classifier(net, x, y.float(), steps=1, lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        train_classifier(net, x, y, steps=1, lr=0.0)
    with pytest.raises(ValueError, match="momentum"):
        train_classifier(net, x, y, steps=1, lr=0.1, momentum=1.0)
    with pytest.raises(ValueError, match="steps"):
        train_classifier(net, x, y, steps=0, lr=0.1)
    with pytest.raises(FloatingPointError, match="learning rate"):
        train_classifier(net, torch.full((4, 2), float("inf")), y, steps=1, lr=0.1)


def test_error_rate_and_steps_to_reach():
    net = nn.Linear(1, 2)
    with torch.no_grad():
        net.weight.copy_(torch.tensor([[-1.0], [1.0]]))
        net.bias.zero_()
    x = torch.tensor([[-2.0], [-1.0], [1.0], [2.0]])        # class 1 when x > 0
    y = torch.tensor([0, 1, 1, 1])
    net.train()
    assert error_rate(net, x, y) == 0.25 and net.training    # one of four wrong; mode restored
    assert steps_to_reach([0.9, 0.5, 0.3, 0.2], 0.3) == 3
    assert steps_to_reach([0.9, 0.5], 0.1) is None
    with pytest.raises(ValueError, match="target"):
        steps_to_reach([0.5], 25)


# ---------------------------------------------------------------------------- AlexNet's recipe

def test_mlp_layers_init_and_dropout():
    net = mlp([64, 32, 16, 10], activation="tanh", dropout=0.5, init_std=0.3)
    assert [type(m).__name__ for m in net] == ["Flatten", "Linear", "Tanh", "Dropout", "Linear", "Tanh",
                                               "Dropout", "Linear"]
    first = net[1]
    assert first.weight.std().item() == pytest.approx(0.3, rel=0.1) and first.bias.abs().sum() == 0
    assert [type(m).__name__ for m in mlp([4, 3])] == ["Flatten", "Linear"]
    assert net(torch.zeros(2, 1, 8, 8)).shape == (2, 10)
    with pytest.raises(ValueError, match="activation"):
        mlp([4, 3, 2], activation="sigmoid")
    with pytest.raises(ValueError, match="dropout"):
        mlp([4, 3, 2], dropout=1.0)
    with pytest.raises(ValueError, match="sizes"):
        mlp([4])


def test_error_curves_figure():
    fig = draw_error_curves({"a": {"ReLU": [0.5, 0.2], "tanh": [0.6, 0.4]}, "b": {"ReLU": [0.3, 0.1]}},
                            x_per_step=0.5, xlabel="epochs", target=0.25)
    assert len(fig.axes) == 2
    ax = fig.axes[0]
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and list(dashed[0].get_ydata()) == [0.25, 0.25]
    assert list(ax.get_lines()[0].get_xdata()) == [0.5, 1.0]
    assert ax.get_xlabel() == "epochs" and ax.get_ylabel()
    with pytest.raises(ValueError, match="no curves"):
        draw_error_curves({"a": {}})


def test_ilsvrc_figure_shows_the_typed_numbers():
    fig = draw_ilsvrc_errors()
    left, middle, right = fig.axes
    assert [b.get_height() for b in left.patches] == pytest.approx([100 * e for *_, e in ILSVRC_2012_RESULTS])
    assert [b.get_height() for b in middle.patches] == pytest.approx([100 * e for e in ALEXNET_ENSEMBLE.values()])
    assert [b.get_height() for b in right.patches] == pytest.approx([100 * e for _, _, e, _ in ILSVRC_WINNERS])
    assert left.get_ylabel() == "top-5 error (%)"
    # the 2012 winner of the year-by-year panel is the first line of the seed's 2012 table
    assert dict((y, e) for y, _, e, _ in ILSVRC_WINNERS)[2012] == ILSVRC_2012_RESULTS[0][2]


# ------------------------------------------------------------------ dropout: the gap between sets

def test_evaluate_matches_torch_and_runs_in_eval_mode():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5))
    x, y = torch.randn(7, 3), torch.tensor([0, 1, 2, 3, 0, 1, 2])
    net.train()
    error, loss = evaluate(net, x, y)
    with torch.no_grad():
        scores = F.linear(x, net[0].weight, net[0].bias)       # eval mode: dropout is the identity
    assert loss == pytest.approx(-torch.log_softmax(scores, 1)[torch.arange(7), y].mean().item(), rel=1e-6)
    assert error == pytest.approx((scores.argmax(1) != y).float().mean().item())
    assert net.training                                        # the mode is restored
    with pytest.raises(ValueError, match="int64 labels"):
        evaluate(net, x, y[:3])


def test_train_classifier_tracks_the_loss_of_each_set_in_eval_mode():
    torch.manual_seed(0)
    x, y = torch.randn(20, 4), torch.randint(0, 3, (20,))
    xt, yt = torch.randn(9, 4), torch.randint(0, 3, (9,))
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3))
    history = train_classifier(net, x, y, steps=3, lr=0.1, track={"train": (x, y), "test": (xt, yt)}, track_loss=True)
    assert sorted(history) == ["loss", "test error", "test loss", "train error", "train loss"]
    assert all(len(v) == 3 for v in history.values())
    net.eval()
    with torch.no_grad():                                       # the last tracked values: the final model, no dropout
        assert history["test loss"][-1] == pytest.approx(F.cross_entropy(net(xt), yt).item(), rel=1e-6)
        assert history["train error"][-1] == pytest.approx((net(x).argmax(1) != y).float().mean().item())
    assert "train loss" not in train_classifier(net, x, y, steps=1, lr=0.1, track={"train": (x, y)})
    with pytest.raises(ValueError, match="track_loss"):
        train_classifier(net, x, y, steps=1, lr=0.1, track_loss="yes")


def gap_history(train_error, test_error, train_loss, test_loss):
    return {"train error": train_error, "test error": test_error, "train loss": train_loss, "test loss": test_loss}


def test_final_gaps_by_hand():
    history = gap_history([0.5, 0.1, 0.0], [0.6, 0.3, 0.2], [2.0, 0.5, 0.1], [2.1, 1.0, 1.3])
    gaps = final_gaps(history)
    assert gaps["accuracy"] == pytest.approx(0.2) and gaps["loss"] == pytest.approx(1.2)
    two = final_gaps(history, last=2)                        # means of the last two steps
    assert two["accuracy"] == pytest.approx((0.3 + 0.2) / 2 - (0.1 + 0.0) / 2)
    assert two["loss"] == pytest.approx((1.0 + 1.3) / 2 - (0.5 + 0.1) / 2)
    with pytest.raises(ValueError, match="at most the 3 steps"):
        final_gaps(history, last=4)
    with pytest.raises(ValueError, match="last"):
        final_gaps(history, last=0)
    with pytest.raises(ValueError, match="track_loss=True"):
        final_gaps({"train error": [0.1], "test error": [0.2]})
    with pytest.raises(ValueError, match="one length"):
        final_gaps(gap_history([0.1], [0.2, 0.3], [1.0], [1.0]))


def test_train_test_curves_figure():
    runs = {"no dropout": gap_history([0.5, 0.0, 0.0], [0.6, 0.3, 0.3], [2.0, 0.1, 0.0], [2.1, 1.5, 1.7]),
            "dropout 0.5": gap_history([0.5, 0.1, 0.0], [0.6, 0.25, 0.2], [2.0, 0.3, 0.1], [2.1, 1.0, 1.1])}
    fig = draw_train_test_curves(runs, last=2, x_per_step=2.0, xlabel="epochs")
    acc_ax, loss_ax = fig.axes
    lines = acc_ax.get_lines()
    assert len(lines) == 4 and [line.get_linestyle() for line in lines] == ["-", "--", "-", "--"]
    assert list(lines[1].get_xdata()) == [2.0, 4.0, 6.0]
    assert list(lines[1].get_ydata()) == pytest.approx([40.0, 70.0, 70.0])      # accuracy in %, test, no dropout
    assert list(loss_ax.get_lines()[3].get_ydata()) == pytest.approx([2.1, 1.0, 1.1])
    # the gaps of the last 2 steps: (0.3 + 0.3 - 0 - 0) / 2 and (0.25 + 0.2 - 0.1 - 0) / 2 in accuracy,
    # (1.5 + 1.7 - 0.1 - 0) / 2 and (1.0 + 1.1 - 0.3 - 0.1) / 2 in cross-entropy
    assert "no dropout 30.0, dropout 0.5 17.5 points" in acc_ax.get_title()
    assert "no dropout 1.55, dropout 0.5 0.85" in loss_ax.get_title()
    assert acc_ax.get_xlabel() == "epochs" and acc_ax.get_ylabel() and loss_ax.get_ylabel()
    assert len(acc_ax.patches) == 1                                          # the averaged steps, shaded
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[:4] == ["no dropout, train", "no dropout, test", "dropout 0.5, train", "dropout 0.5, test"]
    with pytest.raises(ValueError, match="at least one run"):
        draw_train_test_curves({})
    with pytest.raises(ValueError, match="lacks"):
        draw_train_test_curves({"a": {"train error": [0.1]}})
