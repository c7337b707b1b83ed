"""Device selection and reproducibility.

>>> import course_utils
>>> course_utils.seed_everything(0)
0
>>> course_utils.device().type in {"cpu", "cuda"}
True
"""
from __future__ import annotations

import os
import random
import sys
import warnings

import numpy as np
import torch

#: Set to 1 (or true, yes) to run on the CPU even where CUDA is available.
FORCE_CPU_ENV = "COURSE_FORCE_CPU"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def device() -> torch.device:
    """Return ``cuda`` when a CUDA GPU is usable, else ``cpu``.

    The environment variable ``COURSE_FORCE_CPU=1`` forces the CPU, e.g. to compare timings or to
    reproduce a CPU run exactly on a GPU machine.
    """
    flag = os.environ.get(FORCE_CPU_ENV, "").strip().lower()
    if flag in _TRUE:
        return torch.device("cpu")
    if flag not in _FALSE:
        raise ValueError(
            f"{FORCE_CPU_ENV}={os.environ[FORCE_CPU_ENV]!r} is not understood: "
            "use 1 to force the CPU or 0 (or leave it unset) to use CUDA when available"
        )
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _deterministic_algorithms() -> None:
    """``torch.use_deterministic_algorithms(True, warn_only=True)`` without its first line, which
    imports torch's compiler (torch._inductor, 2.5 s on a 2-core CPU) only to set the compiler's
    own flag: no notebook of the course compiles. When torch has already loaded the compiler, or
    the internal setter is missing (another torch version), the public function is called."""
    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None or "torch._inductor.config" in sys.modules:
        torch.use_deterministic_algorithms(True, warn_only=True)
    else:
        setter(True, warn_only=True)


def seed_everything(seed: int = 0) -> int:
    """Seed ``random``, NumPy and torch (CPU and every GPU) and ask for deterministic kernels.

    Returns the seed so a notebook can print it. CPU and CUDA runs never agree to the last digit:
    notebooks print rounded values and assert with tolerances.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must lie in [0, 2**32), got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    # cuBLAS needs this workspace setting for deterministic matrix products on CUDA.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    # warn_only: an op with no deterministic CUDA kernel still runs; its warning is silenced so
    # that notebook outputs stay the same on CPU and GPU machines.
    _deterministic_algorithms()
    warnings.filterwarnings("ignore", message=".*does not have a deterministic implementation.*")
    return seed
