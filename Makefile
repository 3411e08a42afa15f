# casemgmt: `make run` brings up the demo council; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format typecheck services frontend browser bench bench-data clean help

help:
	@echo "make run    - install, start PostgreSQL/Redis if needed, migrate, load the demo council, serve"
	@echo "make test   - ruff, mypy, migration check and the whole pytest suite (browser tests included)"
	@echo "make bench  - generate the scale dataset (once) and run the benchmarks"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "casemgmt needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	bash scripts/ensure_dotenv.sh
	touch $@

static/vendor/casemgmt.css: package.json package-lock.json static/src/casemgmt.scss static/src/_app.scss
	bash scripts/build_frontend.sh

frontend: static/vendor/casemgmt.css

services: $(STAMP)
	bash scripts/services.sh

browser:
	bash scripts/ensure_chromium.sh

run: $(STAMP) frontend services
	bash scripts/run.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: $(STAMP)
	$(VENV)/bin/mypy casemgmt clients workflows governance documents retention subject_access

test: $(STAMP) frontend services browser lint typecheck
	set -a; source .local/services.env; set +a; \
	SECRET_KEY=makemigrations-check $(PY) manage.py makemigrations --check --dry-run && \
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

bench: $(STAMP) frontend services
	set -a; source .local/services.env; set +a; $(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles .pytest_cache .mypy_cache .ruff_cache
