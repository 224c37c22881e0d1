# zoneops — quick start: `make demo` (set up and serve the demo zone), `make test` (everything CI runs).
SHELL := /bin/bash
PYTHON := $(shell scripts/find-python)
UV_VERSION := 0.13.9
VENV := .venv
UV := .tools/bin/uv
PYTEST_ARGS ?=
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: setup demo test lint types migrations-check unit browser messages screenshots clean

# uv lives in its own small venv so `uv sync` never removes it from the project's.
$(UV):
	@test -n "$(PYTHON)" || exit 1
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python "$(PYTHON)"
	@touch $@

setup: $(VENV)/.synced

demo: setup
	$(VENV)/bin/zoneops demo --port $(PORT)

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

types: setup
	ZONEOPS_DEBUG=1 $(VENV)/bin/mypy src

migrations-check: setup
	# A code check: it needs no database server, so it runs on the embedded default.
	DATABASE_URL= ZONEOPS_DEBUG=1 $(VENV)/bin/zoneops makemigrations --check --dry-run

unit: setup
	$(VENV)/bin/pytest -p xdist -n 2 $(PYTEST_ARGS)

test: lint types migrations-check unit

browser: setup
	$(VENV)/bin/pytest -m browser $(PYTEST_ARGS)

# Regenerate the screenshots in docs/ from the browser tests.
screenshots: setup
	ZONEOPS_SCREENSHOTS=1 $(VENV)/bin/pytest -m browser -p no:xdist

# Extract and compile translations (needs GNU gettext: apt-get install gettext).
messages: setup
	cd src/zoneops && ../../$(VENV)/bin/zoneops makemessages -l zh_Hans -l en --no-obsolete --no-location \
		--ignore 'static/*' && ../../$(VENV)/bin/zoneops compilemessages

clean:
	rm -rf .tools $(VENV) var .mypy_cache .ruff_cache
