# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PYTEST_ARGS ?=

.PHONY: run test install assets migrate seed bench mutation clean

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

# Mutation testing of the rule modules (minutes, not part of `make test`). Its own virtualenv holds the
# dependencies but not the project itself, so the tests import the mutated copy mutmut makes in mutants/.
MUTATION_VENV := .venv-mutation
# Which mutants run: all of budget, payments and workflow; in decisions the authority, correction,
# limit and schedule rules (decide and correct_decision are covered by the slower decision tests).
DECISION_RULES := authority_text limit_refusal decision_refusal correction_refusal superseded_by \
	propose_schedule check_schedule
MUTANTS ?= 'grants.services.budget.*' 'grants.services.payments.*' 'grants.services.workflow.*' \
	$(foreach f,$(DECISION_RULES),'grants.services.decisions.x_$(f)__mutmut_*')

$(MUTATION_VENV)/.installed: pyproject.toml
	test -x $(MUTATION_VENV)/bin/python || $(PYTHON) -m venv $(MUTATION_VENV)
	$(MUTATION_VENV)/bin/pip install --quiet --disable-pip-version-check '.[test,mutation]'
	$(MUTATION_VENV)/bin/pip uninstall --quiet --disable-pip-version-check -y grants
	rm -rf build
	touch $@

mutation: $(MUTATION_VENV)/.installed
	rm -rf mutants
	$(MUTATION_VENV)/bin/mutmut run --max-children 2 $(MUTANTS)
	$(MUTATION_VENV)/bin/python tests/mutation/score.py

clean:
	rm -rf $(VENV) $(MUTATION_VENV) mutants node_modules static/govuk .pytest_cache
