"""Unit tests of course_utils.topics.lstm_gates against the LSTM equations, written out here in torch."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils.topics.lstm_gates import LSTMTrace, as_lstm_cell, draw_lstm_step, trace_lstm  # noqa: E402


def equations(cell, x, h0=None, c0=None):
    """The gates and states from the textbook equations, in float64, with torch's gate order
    (i, f, g, o) and its two weight matrices and biases."""
    H = cell.hidden_size
    w_ih, w_hh = cell.weight_ih.detach().double(), cell.weight_hh.detach().double()
    if cell.bias:
        b = cell.bias_ih.detach().double() + cell.bias_hh.detach().double()
    else:
        b = torch.zeros(4 * H, dtype=torch.float64)
    x = torch.as_tensor(x, dtype=torch.float64)
    h = torch.zeros(H, dtype=torch.float64) if h0 is None else torch.as_tensor(h0, dtype=torch.float64)
    c = torch.zeros(H, dtype=torch.float64) if c0 is None else torch.as_tensor(c0, dtype=torch.float64)
    out = {k: [] for k in ("input", "forget", "candidate", "output")}
    cells, hiddens = [c], [h]
    for x_t in x:
        z = w_ih @ x_t + w_hh @ h + b
        i, f = torch.sigmoid(z[:H]), torch.sigmoid(z[H:2 * H])
        g, o = torch.tanh(z[2 * H:3 * H]), torch.sigmoid(z[3 * H:])
        c = f * c + i * g
        h = o * torch.tanh(c)
        for k, v in zip(("input", "forget", "candidate", "output"), (i, f, g, o)):
            out[k].append(v)
        cells.append(c)
        hiddens.append(h)
    result = {k: torch.stack(v).numpy() for k, v in out.items()}
    result["cell"] = torch.stack(cells).numpy()
    result["hidden"] = torch.stack(hiddens).numpy()
    return result


def random_cell(d, h, seed, bias=True, dtype=torch.float32):
    torch.manual_seed(seed)
    cell = torch.nn.LSTMCell(d, h, bias=bias, dtype=dtype)
    if bias:
        with torch.no_grad():
            cell.bias_ih.normal_()
            cell.bias_hh.normal_(std=0.5)
    return cell


def assert_matches(trace, expected, atol=1e-10):
    for name in ("forget", "input", "candidate", "output", "cell", "hidden"):
        got = getattr(trace, name)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, expected[name], rtol=1e-9, atol=atol, err_msg=name)


@pytest.mark.parametrize("d, h, t, seed", [(1, 1, 1, 0), (3, 2, 5, 1), (4, 6, 12, 2), (8, 3, 30, 3)])
def test_matches_equations(d, h, t, seed):
    cell = random_cell(d, h, seed)
    x = torch.randn(t, d)
    trace = trace_lstm(cell, x)
    assert isinstance(trace, LSTMTrace)
    assert (trace.steps, trace.units) == (t, h)
    assert trace.forget.shape == trace.input.shape == trace.candidate.shape == trace.output.shape == (t, h)
    assert trace.cell.shape == trace.hidden.shape == (t + 1, h)
    np.testing.assert_array_equal(trace.x, x.double().numpy())
    assert_matches(trace, equations(cell, x))


def test_initial_state_numpy_input_and_float64_cell():
    cell = random_cell(3, 4, 5, dtype=torch.float64)
    rng = np.random.default_rng(0)
    x, h0, c0 = rng.normal(size=(6, 3)), rng.normal(size=4), rng.normal(size=4) * 3
    trace = trace_lstm(cell, x, h0=h0, c0=c0)
    np.testing.assert_array_equal(trace.cell[0], c0)
    np.testing.assert_array_equal(trace.hidden[0], h0)
    assert_matches(trace, equations(cell, x, h0, c0))
    # the same states as torch's own cell, step by step
    h, c = torch.as_tensor(h0)[None], torch.as_tensor(c0)[None]
    with torch.no_grad():
        for t in range(6):
            h, c = cell(torch.as_tensor(x[t])[None], (h, c))
            np.testing.assert_allclose(trace.cell[t + 1], c[0].numpy(), rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(trace.hidden[t + 1], h[0].numpy(), rtol=1e-12, atol=1e-14)


def test_cell_without_bias():
    cell = random_cell(2, 3, 7, bias=False)
    x = torch.randn(4, 2)
    assert_matches(trace_lstm(cell, x), equations(cell, x))


def test_one_layer_lstm_module_is_accepted():
    torch.manual_seed(8)
    lstm = torch.nn.LSTM(3, 5, batch_first=True)
    x = torch.randn(7, 3)
    trace = trace_lstm(lstm, x)
    with torch.no_grad():
        out, (h_n, c_n) = lstm(x[None])
    np.testing.assert_allclose(trace.hidden[1:], out[0].double().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(trace.cell[-1], c_n[0, 0].double().numpy(), rtol=1e-5, atol=1e-6)
    cell = as_lstm_cell(lstm)
    assert isinstance(cell, torch.nn.LSTMCell) and cell.weight_ih.dtype == torch.float64
    assert torch.equal(cell.weight_hh, lstm.weight_hh_l0.detach().double())


def test_gates_are_in_range_and_reconstruct_the_states():
    trace = trace_lstm(random_cell(4, 8, 9), torch.randn(20, 4) * 2)
    for gate in (trace.forget, trace.input, trace.output):
        assert np.all((gate > 0) & (gate < 1))
    assert np.all(np.abs(trace.candidate) < 1)
    np.testing.assert_allclose(trace.cell[1:], trace.forget * trace.cell[:-1] + trace.input * trace.candidate,
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(trace.hidden[1:], trace.output * np.tanh(trace.cell[1:]), rtol=1e-10, atol=1e-12)


def test_forget_gate_one_keeps_the_cell_and_zero_input_gate_writes_nothing():
    """Saturated gates, set through the biases (closed form: f = i = sigmoid(+-30))."""
    cell = torch.nn.LSTMCell(2, 3, dtype=torch.float64)
    with torch.no_grad():
        cell.weight_ih.zero_()
        cell.weight_hh.zero_()
        cell.bias_hh.zero_()
        cell.bias_ih.copy_(torch.tensor([-30.0] * 3 + [30.0] * 3 + [1.0] * 3 + [0.0] * 3))  # i, f, g, o
    c0 = np.array([0.7, -1.2, 2.0])
    trace = trace_lstm(cell, np.ones((5, 2)), c0=c0)
    np.testing.assert_allclose(trace.forget, 1.0, atol=1e-12)
    np.testing.assert_allclose(trace.input, 1 / (1 + np.exp(30.0)), rtol=1e-9)
    np.testing.assert_allclose(trace.candidate, np.tanh(1.0), rtol=1e-6)
    np.testing.assert_allclose(trace.output, 0.5, rtol=1e-9)
    np.testing.assert_allclose(trace.cell, np.tile(c0, (6, 1)), atol=1e-11)


def test_zero_cell_state_gives_nan_output_gate_only():
    cell = torch.nn.LSTMCell(1, 2, dtype=torch.float64)
    with torch.no_grad():
        for p in cell.parameters():
            p.zero_()
    trace = trace_lstm(cell, np.zeros((1, 1)))
    np.testing.assert_allclose(trace.forget, 0.5)
    np.testing.assert_allclose(trace.input, 0.5)
    np.testing.assert_allclose(trace.candidate, 0.0)
    assert np.all(np.isnan(trace.output))


def test_the_cell_passed_in_is_unchanged():
    cell = random_cell(3, 2, 11)
    before = {k: v.clone() for k, v in cell.state_dict().items()}
    trace_lstm(cell, torch.randn(4, 3))
    assert cell.weight_ih.dtype == torch.float32
    assert all(torch.equal(v, before[k]) for k, v in cell.state_dict().items())
    assert all(p.grad is None for p in cell.parameters())


@pytest.mark.parametrize("module, error", [
    (torch.nn.GRUCell(3, 2), TypeError),
    (torch.nn.Linear(3, 8), TypeError),
    (torch.nn.LSTM(3, 2, num_layers=2), ValueError),
    (torch.nn.LSTM(3, 2, bidirectional=True), ValueError),
    (torch.nn.LSTM(3, 4, proj_size=2), ValueError),
])
def test_rejects_other_modules(module, error):
    with pytest.raises(error):
        trace_lstm(module, torch.zeros(2, 3))


@pytest.mark.parametrize("x", [torch.zeros(3), torch.zeros(1, 2, 3), torch.zeros(4, 2), torch.zeros(0, 3)])
def test_rejects_bad_sequences(x):
    with pytest.raises(ValueError, match="shape"):
        trace_lstm(torch.nn.LSTMCell(3, 2), x)


@pytest.mark.parametrize("h0, c0", [(np.zeros(3), None), (None, np.zeros((1, 2))), (np.zeros((2, 1)), None)])
def test_rejects_bad_initial_states(h0, c0):
    with pytest.raises(ValueError, match="shape"):
        trace_lstm(torch.nn.LSTMCell(3, 2), torch.zeros(4, 3), h0=h0, c0=c0)


@pytest.fixture(scope="module")
def small_trace():
    return trace_lstm(random_cell(4, 6, 12), torch.eye(4)[torch.tensor([0, 2, 1, 3, 3, 0, 1, 2])])


@pytest.mark.parametrize("t", [1, 4, 8])
def test_draw_returns_a_labelled_figure(small_trace, t):
    fig = draw_lstm_step(small_trace, t, units=[0, 2, 5], input_labels=list("ABCD"))
    try:
        assert isinstance(fig, Figure)
        titles = " ".join(ax.get_title(loc="left") + ax.get_title() for ax in fig.axes)
        for word in ("forget", "input gate", "output", "cell state", f"t = {t}"):
            assert word in titles
        labelled = [ax for ax in fig.axes if ax.get_ylabel()]
        assert len(labelled) >= 6
        table = [ax for ax in fig.axes if "step t" in ax.get_title()][0]
        texts = [tx.get_text() for tx in table.texts]
        assert len(texts) == 3 * 7
        # the table's first column is f_t of the chosen units, rounded to 2 decimals
        assert texts[0] == f"{small_trace.forget[t - 1, 0]:.2f}"
        assert texts[7] == f"{small_trace.forget[t - 1, 2]:.2f}"
    finally:
        plt.close(fig)


def test_draw_defaults_to_at_most_16_units():
    trace = trace_lstm(random_cell(2, 20, 13), torch.randn(3, 2))
    fig = draw_lstm_step(trace, 2)
    try:
        table = [ax for ax in fig.axes if "step t" in ax.get_title()][0]
        assert len(table.texts) == 16 * 7
    finally:
        plt.close(fig)


@pytest.mark.parametrize("kwargs", [dict(t=0), dict(t=9), dict(t=2.0), dict(t=True), dict(t=2, units=[6]),
                                    dict(t=2, units=[]), dict(t=2, units=[-1]), dict(t=2, input_labels=["A"])])
def test_draw_rejects_bad_arguments(small_trace, kwargs):
    with pytest.raises(ValueError):
        draw_lstm_step(small_trace, **kwargs)
    plt.close("all")


def test_draw_needs_a_trace():
    with pytest.raises(TypeError):
        draw_lstm_step({"forget": np.zeros((2, 2))}, 1)


# ----------------------------------------------------------------------------- draw_lstm_cell

def _text_boxes(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer)) for ax in fig.axes for t in ax.texts if t.get_text().strip()]


@pytest.mark.parametrize("highlight", [None, "forget", "input", "output", "cell"])
def test_cell_diagram_names_every_part_without_overlapping_text(highlight):
    from course_utils.topics.lstm_gates import draw_lstm_cell

    fig = draw_lstm_cell(highlight=highlight)
    try:
        assert isinstance(fig, Figure)
        boxes = _text_boxes(fig)
        texts = [text for text, _ in boxes]
        # the slides' picture: the states in and out, the three sigmoid gates and two tanh
        for label in ("$C_{t-1}$", "$C_t$", "$h_{t-1}$", "$h_t$", "$x_t$", "$f_t$", "$i_t$", "$g_t$", "$o_t$"):
            assert label in texts, label
        assert texts.count("σ") == 3 and texts.count("tanh") == 2
        assert texts.count("×") == 3 and texts.count("+") == 1
        for name in ("forget gate", "input gate", "candidate", "output gate"):
            assert name in texts
        for k, (a, box_a) in enumerate(boxes):
            for b, box_b in boxes[k + 1:]:
                assert not box_a.overlaps(box_b), f"text {a!r} overlaps {b!r}"
        figure_box = fig.bbox
        for text, box in boxes:
            assert figure_box.x0 <= box.x0 and box.x1 <= figure_box.x1, f"{text!r} leaves the figure"
    finally:
        plt.close(fig)


def test_cell_diagram_arrows_end_on_a_shape_or_a_label():
    """Every arrowhead touches the outline of a box, an ellipse or a circle, or points at a label."""
    from matplotlib.patches import Circle, Ellipse, FancyBboxPatch

    from course_utils.topics.lstm_gates import draw_lstm_cell

    fig = draw_lstm_cell()
    try:
        ax = fig.axes[0]
        heads = [np.array(a.xy, dtype=float) for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
        assert len(heads) >= 12
        # patches[0] is the background of the cell
        shapes = [p for p in ax.patches if isinstance(p, (Circle, Ellipse, FancyBboxPatch))][1:]

        def distance_to_outline(point, patch):
            if isinstance(patch, Circle):
                return abs(np.hypot(*(point - patch.center)) - patch.radius)
            if isinstance(patch, Ellipse):
                (cx, cy), a, b = patch.center, patch.width / 2, patch.height / 2
                return abs(np.hypot((point[0] - cx) / a, (point[1] - cy) / b) - 1) * min(a, b)
            pad = 0.03                                   # the boxes' rounding pad
            x0, y0 = patch.get_x() - pad, patch.get_y() - pad
            x1, y1 = x0 + patch.get_width() + 2 * pad, y0 + patch.get_height() + 2 * pad
            inside_x, inside_y = x0 - 1e-9 <= point[0] <= x1 + 1e-9, y0 - 1e-9 <= point[1] <= y1 + 1e-9
            return min(abs(point[1] - y0) if inside_x else np.inf, abs(point[1] - y1) if inside_x else np.inf,
                       abs(point[0] - x0) if inside_y else np.inf, abs(point[0] - x1) if inside_y else np.inf)

        labels = [np.array(t.get_position(), dtype=float) for t in ax.texts if t.get_text() in ("$C_t$", "$h_t$")]
        for head in heads:
            on_shape = min(distance_to_outline(head, p) for p in shapes) < 0.02
            at_label = min(np.hypot(*(head - q)) for q in labels) < 0.2
            assert on_shape or at_label, f"an arrow ends at {head}, on no shape and at no label"
    finally:
        plt.close(fig)


@pytest.mark.parametrize("kwargs, error", [(dict(highlight="gates"), ValueError), (dict(highlight=1), ValueError),
                                           (dict(title=3), TypeError)])
def test_cell_diagram_rejects_bad_arguments(kwargs, error):
    from course_utils.topics.lstm_gates import draw_lstm_cell

    with pytest.raises(error):
        draw_lstm_cell(**kwargs)
    plt.close("all")


def test_step_table_has_a_colour_bar():
    fig = draw_lstm_step(trace_lstm(random_cell(2, 3, 14), torch.randn(4, 2)), 2)
    try:
        labels = [ax.get_ylabel() for ax in fig.axes]
        assert any("clipped to [-1, 1]" in label for label in labels)
    finally:
        plt.close(fig)
