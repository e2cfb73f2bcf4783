# salesim developer tasks.
#
#   make venv    create $(VENV) with $(PYTHON) and install salesim editable with dev extras
#   make run     run the default scenario (ranking_vs_team) on the standard organisation:
#                comparison.csv and report.html in outputs/default
#   make test    run the test suite
#   make lint    ruff check + ruff format --check
#   make bench   speed benchmark against Mesa's Boltzmann wealth example
#   make app     the workshop app on http://$(APP_HOST):$(APP_PORT)/ (Ctrl-C stops it)
#   make validate  run the MODEL.md section 5 facts and section 4 bands; writes validation/report.md
#   make calibrate fit the parameters of experiments/calibration_space.yaml to the train findings
#                of validation/evidence.yaml (Optuna, resumable), then the quota a seat from its level
#                moments (--quota-moments); writes simulator/fitted_defaults.json
#                and validation/calibration.md (CALIBRATE_ARGS, e.g. "--trials 100 --report-only")
#   make clean   remove generated files (keeps the venv); distclean also removes $(VENV)
#
# Another interpreter / venv, e.g. for CI:  make test PYTHON=python3.12 VENV=.venv312

PYTHON ?= python3
VENV ?= .venv
PIP_FLAGS ?= -q
PYTEST_ARGS ?=
# pytest-xdist processes for `make test` (each takes whole test files: their cached runs stay
# shared); 0 runs the suite in one process
TEST_WORKERS ?= 2
BENCH_ARGS ?=
APP_HOST ?= 127.0.0.1
APP_PORT ?= 8765
# When set, `make test` writes pytest's own exit code into this file (used by .ci/run,
# which must tell "no tests collected" (5) apart from failures; make itself exits 2).
PYTEST_RC_FILE ?=

LINT_PATHS := $(wildcard simulator salesim_cli tests benchmarks experiments salesim_app)
VENV_PY := $(VENV)/bin/python
# Touched after a successful install; pip re-runs when pyproject.toml is newer.
# STAMP: salesim with the dev extras (tests, launchers, designs, the app);
# RUN_STAMP: salesim alone, all `make run` needs (no Ray, Solara or browsers).
STAMP := $(VENV)/.salesim-installed
RUN_STAMP := $(VENV)/.salesim-run-installed

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: venv run test lint bench clean distclean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(VENV_PY) || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(VENV_PY) -m pip install $(PIP_FLAGS) -e '.[dev]'
	@touch $@ $(RUN_STAMP)

$(RUN_STAMP): pyproject.toml
	@test -x $(VENV_PY) || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(VENV_PY) -m pip install $(PIP_FLAGS) -e .
	@touch $@

run: $(RUN_STAMP)
	$(VENV)/bin/salesim scenario=ranking_vs_team hydra.run.dir=outputs/default

# `mkdir -p tests`: git keeps no empty folder, so a fresh clone without test files has no
# tests/, and pytest's "no files in testpaths" warning is an error under filterwarnings=error
# (exit 1 instead of 5).  Harmless once tests exist.
test: $(STAMP)
	@mkdir -p tests
	@rc=0; $(VENV_PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS) || rc=$$?; \
	if [ -n "$(PYTEST_RC_FILE)" ]; then echo $$rc > "$(PYTEST_RC_FILE)"; fi; \
	exit $$rc

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)

bench: $(STAMP)
	$(VENV_PY) benchmarks/bench_speed.py $(BENCH_ARGS)

# the dev extras include the app extra (Solara, Mesa's visualisation); --production turns
# off Solara's auto-reload, so the room's page stays up while files change; Solara's hook
# linter only warns about Mesa 3.3's own components, so it is off
.PHONY: app
app: $(STAMP)
	@echo "salesim workshop app: open http://$(APP_HOST):$(APP_PORT)/ (Ctrl-C stops it)"
	SOLARA_CHECK_HOOKS=off $(VENV)/bin/solara run salesim_app.app --host $(APP_HOST) --port $(APP_PORT) --production

# Every conf/experiment bundle at its replications (30 per arm) plus a 20-seed calibration;
# about 5 minutes on 2 cores. Exit 1 when a fact fails or a band is missed.
.PHONY: validate
VALIDATE_ARGS ?=
validate: $(STAMP)
	$(VENV_PY) -m experiments.validation --workers 2 $(VALIDATE_ARGS)

# Simulated moments: each trial simulates every experiment the train findings need, on the same
# seeds; the study lives in experiments/results/calibration.db and a rerun resumes it. A trial
# of the real evidence at 4 replications is 44 runs (11 arms), about 15 s on 2 cores.
.PHONY: calibrate
CALIBRATE_ARGS ?= --trials 60 --replications 4 --workers 2
calibrate: $(STAMP)
	$(VENV_PY) -m experiments.estimate --quota-moments $(CALIBRATE_ARGS)

clean:
	rm -rf outputs multirun build dist *.egg-info .pytest_cache .ruff_cache benchmarks/results
	find . \( -path './.git' -o -path './.venv*' -o -path './$(VENV)' \) -prune \
		-o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
