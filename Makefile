# PiqueTickets — the two commands: `make run` and `make test`. Everything else is set up by them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
export ENV_FILE ?= $(CURDIR)/.env

.PHONY: run test setup install migrate demo lint test-python test-browser docs chromium fonts clean help

help:
	@echo "make run   - set up everything and start web (:8080), worker and beat"
	@echo "make test  - set up everything and run every test, lint and the docs build"

# --- set-up ----------------------------------------------------------------------------------

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

.env: .env.example
	@test -f .env || { cp .env.example .env && echo "Created .env from .env.example"; }

# Browser libraries (the check-in app's QR decoder) from the npm registry, exactly as package-lock.json pins them.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18+ with npm (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

setup: install .env node_modules/.package-lock.json fonts
	@mkdir -p var/media var/celery/queue var/celery/processed var/celery/results

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# Fonts for the PDF tickets (piquetickets/core/fonts.py) from Debian's packages: Noto Sans for Latin,
# Greek, Cyrillic, Arabic and Hebrew; Droid Sans Fallback for Chinese and Japanese; Nanum Gothic for Korean.
TICKET_FONT_PACKAGES := fonts-noto-core fonts-droid-fallback fonts-nanum
fonts:
	@if [ ! -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || [ ! -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || [ ! -f /usr/share/fonts/truetype/nanum/NanumGothic.ttf ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing the PDF tickets' fonts from Debian's packages..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TICKET_FONT_PACKAGES) >/dev/null; \
	  else echo "PDF ticket fonts are missing: install Debian's $(TICKET_FONT_PACKAGES) (or set TICKET_FONT_DIRS to folders holding the same files); until then tickets print Cyrillic, Greek, Arabic, Hebrew and CJK letters as '?'."; fi; \
	fi

# Debian's Chromium for the browser tests (Playwright's own download does not work offline).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium from Debian's packages..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: install Debian's 'chromium' package to run the browser tests."; fi; \
	fi

# --- the two commands -------------------------------------------------------------------------

# PORT (default 8080) moves the web process; honcho numbers the other processes' PORT from it, so
# SITE_URL (when not set) is passed to all of them, and links in emails name the web port.
# PORT from the command line or the environment, else from .env, else 8080.
run: RUN_PORT = $(or $(PORT),$(shell sed -n 's/^PORT=//p' "$(ENV_FILE)" 2>/dev/null | tail -n 1),8080)
run: demo
	@echo ""
	@echo "  Web:        http://localhost:$(RUN_PORT)/"
	@echo "  Admin:      http://localhost:$(RUN_PORT)/admin/"
	@echo "  API docs:   http://localhost:$(RUN_PORT)/api/v1/docs/"
	@echo "  Health:     http://localhost:$(RUN_PORT)/health/"
	@echo "  Ctrl-C stops web, worker and beat together."
	@echo ""
	SITE_URL="$${SITE_URL:-http://localhost:$(RUN_PORT)}" $(BIN)/honcho start -f Procfile.dev -p $(RUN_PORT)

test: setup chromium
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-python
	$(MAKE) --no-print-directory docs

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# PYTEST_ARGS lets CI pick a subset (e.g. -m browser); coverage is checked on the full default run.
test-python:
	$(BIN)/pytest --cov --cov-report=term-missing:skip-covered $(PYTEST_ARGS)

test-browser: setup chromium
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

docs:
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir var/site

clean:
	rm -rf var/site var/celery .coverage htmlcov
