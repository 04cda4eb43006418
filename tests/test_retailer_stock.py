"""Retailer shelf stock (issue 16): a rep's field-app shelf counts and a chain's store inventory, read through the
real nightly path from small files the tests write. The generated network's counts and marts are checked in
tests/test_retailer_stock_marts.py."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.core.lake import Lake
from ingest.core.runner import ingest_inbox
from tests.conftest import write_csv, write_rows
from tests.pos_helpers import outlet, write_hierarchy


def _masters(inbox: Path) -> None:
    write_hierarchy(inbox, [outlet("O001"), outlet("O002", beat="D002-B01", distributor="D002")])
    write_csv(
        inbox / "masters" / "BRAND" / "chain_stores.csv",
        [{"chain_code": "SMARTMART", "store_code": "S-17", "outlet_code": "O002"}],
    )


def test_shelf_counts_load_and_bad_lines_are_quarantined_with_reasons(inbox: Path, lake: Lake) -> None:
    _masters(inbox)
    rows = [
        ["Visit Date", "Rep", "Outlet Code", "Item", "Shelf Qty"],
        ["02-11-2026", "R01", "O001", "SKU0001", "12"],
        ["02-11-2026", "R01", "O001", "CRUNCHY GLUCOSE 100GM", "0"],  # D001's alias of SKU0001: a second count
        ["02-11-2026", "R01", "O001", "SKU0002", "7"],
        ["02-11-2026", "R01", "O001", "SKU0002", "7"],  # the same line again: a re-delivery
        ["03-11-2026", "R01", "O001", "Mystery Cola 2L", "1"],
        ["03-11-2026", "R01", "O001", "SKU0002", "-3"],
        ["31-02-2026", "R01", "O001", "SKU0002", "3"],
        ["03-11-2026", "R01", "O404", "SKU0002", "3"],
    ]
    write_rows(inbox / "retailer_stock" / "D001" / "shelf_counts_2026-11-02_2026-11-03.csv", rows)
    outcomes = ingest_inbox(inbox, lake)
    [outcome] = [o for o in outcomes if o.kind == "retailer_stock"]
    assert outcome.status == "loaded", outcome.error
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined, outcome.rows_deduplicated) == (
        8,
        1,
        6,
        1,
    )
    lines = lake.read_table("retailer_stock_lines", [outcome.load_id])
    assert lines.select("count_source", "distributor_code", "outlet_code", "sku_code", "stock_units").rows() == [
        ("shelf_count", "D001", "O001", "SKU0002", 7)
    ]
    reasons = lake.read_table("_quarantine", [outcome.load_id])["reason_code"].sort().to_list()
    assert reasons == sorted(
        ["conflicting_count", "conflicting_count", "unknown_sku", "negative_quantity", "bad_date", "unknown_outlet"]
    )


def test_store_inventory_maps_the_chains_store_to_its_outlet_and_distributor(inbox: Path, lake: Lake) -> None:
    _masters(inbox)
    rows = [
        ["Store Code", "Article EAN", "SOH", "Date"],
        ["S-17", "8901234567906", "40", "2026-11-01"],
        ["S-99", "8901234567906", "5", "2026-11-01"],  # a store the chain_stores master does not have
    ]
    write_rows(inbox / "retailer_stock" / "SMARTMART" / "store_stock_2026-11-01.csv", rows)
    [outcome] = [o for o in ingest_inbox(inbox, lake) if o.kind == "retailer_stock"]
    assert (outcome.status, outcome.rows_loaded, outcome.rows_quarantined) == ("loaded", 1, 1), outcome.error
    lines = lake.read_table("retailer_stock_lines", [outcome.load_id])
    assert lines.select("sender_code", "count_source", "distributor_code", "outlet_code", "store_code").row(0) == (
        "SMARTMART",
        "store_inventory",
        "D002",
        "O002",
        "S-17",
    )
    quarantined = lake.read_table("_quarantine", [outcome.load_id])
    assert quarantined.filter(pl.col("reason_code") == "unmapped_store")["reason"].str.contains("S-99").all()
