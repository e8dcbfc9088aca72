# Two commands on a fresh machine with Python 3.11 and pip:
#   make run    install, load the demo data on first run, serve on http://localhost:8501
#   make test   install, lint, check the layer rules, run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench sample-data clean messages axe

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/audit-app demo --unless-in-use
	$(BIN)/audit-app serve

test: $(STAMP) lint axe
	$(BIN)/pytest

# axe-core, from npm, for the browser tests' accessibility checks (skipped without npm;
# CI installs npm, so there they run).
AXE := $(VENV)/node/node_modules/axe-core/axe.min.js
axe: $(STAMP)
	@if [ ! -f $(AXE) ] && command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix $(VENV)/node axe-core@4; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The catalogues: extract every marked word (Babel), merge it into ca/ro/tr, compile the .mo files
# (all kept in the repository; tests/i18n checks they are current and complete).
LOCALES := audit_app/locales
messages: $(STAMP)
	$(BIN)/pybabel extract -F $(LOCALES)/babel.cfg --no-location --sort-output --omit-header \
		--no-wrap --project=audit-app -o $(LOCALES)/messages.pot .
	for lang in ca ro tr; do \
		if [ -f $(LOCALES)/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) -l $$lang \
				--no-wrap --no-fuzzy-matching --ignore-obsolete; \
		else \
			$(BIN)/pybabel init -i $(LOCALES)/messages.pot -d $(LOCALES) -l $$lang --no-wrap; \
		fi; \
	done
	$(BIN)/python -m audit_app.i18n.compile

bench: $(STAMP)
	$(BIN)/python -m bench.run

sample-data: $(STAMP)
	$(BIN)/python sample_data/generate.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
