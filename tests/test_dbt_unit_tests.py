"""Every dbt unit test (a model's formulas on hand-written rows, in the models' YAML) passes. They run here, once per
CI run, and not in the nightly build (orchestration/dbt.py): the rows are fixed, so a night would only repeat them."""

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.pipeline_helpers import run_dbt

pytestmark = pytest.mark.e2e


def test_every_dbt_unit_test_passes(tiny_network: Path, tmp_path: Path) -> None:
    # dbt reads the columns of a unit test's inputs from the warehouse: a copy of the tiny network's, built
    warehouse = tmp_path / "sellthrough.duckdb"
    shutil.copyfile(tiny_network / "warehouse" / "sellthrough.duckdb", warehouse)

    done = run_dbt(tiny_network, warehouse, tmp_path, "test", "--select", "test_type:unit")

    assert done.returncode == 0, done.stdout[-5000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    unit_tests = manifest["unit_tests"]
    assert len(unit_tests) >= 25
    passed = re.search(r"PASS=(\d+)", done.stdout)
    assert passed and int(passed.group(1)) == len(unit_tests), done.stdout[-2000:]
