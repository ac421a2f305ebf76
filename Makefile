# Observatoire qualité de Ducos — `make` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

# Use the active environment (conda or venv) when there is one, otherwise ./.venv.
ifneq ($(strip $(VIRTUAL_ENV)$(CONDA_PREFIX)),)
PYTHON := python
STAMP := .installed-$(shell echo "$(VIRTUAL_ENV)$(CONDA_PREFIX)" | md5sum | cut -c1-8)
else
PYTHON := .venv/bin/python
STAMP := .venv/.installed
endif
DUCOS := $(PYTHON) -m ducos_lib.cli
RAW := data/raw/sample
OUT := reports
JOBS ?= 2
DIFFUSION ?= copil
PYTEST_ARGS ?=

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@if [ "$(PYTHON)" = ".venv/bin/python" ] && [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(STAMP) ## Create the environment (./.venv unless one is active) and install the package

validate: $(STAMP) ## Validate and pseudonymise the sample data (RAW=data/raw/sample)
	$(DUCOS) validate --raw-dir $(RAW)

reports: $(STAMP) ## Produce the reports of every milestone of the sample's calendar into reports/ (DIFFUSION=restreinte for the HR level)
	$(DUCOS) validate --raw-dir $(RAW)
	$(DUCOS) run --milestone tous --raw-dir $(RAW) --out $(OUT) --jobs $(JOBS) --diffusion $(DIFFUSION)
	@echo "Ouvrez $(OUT)/$(if $(filter restreinte,$(DIFFUSION)),restreinte/)<jalon>/index.html dans un navigateur (versions PDF à côté)."

lint: $(STAMP) ## Lint the library, tests, benchmarks and notebook scripts (ruff, settings in pyproject.toml)
	$(PYTHON) -m ruff check ducos_lib tests bench notebooks

test: lint ## Run every test (lint, library, notebooks end to end, browser, personal-data scan)
	$(PYTHON) -m pytest -n $(JOBS) --dist loadgroup $(PYTEST_ARGS)

test-fast: $(STAMP) ## Run the quick tests only (no notebook execution, no browser)
	$(PYTHON) -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

bench: $(STAMP) ## Measure the performance targets of DESIGN §9 (writes bench/results.json)
	$(PYTHON) bench/run.py

bench-text: $(STAMP) ## Measure only the text pipeline: 10,000 forms redacted and coded, model loading included (< 30 s)
	uptime; $(PYTHON) bench/bench_text.py --forms 10000

lab: $(STAMP) ## Open JupyterLab on the workspace (library changes reloaded automatically, outputs stripped at commit)
	@if git rev-parse --git-dir >/dev/null 2>&1; then $(PYTHON) -m nbstripout --install; fi
	IPYTHONDIR=$(CURDIR)/.ipython $(PYTHON) -m jupyter lab --notebook-dir=$(CURDIR) $(if $(filter 0,$(shell id -u)),--allow-root)

sample-data: $(STAMP) ## Regenerate the committed synthetic sample in data/raw/sample
	$(DUCOS) sample-data --out $(RAW)

clean: ## Remove generated reports and processed data (never data/raw)
	rm -rf $(OUT) data/processed

.PHONY: help install validate reports lint test test-fast bench bench-text lab sample-data clean
