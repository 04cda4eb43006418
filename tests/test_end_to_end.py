"""The whole nightly pipeline, in-process, on a tiny generated network, checked against the generator's truth."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from sellthrough.generator import NetworkConfig, generate
from sellthrough.pipeline import run_nightly

pytestmark = pytest.mark.e2e

TINY = NetworkConfig(seed=7, distributors=6, outlets=60, skus=12, days=62, start=date(2026, 7, 1))
MARTS = (
    "fct_secondary_sales",
    "fct_primary_sales",
    "fct_distributor_stock_reconciliation",
    "dim_sku",
    "dim_distributor",
    "dim_outlet",
)


def _mart(published: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.sql(sql).pl()


def _fingerprint(published: Path) -> dict[str, tuple]:
    """Row count and an order-independent hash of every mart's content (load ids aside)."""
    out = {}
    with duckdb.connect(str(published), read_only=True) as con:
        for mart in MARTS:
            columns = [c for c in con.table(mart).columns if not c.startswith("_") and c != "sales_line_key"]
            select = ", ".join(f'"{c}"' for c in columns)
            out[mart] = con.execute(f"select count(*), sum(hash(row({select}))) from {mart}").fetchone()
    return out


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("network")
    generate(data_dir, TINY)
    outcome = run_nightly(data_dir)
    assert outcome.success, f"nightly run failed at {outcome.failed_steps}"
    return data_dir


def test_secondary_sales_equal_the_truth_per_distributor(network: Path) -> None:
    truth = (
        pl.read_parquet(network / "truth" / "secondary_lines.parquet")
        .filter(pl.col("expected") == "loaded")
        .group_by("distributor_code", "line_type")
        .agg(quantity=pl.col("quantity_units").sum(), value=pl.col("net_amount").sum().round(2))
        .sort("distributor_code", "line_type")
    )
    loaded = _mart(
        network / "published" / "sellthrough.duckdb",
        "select distributor_code, line_type, sum(quantity_units)::bigint as quantity, "
        "round(sum(net_amount), 2) as value from fct_secondary_sales group by all order by all",
    )
    assert truth.height >= TINY.distributors
    assert loaded.to_dicts() == truth.to_dicts()


def test_quarantined_rows_are_the_planted_faults(network: Path) -> None:
    truth = pl.read_parquet(network / "truth" / "secondary_lines.parquet").filter(pl.col("expected") == "quarantined")
    quarantined = _mart(
        network / "published" / "sellthrough.duckdb",
        "select count(*) as n from fct_quarantined_rows where source_kind = 'distributor_sales'",
    )["n"][0]
    assert truth.height > 0
    assert quarantined == truth.height


def test_every_planted_stock_discrepancy_shows_with_its_sign(network: Path) -> None:
    problems = json.loads((network / "truth" / "problems.json").read_text())
    planted = pl.read_parquet(network / "truth" / "stock_truth.parquet").filter(
        pl.col("closing_units_reported") != pl.col("closing_units_true")
    )
    assert planted.height > 0 and any(p["problem"] == "stock_discrepancy" for p in problems)
    recon = _mart(
        network / "published" / "sellthrough.duckdb",
        "select distributor_code, sku_code, period_start, variance_units, is_within_tolerance "
        "from fct_distributor_stock_reconciliation",
    )
    joined = planted.join(recon, on=["distributor_code", "sku_code", "period_start"], how="left")
    assert joined["variance_units"].null_count() == 0
    for row in joined.iter_rows(named=True):
        expected_sign = 1 if row["closing_units_reported"] > row["closing_units_true"] else -1
        assert row["variance_units"] * expected_sign > 0, row
        assert not row["is_within_tolerance"], row


def test_ledger_accounts_for_every_row(network: Path) -> None:
    ledger = _mart(network / "published" / "sellthrough.duckdb", "select * from fct_file_loads")
    assert ledger.height > 0
    broken = ledger.filter(
        pl.col("rows_read") != pl.col("rows_loaded") + pl.col("rows_quarantined") + pl.col("rows_deduplicated")
    )
    assert broken.height == 0


def test_loading_the_same_file_twice_changes_no_mart(network: Path) -> None:
    published = network / "published" / "sellthrough.duckdb"
    before = _fingerprint(published)
    sales = sorted((network / "inbox" / "distributor_sales").rglob("*.*"))[0]
    shutil.copyfile(sales, sales.with_name("again_" + sales.name))
    outcome = run_nightly(network)
    assert outcome.success
    assert _fingerprint(published) == before
