"""nbgrader plug-ins of the course (configured in nbgrader_config.py)."""
from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

__all__ = ["HideHiddenTracebacks", "HIDDEN_BEGIN"]

HIDDEN_BEGIN = "BEGIN HIDDEN TESTS"


class HideHiddenTracebacks(Preprocessor):
    """Replace the traceback of a failed hidden-test cell by its one-line message.

    A traceback quotes the failing line of the test, so it would reveal hidden tests in the
    feedback. What remains is ``ExceptionName: message``; the course's checks write that message
    for the student (what was called, what came back, what was expected, the likely cause).
    Runs before nbgrader's ClearHiddenTests, which removes the hidden source itself.
    """

    enabled = Bool(True, help="nbconvert preprocessors are off unless enabled").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or HIDDEN_BEGIN not in cell.source:
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
