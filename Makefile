# The README's two commands are `make run` and `make test`; both set up what they need.
SHELL := /bin/bash
SERVER_PYTHON ?= $(shell scripts/find-python 3.11)
BOT_PYTHON ?= $(shell scripts/find-python 3.10)
VENV := .venv
BOT_VENV := .venv-bot
PY := $(VENV)/bin/python
BOT_PY := $(BOT_VENV)/bin/python
POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test lint test-server test-postgres test-browser test-plugin test-e2e demo bench \
	setup setup-bot setup-browser setup-node widget clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(SERVER_PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[server,test]'
	touch $@

$(BOT_VENV)/.installed: setup.cfg pyproject.toml
	$(BOT_PYTHON) -m venv $(BOT_VENV)
	$(BOT_PY) -m pip install -q --upgrade pip
	$(BOT_PY) -m pip install -q -e '.[rasa,actions,test]'
	touch $@

setup: $(VENV)/.installed
setup-bot: $(BOT_VENV)/.installed

# Debian's Chromium drives the browser tests; Playwright never downloads a browser of its own.
setup-browser: setup
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }

# The pinned terser (package-lock.json) that builds static/widget.js; sites and the server never run it.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { apt-get update -q && apt-get install -y -q nodejs npm; }
	npm ci --no-audit --no-fund
	touch $@

setup-node: node_modules/.package-lock.json

# Rebuild the served static/widget.js from static/src/widget.js; commit both.
widget: setup setup-node
	$(PY) scripts/build_widget.py

run: setup
	$(PY) -m examples.dev_server

lint: setup setup-bot
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(BOT_VENV)/bin/mypy plugin
	$(VENV)/bin/mypy widget_server correlation_id.py click_ids.py profile_name.py

test-server: setup
	$(PY) -m pytest tests/server tests/test_correlation_id.py

test-postgres: setup
	WIDGET_TEST_DATABASE_URL=$(POSTGRES_URL) $(PY) -m pytest tests/server

test-browser: setup-browser setup-node
	$(PY) -m pytest tests/browser

test-plugin: setup setup-bot
	$(BOT_PY) -m pytest tests/plugin tests/test_correlation_id.py

test-e2e: setup setup-bot setup-browser
	$(PY) -m pytest tests/e2e

test: lint test-server test-postgres test-browser test-plugin test-e2e

# Ports 7100-7105 and 7155; DEMO_<SERVICE>_PORT moves one (see README).
demo: setup setup-bot
	$(PY) -m examples.demo

# Lighthouse for bench/lighthouse.py, kept apart from the build's terser: only `make bench` needs it.
bench/lighthouse/node_modules/.package-lock.json: bench/lighthouse/package.json bench/lighthouse/package-lock.json
	@command -v npm >/dev/null || { apt-get update -q && apt-get install -y -q nodejs npm; }
	npm ci --prefix bench/lighthouse --no-audit --no-fund
	touch $@

bench: setup setup-bot setup-browser bench/lighthouse/node_modules/.package-lock.json
	$(PY) bench/click.py
	$(PY) bench/attribution.py
	$(PY) bench/dashboard.py
	$(PY) bench/webhooks.py
	$(PY) bench/conversions.py
	$(PY) bench/widget_size.py
	$(PY) -m bench.lighthouse
	$(BOT_PY) bench/channel.py

clean:
	rm -rf $(VENV) $(BOT_VENV) instance
