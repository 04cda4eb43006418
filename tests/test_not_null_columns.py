"""The `not_null_columns` generic test (dbt_project/tests/generic/not_null_columns.sql), one test node for a
model's not-null columns: on the tiny network's built warehouse it passes, and with nulls planted in two of
fct_visits' columns it fails with one row per column that has them, naming it and counting its null rows."""

import json
import shutil
from pathlib import Path

import duckdb

from tests.pipeline_helpers import run_dbt

SELECT = "fct_visits,test_name:not_null_columns"


def _test_once(network: Path, warehouse: Path, work: Path) -> tuple[dict, list[tuple[str, int]]]:
    done = run_dbt(network, warehouse, work, "test", "--select", SELECT)
    (result,) = json.loads((work / "target" / "run_results.json").read_text())["results"]
    (compiled,) = (work / "target" / "compiled").rglob("not_null_columns_fct_visits*.sql")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(compiled.read_text()).fetchall()
    assert (done.returncode == 0) == (result["status"] == "pass"), done.stdout[-2000:]
    return result, sorted(rows)


def test_one_test_names_each_column_with_nulls_and_counts_them(tiny_network: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "sellthrough.duckdb"
    shutil.copyfile(tiny_network / "warehouse" / "sellthrough.duckdb", warehouse)
    clean, rows = _test_once(tiny_network, warehouse, tmp_path / "clean")
    assert (clean["status"], clean["failures"], rows) == ("pass", 0, [])

    with duckdb.connect(str(warehouse)) as con:
        visits = con.execute("select count(*) from main.fct_visits").fetchone()[0]
        assert visits >= 4
        con.execute(
            "update main.fct_visits set rep_code = null where visit_key in "
            "(select visit_key from main.fct_visits order by visit_key limit 3)"
        )
        con.execute(
            "update main.fct_visits set is_productive = null where visit_key = "
            "(select max(visit_key) from main.fct_visits)"
        )
    failed, rows = _test_once(tiny_network, warehouse, tmp_path / "planted")
    assert (failed["status"], failed["failures"]) == ("fail", 2)
    assert rows == [("is_productive", 1), ("rep_code", 3)]
