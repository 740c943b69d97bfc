# Every target creates the virtual environment on first use, with exactly the versions in
# requirements.lock (hashes checked); `make lock` refreshes the lock, `make test-latest` runs
# the suite against the newest versions pyproject.toml's ranges allow.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCK := requirements.lock
UV := uv==0.13.9
DRILL ?= members_not_devices

.PHONY: compile run test test-latest bench lint lock docs clean engines assets

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Byte-compile like `pip install .` does: an editable install leaves that to the first
# run, which cannot do it when PYTHONDONTWRITEBYTECODE is set (then every run compiles
# sqldrills again, 0.1 s of a 0.5 s `check`). Only changed files are recompiled.
compile: $(STAMP)
	$(BIN)/python -m compileall -q sqldrills

run: compile  ## start a drill (DRILL=cohort_leakage make run)
	$(BIN)/sqldrills run $(DRILL)

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest

# Its own venv, upgraded on every run: an upstream release that breaks sqldrills fails here.
test-latest:  ## the suite against the newest versions pyproject.toml allows
	test -x .venv-latest/bin/python || $(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[dev]'
	.venv-latest/bin/python -m pip list --format=freeze | grep -iE '^(duckdb|sqlglot|faker|click|rich)=='
	.venv-latest/bin/python -m pytest

# The browser editor (CodeMirror 6), bundled from web/ into sqldrills/web/static/editor.js,
# which is committed: installing sqldrills needs no Node. Exact versions: web/package-lock.json.
assets:  ## rebuild the browser page's editor bundle (needs node and npm)
	cd web && npm ci --no-audit --no-fund && npm run build

engines:  ## private PostgreSQL and MariaDB servers for tests/test_dialects.py (installs them if missing)
	scripts/engines.sh

lock:  ## refresh requirements.lock to the newest versions the ranges allow
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet '$(UV)'
	$(BIN)/uv pip compile pyproject.toml --extra dev --group build --universal \
		--python-version 3.11 --generate-hashes --upgrade --quiet -o $(LOCK)

bench: compile  ## performance figures, as ratios against baselines measured in the same run
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/grading_bench.py
	$(BIN)/python benchmarks/takehome_bench.py
	$(BIN)/python benchmarks/soak.py
	$(BIN)/python benchmarks/web_bench.py

lint: $(STAMP)
	$(BIN)/ruff check sqldrills tests benchmarks

docs: $(STAMP)  ## regenerate docs/catalog.md and docs/lint.md from the drills and the lint rules
	$(BIN)/python -m sqldrills.catalog.page > docs/catalog.md
	$(BIN)/python -m sqldrills.lint.doc > docs/lint.md

clean:
	rm -rf $(VENV) .venv-latest .pytest_cache .ruff_cache build dist
