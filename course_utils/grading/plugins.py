"""nbgrader plug-ins of the course (configured in nbgrader_config.py).

- :class:`HideHiddenTracebacks` (feedback): failed hidden tests show their message only.
- :class:`RejectTampering` (autograde, sanitizing): an answer that modifies numpy, torch,
  course_utils or a name of the notebook's set-up is not run; only that answer loses its points.
- :class:`RejectForbiddenUses` (autograde, sanitizing): an answer that uses what its exercise
  forbids, or what no answer may use (course_utils, introspection), is not run, and says why.
- :class:`ResilientExecute` (autograde): a kernel that dies costs only the cell that killed it.
- :class:`LimitOutputSize` (autograde): megabytes of output are cut, so the files stay small.
- :class:`DeduplicateGradeIds` (autograde, sanitizing): copy-pasted graded cells are not graded twice.
"""
from __future__ import annotations

import copy

from nbconvert.preprocessors import Preprocessor
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

# The two plug-ins that judge an answer's source before it runs live in .answer_rules; they are
# re-exported here so that nbgrader_config.py names every plug-in through this module.
from .answer_rules import RejectForbiddenUses, RejectTampering, find_tampering

__all__ = ["HideHiddenTracebacks", "RejectTampering", "RejectForbiddenUses", "ResilientExecute",
           "LimitOutputSize", "DeduplicateGradeIds", "HIDDEN_BEGIN", "find_tampering"]

HIDDEN_BEGIN = "BEGIN HIDDEN TESTS"


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


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


# ------------------------------------------------------------------------------ resilience

class ResilientExecute(Execute):
    """nbgrader's Execute, except that a kernel that dies costs only the cell that killed it.

    ``os._exit``, a crash or exhausted memory kill the kernel; nbgrader would then drop the
    whole submission. Here the cell gets an error output, a new kernel starts, the earlier code
    cells that are not tests are run again silently (imports and answers), and grading goes on.
    """

    def preprocess_cell(self, cell, resources, index):
        from nbclient.exceptions import DeadKernelError

        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            return self._lose_cell(cell, index, "KernelDied",
                                   "the kernel died while running this cell (os._exit, a crash, or memory exhausted)")

    def _lose_cell(self, cell, index, ename: str, what: str):
        """The cell gets an error output ``ename: what``; a new kernel replays the earlier cells."""
        from nbformat.v4 import new_output

        self.log.warning("%s in cell %d; restarting the kernel", ename, index)
        cell.outputs.append(new_output("error", ename=ename, evalue=f"{what}; the cells after it ran in a new kernel",
                                       traceback=[f"{ename}: {what}"]))
        self._restart_and_replay(index)
        return cell, self.resources

    def _restart_and_replay(self, failed_index):
        from jupyter_core.utils import run_sync
        from nbclient.exceptions import DeadKernelError

        if self.kc is not None:
            self.kc.stop_channels()
        run_sync(self.km.restart_kernel)(now=True)
        self.start_new_kernel_client()
        for index, cell in enumerate(self.nb.cells[:failed_index]):
            if cell.cell_type != "code" or _nbgrader(cell).get("grade"):
                continue
            try:
                self.execute_cell(copy.deepcopy(cell), index, store_history=False)
            except DeadKernelError:  # an earlier cell kills it too: stop replaying
                self.kc.stop_channels()
                run_sync(self.km.restart_kernel)(now=True)
                self.start_new_kernel_client()
                return
            except Exception:  # the replayed cell failed as it may have the first time
                continue


class LimitOutputSize(Preprocessor):
    """Cut text outputs longer than ``max_chars`` characters (a cell printing megabytes)."""

    enabled = Bool(True).tag(config=True)
    max_chars = Integer(100_000, help="characters kept per text output").tag(config=True)

    def _cut(self, text):
        if isinstance(text, list):
            text = "".join(text)
        if len(text) <= self.max_chars:
            return text
        return text[:self.max_chars] + f"\n... [{len(text) - self.max_chars} more characters cut]\n"

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = self._cut(output["text"])
            data = output.get("data", {})
            for mime in ("text/plain", "text/html"):
                if mime in data:
                    data[mime] = self._cut(data[mime])
        return cell, resources


class DeduplicateGradeIds(Preprocessor):
    """Keep the first of several cells with the same nbgrader grade id (copy-pasted cells).

    The copies lose their nbgrader metadata and become ordinary cells. (nbgrader's own
    DeduplicateIds leaves an empty metadata dict behind, which then breaks autograding.)
    """

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        seen = set()
        for cell in nb.cells:
            grade_id = _nbgrader(cell).get("grade_id")
            if grade_id is None:
                continue
            if grade_id in seen:
                self.log.warning("Cell with grade id %r appears more than once: the copy is not graded", grade_id)
                del cell.metadata["nbgrader"]
            else:
                seen.add(grade_id)
        return nb, resources
