import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")
import ipywidgets  # noqa: E402

from course_utils import plots, widgets  # noqa: E402


def test_plot_curves_labels_axes_and_checks_lengths():
    fig = plots.draw_curves([1, 2, 3], {"a": [1, 2, 3], "b": torch.tensor([3.0, 2, 1])}, "step", "loss", logy=True)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "loss" and ax.get_yscale() == "log"
    assert len(ax.lines) == 2 and ax.get_legend() is not None
    with pytest.raises(ValueError, match="x label"):
        plots.draw_curves([1], {"a": [1]}, "", "y")
    with pytest.raises(ValueError, match="shape"):
        plots.draw_curves([1, 2], {"a": [1]}, "x", "y")


def test_plot_history():
    fig = plots.draw_history({"train": [3, 2, 1], "val": [4, 3, 2]})
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), [1, 2, 3])
    with pytest.raises(ValueError, match="same length"):
        plots.draw_history({"a": [1, 2], "b": [1]})


def test_image_grid_shapes_and_titles():
    fig = plots.draw_image_grid(torch.rand(10, 1, 8, 8), titles=[str(i) for i in range(10)], ncols=4)
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == 10 and len(fig.axes) == 12
    assert images[3].get_title() == "3"
    with pytest.raises(ValueError, match="expects"):
        plots.draw_image_grid(np.zeros((2, 3, 4, 4)))
    with pytest.raises(ValueError, match="titles"):
        plots.draw_image_grid(np.zeros((2, 4, 4)), titles=["a"])


def test_feature_maps_symmetric_colour_scale():
    fig = plots.draw_feature_maps(np.array([[[-2.0, 1.0]], [[0.5, 0.0]]]))
    lo, hi = fig.axes[0].images[0].get_clim()
    assert (lo, hi) == (-2.0, 2.0)
    with pytest.raises(ValueError):
        plots.draw_feature_maps(np.zeros((4, 4)))


def test_widget_mode(monkeypatch):
    monkeypatch.delenv("COURSE_WIDGETS", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert widgets.widget_mode() == "static"
    monkeypatch.setenv("JPY_SESSION_NAME", "lectures/01.ipynb")
    assert widgets.widget_mode() == "live"
    monkeypatch.setenv("COURSE_WIDGETS", "static")
    assert widgets.widget_mode() == "static"
    monkeypatch.setenv("COURSE_WIDGETS", "sometimes")
    with pytest.raises(ValueError, match="live, static or auto"):
        widgets.widget_mode()


def test_explorer_static_renders_initial_values_once(capsys):
    calls = []

    def render(a, b):
        calls.append((a, b))
        return f"a={a} b={b}"

    out = widgets.explorer(render, {"a": ipywidgets.IntSlider(value=3), "b": ipywidgets.Dropdown(
        options=["x", "y"], value="y")}, title="demo", mode="static")
    assert out is None and calls == [(3, "y")]
    assert "a=3 b=y" in capsys.readouterr().out


def test_explorer_live_redraws_on_change():
    calls = []
    slider = ipywidgets.IntSlider(value=1, min=0, max=5)
    box = widgets.explorer(lambda n: calls.append(n), {"n": slider}, mode="live")
    assert isinstance(box, ipywidgets.VBox)
    slider.value = 4
    assert calls[-1] == 4 and calls[0] == 1


def test_explorer_rejects_non_widgets():
    with pytest.raises(TypeError, match="not ipywidgets controls"):
        widgets.explorer(lambda n: None, {"n": 3}, mode="static")
