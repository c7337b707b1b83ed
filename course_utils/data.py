"""Data for the notebooks. Nothing here downloads.

- :func:`load_digits`: scikit-learn's bundled 8x8 digits (1797 images), the default everywhere.
- :func:`read_idx`, :func:`load_mnist`: MNIST from local IDX files, for users who have them.
- :func:`gaussian_ring`: a 2-D mixture of Gaussians on a ring (GAN experiments).
- :func:`recall_first_task`: a sequence task with a long-range dependency (RNN and LSTM).
"""
from __future__ import annotations

import gzip
import importlib.util
import os
import struct
from pathlib import Path

import numpy as np
import torch

__all__ = ["load_digits", "read_idx", "write_idx", "load_mnist", "load_images",
           "gaussian_ring", "recall_first_task"]

#: Directory holding MNIST's IDX files; when set, :func:`load_images` uses MNIST.
MNIST_ENV = "COURSE_MNIST_DIR"


def load_digits() -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's bundled handwritten digits.

    Returns ``images`` of shape (1797, 1, 8, 8), float32 in [0, 1], and ``labels`` of shape
    (1797,), int64 in 0..9.
    """
    table = np.loadtxt(_digits_file(), delimiter=",", dtype=np.float32)  # (1797, 65): 64 pixels, label
    images = torch.from_numpy(table[:, :64].copy()).reshape(-1, 1, 8, 8) / 16.0
    labels = torch.from_numpy(table[:, 64].astype(np.int64))
    return images, labels


def _digits_file() -> Path:
    """scikit-learn's copy of the digits (UCI's optdigits test set), found without importing
    scikit-learn, which takes as long to import as torch."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the digits come with scikit-learn: pip install scikit-learn")
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data" / "digits.csv.gz"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: reinstall scikit-learn")
    return path


# IDX type byte -> (NumPy big-endian dtype)
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_IDX_CODES = {np.dtype(v).newbyteorder("="): k for k, v in _IDX_TYPES.items()}


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (MNIST's format), plain or gzip-compressed, into a NumPy array.

    The header is two zero bytes, a type byte, the number of dimensions, then each dimension as
    a big-endian uint32; the data follow in C order.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file not found: {path}")
    with _open(path) as handle:
        raw = handle.read()
    if len(raw) < 4:
        raise ValueError(f"{path}: {len(raw)} bytes is too short for an IDX header (4 bytes at least)")
    zero, type_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or type_code not in _IDX_TYPES:
        raise ValueError(f"{path}: not an IDX file (magic bytes {raw[:4].hex()}; expected 0000 then "
                         f"a type byte among {sorted(hex(t) for t in _IDX_TYPES)})")
    header_end = 4 + 4 * ndim
    if len(raw) < header_end:
        raise ValueError(f"{path}: truncated header ({len(raw)} bytes, {header_end} needed for {ndim} dimensions)")
    shape = struct.unpack(f">{ndim}I", raw[4:header_end])
    dtype = np.dtype(_IDX_TYPES[type_code])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    data = raw[header_end:]
    if len(data) != expected:
        raise ValueError(f"{path}: header promises shape {shape} ({expected} bytes of data), "
                         f"the file holds {len(data)}")
    return np.frombuffer(data, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike, array: np.ndarray) -> Path:
    """Write ``array`` as an IDX file (gzip-compressed if the name ends in ``.gz``)."""
    path = Path(path)
    array = np.asarray(array)
    code = _IDX_CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise ValueError(f"IDX cannot store dtype {array.dtype}; "
                         "use one of uint8, int8, int16, int32, float32, float64")
    header = struct.pack(">HBB", 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(np.dtype(_IDX_TYPES[code])).tobytes()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as handle:
        handle.write(payload)
    return path


_MNIST_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
                "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def _find(root: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx")):
        if (root / name).is_file():
            return root / name
    raise FileNotFoundError(
        f"MNIST file {stem}[.gz] not found in {root}. Put the four IDX files of MNIST there "
        f"(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
        f"t10k-labels-idx1-ubyte, optionally gzipped), or use load_digits() instead."
    )


def load_mnist(root: str | os.PathLike, split: str = "train") -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST from local IDX files in ``root``.

    Returns ``images`` (N, 1, 28, 28) float32 in [0, 1] and ``labels`` (N,) int64.
    """
    if split not in _MNIST_FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"MNIST directory not found: {root}")
    image_stem, label_stem = _MNIST_FILES[split]
    images = read_idx(_find(root, image_stem))
    labels = read_idx(_find(root, label_stem))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f"MNIST {split} files disagree: images {images.shape}, labels {labels.shape}; "
                         "expected (N, rows, cols) and (N,)")
    x = torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 255.0
    y = torch.tensor(labels, dtype=torch.int64)
    return x, y


def load_images(root: str | os.PathLike | None = None) -> tuple[torch.Tensor, torch.Tensor, str]:
    """The course's image data: MNIST when ``root`` (or ``$COURSE_MNIST_DIR``) is given, else digits.

    Returns ``(images, labels, name)`` with images (N, 1, H, W) in [0, 1].
    """
    root = root or os.environ.get(MNIST_ENV)
    if root:
        x, y = load_mnist(root, "train")
        return x, y, "MNIST"
    x, y = load_digits()
    return x, y, "digits (8x8)"


def gaussian_ring(n: int, modes: int = 8, radius: float = 2.0, std: float = 0.05,
                  seed: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` points from ``modes`` equal Gaussians centred on a circle of ``radius``.

    Returns ``points`` (n, 2) float32 and ``mode`` (n,) int64, the component of each point.
    """
    if n < 1 or modes < 1:
        raise ValueError(f"need n >= 1 and modes >= 1, got n={n}, modes={modes}")
    if std <= 0 or radius < 0:
        raise ValueError(f"need std > 0 and radius >= 0, got std={std}, radius={radius}")
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    mode = torch.randint(0, modes, (n,), generator=generator)
    angle = 2 * torch.pi * mode.float() / modes
    centres = radius * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    return centres + std * torch.randn(n, 2, generator=generator), mode


def recall_first_task(n: int, length: int, symbols: int = 4,
                      seed: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences whose label is their first symbol, seen ``length - 1`` steps before the end.

    Returns ``x`` (n, length, symbols) one-hot float32 and ``y`` (n,) int64 in 0..symbols-1.
    A model must carry the first symbol through every step: a long-range dependency.
    """
    if n < 1 or length < 1 or symbols < 2:
        raise ValueError(f"need n >= 1, length >= 1, symbols >= 2; got n={n}, length={length}, symbols={symbols}")
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    tokens = torch.randint(0, symbols, (n, length), generator=generator)
    x = torch.nn.functional.one_hot(tokens, symbols).float()
    return x, tokens[:, 0].clone()
