# Two commands: `make run` and `make test`. Both set everything up on a fresh
# machine that has only Python 3.11+ and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PO     := $(wildcard resources/translations/*/LC_MESSAGES/samraad.po)
MO     := $(PO:.po=.mo)

.PHONY: run test test-slow lint bench translations extract-messages clean

run: $(STAMP) translations
	$(BIN)/samraad

test: $(STAMP) translations lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "not slow"

test-slow: $(STAMP) translations
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m slow

lint: $(STAMP)
	$(BIN)/ruff check app ui tests
	$(BIN)/ruff format --check app ui tests
	$(BIN)/mypy --strict app
	$(BIN)/lint-imports

bench: $(STAMP) translations
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.bench

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Samråd needs Python 3.11 or newer (found: $$($(PYTHON) --version))." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VENV)/bin/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

translations: $(STAMP) $(MO)

%.mo: %.po
	$(BIN)/pybabel compile --use-fuzzy -D samraad -i $< -o $@ >/dev/null

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 -o resources/translations/samraad.pot \
	  --project=Samraad --no-location --sort-output app ui
	for lang in da nb; do \
	  if [ -f resources/translations/$$lang/LC_MESSAGES/samraad.po ]; then action=update; \
	  else action=init; fi; \
	  $(BIN)/pybabel $$action -D samraad -i resources/translations/samraad.pot \
	    -d resources/translations -l $$lang $$( [ $$action = update ] && echo --no-fuzzy-matching); \
	done

clean:
	rm -rf $(VENV) build dist *.egg-info
