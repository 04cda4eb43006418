# Sellthrough: `make demo` sets everything up and runs the pipeline on a generated network; `make test` tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export DBT_TARGET_PATH := dbt_project/target
export DBT_LOG_PATH := dbt_project/logs

.PHONY: setup demo test lint format bench dagster clean
setup: $(VENV)/.installed dbt_project/target/manifest.json

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

# dagster-dbt loads its assets from this manifest: the install step builds it (not only `dagster dev`)
dbt_project/target/manifest.json: $(VENV)/.installed dbt_project.yml profiles.yml $(shell find dbt_project/models dbt_project/macros -type f 2>/dev/null)
	$(BIN)/dbt parse --project-dir . --profiles-dir . --quiet
	touch $@

demo: setup
	$(BIN)/sellthrough demo

test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n 2 --durations=15

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

bench: setup
	$(BIN)/python -m bench

dagster: setup
	$(BIN)/dagster dev -m orchestration.definitions

clean:
	rm -rf data/inbox data/truth data/raw data/warehouse data/published dbt_project/target
