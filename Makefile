# ticketui: `make run` starts the dashboard with the sandbox upstream; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.13
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SANDBOX_PORT ?= 8001
PG_URL ?= postgres://postgres@127.0.0.1:5432/ticketui
# Test processes (pytest-xdist): one per core by default; PYTEST_WORKERS=0 runs in this process.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS)
export SANDBOX_PORT

.PHONY: run test lint test-sqlite test-postgres deploy-check install install-dev messages bench load cluster clean

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

messages: install
	@DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv -v 0

run: install messages
	@DEBUG=true $(BIN)/python manage.py migrate --no-input -v 0
	@bash bin/run-dev "$(PORT)" "$(SANDBOX_PORT)"

lint: install-dev
	$(BIN)/ruff check .
	bin/check-imports
	$(BIN)/ruff format --check .

test-sqlite: install-dev messages
	$(BIN)/pytest $(PYTEST_PARALLEL) -m "not browser and not postgresql" -q

test-postgres: install-dev messages
	bin/check-postgres "$(PG_URL)"
	DATABASE_URL="$(PG_URL)" $(BIN)/pytest $(PYTEST_PARALLEL) -q

# The README's Deploying section, followed literally in a scratch folder (a clone of the last
# commit) against PostgreSQL (a database of its own), Redis and the sandbox: about a minute.
DEPLOY_CHECK_PG_URL ?= $(PG_URL)_deploy_check
export DEPLOY_CHECK_PG_URL
deploy-check: install
	bin/check-postgres "$(DEPLOY_CHECK_PG_URL)"
	$(BIN)/python bin/deploy-check

test: lint test-sqlite test-postgres deploy-check

# One SQLite file per scale (audit records cannot be deleted, so a database keeps its scale);
# point BENCH_PG_URL at a database of its own for each scale too.
SCALE ?= full
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/ticketui_bench_$(SCALE)
bench: install-dev
	DATABASE_URL=sqlite:///$(CURDIR)/.bench-$(SCALE).sqlite3 $(BIN)/python -m bench.run --scale $(SCALE)
	DATABASE_URL=sqlite:///$(CURDIR)/.bench-$(SCALE).sqlite3 $(BIN)/python -m bench.conversation
	bin/check-postgres "$(BENCH_PG_URL)"
	$(BIN)/python -m bench.createdb "$(BENCH_PG_URL)"
	DATABASE_URL="$(BENCH_PG_URL)" $(BIN)/python -m bench.run --scale $(SCALE)
	DATABASE_URL="$(BENCH_PG_URL)" $(BIN)/python -m bench.conversation
	$(BIN)/python -m bench.report

load: install-dev
	$(BIN)/pip install --quiet -e '.[load]'
	bin/check-postgres "$(PG_URL)"
	$(BIN)/python -m bench.load.run

# Two web nodes behind HAProxy, one killed mid-run; then the same through PgBouncer (both are
# installed from Debian's packages if missing). CLUSTER_ARGS: e.g. --seconds 30 --via direct.
CLUSTER_PG_URL ?= postgres://postgres@127.0.0.1:5432/ticketui_cluster
cluster: install-dev
	$(BIN)/pip install --quiet -e '.[load]'
	bin/check-postgres "$(CLUSTER_PG_URL)"
	$(BIN)/python -m bench.cluster.run --database "$(CLUSTER_PG_URL)" $(CLUSTER_ARGS)

clean:
	rm -rf $(VENV) staticfiles .test-static .pytest_cache db.sqlite3* .bench*.sqlite3* .sandbox-state.json*
