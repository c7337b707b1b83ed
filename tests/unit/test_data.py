import gzip
import struct

import numpy as np
import pytest
import torch

from course_utils import data


def _idx_bytes(array: np.ndarray, type_code: int, fmt: str) -> bytes:
    """IDX bytes written by hand from the format's definition (independent of data.write_idx)."""
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    return header + b"".join(struct.pack(">" + fmt, v) for v in array.ravel().tolist())


def test_load_digits_shapes_and_ranges():
    x, y = data.load_digits()
    assert x.shape == (1797, 1, 8, 8) and x.dtype == torch.float32
    assert y.shape == (1797,) and y.dtype == torch.int64
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    assert set(y.tolist()) == set(range(10))


def test_load_digits_equals_scikit_learns_own_loader():
    from sklearn.datasets import load_digits as sklearn_digits

    x, y = data.load_digits()
    bunch = sklearn_digits()
    np.testing.assert_array_equal(x.numpy()[:, 0] * 16, bunch.images)
    np.testing.assert_array_equal(y.numpy(), bunch.target)


def test_load_digits_does_not_import_scikit_learn():
    import subprocess
    import sys

    code = "import sys, course_utils.data as d; d.load_digits(); print('sklearn' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False", done.stderr


@pytest.mark.parametrize("dtype, code, fmt", [(np.uint8, 0x08, "B"), (np.int16, 0x0B, "h"),
                                              (np.int32, 0x0C, "i"), (np.float32, 0x0D, "f"),
                                              (np.float64, 0x0E, "d")])
def test_read_idx_hand_written_files(tmp_path, dtype, code, fmt):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype) if dtype != np.uint8 else \
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / "a.idx"
    path.write_bytes(_idx_bytes(array, code, fmt))
    out = data.read_idx(path)
    assert out.shape == (2, 3, 4) and out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, array)


def test_read_idx_gzip_and_write_round_trip(tmp_path):
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    with gzip.open(tmp_path / "b.idx.gz", "wb") as handle:
        handle.write(_idx_bytes(array, 0x08, "B"))
    np.testing.assert_array_equal(data.read_idx(tmp_path / "b.idx.gz"), array)
    floats = np.linspace(-1, 1, 6).reshape(2, 3)
    data.write_idx(tmp_path / "c.idx", floats)
    assert (tmp_path / "c.idx").read_bytes() == _idx_bytes(floats, 0x0E, "d")


def test_read_idx_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        data.read_idx(tmp_path / "missing")
    (tmp_path / "short").write_bytes(b"\x00\x00")
    with pytest.raises(ValueError, match="too short"):
        data.read_idx(tmp_path / "short")
    (tmp_path / "magic").write_bytes(b"\x01\x02\x08\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(ValueError, match="not an IDX file"):
        data.read_idx(tmp_path / "magic")
    (tmp_path / "trunc").write_bytes(_idx_bytes(np.zeros((2, 2), np.uint8), 0x08, "B")[:-1])
    with pytest.raises(ValueError, match="promises shape"):
        data.read_idx(tmp_path / "trunc")
    with pytest.raises(ValueError, match="cannot store"):
        data.write_idx(tmp_path / "x.idx", np.zeros(2, dtype=np.complex64))


def _fake_mnist(root, n=5, gz=False):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    suffix = ".gz" if gz else ""
    for stem, array in (("train-images-idx3-ubyte", images), ("train-labels-idx1-ubyte", labels)):
        payload = _idx_bytes(array, 0x08, "B")
        if gz:
            with gzip.open(root / (stem + suffix), "wb") as handle:
                handle.write(payload)
        else:
            (root / stem).write_bytes(payload)
    return images, labels


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_from_small_files(tmp_path, gz):
    images, labels = _fake_mnist(tmp_path, gz=gz)
    x, y = data.load_mnist(tmp_path, "train")
    assert x.shape == (5, 1, 28, 28) and x.dtype == torch.float32
    np.testing.assert_allclose(x[:, 0].numpy(), images / 255.0, rtol=1e-6)
    assert y.tolist() == labels.tolist()


def test_load_mnist_errors(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="MNIST directory"):
        data.load_mnist(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="load_digits"):
        data.load_mnist(tmp_path, "test")
    with pytest.raises(ValueError, match="split"):
        data.load_mnist(tmp_path, "validation")
    (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx_bytes(np.zeros((3, 28, 28), np.uint8), 8, "B"))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(np.zeros(2, np.uint8), 8, "B"))
    with pytest.raises(ValueError, match="disagree"):
        data.load_mnist(tmp_path)


def test_load_images_prefers_mnist_when_configured(tmp_path, monkeypatch):
    monkeypatch.delenv(data.MNIST_ENV, raising=False)
    assert data.load_images()[2].startswith("digits")
    _fake_mnist(tmp_path)
    monkeypatch.setenv(data.MNIST_ENV, str(tmp_path))
    x, y, name = data.load_images()
    assert name == "MNIST" and x.shape == (5, 1, 28, 28)


def test_gaussian_ring_modes_sit_on_the_circle():
    points, mode = data.gaussian_ring(4000, modes=8, radius=2.0, std=0.01, seed=0)
    assert points.shape == (4000, 2) and mode.shape == (4000,)
    angle = 2 * np.pi * mode.numpy() / 8
    centres = 2.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    assert np.abs(points.numpy() - centres).max() < 0.06
    assert set(mode.tolist()) == set(range(8))
    again, _ = data.gaussian_ring(4000, modes=8, radius=2.0, std=0.01, seed=0)
    assert torch.equal(points, again)
    with pytest.raises(ValueError):
        data.gaussian_ring(0)
    with pytest.raises(ValueError):
        data.gaussian_ring(10, std=0)


def test_recall_first_task():
    x, y = data.recall_first_task(50, length=12, symbols=3, seed=1)
    assert x.shape == (50, 12, 3) and y.shape == (50,)
    assert torch.equal(x.sum(-1), torch.ones(50, 12))
    assert torch.equal(x[:, 0].argmax(-1), y)
    with pytest.raises(ValueError):
        data.recall_first_task(5, length=0)
