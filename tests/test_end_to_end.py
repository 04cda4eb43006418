"""The whole nightly pipeline, in-process, on a tiny generated network, checked against the generator's truth."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from sellthrough.pipeline import run_nightly
from tests.pipeline_helpers import TINY, copy_network, fingerprint, published_path

pytestmark = pytest.mark.e2e


def _mart(published: Path, sql: str, params: list | None = None) -> pl.DataFrame:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.sql(sql, params=params).pl()


@pytest.fixture(scope="module")
def network(tiny_network: Path) -> Path:
    return tiny_network


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


def test_loading_the_same_file_twice_changes_no_mart(network: Path, tmp_path: Path) -> None:
    data_dir = copy_network(network, tmp_path / "net")
    before = fingerprint(published_path(data_dir))
    sales = sorted((data_dir / "inbox" / "distributor_sales").rglob("*.*"))[0]
    shutil.copyfile(sales, sales.with_name("again_" + sales.name))
    outcome = run_nightly(data_dir)
    assert outcome.success
    assert fingerprint(published_path(data_dir)) == before
    ledger = _mart(published_path(data_dir), "select count(*) as n from fct_file_loads")["n"][0]
    assert ledger == _mart(published_path(network), "select count(*) as n from fct_file_loads")["n"][0]


def test_a_resent_corrected_file_replaces_the_first(network: Path) -> None:
    faults = json.loads((network / "truth" / "file_faults.json").read_text())
    resent = [f for f in faults if f["fault"] == "resent_corrected"]
    assert resent, "the tiny network plants a corrected re-sent file"
    published = published_path(network)
    for fault in resent:
        loads = _mart(published, "select file_name, is_superseded from fct_file_loads")
        flags = dict(zip(loads["file_name"], loads["is_superseded"], strict=True))
        assert flags[fault["replaces"]] is True
        assert flags[fault["file"]] is False
        for row in fault["rows"]:
            quantities = _mart(
                published,
                "select sum(quantity_units) as q from fct_secondary_sales "
                "where invoice_number = ? and sku_code = ? and distributor_code = ?",
                [row["invoice_number"], row["sku_code"], fault["distributor_code"]],
            )["q"].to_list()
            assert quantities == [row["quantity_corrected"]]


def test_whatsapp_orders_reach_the_orders_mart(network: Path) -> None:
    truth = (
        pl.read_parquet(network / "truth" / "whatsapp_orders.parquet")
        .group_by("distributor_code", "outlet_code", "sku_code", "status")
        .agg(pl.col("quantity_units").sum(), pl.len().alias("lines"))
        .sort(pl.all())
    )
    orders = _mart(
        published_path(network),
        "select distributor_code, outlet_code, sku_code, status, sum(quantity_units)::bigint as quantity_units, "
        "count(*)::uint32 as lines from fct_secondary_orders where origin = 'whatsapp' group by all",
    ).sort(pl.all())
    assert truth.height > 0
    assert orders.to_dicts() == truth.to_dicts()


def test_every_chat_author_is_known_by_the_senders_master_without_a_number(network: Path) -> None:
    """Chat authors join the chat-senders master by keyed hash: every non-system author resolves to a rep or an
    outlet, orders in a sales-team group are the rep's, and the master's phone numbers never reach a mart."""
    authors = _mart(
        published_path(network),
        "select m.chat_name, s.sender_role, s.rep_code, count(*)::uint32 as messages "
        "from staging.stg_whatsapp__messages m "
        "left join dim_chat_sender s on s.distributor_code = m.distributor_code and s.sender_key = m.author_key "
        "where not m.is_system group by all",
    )
    assert authors.height > 0
    assert authors.filter(pl.col("sender_role").is_null()).height == 0
    team = authors.filter(pl.col("chat_name").str.ends_with("Sales Team"))
    assert team.height > 0 and set(team["sender_role"]) == {"rep"}
    retail = authors.filter(pl.col("chat_name").str.ends_with("Retailers"))
    assert retail.height > 0 and set(retail["sender_role"]) == {"outlet"}
    roles = _mart(published_path(network), "select distinct sender_role from fct_secondary_orders")
    assert set(roles["sender_role"]) <= {"rep", "outlet"}
    senders = pl.read_csv(network / "inbox" / "masters" / "BRAND" / "chat_senders.csv")
    numbers = [s for s in senders["sender"].to_list() if s.startswith("+91")]
    displays = _mart(published_path(network), "select sender_display from dim_chat_sender")["sender_display"]
    assert numbers and not set(numbers) & set(displays.to_list())
