"""A row that would fail a relationships test in the warehouse (unknown distributor, SKU or outlet) is quarantined
at ingest with a reason a person can act on, so it never reaches the lake and never fails a night (issue 18, 1)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.references import quarantine_unknown_references
from ingest.core.runner import ingest_inbox
from ingest.core.source import ReadContext, ReadResult
from ingest.registry import source_kinds
from tests.conftest import write_rows
from tests.reliability.conftest import assert_ledger_identity, assert_rows_in_lake, latest_attempt

HEADER = ["Bill No", "Bill Date", "Party Name", "Item Name", "Qty", "Amount"]


def sales_csv(path: Path, items: list[str], bill: str = "R1") -> Path:
    rows = [[f"{bill}-{i}", "03-08-2026", "Shree Ganesh Stores", item, "12", "240.00"] for i, item in enumerate(items)]
    return write_rows(path, [HEADER, *rows])


def test_a_file_in_an_unknown_distributor_folder_is_quarantined_row_by_row(network: Path) -> None:
    inbox, lake = network / "inbox", Lake(network / "raw")
    name = "distributor_sales/D099/sales_2026-08-03.csv"
    sales_csv(inbox / name, ["SKU0001", "SKU0002", "SKU0003"])

    outcomes = {o.file_name: o for o in ingest_inbox(inbox, lake, kinds=["distributor_sales"])}

    assert outcomes[name].status == "loaded"
    assert (outcomes[name].rows_loaded, outcomes[name].rows_quarantined) == (0, 3)
    row = latest_attempt(lake, name)
    quarantine = pl.read_parquet(lake.table_dir("_quarantine") / f"{row['load_id']}.parquet")
    assert set(quarantine["reason_code"]) == {"unknown_distributor"}
    reason = quarantine["reason"][0]
    assert "'D099'" in reason and "inbox/distributor_sales/D099/" in reason and "move the file" in reason
    assert not (lake.table_dir("secondary_sales") / f"{row['load_id']}.parquet").exists()
    assert_rows_in_lake(lake, row)
    assert_ledger_identity(lake)


def test_an_alias_to_a_sku_the_master_lacks_is_quarantined(network: Path) -> None:
    inbox, lake = network / "inbox", Lake(network / "raw")
    aliases = network / "reviews" / "sku_aliases.csv"
    aliases.write_text(
        aliases.read_text(encoding="utf-8") + "D001,Mystery Biscuit 90g,SKU9999,ops,2026-08-03T10:00:00Z\n",
        encoding="utf-8",
    )
    name = "distributor_sales/D001/late_2026-08-03.csv"
    sales_csv(inbox / name, ["Mystery Biscuit 90g", "SKU0001"], bill="L")

    outcome = next(o for o in ingest_inbox(inbox, lake, kinds=["distributor_sales"]) if o.file_name == name)

    assert (outcome.rows_loaded, outcome.rows_quarantined) == (1, 1)
    row = latest_attempt(lake, name)
    quarantine = pl.read_parquet(lake.table_dir("_quarantine") / f"{row['load_id']}.parquet")
    assert quarantine["reason_code"].to_list() == ["unknown_sku"]
    assert "'SKU9999'" in quarantine["reason"][0] and "SKU master" in quarantine["reason"][0]
    loaded = pl.read_parquet(lake.table_dir("secondary_sales") / f"{row['load_id']}.parquet")
    assert loaded["sku_code"].to_list() == ["SKU0001"]
    assert_ledger_identity(lake)


def test_an_outlet_gone_from_the_master_is_quarantined_on_its_line() -> None:
    """POS lines map stores to outlets through the chain-store master; a mapping to an outlet the outlet master no
    longer holds would fail fct_pos_sales' relationships test."""
    masters = MasterData(
        outlets=pl.DataFrame(
            {"outlet_code": ["OUT1"], "outlet_name": ["A"], "distributor_code": ["D001"], "phone": [None]},
            schema=dict.fromkeys(("outlet_code", "outlet_name", "distributor_code", "phone"), pl.String),
        )
    )
    lines = pl.DataFrame(
        {"_row_number": [2, 3], "_sheet": [None, None], "chain_code": ["SM", "SM"], "outlet_code": ["OUT1", "OUT9"]},
        schema_overrides={"_row_number": pl.Int32, "_sheet": pl.String},
    )
    result = ReadResult({"pos_sales": lines}, pl.DataFrame(), rows_read=2)
    ctx = ReadContext("pos_sales/SM/x.csv", "SM", masters)

    checked = quarantine_unknown_references(result, ctx, source_kinds()["pos_sales"])

    assert checked.tables["pos_sales"]["outlet_code"].to_list() == ["OUT1"]
    assert checked.quarantine.select("_row_number", "reason_code").rows() == [(3, "unknown_outlet")]
    assert "outlet 'OUT9' is not in the outlet master" in checked.quarantine["reason"][0]
    assert checked.rows_loaded + checked.quarantine.height == checked.rows_read


def test_a_master_never_loaded_checks_nothing() -> None:
    lines = pl.DataFrame({"_row_number": [2], "distributor_code": ["D001"], "sku_code": ["SKU1"]})
    result = ReadResult({"secondary_sales": lines}, pl.DataFrame(), rows_read=1)
    ctx = ReadContext("distributor_sales/D001/x.csv", "D001", MasterData())
    checked = quarantine_unknown_references(result, ctx, source_kinds()["distributor_sales"])
    assert checked.tables["secondary_sales"].height == 1 and checked.quarantine.height == 0
