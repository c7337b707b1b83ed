"""The tests inside every assignment, exercised fast, in this process (see notebook_harness).

- the source notebook's own solution passes every test cell;
- correct solutions written differently pass every test cell;
- each common mistake fails the test cells it should, with a message naming the mistake;
- at least 9 in 10 small mutations of each solution are caught by its tests.
"""
from __future__ import annotations

import gc
import re

import pytest

from tests.assignments.submissions import correct_answers, load
from tests.support.harness import ROOT, grade, read_cells, sanitized, setup_namespace
from tests.support.mutation import mutation_report, unreached_checks

ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and p.name[:2].isdigit())


def source_notebook(assignment):
    return ROOT / "solutions" / assignment / f"{assignment}.ipynb"


@pytest.fixture(scope="class")
def assignment(request):
    name = request.cls.assignment
    cells = read_cells(source_notebook(name))
    return name, cells, setup_namespace(cells)


class AssignmentLogic:
    """The checks of one assignment; one subclass per assignment (see below)."""

    assignment: str

    def test_every_test_cell_has_points_and_a_stable_id(self, assignment):
        """Grade ids are unique, readable (``conv-output-size-hidden``), named after their exercise,
        and the same as in the released student version: renaming one after release would orphan
        the grades already in the gradebook."""
        name, cells, _ = assignment
        ids = [c.grade_id for c in cells if c.grade_id]
        assert len(ids) == len(set(ids)), f"duplicate grade ids in {name}"
        assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids), f"unreadable grade ids: {ids}"
        released = read_cells(ROOT / "assignments" / name / f"{name}.ipynb")
        assert [c.grade_id for c in released if c.grade_id] == ids, f"{name}: run make release"
        tests = [c for c in cells if c.kind == "tests"]
        assert tests and all(c.points > 0 for c in tests)
        for solution in (c for c in cells if c.kind == "solution"):
            assert "### BEGIN SOLUTION" in solution.source and "### END SOLUTION" in solution.source
            own = [t for t in tests if t.grade_id.startswith(solution.grade_id + "-")]
            assert any("BEGIN HIDDEN TESTS" in t.source for t in own), f"{solution.grade_id} has no hidden tests"
            assert any("BEGIN HIDDEN TESTS" not in t.source for t in own), f"{solution.grade_id} has no visible test"

    def test_solution_passes_every_test(self, assignment):
        name, cells, base = assignment
        result = grade(cells, base=base)
        assert result.passed and not result.failed(), result.messages

    def test_alternative_solutions_pass(self, assignment):
        name, cells, base = assignment
        alternatives = correct_answers(load(name))
        assert alternatives, f"{name} has no alternative solutions to test"
        position = {c.grade_id: c.index for c in cells}
        for number, (cell, source) in enumerate(alternatives):
            # the test cells before the answer cannot see it: they pass as with the solution
            later = {c.grade_id for c in cells if c.kind == "tests" and c.index > position[cell]}
            result = grade(cells, {cell: source}, base=base, only=later)
            assert not result.failed(), f"alternative {number} of {cell}: {result.messages}"

    def test_each_mistake_fails_with_its_hint(self, assignment):
        """Each prepared mistake fails its cells and its message names it: at least 9 in 10 of them
        have a hint, which a failing cell's message must contain."""
        name, cells, base = assignment
        mistakes = load(name).MISTAKES
        assert len(mistakes) >= 4
        named = sum(1 for m in mistakes.values() if m.hint)
        assert named >= 0.9 * len(mistakes), f"{name}: only {named} of {len(mistakes)} mistakes have a hint"
        for label, mistake in mistakes.items():
            result = grade(cells, {mistake.cell: mistake.source}, base=base, until=set(mistake.must_fail))
            failed = set(result.failed())
            missing = set(mistake.must_fail) - failed
            assert not missing, f"{label}: expected {sorted(missing)} to fail; messages {result.messages}"
            if mistake.hint:
                assert any(mistake.hint in result.messages[g] for g in mistake.must_fail), \
                    f"{label}: no failure names the hint {mistake.hint!r}: {result.messages}"

    def test_the_grader_runs_every_correct_answer(self, assignment):
        """The grader's sanitizing (tampering, forbidden uses) leaves correct answers alone."""
        name, cells, _ = assignment
        answers = {c.grade_id: c.source for c in cells if c.kind == "solution"}
        for cell, source in [*answers.items(), *correct_answers(load(name))]:
            kept = sanitized(cells, {cell: source})[cell]
            assert kept == source, f"{cell}: the grader would not run a correct answer: {kept}"

    def test_forbidden_uses_are_named_and_not_run(self, assignment):
        """Each disguise of a forbidden library fails the visible test with its reason (Validate)
        and is not run by the grader, which says why."""
        name, cells, base = assignment
        for label, use in getattr(load(name), "FORBIDDEN_USES", {}).items():
            result = grade(cells, {use.cell: use.source}, base=base, only=set(use.must_fail))
            assert set(use.must_fail) <= set(result.failed()), f"{label}: {result.messages}"
            assert any(use.hint in result.messages[g] for g in use.must_fail), f"{label}: {result.messages}"
            replaced = sanitized(cells, {use.cell: use.source})[use.cell]
            assert replaced.startswith("raise RuntimeError(") and "not run" in replaced, f"{label}: {replaced}"

    def test_cheats_score_nothing(self, assignment):
        """Answers that look for the expected value (frames, globals, gc) instead of computing it
        fail every cell they target: run as written when the value cannot exist yet (``raw``),
        and always once the grader's sanitizing has seen them."""
        name, cells, base = assignment
        # The objects that exist before the notebook's cells run (pytest's, the modules') are
        # frozen out of the garbage collector's lists: a cheat scanning gc.get_objects() then sees
        # what a kernel's scan would see, the notebook's own objects, and runs in seconds.
        gc.freeze()
        try:
            self._cheats(name, cells, base)
        finally:
            gc.unfreeze()

    @staticmethod
    def _cheats(name, cells, base):
        for label, cheat in getattr(load(name), "CHEATS", {}).items():
            if cheat.raw:
                result = grade(cells, {cheat.cell: cheat.source}, base=base, only=set(cheat.must_fail))
                passed = set(cheat.must_fail) - set(result.failed())
                assert not passed, f"{label} passed {sorted(passed)}: an expected value was there to find"
            replaced = sanitized(cells, {cheat.cell: cheat.source})[cheat.cell]
            assert replaced.startswith("raise RuntimeError("), f"{label}: the grader would run it"
            result = grade(cells, {cheat.cell: cheat.source}, base=base, only=set(cheat.must_fail), sanitize=True)
            assert set(cheat.must_fail) <= set(result.failed()), f"{label}: {result.messages}"

    def test_mutants_are_caught(self, assignment):
        name, _, _ = assignment
        killed, total, survivors = mutation_report(source_notebook(name))
        assert total >= 20
        assert killed / total >= 0.9, f"{name}: {killed}/{total} mutants caught; survivors: {survivors}"

    def test_every_argument_check_is_the_first_to_fire_on_some_test_input(self, assignment):
        """Each ``if ...: raise`` of an answer is reached: some test input trips it before any
        other check (an input that also trips an earlier check would leave it untested)."""
        name, _, _ = assignment
        total, unreached = unreached_checks(source_notebook(name))
        assert not unreached, f"{name}: {len(unreached)} of {total} argument checks never fire first: {unreached}"


for _name in ASSIGNMENTS:
    globals()[f"TestLogic_{_name}"] = type(f"TestLogic_{_name}", (AssignmentLogic,), {"assignment": _name})
