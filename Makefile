# sclerostem — the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench system clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## System packages needed by the tests (PostgreSQL, Chromium, poppler); installs only what is missing.
system:
	bash scripts/ensure-system.sh

## The main job: the clinic web app on SQLite with the synthetic demo cohort.
run: $(STAMP)
	$(VENV)/bin/sclerostem demo

## Everything: Python packages, system packages, lint, the whole test suite.
test: $(STAMP) system
	$(VENV)/bin/ruff check src tests bench
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

bench: $(STAMP)
	for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f; done

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
