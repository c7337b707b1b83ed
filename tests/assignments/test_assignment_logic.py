"""The tests inside every assignment, exercised fast, in this process (see notebook_harness).

- the source notebook's own solution passes every test cell;
- correct solutions written differently pass every test cell;
- each common mistake fails the test cells it should, with a message naming the mistake;
- at least 9 in 10 small mutations of each solution are caught by its tests.
"""
from __future__ import annotations

import pytest

from tests.support.harness import ROOT, grade, read_cells, setup_namespace
from tests.support.mutation import mutation_report
from tests.assignments.submissions import load

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
        name, cells, _ = assignment
        ids = [c.grade_id for c in cells if c.grade_id]
        assert len(ids) == len(set(ids)), f"duplicate grade ids in {name}"
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
        alternatives = load(name).ALTERNATIVES
        assert alternatives, f"{name} has no alternative solutions to test"
        for cell, source in alternatives.items():
            result = grade(cells, {cell: source}, base=base)
            assert not result.failed(), f"alternative {cell}: {result.messages}"

    def test_each_mistake_fails_with_its_hint(self, assignment):
        name, cells, base = assignment
        mistakes = load(name).MISTAKES
        assert len(mistakes) >= 4
        for label, mistake in mistakes.items():
            result = grade(cells, {mistake.cell: mistake.source}, base=base)
            failed = set(result.failed())
            missing = set(mistake.must_fail) - failed
            assert not missing, f"{label}: expected {sorted(missing)} to fail; messages {result.messages}"
            if mistake.hint:
                assert any(mistake.hint in result.messages[g] for g in mistake.must_fail), \
                    f"{label}: no failure names the hint {mistake.hint!r}: {result.messages}"

    def test_mutants_are_caught(self, assignment):
        name, _, _ = assignment
        killed, total, survivors = mutation_report(source_notebook(name))
        assert total >= 20
        assert killed / total >= 0.9, f"{name}: {killed}/{total} mutants caught; survivors: {survivors}"


for _name in ASSIGNMENTS:
    globals()[f"TestLogic_{_name}"] = type(f"TestLogic_{_name}", (AssignmentLogic,), {"assignment": _name})
