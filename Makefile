# The two commands: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run` needs only what the app imports; the test and lint tools (Playwright, mypy,
# schemathesis, ...) come with `make test` (issue #15: a served demo in under two minutes).
RUN_STAMP := $(VENV)/.installed-run
CHROMIUM := /usr/bin/chromium

.PHONY: run serve test test-fast lint bench bench-load setup setup-run migrate demo browser clean

$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

setup-run: $(RUN_STAMP)

# On an empty database the schema comes straight from the models (`createschema`: seconds,
# where replaying every migration took half a minute); `migrate` then applies what is new.
migrate: setup-run
	$(BIN)/bistand createschema --if-empty -v0
	$(BIN)/bistand migrate --noinput

demo: migrate
	$(BIN)/bistand demo --if-empty

run: demo
	$(BIN)/bistand runserver 127.0.0.1:8000

# The production server (gunicorn) on whatever DATABASE_URL says; docs/OPERATIONS.md.
serve: migrate
	$(BIN)/bistand serve

# Debian's chromium drives the browser tests (never a downloaded browser).
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; \
	  else echo "Install Debian's chromium package (sudo apt-get install chromium) for the browser tests"; exit 1; fi; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: setup browser lint
	$(BIN)/bistand makemigrations --check --dry-run
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest -m "not browser" -x -q

bench: setup
	$(BIN)/python bench/calc_bench.py

# Locust against `bistand serve` (needs DATABASE_URL=postgres://... with `bistand demo`).
bench-load: setup
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/load_bench.py --users 50 --duration 120

clean:
	rm -rf $(VENV) db.sqlite3 media build test-results
