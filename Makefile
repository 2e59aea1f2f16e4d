# hrportal: `make run` and `make test` are the whole quick start.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# pytest-xdist workers for `make test` (tests/parallel.py keeps them apart); 0 runs the suite in one process.
PYTEST_WORKERS ?= 2

.PHONY: run test test-fast lint format venv migrate clean-var

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

# Web, worker and beat together; Ctrl-C (or any of them ending) stops all three, each once (deploy/run-dev.sh).
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap_dev
	@echo "hrportal: http://127.0.0.1:8000/  (mail is written to var/mail/)"
	@PY=$(PY) exec deploy/run-dev.sh

test: $(STAMP)
	$(PY) -m coverage erase
	$(PY) -m pytest -p tests.parallel -n $(PYTEST_WORKERS) --dist loadgroup --cov --cov-report= $(PYTEST_ARGS)
	$(PY) -m coverage report
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The unit and API tests alone, without the coverage gate: no browser, no real worker or broker, no fault
# scenarios, no fuzzing (the markers in pytest.ini). CI runs `make test`.
test-fast: $(STAMP)
	$(PY) -m pytest -p tests.parallel -n $(PYTEST_WORKERS) -m "not browser and not broker and not faults and not slow" $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
