"""Inside an LSTM cell, step by step: the pure functions behind lecture 05's explorer.

:func:`trace_lstm` runs a ``torch.nn.LSTMCell`` over one sequence and records, at every step
``t = 1..T``, its forget gate ``f_t``, input gate ``i_t``, candidate ``g_t`` (the slides'
``C~_t``), output gate ``o_t``, cell state ``C_t`` and hidden state ``h_t``.
:func:`draw_lstm_step` draws them, with the values at one step in a table;
:func:`draw_lstm_cell` draws the slides' diagram of one step (defined in ``lstm_gates.diagram``).

The cell itself computes only ``(h_t, C_t)``. The gates are read off torch's own computation by
differentiation, never from a second copy of the LSTM equations, so that this module is an
independent oracle:

- ``f_t = dC_t/dC_{t-1}``: the cell update is elementwise, so this Jacobian is diagonal, and its
  diagonal is the forget gate (the lecture's point about gradient flow);
- ``w_t = i_t * g_t``, what the step writes into the cell: the new cell state when the cell is
  run once more from ``C_{t-1} = 0`` (same ``h_{t-1}`` and ``x_t``);
- ``a_t = dC_t/db_g = i_t * (1 - g_t**2)``, the derivative with respect to the candidate's bias
  (the third of the four bias chunks, in torch's documented order i, f, g, o); then
  ``a + sqrt(a**2 + 4 w**2) = i (1 - g**2) + i (1 + g**2) = 2 i``, so
  ``i_t = (a_t + sqrt(a_t**2 + 4 w_t**2)) / 2`` and ``g_t = w_t / i_t``;
- ``o_t = h_t / tanh(C_t)`` (``nan`` in the measure-zero case ``C_t == 0``).

Everything runs on a float64 copy of the cell; the cell passed in is left as it is.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from course_utils._arrays import to_numpy
from course_utils.topics.lstm_gates.diagram import draw_lstm_cell

__all__ = ["LSTMTrace", "as_lstm_cell", "trace_lstm", "draw_lstm_step", "draw_lstm_cell"]


@dataclass(frozen=True)
class LSTMTrace:
    """One sequence through an LSTM cell, as float64 NumPy arrays.

    Attributes:
        x: the inputs, shape (T, D); ``x[t - 1]`` is the input of step t.
        forget, input, candidate, output: the gates ``f_t``, ``i_t``, the candidate ``g_t``
            (the slides' C~_t) and ``o_t``, each of shape (T, H); row ``t - 1`` belongs to step t.
        cell, hidden: ``C_t`` and ``h_t`` of shape (T + 1, H); row 0 is the initial state, row t
            the state after step t.
    """

    x: np.ndarray
    forget: np.ndarray
    input: np.ndarray
    candidate: np.ndarray
    output: np.ndarray
    cell: np.ndarray
    hidden: np.ndarray

    @property
    def steps(self) -> int:
        """T, the number of steps."""
        return self.x.shape[0]

    @property
    def units(self) -> int:
        """H, the number of hidden units."""
        return self.forget.shape[1]


def as_lstm_cell(module: torch.nn.Module) -> torch.nn.LSTMCell:
    """A float64 ``nn.LSTMCell`` computing what ``module`` computes for one step, with biases.

    ``module`` is an ``nn.LSTMCell`` or a one-layer, unidirectional ``nn.LSTM`` without projection
    (its ``weight_ih_l0`` etc. have the cell's layout). A module without biases gets zero biases,
    which computes the same function. The module passed in is not changed.
    """
    if isinstance(module, torch.nn.LSTMCell):
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    elif isinstance(module, torch.nn.LSTM):
        if module.num_layers != 1 or module.bidirectional or module.proj_size:
            raise ValueError("only a one-layer, unidirectional nn.LSTM without projection has the "
                             f"layout of one cell; got num_layers={module.num_layers}, "
                             f"bidirectional={module.bidirectional}, proj_size={module.proj_size}")
        names = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    else:
        raise TypeError(f"expected an nn.LSTMCell or nn.LSTM, got {type(module).__name__}")
    cell = torch.nn.LSTMCell(module.input_size, module.hidden_size, bias=True,
                             device="cpu", dtype=torch.float64)
    with torch.no_grad():
        for target, name in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), names):
            source = getattr(module, name, None)
            value = torch.zeros_like(getattr(cell, target)) if source is None else \
                source.detach().to("cpu", torch.float64)
            getattr(cell, target).copy_(value)
    return cell


def _state(value, hidden_size: int, name: str) -> torch.Tensor:
    if value is None:
        return torch.zeros(hidden_size, dtype=torch.float64)
    state = torch.as_tensor(to_numpy(value, np.float64))
    if state.shape != (hidden_size,):
        raise ValueError(f"{name} must have shape ({hidden_size},), got {tuple(state.shape)}")
    return state


def trace_lstm(module: torch.nn.Module, x, h0=None, c0=None) -> LSTMTrace:
    """Run an LSTM cell over one sequence and record its gates and states at every step.

    Args:
        module: an ``nn.LSTMCell`` (or a one-layer ``nn.LSTM``) with input size D, hidden size H.
        x: one sequence of shape (T, D), T >= 1 (a tensor or an array; no batch axis).
        h0, c0: initial hidden and cell state of shape (H,); zeros when omitted.

    Returns:
        An :class:`LSTMTrace` (float64 NumPy arrays; gates (T, H), states (T + 1, H)).

    Raises:
        TypeError: ``module`` is not an LSTM cell. ValueError: a shape does not fit.
    """
    cell = as_lstm_cell(module)
    hidden_size, input_size = cell.hidden_size, cell.input_size
    xs = torch.as_tensor(to_numpy(x, np.float64))
    if xs.ndim != 2 or xs.shape[0] < 1 or xs.shape[1] != input_size:
        raise ValueError(f"x must have shape (T, {input_size}) with T >= 1 (one sequence, no batch "
                         f"axis), got {tuple(xs.shape)}")
    h, c = _state(h0, hidden_size, "h0"), _state(c0, hidden_size, "c0")
    gates = {name: [] for name in ("forget", "input", "candidate", "output")}
    cells, hiddens = [c], [h]
    for x_t in xs:
        c_prev = c.clone().requires_grad_(True)
        h_new, c_new = cell(x_t[None], (h[None], c_prev[None]))
        h_new, c_new = h_new[0], c_new[0]
        # one backward pass gives dC_t/dC_{t-1} (diagonal) and dC_t/d bias_ih
        d_c_prev, d_bias = torch.autograd.grad(c_new.sum(), (c_prev, cell.bias_ih))
        with torch.no_grad():
            f = d_c_prev
            write = cell(x_t[None], (h[None], torch.zeros_like(c_prev)[None]))[1][0]
            a = d_bias[2 * hidden_size:3 * hidden_size]
            i = (a + torch.sqrt(a * a + 4 * write * write)) / 2
            g = write / i
            tanh_c = torch.tanh(c_new)
            o = torch.where(tanh_c == 0, torch.full_like(tanh_c, float("nan")), h_new / tanh_c)
        for name, value in zip(gates, (f, i, g, o)):
            gates[name].append(value)
        h, c = h_new.detach(), c_new.detach()
        cells.append(c)
        hiddens.append(h)
    stack = lambda values: torch.stack(values).numpy()  # noqa: E731
    return LSTMTrace(x=xs.numpy(), cell=stack(cells), hidden=stack(hiddens),
                     **{name: stack(values) for name, values in gates.items()})


def draw_lstm_step(trace: LSTMTrace, t: int, units=None, input_labels=None, title: str | None = None):
    """Draw a trace over time, and the values of one step ``t`` (1..T) in a table.

    Left, one panel each, over the steps 1..T: the input x_t, then the forget, input and output
    gates and the cell state C_t of the chosen ``units`` (default: all, at most 16), with a line
    at step t. Right: a table of f_t, i_t, g_t, o_t, C_{t-1}, C_t and h_t for those units at step
    t, so that ``C_t = f_t * C_{t-1} + i_t * g_t`` can be checked by eye.
    ``input_labels``: names of the D input features (rows of the first panel).
    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    if not isinstance(trace, LSTMTrace):
        raise TypeError(f"expected an LSTMTrace (from trace_lstm), got {type(trace).__name__}")
    T, H = trace.steps, trace.units
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 1 <= t <= T:
        raise ValueError(f"t must be an int step in 1..{T}, got {t!r}")
    t = int(t)
    units = list(range(min(H, 16))) if units is None else [int(u) for u in units]
    if not units or any(not 0 <= u < H for u in units):
        raise ValueError(f"units must be a non-empty list of unit indices in 0..{H - 1}, got {units}")
    if input_labels is not None and len(input_labels) != trace.x.shape[1]:
        raise ValueError(f"got {len(input_labels)} input labels for {trace.x.shape[1]} input features")

    fig = plt.figure(figsize=(11, 7.6))
    grid = fig.add_gridspec(5, 2, width_ratios=[3, 2], hspace=0.55, wspace=0.22)
    extent = (0.5, T + 0.5, len(units) - 0.5, -0.5)
    panels = [
        ("input $x_t$", trace.x.T, "Greys", min(0.0, float(trace.x.min())), None),
        ("forget gate $f_t$", trace.forget[:, units].T, "viridis", 0, 1),
        ("input gate $i_t$", trace.input[:, units].T, "viridis", 0, 1),
        ("output gate $o_t$", trace.output[:, units].T, "viridis", 0, 1),
        ("cell state $C_t$", trace.cell[1:, units].T, "RdBu_r", None, None),
    ]
    bound = float(np.abs(trace.cell[1:, units]).max()) or 1.0
    for row, (name, values, cmap, vmin, vmax) in enumerate(panels):
        ax = fig.add_subplot(grid[row, 0])
        if cmap == "RdBu_r":
            vmin, vmax = -bound, bound
        rows = values.shape[0]
        image = ax.imshow(values, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest",
                          extent=(0.5, T + 0.5, rows - 0.5, -0.5) if row == 0 else extent)
        fig.colorbar(image, ax=ax, fraction=0.025, pad=0.01).ax.tick_params(labelsize=7)
        ax.axvline(t, color="tab:red", linewidth=1.5)
        ax.set_title(name, fontsize=9, loc="left")
        ax.grid(False)
        if row == 0:
            labels = input_labels if input_labels is not None else [str(k) for k in range(rows)]
            ax.set_yticks(range(rows), labels, fontsize=7)
            ax.set_ylabel("feature", fontsize=8)
        else:
            ticks = range(0, len(units), 1 if len(units) <= 6 else max(2, len(units) // 6))
            ax.set_yticks(list(ticks), [str(units[k]) for k in ticks], fontsize=7)
            ax.set_ylabel("unit", fontsize=8)
        ax.tick_params(labelsize=7)
        if row == len(panels) - 1:
            ax.set_xlabel("time step t")
        else:
            ax.set_xticklabels([])

    table_ax = fig.add_subplot(grid[:, 1])
    columns = ["$f_t$", "$i_t$", "$g_t$", "$o_t$", "$C_{t-1}$", "$C_t$", "$h_t$"]
    table = np.stack([trace.forget[t - 1, units], trace.input[t - 1, units], trace.candidate[t - 1, units],
                      trace.output[t - 1, units], trace.cell[t - 1, units], trace.cell[t, units],
                      trace.hidden[t, units]], axis=1)
    from matplotlib.colors import LinearSegmentedColormap

    # the middle two thirds of RdBu_r, light enough for the numbers printed on it
    light = LinearSegmentedColormap.from_list("RdBu_r_light", plt.get_cmap("RdBu_r")(np.linspace(1 / 6, 5 / 6, 256)))
    cells = table_ax.imshow(np.clip(table, -1, 1), cmap=light, vmin=-1, vmax=1, aspect="auto")
    bar = fig.colorbar(cells, ax=table_ax, fraction=0.05, pad=0.02, extend="both")
    bar.set_label("colour: the value, clipped to [-1, 1]", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    for r in range(table.shape[0]):
        for k in range(table.shape[1]):
            table_ax.text(k, r, f"{table[r, k]:.2f}", ha="center", va="center", fontsize=7)
    table_ax.set_xticks(range(len(columns)), columns)
    table_ax.xaxis.tick_top()
    table_ax.set_yticks(range(len(units)), [str(u) for u in units], fontsize=7)
    table_ax.set_ylabel("unit")
    table_ax.set_title(f"step t = {t}:  $C_t = f_t\\,C_{{t-1}} + i_t\\,g_t$,  $h_t = o_t \\tanh(C_t)$",
                       fontsize=9, pad=22)
    table_ax.grid(False)
    fig.suptitle(title or f"LSTM cell over {T} steps ({H} units), step t = {t} marked", fontsize=11)
    return fig
