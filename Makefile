# ticketui: `make run` starts the dashboard with the sandbox upstream; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.13
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SANDBOX_PORT ?= 8001
PG_URL ?= postgres://postgres@127.0.0.1:5432/ticketui
export SANDBOX_PORT

.PHONY: run test lint test-sqlite test-postgres test-browser install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	@DEBUG=true $(BIN)/python manage.py migrate --no-input -v 0
	@bash bin/run-dev "$(PORT)" "$(SANDBOX_PORT)"

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-sqlite: install-dev
	$(BIN)/pytest -m "not browser" -q

test-postgres: install-dev
	bin/check-postgres "$(PG_URL)"
	DATABASE_URL="$(PG_URL)" $(BIN)/pytest -q

test: lint test-sqlite test-postgres

clean:
	rm -rf $(VENV) staticfiles .pytest_cache db.sqlite3* .sandbox-state.json
