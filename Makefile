# Sellthrough: `make demo` sets everything up and runs the pipeline on a generated network; `make test` tests.
PYTHON ?= python3
VENV ?= .venv
SPARK_VENV ?= .venv-spark
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export DBT_TARGET_PATH := dbt_project/target
export DBT_LOG_PATH := dbt_project/logs

.PHONY: setup demo test lint format bench dagster dashboard dbt-docs clean
setup: $(VENV)/.installed dbt_project/target/manifest.json

# dbt with the Spark adapter (docs/scale-out.md; tests/test_spark_engine.py), in a venv of its own that `make test`
# and `make bench` install (the demo does not need it): with pyspark installed, Great Expectations imports it, and
# pyspark ends any process whose __main__ has no file (pytest-xdist's workers) as if it were running doctests. dbt
# runs as a separate command anyway.
$(SPARK_VENV)/.installed: constraints.txt
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install --quiet -c constraints.txt "dbt-core>=1.11,<1.12" "dbt-spark[session]>=1.11,<1.12"
	touch $@

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints.txt -e ".[generator,dev]"
	touch $@

# dagster-dbt loads its assets from this manifest: the install step builds it (not only `dagster dev`)
dbt_project/target/manifest.json: $(VENV)/.installed dbt_project.yml profiles.yml $(shell find dbt_project/models dbt_project/macros -type f 2>/dev/null)
	$(BIN)/dbt parse --project-dir . --profiles-dir . --quiet
	touch $@

demo: setup
	$(BIN)/sellthrough demo

test: setup $(SPARK_VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n 2 --dist loadscope --no-loadscope-reorder --durations=15

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

bench: setup $(SPARK_VENV)/.installed
	$(BIN)/python -m bench

# a persistent Dagster instance under data/ (git-ignored): the schedule's state, runs and sensor cursors survive a
# restart (the nightly schedule and the sensors are on by default); DAGSTER_HOME from the environment wins
DAGSTER_HOME ?= $(CURDIR)/data/dagster
dagster: setup
	mkdir -p "$(DAGSTER_HOME)"
	test -f "$(DAGSTER_HOME)/dagster.yaml" || printf 'telemetry:\n  enabled: false\n' > "$(DAGSTER_HOME)/dagster.yaml"
	DAGSTER_HOME="$(DAGSTER_HOME)" $(BIN)/dagster dev -m orchestration.definitions

# the dashboard on the published warehouse (http://localhost:8501)
dashboard: setup
	$(BIN)/sellthrough dashboard

# dbt docs of the published warehouse, generated on a copy (the nightly job keeps writing the warehouse) and served
PUBLISHED ?= $(or $(SELLTHROUGH_PUBLISHED_PATH),$(or $(SELLTHROUGH_DATA_DIR),data)/published/sellthrough.duckdb)
dbt-docs: setup
	mkdir -p dbt_project/target && cp $(PUBLISHED) dbt_project/target/docs_warehouse.duckdb
	SELLTHROUGH_DUCKDB_PATH=dbt_project/target/docs_warehouse.duckdb $(BIN)/dbt docs generate --project-dir . --profiles-dir .
	$(BIN)/dbt docs serve --project-dir . --profiles-dir . --port 8080

clean:
	rm -rf data/inbox data/truth data/raw data/warehouse data/published data/config/layouts dbt_project/target
