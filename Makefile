# One command to run the portal, one to run every test. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
HOST ?= 127.0.0.1
PORT ?= 5000
# The suite DROPS EVERYTHING in this database; `make test` creates it when missing.
TEST_DATABASE_URL ?= postgresql+psycopg://portal_test:portal_test@127.0.0.1:5432/portal_test
# pytest-xdist processes; the browser and database waits overlap, so one more than the cores.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

.PHONY: run install install-test translations compile-translations test test-database lint screenshots coverage constraints clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# constraints.txt pins every package to the versions the suite passes with.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed compile-translations

install-test: $(VENV)/.installed-test compile-translations

compile-translations: | $(BIN)/python
	$(BIN)/pybabel compile --use-fuzzy -d portal/translations -f >/dev/null

translations: | $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
		--project portal -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching \
		--ignore-obsolete

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	@echo
	@echo "  Open http://$(HOST):$(PORT)/ in a browser (Ctrl+C stops the portal)."
	@echo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: install-test test-database lint
	TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest -n $(TEST_WORKERS) --durations=15 $(PYTEST_ARGS)

# The browser tests again, writing screenshots at 360 and 1280 px to test-artifacts/screenshots/.
screenshots: install-test
	SCREENSHOTS=1 $(BIN)/pytest -n $(TEST_WORKERS) tests/browser $(PYTEST_ARGS)

# The whole suite with line coverage of portal/.
coverage: install-test test-database
	TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest -n $(TEST_WORKERS) --cov=portal --cov-report=term:skip-covered $(PYTEST_ARGS)

test-database:
	TEST_DATABASE_URL="$(TEST_DATABASE_URL)" bash .ci/test-database

# After changing dependencies: refresh the pins from a venv that passes the suite.
constraints: install-test
	( echo "# The versions the suite passes with: make, CI and the production install use them"; \
	  echo "# (pip install -c constraints.txt ...). Refresh with: make constraints"; \
	  $(BIN)/pip freeze --exclude-editable | grep -v '^portal' ) > constraints.txt

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) instance .pytest_cache build dist portal.egg-info
