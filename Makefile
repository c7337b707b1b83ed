# Deep Learning I: every target does its own set-up on a fresh clone and skips what is done.
#   make lab        JupyterLab on the course (student view)
#   make test       lint (ruff), then the whole test suite (unit tests, notebooks, grading round trip)
#   make release    regenerate assignments/ from solutions/ with nbgrader
#   make handout    what students get (lectures, assignments, course_utils, student README and
#                   Makefile; no solutions, tests or grading) in build/handout/, or HANDOUT=path;
#                   HANDOUT_ZIP=build/handout.zip also zips it for a release
#   make site       the course as a static website (Jupyter Book) in build/site/, or SITE=path:
#                   the handout's lectures and assignments, offline MathJax, launch buttons
#                   (tools/site/launch.toml); open build/site/index.html or publish the folder
#   make autograde  grade submitted/ (or an LMS zip) into the gradebook, grades.csv and feedback/
#   make hub        a demo JupyterHub on http://127.0.0.1:8000 (as root): an instructor, three
#                   students, nbgrader's exchange; state in build/hub/; make hub-clean removes it
#   make timings    re-execute every notebook in place and update the README's timing table
#   make benchmark  measure grading throughput and update the README's table

EXTRAS := [test]
include tools/setup.mk
WORKERS ?= 2
HANDOUT ?= build/handout
HANDOUT_ZIP ?=
SITE ?= build/site
ASSIGNMENTS := $(notdir $(wildcard solutions/[0-9][0-9]_*))

.PHONY: test release handout site autograde timings benchmark seeds clean hub hub-clean

# Notebooks run under nbval (stored outputs compared); each notebook, and each assignment's
# round trip, stays on one worker (loadscope).
NBVAL := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=300
test: setup
	$(RUN) $(BIN)/ruff check .
	$(RUN) COURSE_WIDGETS=static $(BIN)/python -m pytest -n $(WORKERS) --dist loadscope --durations=40 $(NBVAL) \
	  tests lectures solutions

release: setup
	@for a in $(ASSIGNMENTS); do \
	  $(RUN) $(BIN)/nbgrader generate_assignment "$$a" --force || exit 1; done

# Standard library only: no set-up needed. Run `make release` first after changing solutions/.
handout:
	$(PYTHON) tools/build_handout.py --out "$(HANDOUT)" $(if $(HANDOUT_ZIP),--zip "$(HANDOUT_ZIP)")

# The handout's pages rendered by Jupyter Book 1 (stored outputs, nothing executed); MathJax is
# installed with npm into build/node/ on first use and served by the site itself.
site: setup
	$(RUN) $(BIN)/python tools/build_site.py --out "$(SITE)"

# make autograde [ASSIGNMENT=01_conv_arithmetic] [ZIP=lms-download.zip] [WORKERS=2] [SCHEDULER=tcp://host:8786]
autograde: setup
	$(RUN) $(BIN)/python -m course_utils.grading.autograde --workers $(WORKERS) \
	  $(if $(SCHEDULER),--scheduler "$(SCHEDULER)") \
	  $(if $(ZIP),--zip "$(ZIP)") $(ASSIGNMENT)

timings: setup
	$(RUN) $(BIN)/python tools/execute_notebooks.py

# The handout is removed only at its default place under build/ (it is rebuilt by `make handout`);
# a HANDOUT elsewhere, such as a clone of the students' repository, is never deleted.
clean:
	rm -rf autograded feedback downloaded grades.csv grading-times.csv .grading .pytest_cache
	rm -rf build/handout build/handout.zip build/site

benchmark: setup
	$(RUN) $(BIN)/python tools/benchmark_grading.py

# The assignments' training checks graded on 20 seeds: the solution passes every one, each
# prepared mistake fails every one (a measurement, not part of make test).
seeds: setup
	$(RUN) $(BIN)/python tools/training_seeds.py

# A demo JupyterHub on this machine (as root): OS users dl1-instructor, dl1-ada, dl1-bob, dl1-cy,
# nbgrader's exchange, state in build/hub/ (tools/hub/hub.py); the proxy comes from npm into
# build/node/proxy/ on first use. HUB_PORT=8000. make hub-clean removes the users and build/hub/.
HUB_PORT ?= 8000
hub: setup
	$(RUN) $(BIN)/python tools/hub/hub.py --port $(HUB_PORT) start

hub-clean:
	$(PYTHON) tools/hub/hub.py clean
