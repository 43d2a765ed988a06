# Switchboard: `make run` serves on the embedded defaults, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell cksum < pyproject.toml | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(HASH)
DEV_STAMP := $(VENV)/.installed-dev-$(HASH)
PYTEST_ARGS ?=

.PHONY: run test venv dev image stack lint typecheck bench node-deps postgres rabbitmq mariadb browser dovecot clean help

help:
	@echo "make run    - set up .venv, migrate, serve on http://127.0.0.1:8080 (SQLite, env secrets)"
	@echo "make test   - set up, start what the tests need, run every test"
	@echo "make lint   - ruff check + format check; make typecheck - mypy (both run in make test)"
	@echo "make bench  - benchmarks"

# `make run` installs only what the service needs; `make test` adds the dev extra.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@rm -f $(VENV)/.installed-[0-9]* && touch $@

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-dev-* && touch $@

venv: $(STAMP)
dev: $(DEV_STAMP)

run: venv
	@mkdir -p var
	$(BIN)/switchboard migrate
	$(BIN)/switchboard apikey ensure-local
	MALLOC_ARENA_MAX=$${MALLOC_ARENA_MAX:-2} $(BIN)/switchboard serve

node-deps:
	@scripts/ensure-node-deps.sh

postgres:
	@scripts/ensure-postgres.sh

rabbitmq:
	@scripts/ensure-rabbitmq.sh

mariadb:
	@scripts/ensure-mariadb.sh

browser:
	@scripts/ensure-browser.sh

dovecot:
	@scripts/ensure-dovecot.sh

# Static checks first: a lint, format or type error fails `make test` (and so CI) at once.
test: lint typecheck node-deps postgres rabbitmq mariadb browser dovecot
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check app connectors tests bench migrations scripts examples

typecheck: dev
	$(BIN)/mypy app connectors

bench: dev postgres node-deps
	$(BIN)/python bench/feel.py
	$(BIN)/python bench/throughput.py

image:
	docker build -t switchboard-runtime:local .

stack:
	docker compose up -d

clean:
	rm -rf $(VENV) var test-output tests/node/node_modules
