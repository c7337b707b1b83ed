"""course_utils.verify: the student's call runs first, its inputs must stay unchanged, warnings
go to stdout, and only plain data comes back."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from course_utils.checks import CheckFailure
from course_utils.verify import student_call, verify_close


def double(a):
    return 2 * a


def double_in_place(a):
    a *= 2
    return a


def scale_all_in_place(arrays):
    for a in arrays:
        a *= 2
    return arrays


def test_an_answer_that_leaves_its_inputs_alone_passes():
    x = np.arange(4.0)
    result = student_call(lambda: double(x))
    np.testing.assert_array_equal(result, [0, 2, 4, 6])
    np.testing.assert_array_equal(x, [0, 1, 2, 3])


@pytest.mark.parametrize("make", [lambda: np.arange(4.0), lambda: torch.arange(4.0)])
def test_an_answer_that_changes_an_array_or_tensor_in_place_fails_named(make):
    x = make()
    message = r"double_in_place\(\.\.\.\) changed the arrays it was given in place \(`x`\)"
    with pytest.raises(CheckFailure, match=message):
        student_call(lambda: double_in_place(x))


def test_arrays_inside_a_list_are_watched_too():
    grads = [np.ones(3), np.ones(2)]
    with pytest.raises(CheckFailure, match="changed the arrays it was given"):
        student_call(lambda: scale_all_in_place(grads))


def test_the_name_given_by_the_test_is_used_and_nan_inputs_are_no_change():
    x = np.array([np.nan, 1.0])
    assert np.isnan(student_call(lambda: double(x), name="double(x)")[0])
    with pytest.raises(CheckFailure, match=r"^double\(x\) changed"):
        student_call(lambda: double_in_place(x), name="double(x)")


def test_where_an_exercise_updates_in_place_the_check_can_be_off():
    x = np.ones(2)
    verify_close(lambda: double_in_place(x), lambda: np.full(2, 2.0), "double_in_place(x)", unchanged=False)


def test_warnings_of_the_answer_go_to_stdout(capsys):
    def noisy(a):
        warnings.warn("noisy answer", DeprecationWarning, stacklevel=2)
        return a

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        student_call(lambda: noisy(np.zeros(1)))
    captured = capsys.readouterr()
    assert "noisy answer" in captured.out and captured.err == ""


def test_an_object_of_the_students_own_type_is_refused():
    class Sneaky(float):
        pass

    with pytest.raises(CheckFailure, match="the result is a Sneaky"):
        student_call(lambda: Sneaky(1.0))
