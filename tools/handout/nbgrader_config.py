"""nbgrader settings of the student edition, read by JupyterLab's Validate button.

Validate runs the open notebook from top to bottom in a fresh kernel and lists the visible tests
that fail. nbgrader allows 30 s per cell by default; the first import of torch on a busy laptop
and the small training loops of some exercises can take longer.
"""

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "deep-learning-1"
c.Execute.timeout = 120
