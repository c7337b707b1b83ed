"""Unit tests of course_utils.topics.vae; expected values from closed forms, bad input included."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course_utils.topics.vae import (  # noqa: E402
    DigitsVAE,
    decode,
    draw_latent_point,
    draw_latent_scatter,
    draw_sample_panels,
    image_mosaic,
    interpolate,
    latent_grid,
)


def linear_decoder(weight, bias):
    """A decoder whose output is known in closed form: sigmoid(z @ weight.T + bias)."""
    layer = torch.nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        layer.weight.copy_(torch.as_tensor(weight))
        layer.bias.copy_(torch.as_tensor(bias))
    return torch.nn.Sequential(layer, torch.nn.Sigmoid())


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


# ----------------------------------------------------------------------------- interpolate

def test_interpolate_matches_the_closed_form():
    start = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    end = torch.tensor([3.0, 2.0, 0.5], dtype=torch.float64)
    path = interpolate(start, end, steps=5)
    assert path.shape == (5, 3) and path.dtype == torch.float64
    expected = np.array([[1 + 2 * k / 4, -2 + 4 * k / 4, 0.5] for k in range(5)])
    np.testing.assert_allclose(path.numpy(), expected, rtol=0, atol=1e-12)
    assert torch.equal(path[0], start) and torch.equal(path[-1], end)


def test_interpolate_keeps_the_shape_of_its_endpoints():
    start, end = torch.zeros(2, 3), torch.full((2, 3), 6.0)
    path = interpolate(start, end, steps=4)
    assert path.shape == (4, 2, 3)
    np.testing.assert_allclose(path[:, 1, 2].numpy(), [0.0, 2.0, 4.0, 6.0], atol=1e-6)


@pytest.mark.parametrize("steps", [1, 0, -3, 2.5, True, "3"])
def test_interpolate_rejects_bad_step_counts(steps):
    with pytest.raises(ValueError, match="steps"):
        interpolate(torch.zeros(2), torch.ones(2), steps)


def test_interpolate_rejects_mismatched_endpoints():
    with pytest.raises(ValueError, match="same shape"):
        interpolate(torch.zeros(2), torch.ones(3), 4)


# ----------------------------------------------------------------------------- latent_grid

def test_latent_grid_is_in_picture_order():
    grid = latent_grid(3, bound=1.5)
    assert grid.shape == (9, 2) and grid.dtype == torch.float32
    expected = np.array([[z1, z2] for z2 in (1.5, 0.0, -1.5) for z1 in (-1.5, 0.0, 1.5)])
    np.testing.assert_allclose(grid.numpy(), expected, atol=1e-7)


def test_latent_grid_of_one_point_is_the_origin():
    np.testing.assert_array_equal(latent_grid(1).numpy(), [[0.0, 0.0]])


@pytest.mark.parametrize("n, bound", [(0, 2.0), (-1, 2.0), (2.0, 2.0), (3, 0.0), (3, -1.0)])
def test_latent_grid_rejects_bad_input(n, bound):
    with pytest.raises(ValueError):
        latent_grid(n, bound)


# ----------------------------------------------------------------------------- decode

def test_decode_matches_a_linear_decoder_in_closed_form():
    rng = np.random.default_rng(0)
    weight, bias = rng.normal(size=(12, 2)), rng.normal(size=12)
    z = rng.normal(size=(5, 2))
    images = decode(linear_decoder(weight, bias), torch.tensor(z), image_shape=(3, 4))
    assert isinstance(images, np.ndarray) and images.shape == (5, 3, 4) and images.dtype == np.float64
    expected = sigmoid(z @ weight.T + bias).reshape(5, 3, 4)
    np.testing.assert_allclose(images, expected, rtol=1e-5, atol=1e-6)   # the decoder runs in float32


def test_decode_accepts_plain_functions_and_image_shaped_outputs():
    images = decode(lambda z: z.sum(dim=1).reshape(-1, 1, 1, 1).expand(-1, 1, 2, 2), [[1.0, 2.0], [0.5, -0.5]],
                    image_shape=(2, 2))
    np.testing.assert_array_equal(images, [np.full((2, 2), 3.0), np.zeros((2, 2))])


def test_decode_does_not_record_gradients():
    decoder = linear_decoder(np.ones((4, 2)), np.zeros(4))
    decode(decoder, torch.zeros(3, 2), image_shape=(2, 2))
    assert all(p.grad is None for p in decoder.parameters())


def test_decode_rejects_bad_shapes():
    decoder = linear_decoder(np.ones((64, 2)), np.zeros(64))
    with pytest.raises(ValueError, match=r"\(n, d\)"):
        decode(decoder, torch.zeros(2))
    with pytest.raises(ValueError, match="64 values per code|expected 16 values"):
        decode(decoder, torch.zeros(3, 2), image_shape=(4, 4))


# ----------------------------------------------------------------------------- drawing

def test_draw_latent_scatter_labels_axes_and_colours_by_class():
    codes = torch.tensor([[0.0, 1.0], [2.0, -1.0], [0.5, 0.5]])
    fig = draw_latent_scatter(codes, torch.tensor([3, 1, 3]), title="codes", prior_circles=True)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "$z_1$" and ax.get_ylabel() == "$z_2$" and ax.get_title() == "codes"
    np.testing.assert_array_equal(ax.collections[0].get_offsets(), codes.numpy())
    np.testing.assert_array_equal(ax.collections[0].get_array(), [3, 1, 3])
    radii = sorted(float(np.hypot(*line.get_xydata().T).mean()) for line in ax.lines)
    np.testing.assert_allclose(radii, [1.0, 2.0])


def test_draw_latent_scatter_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        draw_latent_scatter(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="labels"):
        draw_latent_scatter(np.zeros((4, 2)), labels=[1, 2])


def test_draw_latent_point_shows_the_decoded_image_and_the_marker():
    rng = np.random.default_rng(1)
    weight, bias = rng.normal(size=(64, 2)), rng.normal(size=64)
    codes, labels = rng.normal(size=(30, 2)), rng.integers(0, 10, size=30)
    fig = draw_latent_point(linear_decoder(weight, bias), 0.7, -1.2, codes=codes, labels=labels)
    left, right = fig.axes[0], fig.axes[1]
    expected = sigmoid(weight @ np.array([0.7, -1.2]) + bias).reshape(8, 8)
    np.testing.assert_allclose(right.images[0].get_array(), expected, rtol=1e-5, atol=1e-6)
    assert right.images[0].get_clim() == (0.0, 1.0)
    assert "(0.7, -1.2)" in right.get_title()
    marker = [line for line in left.lines if line.get_marker() == "X"]
    assert len(marker) == 1 and marker[0].get_xydata().tolist() == [[0.7, -1.2]]
    assert left.get_xlabel() == "$z_1$" and left.get_ylabel() == "$z_2$"


def test_draw_latent_point_without_codes_still_labels_the_plane():
    fig = draw_latent_point(lambda z: torch.zeros(len(z), 4), 0.0, 0.0, image_shape=(2, 2))
    left = fig.axes[0]
    assert left.get_xlabel() == "$z_1$" and left.get_ylabel() == "$z_2$"
    assert left.get_xlim() == (-3.0, 3.0)
    with pytest.raises(ValueError, match="expected 64 values"):
        draw_latent_point(lambda z: torch.zeros(len(z), 4), 0.0, 0.0)


# ----------------------------------------------------------------------------- image_mosaic

def test_image_mosaic_without_padding_equals_numpy_block():
    images = np.arange(6 * 2 * 3, dtype=float).reshape(6, 2, 3)
    expected = np.block([[images[0], images[1], images[2]], [images[3], images[4], images[5]]])
    np.testing.assert_array_equal(image_mosaic(images, ncols=3), expected)
    # a torch batch with a channel axis gives the same picture
    np.testing.assert_array_equal(image_mosaic(torch.from_numpy(images)[:, None], ncols=3), expected)


def test_image_mosaic_pads_between_tiles_and_fills_the_last_row():
    images = np.stack([np.full((2, 2), v) for v in (0.1, 0.2, 0.3)])          # 3 images, 2 per row
    mosaic = image_mosaic(images, ncols=2, pad=1, fill=9.0)
    expected = np.array([
        [0.1, 0.1, 9.0, 0.2, 0.2],
        [0.1, 0.1, 9.0, 0.2, 0.2],
        [9.0, 9.0, 9.0, 9.0, 9.0],
        [0.3, 0.3, 9.0, 9.0, 9.0],
        [0.3, 0.3, 9.0, 9.0, 9.0],
    ])
    np.testing.assert_array_equal(mosaic, expected)


@pytest.mark.parametrize("images, ncols, pad", [
    (np.zeros((0, 2, 2)), 2, 0),       # no image
    (np.zeros((4, 4)), 2, 0),          # not a batch of images
    (np.zeros((4, 2, 2)), 0, 0),       # no column
    (np.zeros((4, 2, 2)), 2, -1),      # negative padding
])
def test_image_mosaic_rejects_bad_input(images, ncols, pad):
    with pytest.raises((ValueError, TypeError)):
        image_mosaic(images, ncols=ncols, pad=pad)


# ----------------------------------------------------------------------------- draw_sample_panels

def test_draw_sample_panels_draws_one_titled_mosaic_per_panel():
    left = torch.zeros(4, 4)                       # 4 flat images of 2 x 2
    right = np.ones((4, 1, 2, 2))
    fig = draw_sample_panels({"autoencoder": left, "VAE": right}, ncols=2, image_shape=(2, 2), suptitle="samples")
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["autoencoder", "VAE"]
    assert fig._suptitle.get_text() == "samples"
    shown = [np.asarray(ax.images[0].get_array()) for ax in axes]
    # 2 x 2 tiles of 2 x 2 pixels with one white separator: 5 x 5, the separator is 1
    expected_left = np.ones((5, 5))
    expected_left[np.ix_([0, 1, 3, 4], [0, 1, 3, 4])] = 0.0
    np.testing.assert_array_equal(shown[0], expected_left)
    np.testing.assert_array_equal(shown[1], np.ones((5, 5)))
    assert axes[0].images[0].get_clim() == (0.0, 1.0)


def test_draw_sample_panels_rejects_bad_input():
    with pytest.raises(ValueError, match="empty"):
        draw_sample_panels({})
    with pytest.raises(ValueError, match="64 values"):
        draw_sample_panels({"wrong size": np.zeros((3, 10))})


# ----------------------------------------------------------------------------- DigitsVAE

def _weights(module):
    return {name: value.detach().double().numpy() for name, value in module.state_dict().items()}


def test_digits_vae_encodes_and_decodes_like_its_layers_written_in_numpy():
    torch.manual_seed(0)
    model = DigitsVAE(pixels=6, hidden=5, latent=3).double()
    w = _weights(model)
    x = np.random.default_rng(1).random((4, 6))
    mu, logvar = model.encode(torch.tensor(x))
    hidden = np.maximum(x @ w["encoder.0.weight"].T + w["encoder.0.bias"], 0.0)
    out = hidden @ w["encoder.2.weight"].T + w["encoder.2.bias"]            # (4, 2 * latent)
    np.testing.assert_allclose(mu.detach().numpy(), out[:, :3], rtol=1e-12)
    np.testing.assert_allclose(logvar.detach().numpy(), out[:, 3:], rtol=1e-12)
    z = np.random.default_rng(2).normal(size=(4, 3))
    hidden = np.maximum(z @ w["decoder.0.weight"].T + w["decoder.0.bias"], 0.0)
    expected = sigmoid(hidden @ w["decoder.2.weight"].T + w["decoder.2.bias"])
    np.testing.assert_allclose(model.decode(torch.tensor(z)).detach().numpy(), expected, rtol=1e-12)


def test_digits_vae_has_the_stated_default_sizes_and_flattens_images():
    model = DigitsVAE()
    assert model.latent == 2
    sizes = {name: tuple(v.shape) for name, v in model.state_dict().items()}
    assert sizes == {"encoder.0.weight": (128, 64), "encoder.0.bias": (128,), "encoder.2.weight": (4, 128),
                     "encoder.2.bias": (4,), "decoder.0.weight": (128, 2), "decoder.0.bias": (128,),
                     "decoder.2.weight": (64, 128), "decoder.2.bias": (64,)}
    images = torch.rand(3, 1, 8, 8)
    mu, logvar = model.encode(images)
    flat_mu, _ = model.encode(images.reshape(3, 64))
    assert mu.shape == logvar.shape == (3, 2) and torch.equal(mu, flat_mu)
    x_hat = model.decode(torch.randn(3, 2))
    assert x_hat.shape == (3, 64) and bool(((x_hat > 0) & (x_hat < 1)).all())


def test_digits_vae_has_no_forward_and_rejects_bad_sizes():
    with pytest.raises(TypeError, match="encode"):
        DigitsVAE()(torch.zeros(1, 64))
    with pytest.raises(ValueError, match="latent"):
        DigitsVAE(latent=0)
    with pytest.raises(ValueError, match="hidden"):
        DigitsVAE(hidden=2.5)
