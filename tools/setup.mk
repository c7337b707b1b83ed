# The set-up and `make lab`, shared by the course's Makefile and the students' handout (where this
# file is copied as setup.mk). Set EXTRAS (e.g. [test]) before including it.
SETUP_MK := $(lastword $(MAKEFILE_LIST))
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
LAB_ARGS ?=
EXTRAS ?=
# nbgrader calls the alembic command, so the venv's bin goes first on PATH.
RUN    := PATH="$(BIN):$$PATH" VIRTUAL_ENV="$(abspath $(VENV))"

# JupyterLab settings shipped with the course (the venv's overrides.json, read by every lab it
# runs): no "Jupyter news" pop-up and no update check, both of which would ask a website.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
NEWS_OFF := {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}

.PHONY: setup lab

setup: $(STAMP) $(LAB_OVERRIDES)

$(LAB_OVERRIDES): $(SETUP_MK) | $(STAMP)
	mkdir -p "$(dir $@)"
	printf '%s\n' '$(NEWS_OFF)' > "$@"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if $(BIN)/python -c "import torch" 2>/dev/null; then \
	  echo "torch already installed"; \
	elif command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then \
	  echo "NVIDIA GPU found: installing the CUDA build of torch"; $(BIN)/pip install torch; \
	else \
	  echo "no NVIDIA GPU: installing $(TORCH_CPU)"; $(BIN)/pip install $(TORCH_CPU); \
	fi
	$(BIN)/pip install -e ".$(EXTRAS)"
	# students do not see the instructor's panels of nbgrader's JupyterLab extension; Validate stays
	$(RUN) $(BIN)/jupyter labextension disable --level=sys_prefix \
	  @jupyter/nbgrader:create-assignment @jupyter/nbgrader:formgrader @jupyter/nbgrader:course-list
	touch $(STAMP)

lab: setup
	$(RUN) $(BIN)/jupyter lab --port=$(PORT) --ServerApp.root_dir="$(CURDIR)" \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ARGS)
