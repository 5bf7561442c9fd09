# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PYTEST_ARGS ?=

.PHONY: run test install assets migrate seed bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/govuk/app.css: node_modules/.installed static/src/app.scss scripts/build-assets.mjs
	node scripts/build-assets.mjs

assets: static/govuk/app.css

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo
	$(FLASK) seed-demo-history

run: install assets seed
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install assets
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) node_modules static/govuk .pytest_cache
