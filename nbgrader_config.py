"""nbgrader configuration of the course (read by every `nbgrader` command run from this folder).

Source notebooks (with solutions and hidden tests) live in solutions/, the generated student
versions in assignments/. Settings that vary per installation come from environment variables.
"""
import os

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "deep-learning-1"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# The gradebook: a git-ignored SQLite file by default; any SQLAlchemy URL (for example
# postgresql://user@host/gradebook) through COURSE_DB_URL. SQLite waits up to two minutes for a
# lock, so that parallel grading workers take turns instead of failing.
# The SQLite file sits beside this config file, wherever the command is run from.
_here = os.path.dirname(os.path.abspath(__file__))  # noqa: F821 (set by traitlets' config loader)
_db_url = os.environ.get("COURSE_DB_URL", "sqlite:///" + os.path.join(_here, "gradebook.db"))
if _db_url.startswith("sqlite") and "timeout=" not in _db_url:
    _db_url += ("&" if "?" in _db_url else "?") + "timeout=120"
c.CourseDirectory.db_url = _db_url

# Per-cell timeout when grading. Training cells need more than nbgrader's 30 s default; an
# infinite loop costs this much per test cell that calls it, then grading goes on.
_cell_timeout = int(os.environ.get("COURSE_CELL_TIMEOUT", "120"))


def _timeout(cell):
    """Locked set-up cells (imports: torch takes seconds on a busy machine) get 5 minutes at least."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if meta.get("locked") and not meta.get("grade") and not meta.get("solution"):
        return max(_cell_timeout, 300)
    return _cell_timeout


c.Execute.timeout = _cell_timeout
c.Execute.timeout_func = _timeout
c.Execute.interrupt_on_timeout = True

# Autograding, hardened for a whole class (see course_utils/grading.py): answers that modify the
# libraries the tests use are not run; a kernel that dies costs only the cell that killed it;
# huge outputs are cut. Files a student adds next to the notebook are not copied if they could
# shadow a module (course_utils.py, torch.py, ...).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "course_utils.grading.plugins.DeduplicateGradeIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "course_utils.grading.plugins.RejectTampering",
    "course_utils.grading.plugins.RejectForbiddenUses",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Each kernel runs in a sandbox (bubblewrap; course_utils/grading/sandbox.py): no network, no
# view of the course directory, limits on memory, CPU, processes and files; COURSE_SANDBOX=off
# turns it off for a trusted single user.
c.Autograde.autograde_preprocessors = [
    "course_utils.grading.sandbox_kernel.SandboxedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "course_utils.grading.plugins.LimitOutputSize",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            "*.py", "*.pth", "*.so", "*.pyd"]

# A deleted test cell is put back from the gradebook and graded, instead of "needs manual grade".
c.OverwriteCells.add_missing_cells = True

# The student version keeps each signature and raises NotImplementedError.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Feedback never shows hidden tests: their source is removed, and the tracebacks of their
# failures are cut down to the message the check wrote for the student.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course_utils.grading.plugins.HideHiddenTracebacks",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
