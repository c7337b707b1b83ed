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
# postgresql://user@host/gradebook) through COURSE_DB_URL.
c.CourseDirectory.db_url = os.environ.get(
    "COURSE_DB_URL", "sqlite:///" + os.path.join(os.path.abspath(os.getcwd()), "gradebook.db")
)

# Per-cell timeout when grading. Training cells need more than nbgrader's 30 s default; an
# infinite loop costs this much per test cell that calls it, then grading goes on.
c.Execute.timeout = int(os.environ.get("COURSE_CELL_TIMEOUT", "120"))
c.Execute.interrupt_on_timeout = True

# A deleted test cell is put back from the gradebook and graded, instead of "needs manual grade".
c.OverwriteCells.add_missing_cells = True

# The student version keeps each signature and raises NotImplementedError.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Feedback never shows hidden tests: their source is removed, and the tracebacks of their
# failures are cut down to the message the check wrote for the student.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course_utils.grading.HideHiddenTracebacks",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
