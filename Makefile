# Impresa per Noi – case engine. `make run` serves the app with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DATABASE_URL ?= sqlite:///$(CURDIR)/instance/impresa.db

.PHONY: help setup run test test-fast test-postgres lint typecheck imports check bench clean chromium

help:
	@echo "make run    – set up, migrate, seed demo data, serve on http://127.0.0.1:5000 (PORT=… to change)"
	@echo "make test   – set up, run the decision tests and the whole test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)"
	@echo "make test-fast – the quick loop: the tests that need no database, browser or real processes"
	@echo "make check  – ruff + mypy + import-linter (the layering contracts in pyproject.toml)"
	@echo "make bench  – run the benchmarks in benchmarks/"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# bpmn-js, its properties panel, the token simulation, dmn-js and esbuild (pinned in package-lock.json)
# → web/static/vendor: the viewer copied, the BPMN modeler and the DMN editor bundled with their
# Italian (package.json's postinstall, web/vendor_assets.mjs).
ASSETS := web/static/vendor/bpmn-modeler/impresa-modeler-vendor.js
$(ASSETS): package.json package-lock.json web/vendor_assets.mjs web/modeler_vendor.mjs web/dmn_vendor.mjs \
		web/modeler_i18n_it.mjs web/csp_styles.mjs
	npm ci --no-audit --no-fund
	touch $(ASSETS)

# The browser test drives Debian's Chromium (Playwright never downloads one here).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	  else echo "Chromium is missing: install Debian's chromium package (as root: apt-get install chromium)"; exit 1; fi; \
	fi

setup: $(STAMP) $(ASSETS)

run: setup
	$(BIN)/impresa db upgrade
	$(BIN)/impresa keys check
	$(BIN)/impresa demo seed
	$(BIN)/impresa serve --bind 127.0.0.1:$${PORT:-5000} --workers 2 --with-scheduler

# Tests run in TEST_WORKERS processes (pytest-xdist), each with its own databases (tests/conftest.py);
# a file's tests stay together on one worker, in order. TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder
# The parallel and browser passes hold no API fuzzing test: schemathesis's pytest plugin stays
# unloaded there (0.7 s of imports in every pytest process).
NO_FUZZING := -p no:schemathesis

# The decision tests kept in the DMN files first (they are the legal examples), then every test:
# the parallel pass in TEST_WORKERS processes; the browser tests, and the kill -9 test, in
# TEST_WORKERS processes of their own (each waits on its Chromium, live server or clients more than
# it computes: two share the cores well, beside CPU-bound tests they did not); then the other
# serial tests (timed, real processes) one at a time, with the machine to themselves (pytest exits
# 5 when a selection leaves none).
test: setup chromium
	$(BIN)/impresa process test processes/
	TEST_PASS=parallel $(BIN)/pytest $(XDIST) $(NO_FUZZING) $(PYTEST_ARGS)
	TEST_PASS=browser $(BIN)/pytest $(XDIST) $(NO_FUZZING) $(PYTEST_ARGS) || [ $$? -eq 5 ]
	TEST_PASS=alone $(BIN)/pytest $(PYTEST_ARGS) || [ $$? -eq 5 ]

# The quick loop: the tests that need no database, no browser and no real processes (pure modules:
# forms, decision tables, diagrams run in memory, the sandbox, i18n); measured in the README.
test-fast: setup
	$(BIN)/pytest $(XDIST) -m "not db and not browser and not slow" $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check engine web forms tests benchmarks

typecheck: setup
	$(BIN)/mypy

imports: setup
	$(BIN)/lint-imports

check: lint typecheck imports

bench: setup
	$(BIN)/python -m benchmarks.engine_throughput
	$(BIN)/python -m benchmarks.inbox_scale

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache node_modules web/static/vendor/bpmn-js web/static/vendor/bpmn-modeler web/static/vendor/dmn-modeler test-output
