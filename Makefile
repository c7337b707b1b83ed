# Deep Learning I: every target does its own set-up on a fresh clone and skips what is done.
#   make lab        JupyterLab on the course (student view)
#   make test       lint (ruff), then the whole test suite (unit tests, notebooks, grading round trip)
#   make release    regenerate assignments/ from solutions/ with nbgrader
#   make handout    what students get (lectures, assignments, course_utils, student README and
#                   Makefile; no solutions, tests or grading) in build/handout/, or HANDOUT=path;
#                   HANDOUT_ZIP=build/handout.zip also zips it for a release
#   make autograde  grade submitted/ (or an LMS zip) into the gradebook, grades.csv and feedback/
#   make timings    re-execute every notebook in place and update the README's timing table
#   make benchmark  measure grading throughput and update the README's table

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(abspath $(VENV))/bin
STAMP  := $(VENV)/.installed
# torch for machines without an NVIDIA GPU; with a GPU (nvidia-smi works) pip's default CUDA
# build is installed instead. pyproject.toml declares lower bounds only; this exact CPU build must
# lie within them (tests/unit/test_environment.py). Override, e.g.
# TORCH_CPU="torch --index-url <PyTorch CPU index>".
TORCH_CPU ?= torch==2.13.0
PORT   ?= 8888
WORKERS ?= 2
LAB_ARGS ?=
HANDOUT ?= build/handout
HANDOUT_ZIP ?=
# nbgrader calls the alembic command, so the venv's bin goes first on PATH.
RUN    := PATH="$(BIN):$$PATH" VIRTUAL_ENV="$(abspath $(VENV))"
ASSIGNMENTS := $(notdir $(wildcard solutions/[0-9][0-9]_*))

.PHONY: setup lab test release handout autograde timings benchmark clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if $(BIN)/python -c "import torch" 2>/dev/null; then \
	  echo "torch already installed"; \
	elif command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then \
	  echo "NVIDIA GPU found: installing the CUDA build of torch"; $(BIN)/pip install torch; \
	else \
	  echo "no NVIDIA GPU: installing $(TORCH_CPU)"; $(BIN)/pip install $(TORCH_CPU); \
	fi
	$(BIN)/pip install -e ".[test]"
	# students do not see the instructor's panels of nbgrader's JupyterLab extension
	$(RUN) $(BIN)/jupyter labextension disable --level=sys_prefix \
	  @jupyter/nbgrader:create-assignment @jupyter/nbgrader:formgrader @jupyter/nbgrader:course-list
	touch $(STAMP)

lab: setup
	$(RUN) $(BIN)/jupyter lab --port=$(PORT) --ServerApp.root_dir="$(CURDIR)" \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ARGS)

# Notebooks run under nbval (stored outputs compared); each notebook, and each assignment's
# round trip, stays on one worker (loadscope).
NBVAL := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=300
test: setup
	$(RUN) $(BIN)/ruff check .
	$(RUN) COURSE_WIDGETS=static $(BIN)/python -m pytest -n $(WORKERS) --dist loadscope --durations=15 $(NBVAL) \
	  tests lectures solutions

release: setup
	@for a in $(ASSIGNMENTS); do \
	  $(RUN) $(BIN)/nbgrader generate_assignment "$$a" --force || exit 1; done

# Standard library only: no set-up needed. Run `make release` first after changing solutions/.
handout:
	$(PYTHON) tools/build_handout.py --out "$(HANDOUT)" $(if $(HANDOUT_ZIP),--zip "$(HANDOUT_ZIP)")

# make autograde [ASSIGNMENT=01_conv_arithmetic] [ZIP=lms-download.zip] [WORKERS=2]
autograde: setup
	$(RUN) $(BIN)/python -m course_utils.grading.autograde --workers $(WORKERS) \
	  $(if $(ZIP),--zip "$(ZIP)") $(ASSIGNMENT)

timings: setup
	$(RUN) $(BIN)/python tools/execute_notebooks.py

# The handout is removed only at its default place under build/ (it is rebuilt by `make handout`);
# a HANDOUT elsewhere, such as a clone of the students' repository, is never deleted.
clean:
	rm -rf autograded feedback downloaded grades.csv .pytest_cache
	rm -rf build/handout build/handout.zip

benchmark: setup
	$(RUN) $(BIN)/python tools/benchmark_grading.py
