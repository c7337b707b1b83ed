import numpy as np
import pytest
import torch

from course_utils.checks import (
    CheckFailure,
    as_float64,
    expect_close,
    expect_int,
    expect_raises,
    expect_shape,
    rel_error,
)


def test_rel_error_closed_form():
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert rel_error([1.0], [3.0]) == pytest.approx(2.0 / 4.0)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match="equal shapes"):
        rel_error(np.zeros(2), np.zeros(3))


def test_as_float64_accepts_tensors_and_rejects_none_and_strings():
    out = as_float64(torch.tensor([1, 2], requires_grad=False))
    assert out.dtype == np.float64 and out.tolist() == [1.0, 2.0]
    with pytest.raises(CheckFailure, match="forget to return"):
        as_float64(None, "result")
    with pytest.raises(CheckFailure, match="numeric"):
        as_float64("abc", "result")


def test_expect_int_accepts_python_and_numpy_ints():
    expect_int(3, 3, "f()")
    expect_int(np.int64(3), 3, "f()")


@pytest.mark.parametrize("bad, fragment", [(3.0, "integer division"), (True, "expected the int 1"),
                                           ("3", "expected the int 3")])
def test_expect_int_rejects_non_ints(bad, fragment):
    expected = 1 if bad is True else 3
    with pytest.raises(CheckFailure, match=fragment):
        expect_int(bad, expected, "f()")


def test_expect_int_names_the_matching_mistake():
    with pytest.raises(CheckFailure) as info:
        expect_int(28, 32, "size(32, 5, padding=2)", mistakes={"forgot the padding": 28, "other": 30})
    assert str(info.value) == "size(32, 5, padding=2) returned 28, expected the int 32: forgot the padding"


def test_expect_int_is_not_fooled_by_fake_equality():
    class Liar:
        def __eq__(self, other):
            return True
    with pytest.raises(CheckFailure):
        expect_int(Liar(), 3, "f()")


def test_expect_shape_messages():
    expect_shape(np.zeros((2, 3)), (2, 3), "f()")
    with pytest.raises(CheckFailure, match=r"expected shape \(2, 10, 32, 32\): did you forget the padding\?"):
        expect_shape(np.zeros((2, 10, 30, 30)), (2, 10, 32, 32), "conv(x)",
                     mistakes={"did you forget the padding?": (2, 10, 30, 30)})
    with pytest.raises(CheckFailure, match="wrong order"):
        expect_shape(np.zeros((2, 32, 32, 10)), (2, 10, 32, 32), "conv(x)")
    with pytest.raises(CheckFailure, match="forget to return"):
        expect_shape(None, (1,), "f()")


def test_expect_close_passes_within_tolerance_and_fails_outside():
    x = np.linspace(0, 1, 5)
    expect_close(x + 1e-12, x, "f()")
    with pytest.raises(CheckFailure, match="relative error"):
        expect_close(x + 1e-3, x, "f()")


def test_expect_close_diagnoses_with_values_and_lazy_predictions():
    expected = np.array([1.0, 2.0])
    calls = []

    def lazy():
        calls.append(1)
        return np.array([0.5, 1.5])

    expect_close(expected.copy(), expected, "f()", mistakes={"lazy": lazy})
    assert calls == [], "predictions are computed only on failure"
    with pytest.raises(CheckFailure, match=": forgot the bias$"):
        expect_close([0.5, 1.5], expected, "f()", mistakes={"raises": lambda: 1 / 0, "forgot the bias": lazy})


def test_expect_close_shape_mismatch_uses_mistake_shapes():
    with pytest.raises(CheckFailure, match="no padding"):
        expect_close(np.zeros((2, 2)), np.zeros((4, 4)), "f()", mistakes={"no padding": np.ones((2, 2))})


def test_expect_close_rejects_nan():
    with pytest.raises(CheckFailure, match="non-finite"):
        expect_close([np.nan, 1.0], [0.0, 1.0], "f()")


def test_expect_raises():
    assert isinstance(expect_raises(ValueError, int, "x"), ValueError)
    with pytest.raises(CheckFailure, match=r"returned 5 \(int\), expected a ValueError: say why"):
        expect_raises(ValueError, int, "5", hint="say why")
    with pytest.raises(CheckFailure, match="raised ZeroDivisionError"):
        expect_raises(ValueError, lambda: 1 / 0)
