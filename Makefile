# DocProf: `make run` sets everything up and runs the product; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format install migrate clean stop bench

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("DocProf needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

# `make run PORT=8001` (or DOCPROF_PORT=8001) serves on another port; the default is 8000.
run: install
	$(PY) manage.py run $(if $(PORT),--port $(PORT))

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrate: install
	$(PY) manage.py migrate

# Stops the embedded Postgres and Redis (e.g. after a `make run` that was killed).
stop: install
	$(PY) manage.py embedded stop

bench: install
	# every bench in bench/ (each with a time limit); rewrites docs/BENCHMARKS.md's tables
	$(PY) bench/record.py

clean:
	-$(PY) manage.py embedded stop
	rm -rf var staticfiles
