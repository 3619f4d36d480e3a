# Two commands: `make run` and `make test`. Both set everything up on a fresh
# machine that has only Python 3.11+ and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PO     := $(wildcard resources/translations/*/LC_MESSAGES/samraad.po)
MO     := $(PO:.po=.mo)

.PHONY: run test test-slow lint bench bench-scale translations extract-messages clean

run: $(STAMP) translations
	$(BIN)/samraad

# One pytest worker per core (pytest-xdist); `PYTEST_WORKERS=0 make test` runs in one process.
PYTEST_WORKERS ?= auto

test: $(STAMP) translations lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "not slow" -n $(PYTEST_WORKERS)

test-slow: $(STAMP) translations
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m slow -n $(PYTEST_WORKERS)

lint: $(STAMP)
	$(BIN)/ruff check app ui tests
	$(BIN)/ruff format --check app ui tests
	$(BIN)/mypy --strict app
	$(BIN)/lint-imports

# Benchmarks (issue 8; never part of `make test`). `bench` writes
# bench-results.json; `bench-scale` (many minutes: a 50,000-case vault) writes
# .bench-cache/bench-scale.json, which `bench` then reports.
bench: $(STAMP) translations
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.bench

bench-scale: $(STAMP) translations
	$(BIN)/python -m tests.bench.scale

# Screenshots (issue 6): every main screen in da, nb and en, from the real app
# under Xvfb on the fictional demo vault, into docs/screenshots/. Installs
# Xvfb, ImageMagick and Qt's xcb libraries with apt-get if missing (as root).
.PHONY: screenshots
screenshots: $(STAMP) translations
	$(BIN)/python tools/screenshots.py

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

# Packaging (issue 10; not part of `make test`). `package` builds the
# PyInstaller one-folder app into dist/samraad/ (about a minute; build.spec
# also renders the icons with packaging/make_icons.py). `package-test` builds
# it, validates the Linux desktop entry and metainfo, and runs the frozen
# program (packaging/smoke_test.sh, under a minute). `validate-packaging`
# installs its validators, and Xvfb and xdotool for the smoke test's X11
# check, with apt-get when they are missing and we are root.
PACKAGE_STAMP := $(VENV)/.installed-package
LINUX_PKG     := packaging/linux/dk.samraad.Samraad

.PHONY: package package-test validate-packaging

$(PACKAGE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[package]'
	touch $@

package: $(PACKAGE_STAMP) translations
	packaging/linux/build-deps.sh $(BIN)/python
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN build.spec

package-test: package validate-packaging
	packaging/smoke_test.sh dist/samraad

validate-packaging:
	@need=""; want=""; \
	command -v desktop-file-validate >/dev/null || need="$$need desktop-file-utils"; \
	command -v appstreamcli >/dev/null || need="$$need appstream"; \
	command -v Xvfb >/dev/null || want="$$want xvfb"; \
	command -v xdotool >/dev/null || want="$$want xdotool"; \
	if [ -n "$$need$$want" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$need $$want >/dev/null; \
	elif [ -n "$$need" ]; then \
	  echo "validate-packaging needs:$$need (Debian package names)" >&2; exit 1; \
	fi
	desktop-file-validate $(LINUX_PKG).desktop
	appstreamcli validate --no-net $(LINUX_PKG).metainfo.xml
