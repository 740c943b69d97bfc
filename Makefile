# Every target creates the virtual environment on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DRILL ?= members_not_devices

.PHONY: run test bench lint docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## start a drill (DRILL=cohort_leakage make run)
	$(BIN)/sqldrills run $(DRILL)

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest

bench: $(STAMP)  ## performance figures, as ratios against baselines measured in the same run
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/takehome_bench.py
	$(BIN)/python benchmarks/soak.py

lint: $(STAMP)
	$(BIN)/ruff check sqldrills tests benchmarks

docs: $(STAMP)  ## regenerate docs/catalog.md from the challenge files
	$(BIN)/python -m sqldrills.catalog_doc > docs/catalog.md

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
