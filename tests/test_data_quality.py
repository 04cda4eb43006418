"""Data-quality history in the warehouse, and Great Expectations suites on the key marts as blocking checks."""

import shutil
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from expectations.docs import MART_VALIDATIONS_DIR, read_mart_validations, read_validations
from expectations.mart_suites import MART_SUITES, OPS_MARTS
from expectations.marts import MartVerdict, validate_mart
from orchestration.assets.mart_checks import MART_KEYS, _result
from orchestration.definitions import defs
from orchestration.pipeline import run_nightly
from sellthrough.build_report import BuildReport
from tests.pipeline_helpers import copy_network, fingerprint, published_path, run_dbt

pytestmark = pytest.mark.e2e


def _warehouse(data_dir: Path) -> Path:
    return data_dir / "warehouse" / "sellthrough.duckdb"


def test_every_committed_expectation_result_is_in_the_history_mart(tiny_network: Path) -> None:
    stored = read_validations(tiny_network / "raw")
    with duckdb.connect(str(published_path(tiny_network)), read_only=True) as con:
        history = con.sql("select * from ops.fct_data_quality_results").pl()
        loads = set(con.sql("select load_id from ops.fct_file_loads").pl()["load_id"])
        scorecard = con.sql("select * from ops.kpi_distributor_scorecard").pl()
    committed = stored.filter(pl.col("load_id").is_in(loads))
    assert history.height == committed.height > 0
    key = ["load_id", "suite", "expectation"]
    assert history.select(key).sort(key).equals(committed.select(key).sort(key))
    assert history.filter(~pl.col("success")).height == committed.filter(~pl.col("success")).height
    assert set(history["source_kind"]) >= {"distributor_sales", "stock_statement", "masters"}

    # the scorecard's pass rate and volume flags are those of the distributor's stored results
    for row in scorecard.iter_rows(named=True):
        mine = committed.filter(pl.col("distributor_code") == row["distributor_code"])
        assert row["expectations_evaluated"] == mine.height
        assert row["expectations_failed"] == mine.filter(~pl.col("success")).height
        if mine.height:
            assert row["expectation_pass_rate"] == pytest.approx(1 - row["expectations_failed"] / mine.height, abs=1e-4)
        volume = mine.filter(pl.col("suite").str.ends_with(".volume") & ~pl.col("success"))
        assert row["volume_flags"] == volume.height
    assert scorecard["volume_flags"].sum() > 0  # the tiny network has a planted cut-off export


def test_the_ops_tables_sit_in_ops_and_a_copy_left_in_main_by_an_older_build_goes(
    tiny_network: Path, tmp_path: Path
) -> None:
    with duckdb.connect(str(published_path(tiny_network)), read_only=True) as con:
        found = con.execute(
            "select schema_name, table_name from duckdb_tables() where table_name in "
            "(select unnest(?::varchar[])) order by all",
            [sorted(OPS_MARTS)],
        ).fetchall()
    assert found == [("ops", name) for name in sorted(OPS_MARTS)]

    # a warehouse built before the ops schema: its ops tables sit in main, stale from the next build on
    warehouse = tmp_path / "sellthrough.duckdb"
    shutil.copyfile(_warehouse(tiny_network), warehouse)
    with duckdb.connect(str(warehouse)) as con:
        for name in sorted(OPS_MARTS):
            con.execute(f"create table main.{name} as select * from ops.{name} limit 0")
    done = run_dbt(tiny_network, warehouse, tmp_path, "run", "--select", "path:dbt_project/models/marts/ops")
    assert done.returncode == 0, done.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        left = con.execute(
            "select schema_name from duckdb_tables() where table_name in (select unnest(?::varchar[]))",
            [sorted(OPS_MARTS)],
        ).fetchall()
    assert left == [("ops",)] * len(OPS_MARTS)


def test_the_nightly_run_checks_every_mart_and_shows_it_in_data_docs(tiny_network: Path) -> None:
    nightly = defs.resolve_job_def("nightly")
    checks = {key for key in nightly.asset_layer.asset_graph.asset_check_keys if key.name == "expectations_suite"}
    assert {key.asset_key for key in checks} == set(MART_KEYS.values())  # none silently left out of the job

    results = read_mart_validations(tiny_network)
    assert set(results["suite"]) == {f"mart.{mart}" for mart in MART_SUITES}
    assert results.filter(pl.col("severity") == "blocking")["success"].all()
    site = tiny_network / "quality" / "data_docs"
    index = (site / "index.html").read_text()
    assert "mart.fct_secondary_sales" in index
    assert "invoice_date_not_in_future" in (site / "suite_mart.fct_secondary_sales.html").read_text()


def test_mart_suites_catch_planted_problems(tiny_network: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "copy.duckdb"
    shutil.copyfile(_warehouse(tiny_network), warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into dim_outlet select * from dim_outlet limit 1")  # a duplicate outlet id
        con.execute(
            "update fct_distributor_stock_reconciliation set variance_units = variance_units + 1 where rowid = 0"
        )
        con.execute("update kpi_fill_rate set units_fill_rate = 1.5 where rowid = 0")
        con.execute("update kpi_sell_through set sell_through_rate = 2.0 where rowid = 0")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        verdicts = {m: validate_mart(con, m, "Mtest", date(2026, 12, 1)) for m in MART_SUITES}

    assert verdicts["dim_outlet"].blocking_failures == ["outlet_code_unique"]
    assert verdicts["fct_distributor_stock_reconciliation"].blocking_failures == ["variance_is_reported_minus_computed"]
    assert verdicts["kpi_fill_rate"].blocking_failures == ["units_fill_rate_between_0_and_1"]
    assert verdicts["kpi_sell_through"].blocking_failures == []
    assert verdicts["kpi_sell_through"].warnings == ["sell_through_rate_between_0_and_1"]
    assert verdicts["fct_secondary_sales"].blocking_failures == []
    failed = verdicts["dim_outlet"].results.filter(~pl.col("success")).row(0, named=True)
    assert failed["unexpected_count"] == 2 and "2 of" in failed["observed_value"]

    warned = _result(verdicts["kpi_sell_through"])
    assert not warned.passed and warned.severity.value == "WARN"  # a warning never blocks the publish
    blocked = _result(verdicts["dim_outlet"])
    assert not blocked.passed and blocked.severity.value == "ERROR"


def test_a_mart_larger_than_a_batch_is_validated_in_key_partitions_with_the_same_verdict(
    tiny_network: Path, tmp_path: Path
) -> None:
    """Validated in hash partitions of its unique key (a frame of the whole fact did not fit in memory at 100M
    lines), a mart gets the verdict and the counts a whole-frame validation gives: a duplicated key and a null are
    found once each, whichever partition they fall in."""
    warehouse = tmp_path / "w.duckdb"
    shutil.copyfile(_warehouse(tiny_network), warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into fct_secondary_sales select * from fct_secondary_sales where rowid = 7")
        con.execute("update fct_secondary_sales set sku_code = null where rowid = 11")
        con.execute("update fct_secondary_sales set quantity_units = -1 where rowid in (3, 900, 1800)")
        (rows,) = con.execute("select count(*) from fct_secondary_sales").fetchone()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        whole = validate_mart(con, "fct_secondary_sales", "Mwhole", date(2026, 12, 1))
        parts = validate_mart(con, "fct_secondary_sales", "Mparts", date(2026, 12, 1), batch_rows=rows // 7)
        keys = con.execute("select sales_line_key from fct_secondary_sales where rowid = 7").fetchall()
        assert len(keys) == 1

    compared = ["expectation", "success", "unexpected_count", "element_count"]
    assert parts.results.select(compared).sort("expectation").equals(whole.results.select(compared).sort("expectation"))
    assert sorted(whole.blocking_failures) == ["quantity_units_positive", "sales_line_key_unique", "sku_code_not_null"]
    counts = dict(parts.results.select("expectation", "unexpected_count").iter_rows())
    assert counts["sales_line_key_unique"] == 2 and counts["sku_code_not_null"] == 1
    assert counts["quantity_units_positive"] >= 3
    assert parts.results["element_count"].max() == rows


def test_a_failing_blocking_mart_check_fails_the_run_and_holds_back_only_that_mart(
    tiny_network: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = copy_network(tiny_network, tmp_path / "net")
    published = published_path(data_dir)
    before = published.read_bytes()
    kept = fingerprint(published, ("fct_secondary_sales",))
    runs_before = len(list((data_dir / MART_VALIDATIONS_DIR).glob("*.parquet")))
    # the checks now run "on" a day inside the network's sales: every later invoice date is in the future
    monkeypatch.setattr("expectations.marts.business_today", lambda: date(2026, 7, 15))

    outcome = run_nightly(data_dir)

    assert not outcome.success
    assert "mart_expectations" in outcome.failed_steps
    assert "sellthrough_dbt_assets" not in outcome.failed_steps  # dbt's own tests passed
    # the failing mart and what is built from it keep the last good version; the rest is published fresh
    assert published.read_bytes() != before
    assert fingerprint(published, ("fct_secondary_sales",)) == kept
    report = BuildReport.read(data_dir, outcome.run_id)
    assert report.published and "main.fct_secondary_sales" in report.kept
    assert outcome.error and "mart expectation" in outcome.error and "invoice_date_not_in_future" in outcome.error
    runs = sorted((data_dir / MART_VALIDATIONS_DIR).glob("*.parquet"))
    assert len(runs) == runs_before + 1
    latest = pl.read_parquet(runs[-1])
    failed = latest.filter(~pl.col("success"))
    assert ("mart.fct_secondary_sales", "invoice_date_not_in_future") in set(
        failed.select("suite", "expectation").rows()
    )
    assert failed.filter(pl.col("severity") == "blocking").height >= 1
    # Data Docs were rebuilt by the failing check (the docs asset is downstream and did not run)
    page = (data_dir / "quality" / "data_docs" / "suite_mart.fct_secondary_sales.html").read_text()
    assert page.count("invoice_date_not_in_future") >= 2  # this run's failure beside the earlier pass


def test_a_mart_verdict_without_failures_passes() -> None:
    empty = pl.DataFrame(
        {"expectation": ["x"], "severity": ["blocking"], "success": [True], "observed_value": ["all 3 rows"]}
    )
    verdict = MartVerdict("dim_outlet", empty)
    assert verdict.blocking_failures == [] and verdict.warnings == []
    assert _result(verdict).passed
