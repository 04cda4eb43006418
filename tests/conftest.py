"""Shared fixtures: a tiny brand master written as real CSV files, and a lake under tmp_path."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from expectations.runner import GE_VALIDATOR
from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.runner import ingest_inbox
from ingest.core.validation import install_validator

# the tests load files the way the night does: through the kinds' Great Expectations suites (ingest takes its
# validator from the caller, ingest/core/validation.py)
install_validator(GE_VALIDATOR)

# forecasting (dbt Python models, statsforecast) costs seconds a build: on only for the shared tiny_network build,
# whose published marts tests/test_forecast.py reads; every other test build makes the forecast marts empty
FORECAST_ENV = "SELLTHROUGH_FORECAST"
# the same for sales anomaly detection (dbt Python model, statsmodels and ruptures): tests/test_analytics_marts.py
ANOMALIES_ENV = "SELLTHROUGH_ANOMALIES"
ANALYTICS_ENVS = (FORECAST_ENV, ANOMALIES_ENV)
for _name in ANALYTICS_ENVS:
    os.environ.setdefault(_name, "off")

# `make test` runs the suite on two workers, a test module at a time each (pytest-xdist's loadscope: a module's
# fixtures are built once), in this order: the modules that take minutes first (`--durations` in CI's log), so that
# neither worker ends the run alone on the Spark build.
LONGEST_FIRST = (
    "tests/test_spark_engine.py",
    "tests/test_incremental.py",
    "tests/test_crash_safety.py",
    "tests/test_bench_smoke.py",
    "tests/test_outlet_snapshot.py",
    "tests/test_run_selection.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {module: i for i, module in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: the rest keep their order


SKUS = [
    {
        "sku_code": "SKU0001",
        "sku_name": "Crunchy Glucose Biscuit 100 g",
        "brand": "Crunchy",
        "category": "Biscuits",
        "pack_size": "100 g",
        "units_per_case": "48",
        "mrp": "10",
        "ean": "8901234567890",
    },
    {
        "sku_code": "SKU0002",
        "sku_name": "Masala Namkeen 200 g",
        "brand": "Zing",
        "category": "Snacks",
        "pack_size": "200 g",
        "units_per_case": "24",
        "mrp": "40",
        "ean": "8901234567906",
    },
]
ALIASES = [
    {"distributor_code": "D001", "alias": "CRUNCHY GLUCOSE 100GM", "sku_code": "SKU0001"},
    {"distributor_code": "D001", "alias": "PG100", "sku_code": "SKU0001"},
]


def write_csv(path: Path, rows: list[dict], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_rows(path: Path, rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    root = tmp_path / "inbox"
    write_csv(root / "masters" / "BRAND" / "skus.csv", SKUS)
    write_csv(root / "masters" / "BRAND" / "sku_aliases.csv", ALIASES)
    return root


@pytest.fixture()
def lake(tmp_path: Path) -> Lake:
    return Lake(tmp_path / "raw")


@pytest.fixture()
def masters(inbox: Path, lake: Lake) -> MasterData:
    ingest_inbox(inbox, lake, kinds=["masters"])
    return MasterData.from_lake(lake)


@pytest.fixture(scope="session")
def tiny_network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny generated network, loaded and published once per test process. Read it; copy it to change it."""
    from tests.pipeline_helpers import generate_and_run

    before = {name: os.environ.get(name) for name in ANALYTICS_ENVS}
    os.environ.update({name: "on" for name in ANALYTICS_ENVS})
    try:
        return generate_and_run(tmp_path_factory.mktemp("tiny_network"))
    finally:
        os.environ.update({name: value if value is not None else "off" for name, value in before.items()})


@pytest.fixture(scope="session")
def tiny_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same tiny network, generated but not loaded."""
    from generator import generate
    from tests.pipeline_helpers import TINY

    data_dir = tmp_path_factory.mktemp("tiny_inbox")
    generate(data_dir, TINY)
    return data_dir
