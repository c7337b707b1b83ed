"""Gradients through time in a vanilla RNN: the pure functions behind lecture 04's explorer.

The recurrence is the slides' ``h_t = f(W_hh h_{t-1} + u_t)`` with ``u_t = W_xh x_t + b`` the
input's contribution at step t, for t = 1, ..., T, and ``f`` one of :data:`NONLINEARITIES`.
Backpropagation through time multiplies one Jacobian per step,

    dh_t/dh_0 = diag(f'(a_t)) W_hh  diag(f'(a_{t-1})) W_hh  ...  diag(f'(a_1)) W_hh ,

so the size of the gradient that reaches h_0 is governed by the singular values of W_hh and by
the derivatives f'. This module measures it with torch's own automatic differentiation
(forward mode, :func:`torch.func.jacfwd`), never from the formula above, so that the lecture can
check the formula against it.

Shapes: ``W_hh`` (H, H); inputs ``u`` (T, H); ``h0`` (H,); Jacobians (T + 1, H, H) with
``J[0] = I``. Everything is float64 on the CPU.

>>> import torch
>>> norms = gradient_norms(0.9, 10, nonlinearity="linear", init="orthogonal")
>>> bool(abs(norms[10] - 0.9 ** 10) < 1e-12)
True
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np
import torch

from course_utils._args import require_choice, require_int, require_positive

__all__ = ["NONLINEARITIES", "INITS", "recurrent_matrix", "trajectory", "jacobians_through_time",
           "gradient_norms", "draw_gradient_norms", "draw_sequence_patterns", "draw_unrolled"]

#: The nonlinearities f of the recurrence; "linear" is f(a) = a.
NONLINEARITIES = ("linear", "tanh", "relu")
#: How W_hh is drawn (see :func:`recurrent_matrix`).
INITS = ("orthogonal", "gaussian", "identity")

_F = {"linear": lambda a: a, "tanh": torch.tanh, "relu": torch.relu}


def recurrent_matrix(hidden: int, sigma: float, init: str = "orthogonal", seed: int = 0) -> torch.Tensor:
    """A recurrent weight matrix W_hh of shape (hidden, hidden), float64, largest singular value ``sigma``.

    - ``"orthogonal"``: ``sigma * Q`` with Q a random orthogonal matrix: every singular value is sigma.
    - ``"gaussian"``: a matrix of independent N(0, 1) entries, rescaled so that its largest singular
      value is sigma; the others are smaller, and so is its spectral radius.
    - ``"identity"``: ``sigma * I`` (with ReLU and sigma = 1, the IRNN initialisation).

    The random matrices come from a generator seeded with ``seed``: the same arguments give the same matrix.
    """
    hidden = require_int("hidden", hidden, 1)
    sigma = require_positive("sigma", sigma)
    require_choice("init", init, INITS)
    if init == "identity":
        return sigma * torch.eye(hidden, dtype=torch.float64)
    generator = torch.Generator().manual_seed(seed)
    g = torch.randn(hidden, hidden, generator=generator, dtype=torch.float64)
    if init == "orthogonal":
        q, r = torch.linalg.qr(g)
        q = q * torch.sign(torch.diagonal(r))  # a uniformly distributed orthogonal matrix
        return sigma * q
    return sigma * g / torch.linalg.matrix_norm(g, ord=2)


def _check_inputs(W_hh, u, h0):
    if W_hh.ndim != 2 or W_hh.shape[0] != W_hh.shape[1]:
        raise ValueError(f"W_hh must be square (H, H), got shape {tuple(W_hh.shape)}")
    hidden = W_hh.shape[0]
    if u.ndim != 2 or u.shape[1] != hidden:
        raise ValueError(f"u must have shape (T, H) = (T, {hidden}), got {tuple(u.shape)}")
    if h0.shape != (hidden,):
        raise ValueError(f"h0 must have shape (H,) = ({hidden},), got {tuple(h0.shape)}")


def trajectory(W_hh: torch.Tensor, u: torch.Tensor, h0: torch.Tensor, nonlinearity: str = "tanh"):
    """Run ``h_t = f(W_hh h_{t-1} + u_t)`` for t = 1..T.

    Args: W_hh (H, H); u (T, H), the input contributions W_xh x_t + b; h0 (H,).
    Returns ``(h, a)``: the states h of shape (T + 1, H) with h[0] = h0, and the pre-activations
    a of shape (T, H), a[t - 1] = W_hh h_{t-1} + u_t.
    """
    require_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    _check_inputs(W_hh, u, h0)
    f = _F[nonlinearity]
    states, pre = [h0], []
    for u_t in u:
        pre.append(W_hh @ states[-1] + u_t)
        states.append(f(pre[-1]))
    return torch.stack(states), (torch.stack(pre) if pre else u.new_zeros(0, u.shape[1]))


def jacobians_through_time(W_hh: torch.Tensor, u: torch.Tensor, h0: torch.Tensor,
                           nonlinearity: str = "tanh") -> torch.Tensor:
    """Every Jacobian dh_t/dh_0, t = 0..T, as a tensor of shape (T + 1, H, H) (``J[0]`` is I).

    Computed by forward-mode automatic differentiation of :func:`trajectory` with respect to h0.
    """
    require_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    _check_inputs(W_hh, u, h0)
    with warnings.catch_warnings():
        # the first forward-mode call makes torch register its internal jvp rules, and torch 2.13
        # reports a DeprecationWarning of its own while doing so; it says nothing about this code
        warnings.simplefilter("ignore", DeprecationWarning)
        return torch.func.jacfwd(lambda h: trajectory(W_hh, u, h, nonlinearity)[0])(h0)


def gradient_norms(sigma: float, T: int, nonlinearity: str = "tanh", init: str = "orthogonal",
                   hidden: int = 32, input_scale: float = 1.0, seed: int = 0) -> np.ndarray:
    """The spectral norms ``||dh_t/dh_0||_2`` for t = 0..T, a float64 array of shape (T + 1,).

    ``W_hh = recurrent_matrix(hidden, sigma, init, seed)``; the input contributions u_t are
    ``input_scale`` times standard normal noise and h0 is standard normal noise scaled by 0.5,
    both from a generator seeded with ``seed + 1``. For ``nonlinearity="linear"`` the Jacobian is
    W_hh^t whatever the inputs, so with ``init="orthogonal"`` the norm is exactly sigma^t.
    """
    T = require_int("T", T, 0)
    if isinstance(input_scale, bool) or not isinstance(input_scale, numbers.Real) or input_scale < 0:
        raise ValueError(f"input_scale must be a number >= 0, got {input_scale!r}")
    W_hh = recurrent_matrix(hidden, sigma, init, seed)
    generator = torch.Generator().manual_seed(seed + 1)
    u = input_scale * torch.randn(T, hidden, generator=generator, dtype=torch.float64)
    h0 = 0.5 * torch.randn(hidden, generator=generator, dtype=torch.float64)
    jacobians = jacobians_through_time(W_hh, u, h0, nonlinearity)
    return torch.linalg.matrix_norm(jacobians, ord=2).numpy()


def draw_gradient_norms(sigma: float = 1.0, T: int = 50, nonlinearity: str = "tanh",
                        init: str = "orthogonal", input_scale: float = 1.0):
    """Plot ``||dh_t/dh_0||`` against t on a log scale, with the reference sigma^t; returns the figure.

    The title gives the measured rate per step, ``(||dh_T/dh_0||)^(1/T)``, to compare with sigma.
    """
    import matplotlib.pyplot as plt

    norms = gradient_norms(sigma, T, nonlinearity=nonlinearity, init=init, input_scale=input_scale)
    t = np.arange(T + 1)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    shown = np.maximum(norms, 1e-300)  # an exact zero (ReLU units all off) cannot go on a log axis
    ax.plot(t, shown, marker="o", markersize=2.5, label=f"measured: {nonlinearity}, {init} $W_{{hh}}$")
    ax.plot(t, sigma ** t.astype(float), "k--", linewidth=1, label=rf"$\sigma^t = {sigma:g}^t$")
    ax.set_yscale("log")
    ax.set_xlabel("t (steps between $h_0$ and $h_t$)")
    ax.set_ylabel(r"$\|\partial h_t / \partial h_0\|_2$")
    rate = norms[-1] ** (1 / T) if T > 0 and norms[-1] > 0 else float("nan")
    ax.set_title(f"largest singular value of $W_{{hh}}$: {sigma:g}, input scale {input_scale:g}\n"
                 f"measured rate per step over T = {T}: {rate:.3f}", fontsize=10)
    reference = sigma ** t.astype(float)
    lo, hi = min(shown.min(), reference.min()), max(shown.max(), reference.max())
    ax.set_ylim(max(lo / 3, 1e-30), min(hi * 3, 1e30))
    ax.legend(loc="best")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- diagrams

_X, _H, _Y = "#cfe2f3", "#d9ead3", "#f4cccc"   # input, hidden state, output colours
_BOX_W, _BOX_H = 0.62, 0.5


def _box(ax, x, y, text, colour):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H,
                                boxstyle="round,pad=0.02", facecolor=colour, edgecolor="0.25",
                                linewidth=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _arrow(ax, start, end, colour="0.25", style="-", text=None, where=(0.0, 0.0), fontsize=8):
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="->", color=colour, linewidth=1.2, linestyle=style,
                                shrinkA=0, shrinkB=0))
    if text:
        ax.text((start[0] + end[0]) / 2 + where[0], (start[1] + end[1]) / 2 + where[1], text,
                ha="center", va="center", fontsize=fontsize, color=colour)


def _up(ax, x, y0, y1, text=None):
    _arrow(ax, (x, y0 + _BOX_H / 2 + 0.02), (x, y1 - _BOX_H / 2 - 0.02), text=text, where=(0.3, 0))


def _right(ax, x0, x1, y, text=None):
    _arrow(ax, (x0 + _BOX_W / 2 + 0.02, y), (x1 - _BOX_W / 2 - 0.02, y), text=text, where=(0, 0.14))


def draw_sequence_patterns():
    """The slides' three shapes of a sequence model; returns the figure.

    One to one (a vanilla network), many to one (e.g. sentiment classification: read a whole
    sequence, output one label) and many to many (e.g. music generation: an output at every step).
    Inputs are blue, hidden states green, outputs red; horizontal arrows carry the hidden state.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(10, 3.1), gridspec_kw={"width_ratios": [1, 3.2, 3.2]})
    layouts = [("one to one\n(a vanilla network)", 1, [0]),
               ("many to one\n(e.g. sentiment classification)", 4, [3]),
               ("many to many\n(e.g. music generation)", 4, [0, 1, 2, 3])]
    for ax, (title, steps, outputs) in zip(axes, layouts):
        for t in range(steps):
            sub = f"_{t + 1}" if steps > 1 else ""
            _box(ax, t, 0, f"$x{sub}$", _X)
            _box(ax, t, 1, f"$h{sub}$", _H)
            _up(ax, t, 0, 1)
            if t in outputs:
                _box(ax, t, 2, f"$y{sub}$", _Y)
                _up(ax, t, 1, 2)
            if t > 0:
                _right(ax, t - 1, t, 1)
        ax.set_xlim(-0.5, steps - 0.5)
        ax.set_ylim(-0.4, 2.4)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title, fontsize=9.5)
    fig.text(0.5, 0.03, "blue: inputs $x_t$,  green: hidden states $h_t$,  red: outputs $y_t$;  "
             "horizontal arrows carry the hidden state to the next step", ha="center", fontsize=9)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def draw_unrolled(T: int = 4):
    """The RNN unrolled over ``T`` steps, with the same W_xh, W_hh, W_hy at every step; returns the figure.

    The red dashed arrows run backwards along the hidden states: the path by which the gradient
    of a loss on the outputs reaches h_0 (backpropagation through time).
    """
    import matplotlib.pyplot as plt

    T = require_int("T", T, 1)
    gap = 1.5                                       # horizontal distance between two steps
    fig, ax = plt.subplots(figsize=(1.45 * (T + 1) + 0.4, 3.6))
    _box(ax, 0, 1, "$h_0$", _H)
    for t in range(1, T + 1):
        x = gap * t
        _box(ax, x, 0, f"$x_{t}$", _X)
        _box(ax, x, 1, f"$h_{t}$", _H)
        _box(ax, x, 2, f"$y_{t}$", _Y)
        _up(ax, x, 0, 1, text="$W_{xh}$")
        _up(ax, x, 1, 2, text="$W_{hy}$")
        _right(ax, x - gap, x, 1.08, text="$W_{hh}$")
        _arrow(ax, (x - _BOX_W / 2 - 0.02, 0.9), (x - gap + _BOX_W / 2 + 0.02, 0.9),
               colour="tab:red", style="--")
    ax.text(gap * T / 2, -0.6, "the same $W_{xh}$, $W_{hh}$, $W_{hy}$ at every step;  "
            "red dashed: the gradient flowing back to $h_0$", ha="center", fontsize=9)
    ax.set_xlim(-0.5, gap * T + 0.5)
    ax.set_ylim(-0.8, 2.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"a recurrent network unrolled over T = {T} steps", fontsize=10)
    fig.tight_layout()
    return fig
