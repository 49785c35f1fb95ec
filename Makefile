# One command to run the portal, one to run every test. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
HOST ?= 127.0.0.1
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run install install-test translations compile-translations test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed compile-translations

install-test: $(VENV)/.installed-test compile-translations

compile-translations: | $(BIN)/python
	$(BIN)/pybabel compile --use-fuzzy -d portal/translations -f >/dev/null

translations: | $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
		--project portal -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	@echo
	@echo "  Open http://$(HOST):$(PORT)/ in a browser (Ctrl+C stops the portal)."
	@echo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: install-test
	TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check portal tests

clean:
	rm -rf $(VENV) instance .pytest_cache
