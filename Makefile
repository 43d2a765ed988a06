# Switchboard: `make run` serves on the embedded defaults, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: run test venv lint typecheck bench node-deps postgres browser clean help

help:
	@echo "make run    - set up .venv, migrate, serve on http://127.0.0.1:8080 (SQLite, env secrets)"
	@echo "make test   - set up, start what the tests need, run every test"
	@echo "make lint   - ruff; make typecheck - mypy; make bench - benchmarks"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

run: venv
	@mkdir -p var
	$(BIN)/switchboard migrate
	$(BIN)/switchboard serve

node-deps:
	@scripts/ensure-node-deps.sh

postgres:
	@scripts/ensure-postgres.sh

browser:
	@scripts/ensure-browser.sh

test: venv node-deps postgres browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy app/settings app/runtime connectors/sdk

bench: venv postgres node-deps
	$(BIN)/python bench/feel.py
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) var test-output tests/node/node_modules
