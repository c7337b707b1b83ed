"""Unit tests of course_utils.topics.alexnet_vgg.design: networks built from layer specs, checked
against parameter counts and output sizes computed by hand, and the digits split into images."""
import pytest
import torch
from torch import nn

from course_utils.topics.alexnet_vgg import build_model, digits_images_split

LENET = [{"type": "conv", "out_channels": 6, "kernel": 5, "padding": 2}, {"type": "pool", "kernel": 2, "stride": 2},
         {"type": "conv", "out_channels": 16, "kernel": 5}, {"type": "pool", "kernel": 2, "stride": 2},
         {"type": "fc", "out_features": 120}, {"type": "fc", "out_features": 84}, {"type": "fc", "out_features": 10}]


def test_lenet_has_the_published_parameter_count_and_output():
    model = build_model(LENET, (1, 28, 28))
    # by hand: 5*5*6+6, 5*5*6*16+16, 400*120+120, 120*84+84, 84*10+10
    assert sum(p.numel() for p in model.parameters()) == 156 + 2_416 + 48_120 + 10_164 + 850 == 61_706
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


def test_relu_after_every_conv_and_fc_but_the_last_and_flatten_before_the_first_fc():
    kinds = [type(m) for m in build_model(LENET, (1, 28, 28))]
    assert kinds == [nn.Conv2d, nn.ReLU, nn.MaxPool2d, nn.Conv2d, nn.ReLU, nn.MaxPool2d,
                     nn.Flatten, nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Linear]


def test_defaults_of_the_spec_format():
    model = build_model([{"type": "conv", "out_channels": 4, "kernel": 3, "bias": False},
                         {"type": "pool", "kernel": 3}, {"type": "fc", "out_features": 5, "bias": False}], (2, 11, 10))
    conv, _, pool, _, fc = model
    assert conv.stride == (1, 1) and conv.padding == (0, 0) and conv.bias is None
    assert pool.stride == 3                                  # the kernel size
    # (11 - 3) + 1 = 9, (10 - 3) + 1 = 8; pooled by 3: 3 x 2
    assert fc.in_features == 4 * 3 * 2 and fc.bias is None
    assert model(torch.zeros(1, 2, 11, 10)).shape == (1, 5)


def test_strided_padded_conv_and_a_final_conv_without_relu():
    model = build_model([{"type": "conv", "out_channels": 3, "kernel": 3, "stride": 2, "padding": 1}], (1, 8, 8))
    assert [type(m) for m in model] == [nn.Conv2d]
    assert model(torch.zeros(1, 1, 8, 8)).shape == (1, 3, 4, 4)   # (8 + 2 - 3) // 2 + 1 = 4


def test_same_seed_same_initialisation_and_cpu_parameters():
    torch.manual_seed(5)
    first = build_model(LENET, (1, 28, 28))
    torch.manual_seed(5)
    second = build_model(LENET, (1, 28, 28))
    for a, b in zip(first.parameters(), second.parameters()):
        assert a.device.type == "cpu" and torch.equal(a, b)


@pytest.mark.parametrize("specs, shape, words", [
    ([], (1, 8, 8), "empty"),
    ([{"type": "relu"}], (1, 8, 8), "'conv', 'pool' or 'fc'"),
    ([{"type": "conv", "out_channels": 2, "kernel": 3, "dilation": 2}], (1, 8, 8), "unknown keys"),
    ([{"type": "fc", "out_features": 4}, {"type": "conv", "out_channels": 2, "kernel": 1}], (1, 8, 8), "after a fully"),
    ([{"type": "fc", "out_features": 4}], (64,), "(C, H, W)"),
])
def test_bad_specs_are_named(specs, shape, words):
    with pytest.raises(ValueError) as error:
        build_model(specs, shape)
    assert words in str(error.value)


def test_digits_split_is_fixed_disjoint_and_shaped_as_images():
    x_train, y_train, x_test, y_test = digits_images_split()
    assert x_train.shape == (1_437, 1, 8, 8) and x_test.shape == (360, 1, 8, 8)
    assert x_train.dtype == torch.float32 and y_train.dtype == torch.int64
    assert 0.0 <= float(x_train.min()) and float(x_train.max()) <= 1.0
    assert sorted(torch.unique(y_test).tolist()) == list(range(10))
    again = digits_images_split()
    assert torch.equal(again[2], x_test) and torch.equal(again[3], y_test)
    train_rows = {tuple(r) for r in x_train.reshape(len(x_train), -1).tolist()}
    # the digits hold a few duplicated images; nearly all test images are unseen in training
    assert sum(tuple(r) in train_rows for r in x_test.reshape(360, -1).tolist()) < 10
    with pytest.raises(ValueError):
        digits_images_split(n_test=1_797)
