"""course_utils.progress: one plain, deterministic line headless; tqdm live."""
from __future__ import annotations

import pytest

from course_utils.progress import progress


def test_static_yields_every_item_then_prints_one_final_line(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_WIDGETS", "static")
    seen = []
    for i in progress(range(5), desc="toy"):
        seen.append(i)
        assert capsys.readouterr().out == ""  # nothing is printed while the loop runs
    assert seen == [0, 1, 2, 3, 4]
    assert capsys.readouterr().out == "toy: 5/5 steps\n"


def test_static_says_when_a_loop_stopped_early(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_WIDGETS", "static")
    loop = progress(range(10), desc="diverging run")
    for i in loop:
        if i == 3:
            break
    loop.close()  # what the garbage collector does at once in CPython
    assert capsys.readouterr().out == "diverging run: stopped after 3/10 steps\n"


def test_a_generator_without_length_is_counted(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_WIDGETS", "static")
    assert sum(progress((x for x in range(4)), desc="gen")) == 6
    assert capsys.readouterr().out == "gen: 4 steps\n"


def test_live_is_a_tqdm_bar(monkeypatch):
    from tqdm.auto import tqdm

    monkeypatch.setenv("COURSE_WIDGETS", "live")
    bar = progress(range(3), desc="live")
    assert isinstance(bar, tqdm) and bar.total == 3
    assert list(bar) == [0, 1, 2]


def test_a_missing_description_is_explained():
    with pytest.raises(TypeError, match="desc must be a non-empty string"):
        progress(range(3), desc="")
