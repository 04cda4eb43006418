"""The same dbt project on Spark (issue 19, "a distributed engine"): the tiny network's lake, built by dbt-spark's
session method (pyspark inside the dbt process; dbt-spark has a venv of its own, Makefile SPARK_VENV; a JDK 17),
gives the marts DuckDB gives, on the first night and on the next, incremental one.

Two nights of the tiny network, on both engines: the first without the last distributor sales file and the last
primary sales file received (hold_back), the second when they arrive. DuckDB runs the nightly job each night; Spark
builds the models ported to Spark (dbt_project.yml, `spark_ported`) from the same lake into a warehouse folder under
tmp_path on the first night, and on the second runs the incremental models and what they read (`dbt run --select
+config.materialized:incremental`): its incremental marts overwrite only their window's partitions. Spark's tables
are parquet files there, which DuckDB reads to compare: every row, both ways (EXCEPT ALL), doubles and decimals
rounded to 4 places (a sum's last bits depend on the order it was added in)."""

import json
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingest.core.reviews import ReviewStore
from orchestration.pipeline import run_nightly
from sellthrough.config import Settings
from tests.pipeline_helpers import (
    SPARK_DBT,
    copy_network,
    deliver_held,
    engine_differences,
    hold_back,
    run_dbt,
    spark_partition_columns,
    spark_table,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not SPARK_DBT.is_file(), reason=f"no dbt with the Spark adapter at {SPARK_DBT} (make .venv-spark/.installed)"
    ),
    pytest.mark.skipif(
        shutil.which("java") is None, reason="no java on PATH (apt-get install openjdk-17-jre-headless)"
    ),
]

# the marts users query that Spark builds (schema main; their tables: a view has no parquet files to read) and the
# ported ops tables (schema ops): each must be built and non-empty. Every other table Spark wrote (staging,
# intermediate tables) is compared too.
MARTS = (
    "dim_chat_sender",
    "dim_date",
    "dim_distributor",
    "dim_geography",
    "dim_outlet",
    "dim_rep",
    "dim_scheme",
    "dim_sku",
    "dim_sku_group",
    "fct_distributor_stock_daily",
    "fct_distributor_stock_reconciliation",
    "fct_outlet_stock_cover",
    "fct_pos_sales",
    "fct_primary_sales",
    "fct_rep_incentive",
    "fct_retailer_incentive",
    "fct_scheme_redemption",
    "fct_scheme_roi",
    "fct_secondary_orders",
    "fct_secondary_sales",
    "fct_sell_through_daily",
    "fct_target_achievement",
    "fct_visits",
    "kpi_brand_distribution",
    "kpi_call_productivity",
    "kpi_distribution",
    "kpi_distributor_overstock",
    "kpi_distributor_sales_trend",
    "kpi_distributor_stock_health",
    "kpi_effective_coverage",
    "kpi_fill_rate",
    "kpi_geo_performance",
    "kpi_non_performing_outlets",
    "kpi_outlet_pareto",
    "kpi_outlet_understocked",
    "kpi_outlet_whitespace",
    "kpi_primary_secondary",
    "kpi_sell_through",
    "kpi_sku_region_ranking",
    "dash_distributor_periods",
    "dash_geo_weekly",
    "dash_outlet_weekly",
    "dash_outlets",
    "dash_periods",
    "dash_sales_fytd",
    "dash_sales_fytd_months",
    "dash_sales_monthly",
    "dash_sales_windows",
    "dash_source_freshness",
)
OPS = (
    "fct_data_quality_results",
    "fct_file_loads",
    "fct_quarantined_rows",
    "fct_review_queue",
    "kpi_distributor_scorecard",
)
# the incremental marts: partitioned by their window's date column on Spark (dash_sales_fytd_months is emptied
# whole when stale, dash_sales_fytd replaced by key: not partitioned; docs/scale-out.md section 6)
PARTITIONED = {
    "fct_secondary_sales": "invoice_date",
    "fct_primary_sales": "doc_date",
    "fct_distributor_stock_daily": "stock_date",
    "fct_distributor_stock_reconciliation": "period_end",
    "fct_sell_through_daily": "sale_date",
    "fct_scheme_redemption": "claim_month",
    "kpi_brand_distribution": "month_start",
    "kpi_distribution": "month_start",
    "kpi_distributor_sales_trend": "week_start",
    "kpi_effective_coverage": "month_start",
    "kpi_geo_performance": "month_start",
    "kpi_primary_secondary": "month_start",
    "dash_outlet_weekly": "week_start",
    "dash_sales_monthly": "month_start",
}
# the second night's files: the last of each kind received (hold_back)
HELD_KINDS = ("distributor_sales", "primary_sales")
INCREMENTAL = "+config.materialized:incremental"  # the incremental models and what they read
# the data tests: the DuckDB build runs them on the same rows (asserted equal below); left out of CI's Spark build
# for its time, ~1.3 s each on Spark (they pass there: docs/scale-out.md). The unit tests run.
NOT_IN_CI = ("test_type:data",)

Files = dict[str, tuple[str, ...]]  # a partition folder's name -> its parquet files (name, modification time)


@dataclass
class Night:
    compared: list[tuple[str, str]]  # (schema, table): every table compared with DuckDB's
    mismatches: dict[str, tuple[int, int, int, int]]  # (Spark rows, DuckDB rows, only on Spark, only on DuckDB)
    files: dict[str, Files]  # per partitioned mart, its partitions' files after the night


@dataclass
class Nights:
    network: Path  # the network's folder: its lake, and DuckDB's warehouse after the second night
    first: Night
    second: Night
    sales_from: date  # the first day of the second night's distributor sales file
    primary_from: date  # ... and of its primary sales file


def _spark(data_dir: Path, work: Path, spark_dir: Path, *args: str) -> None:
    done = run_dbt(
        data_dir,
        work / "unused.duckdb",
        work,
        *args,
        extra_env={"SELLTHROUGH_DBT_TARGET": "spark", "SELLTHROUGH_SPARK_DIR": str(spark_dir)},
        dbt_executable=SPARK_DBT,
    )
    assert done.returncode == 0, f"dbt {args[0]} --target spark failed:\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"


def _partition_files(warehouse: Path) -> dict[str, Files]:
    out = {}
    for table in PARTITIONED:
        folder = warehouse / "main.db" / table
        out[table] = {
            part.name: tuple(sorted(f"{file.name}@{file.stat().st_mtime_ns}" for file in part.glob("*.parquet")))
            for part in folder.glob("*=*")
        }
    return out


def _compare(data_dir: Path, warehouse: Path, tables: list[tuple[str, str]]) -> Night:
    mismatches = {}
    with duckdb.connect(str(Settings.from_env(data_dir).warehouse_path), read_only=True) as con:
        for schema, table in tables:
            folder = warehouse / f"{schema}.db" / table
            spark_rows, duck_rows, only_spark, only_duck = engine_differences(
                con, spark_table(warehouse, schema, table), f"{schema}.{table}", spark_partition_columns(folder)
            )
            if table in MARTS or table in OPS:
                assert duck_rows > 0, f"{schema}.{table} is empty on DuckDB: nothing compared"
            if (spark_rows, only_spark, only_duck) != (duck_rows, 0, 0):
                mismatches[f"{schema}.{table}"] = (spark_rows, duck_rows, only_spark, only_duck)
    return Night(tables, mismatches, _partition_files(warehouse))


def _built(warehouse: Path) -> list[tuple[str, str]]:
    return sorted(
        (folder.parent.name.removesuffix(".db"), folder.name)
        for folder in warehouse.glob("*.db/*")
        if any(folder.glob("*.parquet")) or any(folder.glob("*=*/*.parquet"))
    )


@pytest.fixture(scope="module")
def nights(tiny_inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> Nights:
    """Both nights on both engines, compared after each (module scope: one Spark warehouse for both)."""
    work = tmp_path_factory.mktemp("spark_engine")
    data_dir = copy_network(tiny_inbox, work / "network")
    spark_dir = work / "spark"
    warehouse = spark_dir / "warehouse"
    held = hold_back(data_dir, HELD_KINDS)
    # review decisions (CSV files, a source Spark reads through a csv table): a comma, doubled quotes, a line break
    # and cells the store escapes as spreadsheet formulas
    reviews = ReviewStore(data_dir / "reviews")
    reviews.confirm_sku("D001", 'Salt, "Big"\n1 kg', "SKU0001", by="=ops")
    reviews.confirm_outlet("D002", "+Sharma Stores", "O0001", by="asha")
    reviews.ignore("sku", "D003", "@promo", note='not ours, "dummy"', by="asha")

    outcome = run_nightly(data_dir)
    assert outcome.success, f"the first night failed at {outcome.failed_steps}"
    _spark(data_dir, work, spark_dir, "build", "--exclude", *NOT_IN_CI)
    first = _compare(data_dir, warehouse, _built(warehouse))
    with duckdb.connect(str(Settings.from_env(data_dir).warehouse_path), read_only=True) as con:
        (first_loaded,) = con.execute("select max(loaded_at) from staging.stg_ingest__loads").fetchone()
    # kept for a look at each model's time on both nights (bench/README.md); the second night's replaces it
    shutil.copyfile(work / "target" / "run_results.json", work / "first_night_run_results.json")

    deliver_held(data_dir, held)
    outcome = run_nightly(data_dir)
    assert outcome.success, f"the second night failed at {outcome.failed_steps}"
    _spark(data_dir, work, spark_dir, "run", "--select", INCREMENTAL)
    results = json.loads((work / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    rebuilt = {tuple(r["relation_name"].split(".")) for r in results if r["relation_name"]}
    second = _compare(data_dir, warehouse, [t for t in _built(warehouse) if t in rebuilt])

    with duckdb.connect(str(Settings.from_env(data_dir).warehouse_path), read_only=True) as con:
        # the second night's loads: the held-back files, and their periods' first days
        starts = dict(
            con.execute(
                "select source_kind, min(period_start) from staging.stg_ingest__loads "
                "where status = 'loaded' and loaded_at > ? group by source_kind",
                [first_loaded],
            ).fetchall()
        )
    assert set(starts) == set(HELD_KINDS), starts
    return Nights(data_dir, first, second, starts["distributor_sales"], starts["primary_sales"])


def test_spark_builds_the_ported_models_with_duckdbs_rows_and_nothing_else(nights: Nights) -> None:
    """The first night: every table Spark wrote holds DuckDB's rows, the ported marts among them; a model not ported
    is not built there, while DuckDB builds it."""
    first = nights.first
    assert {("main", m) for m in MARTS} | {("ops", o) for o in OPS} <= set(first.compared)
    assert first.mismatches == {}, "(Spark rows, DuckDB rows, only on Spark, only on DuckDB) per table"
    assert len(first.compared) >= 70, first.compared  # staging, intermediate tables, marts and ops: most of it
    # the review decisions as written (commas, quotes, a line break; formula-like cells unescaped) on both engines
    assert ("staging", "stg_reviews__decisions") in first.compared
    with duckdb.connect(str(Settings.from_env(nights.network).warehouse_path), read_only=True) as con:
        decisions = con.execute(
            "select review_kind, name, resolved_to, decision, decided_by "
            "from staging.stg_reviews__decisions order by 1, 2"
        ).fetchall()
    assert decisions == [
        ("outlet", "+Sharma Stores", "O0001", "confirmed", "asha"),
        ("sku", "@promo", None, "ignored", "asha"),
        ("sku", 'Salt, "Big"\n1 kg', "SKU0001", "confirmed", "=ops"),
    ], decisions
    # not ported (a Python model's mart): disabled on Spark, a table on DuckDB
    assert ("main", "fct_sales_forecast") not in first.compared
    with duckdb.connect(str(Settings.from_env(nights.network).warehouse_path), read_only=True) as con:
        tables = con.execute("select table_name from information_schema.tables where table_schema = 'main'").fetchall()
    assert ("fct_sales_forecast",) in tables
    # the incremental marts are partitioned by their window's date column on Spark
    for table, column in PARTITIONED.items():
        assert first.files[table] and all(p.startswith(f"{column}=") for p in first.files[table]), table


def test_spark_second_night_overwrites_only_the_window_and_equals_duckdb(nights: Nights) -> None:
    """The second night, incremental on both engines: the incremental marts (and every table the night rebuilt)
    still hold DuckDB's rows, and the marts rewrote only the partitions of their window: a partition before it
    keeps its very files."""
    first, second, sales_from, primary_from = nights.first, nights.second, nights.sales_from, nights.primary_from
    assert {("main", m) for m in PARTITIONED} | {("main", "dash_sales_fytd_months")} <= set(second.compared)
    assert second.mismatches == {}, "(Spark rows, DuckDB rows, only on Spark, only on DuckDB) per table"

    def assert_window_only(table: str, window_from: date) -> None:
        """Every partition before `window_from` kept its files; every one from it on was written (again or new)."""
        before, after = first.files[table], second.files[table]
        old = {p for p in after if date.fromisoformat(p.split("=", 1)[1]) < window_from}
        written = {p for p in after if after[p] != before.get(p)}
        assert old and not old & written, f"{table}: a partition before {window_from} was written again"
        assert written and written == set(after) - old, f"{table}: a partition of the window was not written"

    # fct_secondary_sales by invoice date: the late file's week and after, its window (a day a partition): days
    # other distributors' files had filled already, written again
    assert_window_only("fct_secondary_sales", sales_from)
    assert {p for p in first.files["fct_secondary_sales"] if p >= f"invoice_date={sales_from}"}
    # fct_primary_sales by document date: the new month's file, its days only (new partitions)
    assert_window_only("fct_primary_sales", primary_from)
    # the stock ledger from the earlier of the two
    assert_window_only("fct_distributor_stock_daily", min(sales_from, primary_from))
