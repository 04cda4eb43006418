"""Distributor sales files of every form, read through the real nightly path into a lake under tmp_path."""

from __future__ import annotations

import os
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import xlwt

from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.preview import preview_file
from ingest.core.runner import ingest_inbox
from tests.conftest import write_rows

SALES = "distributor_sales"


def _sales_frame(lake: Lake) -> pl.DataFrame:
    ledger = lake.ledger().filter(pl.col("status") == "loaded")
    return lake.read_table("secondary_sales", ledger["load_id"].to_list())


def _marg_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["M/s Balaji Agencies"])
    sheet.merge_cells("A1:F1")
    sheet.append(["Sales Register from 01-11-2026 to 07-11-2026"])
    sheet.append([])
    sheet.append(
        [
            "Bill No",
            "Bill Date",
            "Vch Type",
            "Party Code",
            "Party Name",
            "Item Code",
            "Item Name",
            "Qty",
            "Free",
            "Rate",
            "Amount",
            "Disc",
            "Net Amt",
        ]
    )
    sheet.append(
        [
            "B1",
            datetime(2026, 11, 2),
            "Sales",
            "C01",
            "Sharma Kirana",
            "PG100",
            "Glucose",
            96,
            0,
            8.0,
            768.0,
            0,
            768.0,
        ]
    )
    sheet.append(
        [
            "B1",
            datetime(2026, 11, 2),
            "Sales",
            "C01",
            "Sharma Kirana",
            None,
            "Masala Namkeen 200 g",
            24,
            2,
            32.0,
            768.0,
            10,
            758.0,
        ]
    )
    sheet.append([None, None, None, None, "Bill Total", None, None, 120, 2, None, 1536.0, 10, 1526.0])
    sheet.append(
        [
            "SR1",
            datetime(2026, 11, 3),
            "Sales Return",
            "C01",
            "Sharma Kirana",
            "PG100",
            None,
            5,
            0,
            8.0,
            40.0,
            0,
            40.0,
        ]
    )
    sheet.append(
        [
            "B2",
            datetime(2026, 11, 4),
            "Sales",
            "C02",
            "Laxmi Stores",
            None,
            "Mystery Cola 2L",
            3,
            0,
            50.0,
            150.0,
            0,
            150.0,
        ]
    )
    sheet.append(["B3", "31-13-2026", "Sales", "C02", "Laxmi Stores", "SKU0002", None, 4, 0, 32.0, 128.0, 0, 128.0])
    sheet.append(["B4", datetime(2026, 11, 5), "Sales", "C02", "Laxmi Stores", "SKU0002", None, "1O", 0, 32, 1, 0, 1])
    sheet.append([None, None, None, None, "Grand Total", None, None, 132, 2, None, 1854.0, 10, 1844.0])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def test_xlsx_with_titles_totals_returns_and_bad_rows(inbox: Path, lake: Lake, masters: MasterData) -> None:
    _marg_xlsx(inbox / SALES / "D001" / "week45.xlsx")
    [outcome] = ingest_inbox(inbox, lake, kinds=[SALES])
    assert outcome.status == "loaded", outcome.error
    # 6 data lines; the title, Bill Total and Grand Total rows are not lines
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (6, 3, 3)
    rows = _sales_frame(lake).sort("_row_number")
    assert rows["_row_number"].to_list() == [5, 6, 8]
    by_row = {r["_row_number"]: r for r in rows.iter_rows(named=True)}
    assert by_row[5]["sku_code"] == "SKU0001" and by_row[5]["quantity_units"] == 96  # alias PG100
    assert by_row[6]["sku_code"] == "SKU0002" and by_row[6]["free_units"] == 2 and by_row[6]["net_amount"] == 758.0
    assert by_row[8]["line_type"] == "return" and by_row[8]["quantity_units"] == 5
    assert rows["_sheet"].unique().to_list() == ["Sheet"]
    quarantine = lake.read_table("_quarantine", lake.ledger()["load_id"].to_list()).sort("_row_number")
    assert quarantine["reason_code"].to_list() == ["unknown_sku", "bad_date", "bad_quantity"]
    assert "Mystery Cola 2L" in quarantine["reason"][0] and "closest:" in quarantine["reason"][0]
    assert "31-13-2026" in quarantine["reason"][1]
    assert quarantine["_source_file"].unique().to_list() == ["distributor_sales/D001/week45.xlsx"]


def test_csv_cases_pieces_indian_amounts_and_cancelled(inbox: Path, lake: Lake, masters: MasterData) -> None:
    write_rows(
        inbox / SALES / "D002" / "busy.csv",
        [
            [
                "Voucher No",
                "Date",
                "Type",
                "Customer",
                "Item",
                "Cs",
                "Pcs",
                "Free Qty",
                "Rate",
                "Gross",
                "Discount",
                "Net Amount",
                "Status",
            ],
            [
                "V1",
                "05-11-2026",
                "Sale",
                "Gupta Store",
                "crunchy glucose biscuit 100 g",
                "2",
                "6",
                "0",
                "1,200",
                "₹1,22,400.00",
                "0",
                "₹1,22,400.00",
                "Active",
            ],
            [
                "V2",
                "25-11-2026",
                "Sale",
                "Gupta Store",
                "SKU0002",
                "1",
                "0",
                "0",
                "32",
                "768",
                "0",
                "768",
                "Cancelled",
            ],
        ],
        encoding="utf-8-sig",
    )
    [outcome] = ingest_inbox(inbox, lake, kinds=[SALES])
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (2, 1, 1)
    row = _sales_frame(lake).row(0, named=True)
    assert row["quantity_units"] == 2 * 48 + 6 and row["net_amount"] == 122400.0
    assert row["sku_code"] == "SKU0001"


def test_semicolon_cp1252_csv_with_month_names(inbox: Path, lake: Lake, masters: MasterData) -> None:
    write_rows(
        inbox / SALES / "D003" / "tally.csv",
        [
            ["Shree Traders"],
            ["Sales Day Book"],
            ["Voucher No", "Voucher Date", "Dukan", "Maal", "Peti", "Pcs", "Scheme Qty", "Rate", "Amount"],
            ["T1", "3-Nov-26", "Café Corner", "SKU0002", "1", "4", "1", "32", "Rs. 896.00"],
            ["Total", "", "", "", "1", "4", "1", "", "Rs. 896.00"],
        ],
        encoding="cp1252",
        delimiter=";",
    )
    [outcome] = ingest_inbox(inbox, lake, kinds=[SALES])
    assert (outcome.rows_read, outcome.rows_loaded) == (1, 1)
    row = _sales_frame(lake).row(0, named=True)
    assert row["party_name"] == "Café Corner" and row["quantity_units"] == 28 and row["free_units"] == 1
    assert str(row["invoice_date"]) == "2026-11-03" and row["net_amount"] == 896.0


def test_legacy_xls_with_serial_dates(inbox: Path, lake: Lake, masters: MasterData) -> None:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Sales")
    for col, name in enumerate(["Inv No.", "Inv Date", "Retailer Name", "Product", "Qty (Pcs)", "Value"]):
        sheet.write(0, col, name)
    for col, value in enumerate(["X1", 46331, "Gupta Store", "SKU0002", 24, 768.0]):
        sheet.write(1, col, value)
    path = inbox / SALES / "D004" / "old.xls"
    path.parent.mkdir(parents=True)
    book.save(str(path))
    [outcome] = ingest_inbox(inbox, lake, kinds=[SALES])
    assert outcome.status == "loaded" and outcome.rows_loaded == 1
    assert str(_sales_frame(lake)["invoice_date"][0]) == "2026-11-05"


def test_same_file_twice_changes_nothing(inbox: Path, lake: Lake, masters: MasterData) -> None:
    first = _marg_xlsx(inbox / SALES / "D001" / "week45.xlsx")
    ingest_inbox(inbox, lake, kinds=[SALES])
    before = lake.ledger().height
    (inbox / SALES / "D001" / "week45 (1).xlsx").write_bytes(first.read_bytes())
    outcomes = ingest_inbox(inbox, lake, kinds=[SALES])
    assert [o.status for o in outcomes] == ["duplicate", "duplicate"]
    assert lake.ledger().height == before


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"PK\x03\x04 this is not really a zip", "corrupt_file"),
        (b"\x00\x01\x02binary junk", "not_text"),
        (b"Bill No,Bill Date,Party Name,Amount\nB1,05-11-2026,X,10\n", "header_not_found"),
    ],
)
def test_bad_files_fail_with_a_reason_and_the_night_goes_on(
    inbox: Path, lake: Lake, masters: MasterData, content: bytes, code: str
) -> None:
    bad = inbox / SALES / "D001" / "bad.xlsx"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(content)
    good = _marg_xlsx(inbox / SALES / "D001" / "good.xlsx")
    os.utime(good, (bad.stat().st_mtime + 10,) * 2)
    outcomes = {o.file_name: o for o in ingest_inbox(inbox, lake, kinds=[SALES])}
    failed = outcomes["distributor_sales/D001/bad.xlsx"]
    assert failed.status == "failed" and code in failed.error and "bad.xlsx" in failed.error
    assert outcomes["distributor_sales/D001/good.xlsx"].status == "loaded"
    ledger = lake.ledger().filter(pl.col("status") == "failed")
    assert ledger["error_code"].to_list() == [code]


def test_missing_required_column_names_what_was_tried(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "x.csv", [["Bill No", "Party", "Item", "Qty"], ["B1", "X", "SKU0001", "3"]])
    with pytest.raises(Exception) as raised:
        preview_file(path, kind=SALES)
    message = str(raised.value)
    assert "invoice_date" in message and "bill date" in message and "tarikh" in message


def test_zip_bomb_is_refused_before_parsing(inbox: Path, lake: Lake, masters: MasterData) -> None:
    path = inbox / SALES / "D001" / "bomb.xlsx"
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 50_000_000)
    [outcome] = ingest_inbox(inbox, lake, kinds=[SALES])
    assert outcome.status == "failed" and "zip_bomb" in outcome.error


def test_interrupted_load_is_ignored_then_cleaned(inbox: Path, lake: Lake, masters: MasterData) -> None:
    orphan = lake.table_dir("secondary_sales") / "L19990101T000000000000-deadbeef.parquet"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"x": [1]}).write_parquet(orphan)
    _marg_xlsx(inbox / SALES / "D001" / "week45.xlsx")
    ingest_inbox(inbox, lake, kinds=[SALES])
    assert not orphan.exists()
    assert _sales_frame(lake).height == 3
