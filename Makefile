# The two set-up commands of README.md: `make demo` and `make test`.
# Both work on a fresh Debian machine: they create .venv, install the packages and the Debian
# packages the tests need (chromium, redis-server) when they are missing.

VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBS := chromium redis-server

.PHONY: demo translations test lint typecheck contracts unit e2e bench debs clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

debs:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

# the catalogs: collect every marked text, add the new ones to each language's catalog (then
# translate what is empty in it), and check each compiles
CATALOGS := gateway/crowdframe_gateway/web/locales
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ --width=100 --no-location --sort-output --project=Crowdframe --copyright-holder="the Crowdframe authors" --msgid-bugs-address="" -o $(CATALOGS)/messages.pot .
	$(VENV)/bin/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --width=100 --no-fuzzy-matching --ignore-obsolete
	for po in $(CATALOGS)/*/LC_MESSAGES/messages.po; do \
		$(VENV)/bin/pybabel compile --statistics -i $$po -o /dev/null || exit 1; done

demo: $(VENV)/.installed
	$(VENV)/bin/crowdframe demo

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

# the gateway's layers and context boundaries (pyproject.toml, docs/architecture.md)
contracts: $(VENV)/.installed
	$(VENV)/bin/lint-imports --no-cache

unit: $(VENV)/.installed debs
	$(PY) -m pytest tests

e2e: $(VENV)/.installed debs
	$(PY) -m pytest e2e

test: $(VENV)/.installed debs lint typecheck contracts
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .import_linter_cache
