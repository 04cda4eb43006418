"""ERP primary sales, stock statements, masters and `preview --json`, on files the tests write."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import polars as pl
from typer.testing import CliRunner

from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.runner import ingest_inbox
from sellthrough.cli import app
from tests.conftest import write_rows


def _loaded(lake: Lake, table: str) -> pl.DataFrame:
    ledger = lake.ledger().filter(pl.col("status") == "loaded")
    return lake.read_table(table, ledger["load_id"].to_list())


def test_erp_primary_sales(inbox: Path, lake: Lake, masters: MasterData) -> None:
    write_rows(
        inbox / "primary_sales" / "BRAND" / "primary_2026-11.csv",
        [
            [
                "Document Type",
                "Document No",
                "Document Date",
                "Delivery Date",
                "Distributor Code",
                "Material",
                "Quantity (Units)",
                "Rate",
                "Net Value",
            ],
            ["INV", "P1", "2026-11-01", "2026-11-04", "D001", "SKU0001", "480", "7.5", "3600"],
            ["CRN", "C1", "2026-11-10", "", "D001", "SKU0002", "24", "30", "720"],
            ["INV", "P2", "2026-11-02", "2026-11-05", "D001", "SKU9999", "10", "1", "10"],
        ],
    )
    [outcome] = ingest_inbox(inbox, lake, kinds=["primary_sales"])
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (3, 2, 1)
    rows = _loaded(lake, "primary_sales").sort("doc_number")
    assert rows["doc_type"].to_list() == ["credit_note", "invoice"]
    assert str(rows.filter(pl.col("doc_number") == "P1")["delivery_date"][0]) == "2026-11-04"
    ledger = lake.ledger().filter(pl.col("source_kind") == "primary_sales").row(0, named=True)
    # the month its name declares (a re-export of November replaces all of November), not its dates' span
    assert (str(ledger["period_start"]), str(ledger["period_end"])) == ("2026-11-01", "2026-11-30")


def test_stock_statement_period_from_title(inbox: Path, lake: Lake, masters: MasterData) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Stock Statement 01-11-2026 to 30-11-2026"])
    sheet.append(["Item Code", "Item Name", "Opening", "Receipts", "Sales", "Closing"])
    sheet.append(["PG100", "Glucose", 480, 960, 700, 740])
    sheet.append(["SKU0002", "Namkeen", 100, 0, 20, 80])
    path = inbox / "stock_statement" / "D001" / "stock.xlsx"
    path.parent.mkdir(parents=True)
    workbook.save(path)
    [outcome] = ingest_inbox(inbox, lake, kinds=["stock_statement"])
    assert outcome.rows_loaded == 2
    rows = _loaded(lake, "stock_statement").sort("sku_code")
    assert rows["sku_code"].to_list() == ["SKU0001", "SKU0002"]
    assert rows["closing_units"].to_list() == [740, 80]
    assert {str(d) for d in rows["period_end"]} == {"2026-11-30"}


def test_invalid_master_rows_are_quarantined_whole(inbox: Path, lake: Lake) -> None:
    write_rows(
        inbox / "masters" / "BRAND" / "skus.csv",
        [
            ["sku_code", "sku_name", "brand", "category", "pack_size", "units_per_case", "mrp", "ean"],
            ["SKU0001", "Glucose 100 g", "Crunchy", "Biscuits", "100 g", "48", "10", "8901234567890"],
            ["SKU0002", "Namkeen", "Zing", "Snacks", "200 g", "twenty", "40", ""],
            ["", "No code", "Zing", "Snacks", "1 kg", "12", "90", ""],
        ],
    )
    outcomes = {o.file_name: o for o in ingest_inbox(inbox, lake, kinds=["masters"])}
    skus = outcomes["masters/BRAND/skus.csv"]
    assert (skus.rows_read, skus.rows_loaded, skus.rows_quarantined) == (3, 1, 2)
    assert MasterData.from_lake(lake).skus["sku_code"].to_list() == ["SKU0001"]


def test_preview_json_reads_without_loading(inbox: Path, tmp_path: Path) -> None:
    """The preview runs against the data folder's masters (the night's) and writes nothing to its lake."""
    lake = Lake(tmp_path / "d" / "raw")
    ingest_inbox(inbox, lake, kinds=["masters"])
    ledger_before = lake.ledger().height
    path = write_rows(
        tmp_path / "any.csv",
        [
            ["Bill No", "Bill Date", "Party", "Item", "Qty", "Net Amt"],
            ["B1", "05-11-2026", "Sharma", "PG100", "10", "1,000.00"],
            ["B1", "05-11-2026", "Sharma", "Masala Namkeen 200 g", "x", "20"],
            ["B2", "07-11-2026", "Gupta", "Masala Namkeen 200 g", "5", "200"],
        ],
    )
    args = ["preview", str(path), "--json", "--distributor", "D001", "--data-dir", str(tmp_path / "d")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["kind"] == "distributor_sales" and report["warnings"] == []
    assert (report["rows_read"], report["rows_loaded"], report["rows_quarantined"]) == (3, 2, 1)
    assert report["quarantine_reasons"] == {"bad_quantity": 1}
    assert report["totals"] == {
        "lines": 2,
        "documents": 2,
        "quantity": 15,
        "net_amount": 1200.0,
        "date_min": "2026-11-05",
        "date_max": "2026-11-07",
    }
    assert lake.ledger().height == ledger_before and not list((lake.root / "secondary_sales").glob("L*.parquet"))


def test_preview_names_the_missing_header(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "odd.csv", [["Foo", "Bar"], ["1", "2"]])
    result = CliRunner().invoke(app, ["preview", str(path), "--kind", "distributor_sales", "--json"])
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["error"] == "header_not_found" and "bill no" in report["message"]
