"""Unit tests of course_utils.topics.alexnet_vgg: the networks against their published tables and
torch's own counts, the layer table against closed forms and a real forward pass."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402

from course_utils.topics.alexnet_vgg import (  # noqa: E402
    VGG_CONFIGS,
    VGG_PAPER_PARAMS_M,
    LayerTable,
    alexnet,
    draw_layer_costs,
    draw_plain_cnn,
    layer_table,
    lenet5,
    plain_cnn,
    vgg,
)


def torch_count(model):
    return sum(p.numel() for p in model.parameters())


def conv_count(c_in, c_out, k, groups=1, bias=True):
    """Closed form: c_out filters of k x k over c_in / groups channels, plus one bias each."""
    return c_out * (c_in // groups) * k * k + (c_out if bias else 0)


def fc_count(n_in, n_out):
    return n_in * n_out + n_out


# ------------------------------------------------------------------------------------- AlexNet

# The slides' "full (simplified)" table: (layer, output (C, H, W) or (F,))
SEED_ALEXNET = [("conv1", (96, 55, 55)), ("pool1", (96, 27, 27)), ("norm1", (96, 27, 27)),
                ("conv2", (256, 27, 27)), ("pool2", (256, 13, 13)), ("norm2", (256, 13, 13)),
                ("conv3", (384, 13, 13)), ("conv4", (384, 13, 13)), ("conv5", (256, 13, 13)),
                ("pool3", (256, 6, 6)), ("fc6", (4096,)), ("fc7", (4096,)), ("fc8", (1000,))]


@pytest.mark.parametrize("two_gpu", [False, True])
def test_alexnet_shapes_follow_the_seed_table(two_gpu):
    table = layer_table(alexnet(two_gpu=two_gpu, device="meta"), (3, 227, 227))
    for name, shape in SEED_ALEXNET:
        if two_gpu and name.startswith("norm"):  # the paper normalises before pooling
            shape = table.row("conv" + name[-1]).output_shape
        assert table.row(name).output_shape == shape, name
    # the order of the table's layers (pool before norm in the simplified version)
    order = [r.name for r in table.rows if r.name in dict(SEED_ALEXNET)]
    if not two_gpu:
        assert order == [name for name, _ in SEED_ALEXNET]


def test_alexnet_parameters_closed_form():
    hand = {"conv1": conv_count(3, 96, 11), "conv2": conv_count(96, 256, 5), "conv3": conv_count(256, 384, 3),
            "conv4": conv_count(384, 384, 3), "conv5": conv_count(384, 256, 3),
            "fc6": fc_count(6 * 6 * 256, 4096), "fc7": fc_count(4096, 4096), "fc8": fc_count(4096, 1000)}
    model = alexnet(device="meta")
    table = layer_table(model, (3, 227, 227))
    for name, count in hand.items():
        assert table.row(name).params == count, name
        assert sum(p.numel() for p in getattr(model, name).parameters()) == count
    assert torch_count(model) == sum(hand.values()) == table.params == 62_378_344
    assert table.other_params == 0


def test_alexnet_two_gpu_groups():
    model = alexnet(two_gpu=True, device="meta")
    assert [getattr(model, f"conv{i}").groups for i in range(1, 6)] == [1, 2, 1, 2, 2]
    hand = (conv_count(3, 96, 11) + conv_count(96, 256, 5, groups=2) + conv_count(256, 384, 3)
            + conv_count(384, 384, 3, groups=2) + conv_count(384, 256, 3, groups=2)
            + fc_count(9216, 4096) + fc_count(4096, 4096) + fc_count(4096, 1000))
    assert torch_count(model) == hand == 60_965_224
    names = [n for n, _ in model.named_children()]
    assert names.index("norm1") < names.index("pool1")  # the paper normalises, then pools


def test_alexnet_on_224_does_not_reach_6x6():
    # (224 - 11) / 4 + 1 = 54.25: torch floors to 54, and the maps end at 5x5, not 6x6
    features = nn.Sequential(*list(alexnet(device="meta").children())[:15])
    out = features(torch.zeros(1, 3, 224, 224, device="meta"))
    assert tuple(out.shape) == (1, 256, 5, 5)
    with pytest.raises(RuntimeError):
        layer_table(alexnet(device="meta"), (3, 224, 224))


# ----------------------------------------------------------------------------------------- VGG

@pytest.mark.parametrize("config", list(VGG_CONFIGS))
def test_vgg_matches_the_paper_in_millions(config):
    model = vgg(config, device="meta")
    table = layer_table(model, (3, 224, 224))
    assert table.params == torch_count(model)
    assert round(torch_count(model) / 1e6) == VGG_PAPER_PARAMS_M[config]
    assert table.rows[-1].output_shape == (1000,)
    assert table.row("pool5").output_shape == (512, 7, 7)


def test_vgg_weight_layers_and_closed_form():
    expected_layers = {"A": 11, "A-LRN": 11, "B": 13, "C": 16, "D": 16, "E": 19}
    for config, depth in expected_layers.items():
        model = vgg(config, device="meta")
        weight_layers = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
        assert len(weight_layers) == depth, config
    # VGG16 by hand: 13 convolutions (3x3, padding 1) and 3 fully connected layers
    widths = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
    convs = sum(conv_count(c_in, c_out, 3) for c_in, c_out in zip([3] + widths[:-1], widths))
    fcs = fc_count(512 * 7 * 7, 4096) + fc_count(4096, 4096) + fc_count(4096, 1000)
    assert torch_count(vgg("D", device="meta")) == convs + fcs == 138_357_544
    # C's 1x1 convolutions have no padding
    c = vgg("C", device="meta")
    assert c.conv3_3.kernel_size == (1, 1) and c.conv3_3.padding == (0, 0)
    assert isinstance(vgg("A-LRN", device="meta").norm1, nn.LocalResponseNorm)


def test_vgg16_layer_table_matches_the_slide():
    table = layer_table(vgg("D", device="meta"), (3, 224, 224))
    # the slide's lines: (output values, weights without biases)
    assert table.row("conv1_1").values == 224 * 224 * 64 and table.row("conv1_1").weights == 3 * 3 * 3 * 64
    assert table.row("conv1_2").weights == 36_864
    assert table.row("fc6").weights == 7 * 7 * 512 * 4096 == 102_760_448
    counted = table.select(("Conv2d", "MaxPool2d", "Linear"))
    assert table.input_values + sum(r.values for r in counted) == 15_237_608
    # multiply-adds of a convolution: output values times the length of each dot product
    assert table.row("conv1_2").macs == 224 * 224 * 64 * (3 * 3 * 64)
    assert table.row("fc7").macs == 4096 * 4096


def test_unknown_vgg_config():
    with pytest.raises(ValueError, match="unknown VGG configuration"):
        vgg("F")


# ------------------------------------------------------------------------------------- LeNet-5

def test_lenet5():
    model = lenet5()
    hand = conv_count(1, 6, 5) + conv_count(6, 16, 5) + conv_count(16, 120, 5) + fc_count(120, 84) + fc_count(84, 10)
    assert torch_count(model) == hand == 61_706
    table = layer_table(model, (1, 32, 32))
    assert [table.row(n).output_shape for n in ("c1", "s2", "c3", "s4", "c5", "f6", "output")] == \
        [(6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (120, 1, 1), (84,), (10,)]


# --------------------------------------------------------------------------------- layer table

class TwoBranch(nn.Module):
    """A module with its own parameter besides children, and a leaf called twice."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 3, padding=1)
        self.act = nn.ReLU()
        self.scale = nn.Parameter(torch.ones(5))
        self.unused = nn.Linear(3, 3)

    def forward(self, x):
        return self.act(self.conv(self.act(x)))


def test_meta_table_equals_a_real_forward_and_leaves_the_model_alone():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 4 * 4, 5))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    meta = layer_table(model, (3, 16, 16))
    real = layer_table(model, (3, 16, 16), device=None)
    assert [(r.name, r.output_shape, r.params, r.values, r.macs) for r in meta.rows] == \
        [(r.name, r.output_shape, r.params, r.values, r.macs) for r in real.rows]
    # the model is not moved, and batch-norm statistics of the meta run are not written back
    assert all(p.device.type == "cpu" for p in model.parameters())
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in ("0.weight", "1.running_mean", "1.running_var"))
    # the shapes are those of a real forward pass
    with torch.no_grad():
        hidden = model[:4](torch.zeros(1, 3, 16, 16))
    assert meta.row("3").output_shape == tuple(hidden.shape[1:]) == (8, 4, 4)
    assert meta.row("0").macs == 8 * 8 * 8 * (3 * 3 * 3)
    assert meta.row("1").params == 16 and meta.row("1").weights == 8 and meta.row("1").biases == 8


def test_other_params_and_repeated_calls():
    model = TwoBranch()
    table = layer_table(model, (2, 5, 5))
    assert [r.name for r in table.rows] == ["act", "conv", "act"]
    assert table.row("conv").params == 2 * 2 * 9 + 2
    assert table.params + table.other_params == torch_count(model) == 38 + 5 + 12
    assert table.other_params == 5 + 12  # the direct parameter and the never-called linear layer
    assert "held outside these rows" in table.to_text()


def test_bytes_and_batch_size():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    table = layer_table(model, (1, 8, 8))
    half = layer_table(model, (1, 8, 8), dtype=torch.float16)
    batched = layer_table(model, (1, 8, 8), batch_size=3)
    assert table.row("0").values == 4 * 6 * 6 and table.row("0").bytes == 4 * 6 * 6 * 4
    assert half.row("0").bytes == 4 * 6 * 6 * 2 and half.input_bytes == 64 * 2
    assert table.input_values == 64 and table.input_bytes == 256
    assert [r.values for r in batched.rows] == [r.values for r in table.rows]
    assert table.total("params", kinds="Linear") == 144 * 2 + 2
    assert table.total("macs") == 4 * 36 * 9 + 2 * 144
    assert table.bytes == 4 * table.values


def test_double_precision_model_and_real_device():
    model = nn.Sequential(nn.Linear(3, 4)).double()
    table = layer_table(model, (3,), device=None)
    assert table.rows[0].bytes == 4 * 8 and table.input_bytes == 3 * 8


@pytest.mark.parametrize("shape", [224, (3, 0, 4), (3, 2.0, 4), (True, 3)])
def test_bad_input_shape(shape):
    with pytest.raises(ValueError, match="input_shape"):
        layer_table(nn.ReLU(), shape)


def test_bad_arguments():
    with pytest.raises(ValueError, match="device"):
        layer_table(nn.ReLU(), (3,), device="cpu")
    with pytest.raises(ValueError, match="batch_size"):
        layer_table(nn.ReLU(), (3,), batch_size=0)
    table = layer_table(nn.ReLU(), (3,))
    with pytest.raises(ValueError, match="unknown column"):
        table.total("flops")
    with pytest.raises(KeyError, match="no layer named"):
        table.row("conv9")
    assert isinstance(table, LayerTable) and table.rows[0].output_shape == (3,)


# ------------------------------------------------------------------------- plain CNN, figures

def test_plain_cnn_closed_form():
    model = plain_cnn(n_conv=3, channels=8, input_size=32, f=5, fc_units=20)
    hand = (conv_count(1, 8, 5) + conv_count(8, 16, 5) + conv_count(16, 32, 5)
            + fc_count(32 * 4 * 4, 20) + fc_count(20, 10))
    assert torch_count(model) == hand
    assert tuple(model(torch.zeros(2, 1, 32, 32)).shape) == (2, 10)
    flat = plain_cnn(n_conv=2, channels=4, input_size=9, double_after_pool=False, fc_units=0)
    assert torch_count(flat) == conv_count(1, 4, 3) + conv_count(4, 4, 3) + fc_count(4 * 2 * 2, 10)


@pytest.mark.parametrize("kwargs, words", [
    ({"f": 4}, "odd"), ({"n_conv": 6, "input_size": 32}, "below 1x1"), ({"channels": 0}, ">= 1"),
    ({"n_conv": 2.0}, "int"), ({"fc_units": -1}, ">= 0")])
def test_plain_cnn_bad_input(kwargs, words):
    with pytest.raises(ValueError, match=words):
        plain_cnn(**kwargs)


def _texts(fig):
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def test_plot_layer_costs_is_labelled(capsys):
    table = layer_table(vgg("D", device="meta"), (3, 224, 224))
    fig = draw_layer_costs(table, title="VGG16")
    try:
        assert isinstance(fig, Figure) and len(fig.axes) == 3
        assert all(ax.get_xlabel() for ax in fig.axes) and fig.axes[0].get_ylabel()
        assert "fc6" in _texts(fig) and "138.4M" in _texts(fig)
    finally:
        plt.close(fig)
    with pytest.raises(ValueError):
        draw_layer_costs(table, kinds=("GRU",))
    with pytest.raises(ValueError):
        draw_layer_costs(table, memory="pages")


def test_draw_plain_cnn(capsys):
    fig = draw_plain_cnn(n_conv=2, channels=4, input_size=16)
    try:
        assert isinstance(fig, Figure)
        printed = capsys.readouterr().out
        assert "conv2" in printed and "4x8x8" in printed
        params = torch_count(plain_cnn(n_conv=2, channels=4, input_size=16))
        assert f"{params:,} parameters" in _texts(fig)
    finally:
        plt.close(fig)
    message = draw_plain_cnn(n_conv=5, input_size=8)
    assert isinstance(message, str) and "does not fit" in message
