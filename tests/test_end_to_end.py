"""The whole nightly pipeline, in-process, on a tiny generated network, checked against the generator's truth."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.pipeline import run_nightly
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
        "select count(*) as n from ops.fct_quarantined_rows where source_kind = 'distributor_sales'",
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
    ledger = _mart(network / "published" / "sellthrough.duckdb", "select * from ops.fct_file_loads")
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
    ledger = _mart(published_path(data_dir), "select count(*) as n from ops.fct_file_loads")["n"][0]
    assert ledger == _mart(published_path(network), "select count(*) as n from ops.fct_file_loads")["n"][0]


def test_a_resent_corrected_file_replaces_the_first(network: Path) -> None:
    faults = json.loads((network / "truth" / "file_faults.json").read_text())
    resent = [f for f in faults if f["fault"] == "resent_corrected"]
    assert resent, "the tiny network plants a corrected re-sent file"
    published = published_path(network)
    for fault in resent:
        loads = _mart(published, "select file_name, is_superseded from ops.fct_file_loads")
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
    # the casual family chat exported by mistake is in no master: its authors are unknown, and it has no order
    family = pl.col("chat_name").str.ends_with(" Family")
    assert authors.filter(family).height > 0 and authors.filter(family)["sender_role"].is_null().all()
    authors = authors.filter(~family)
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


# Facts keyed for drill-down by what they copy from dim_distributor and dim_sku (fct_secondary_sales was first).
DRILL_DOWN_FACTS = (
    "fct_primary_sales",
    "fct_distributor_stock_daily",
    "fct_distributor_stock_reconciliation",
    "fct_sell_through_daily",
)
GEOGRAPHY = ("zone", "region", "state", "distributor_code")
PRODUCT = ("brand", "category", "sku_code")


def _roll_up(published: Path, keys: tuple[str, ...]) -> pl.DataFrame:
    """fct_primary_sales in one query at every level of a hierarchy (national first): level = how many keys
    deep, each level's rows with their value."""
    columns = ", ".join(keys)
    return _mart(
        published,
        f"select {len(keys)} - bit_count(grouping({columns})) as level, {columns}, "
        f"sum(signed_net_amount) as value from fct_primary_sales group by rollup ({columns})",
    )


@pytest.mark.parametrize("keys", [GEOGRAPHY, PRODUCT], ids=["geography", "product"])
def test_primary_sales_roll_up_from_every_level_to_the_national_total(network: Path, keys: tuple[str, ...]) -> None:
    """One query over fct_primary_sales rolls distributor > state > region > zone > national (and SKU > category >
    brand): every level sums to the national total, no key is missing at its level, and the zone totals are the
    generator's primary lines grouped by the distributors master's zone."""
    published = published_path(network)
    levels = _roll_up(published, keys)
    national = levels.filter(pl.col("level") == 0)["value"].item()
    assert national != 0
    for depth in range(1, len(keys) + 1):
        rows = levels.filter(pl.col("level") == depth)
        assert rows.height > 0 and rows["value"].sum() == pytest.approx(national, abs=0.01), keys[:depth]
        assert rows.select(keys[:depth]).null_count().sum_horizontal().item() == 0, keys[:depth]
    if keys == GEOGRAPHY:
        distributors = pl.read_csv(network / "inbox" / "masters" / "BRAND" / "distributors.csv", infer_schema=False)
        lines = pl.read_parquet(network / "truth" / "primary_lines.parquet")
        signed = pl.when(pl.col("doc_type") == "credit_note").then(-pl.col("net_amount")).otherwise("net_amount")
        truth = lines.join(distributors.select("distributor_code", "zone"), on="distributor_code", how="left")
        expected = truth.group_by("zone").agg(value=signed.sum().round(2)).sort("zone")
        zones = levels.filter(pl.col("level") == 1).select("zone", pl.col("value").round(2)).sort("zone")
        assert zones.to_dicts() == expected.to_dicts()


@pytest.mark.parametrize("fact", DRILL_DOWN_FACTS)
def test_every_fact_row_carries_the_keys_of_its_distributor_and_sku(network: Path, fact: str) -> None:
    """Where the distributor and SKU are in their masters, the fact row has their zone, region, state, brand and
    category (non-null, and the dimensions' values); a sell-through row of a known outlet has its beat."""
    keys = _mart(
        published_path(network),
        "select count(*) as mapped, "
        "count(*) filter (where f.zone is null or f.region is null or f.state is null) as without_geography, "
        "count(*) filter (where f.brand is null or f.category is null) as without_product, "
        "count(*) filter (where row(f.zone, f.region, f.state, f.brand, f.category) "
        "    is distinct from row(d.zone, d.region, d.state, s.brand, s.category)) as differing "
        f"from {fact} as f "
        "inner join dim_distributor as d on d.distributor_code = f.distributor_code "
        "inner join dim_sku as s on s.sku_code = f.sku_code",
    ).row(0, named=True)
    assert keys["mapped"] > 0
    assert keys == {**keys, "without_geography": 0, "without_product": 0, "differing": 0}
    if fact == "fct_sell_through_daily":
        beats = _mart(
            published_path(network),
            "select count(*) as known, count(beat_code) as with_beat from fct_sell_through_daily "
            "where outlet_id in (select master_outlet_id from dim_outlet)",
        ).row(0, named=True)
        assert beats["known"] > 0 and beats["with_beat"] == beats["known"]
