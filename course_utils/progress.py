"""Progress of a training loop: a live bar in JupyterLab, one plain line when executed headless.

A tqdm bar executed headless (nbval, ``make timings``) is stored as its first frame,
``0%| 0/N``, which reads as if nothing ran. :func:`progress` follows the widget mode
(:func:`course_utils.widgets.widget_mode`): live, it is ``tqdm.auto.tqdm``; static, it yields the
same items and prints one deterministic line when the loop ends::

    for step in progress(range(300), desc="LSTM"):
        ...
    # static output:  LSTM: 300/300 steps
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from course_utils.widgets import widget_mode

__all__ = ["progress"]

T = TypeVar("T")


def _plain(items: Iterable[T], desc: str, total: int | None) -> Iterator[T]:
    done = 0
    try:
        for item in items:
            yield item
            done += 1
    finally:
        of = f"/{total}" if total is not None else ""
        stopped = total is not None and done < total
        print(f"{desc}: {'stopped after ' if stopped else ''}{done}{of} steps", flush=True)


def progress(items: Iterable[T], desc: str, total: int | None = None) -> Iterable[T]:
    """Iterate over ``items`` and show the progress.

    Args:
        items: any iterable (usually ``range(steps)``).
        desc: what is running, printed before the count, e.g. ``"ring GAN"``.
        total: the number of items when ``len(items)`` does not exist (a generator).
    Returns:
        an iterable over the same items, in the same order.
    """
    if not isinstance(desc, str) or not desc:
        raise TypeError(f"desc must be a non-empty string naming the loop, got {desc!r}")
    if total is None and hasattr(items, "__len__"):
        total = len(items)
    if widget_mode() == "live":
        from tqdm.auto import tqdm

        return tqdm(items, desc=desc, total=total)
    return _plain(items, desc, total)
