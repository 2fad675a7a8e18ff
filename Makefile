# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CATALOGS := inclusion/translations
# axe-core for the accessibility checks of the browser tests; only where npm exists.
AXE := node_modules/axe-core/axe.min.js
NPM := $(shell command -v npm)

.PHONY: run test lint translations messages demo scheduler bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Inclusion needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

translations: $(VENV)/.installed
	@$(BIN)/pybabel compile --domain messages --directory $(CATALOGS) --statistics 2>&1 | grep -v '^compiling' || true

## Serve the app with demo data on http://127.0.0.1:5000 (console SMS backend, no credentials).
## The development configuration is chosen here: without INCLUSION_CONFIG the app is production.
run: $(VENV)/.installed translations
	INCLUSION_CONFIG=development $(BIN)/flask --app wsgi db upgrade
	INCLUSION_CONFIG=development $(BIN)/flask --app wsgi demo
	INCLUSION_CONFIG=development SCHEDULER_ENABLED=1 SMS_BACKEND=console $(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

## The whole test suite (SQLite; on PostgreSQL when TEST_DATABASE_URL names a server: it makes its own database there).
## In TEST_WORKERS processes (pytest-xdist), each with a database of its own; a test file
## stays in one worker, so its module fixtures are built once. TEST_WORKERS=0 for one process.
TEST_WORKERS ?= 2
test: $(VENV)/.installed translations $(if $(NPM),$(AXE))
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Extract messages and update the English catalog after changing user-facing text.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract --mapping babel.cfg --keywords _l --keywords lazy_gettext --output-file $(CATALOGS)/messages.pot --no-wrap --sort-by-file --project Inclusion .
	$(BIN)/pybabel update --input-file $(CATALOGS)/messages.pot --output-dir $(CATALOGS) --no-wrap

bench: $(VENV)/.installed
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache node_modules test-results
	find $(CATALOGS) -name '*.mo' -delete
