"""Tally's Excel Day Book, written by these tests as Tally lays it out, against the same vouchers as XML."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingest.core.errors import FileRejected
from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from tests.tally_helpers import (
    TABLE,
    credit_note,
    envelope,
    ledger,
    loaded_lines,
    nightly,
    quarantined,
    read,
    stock_line,
    voucher,
)

DAY = datetime(2026, 1, 5)
HEADER = ["Date", "Particulars", "", "", "", "", "Vch Type", "Vch No.", "Debit Amount", "Credit Amount"]


def excel_daybook(vtype: str = "Sales") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Day Book"
    for row, text in enumerate(("Sharma Distributors", "Pune", "Day Book", "For 5-Jan-26"), start=1):
        sheet.cell(row, 1, text)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    rows = [
        HEADER,
        [DAY, "Sharma Traders", "", "", "", "", vtype, "1", 1177.0, None],  # row 6
        ["", "Sales Account", "", "", "", "", "", "", None, 1062.0],
        [None, "CRUNCHY GLUCOSE 100GM", 10, 9.5, 95.0],  # row 8: pieces, no unit
        [None, "SKU0002", "7.600 Kg", "200.00/Kg", 1520.0 - 553.0],  # row 9: 7.6 kg at 200 less a discount
        [None, "PG100", None, None, 0.0],  # row 10: a value-only line (amount, no quantity)
        ["", "Output CGST", "", "", "", "", "", "", None, 57.5],
        ["", "Output SGST", "", "", "", "", "", "", None, 57.5],
        [None, "New Ref", "1", "30 Days", 1177.0, "Dr"],  # a bill allocation: not a stock line
        [None, "Branches"],  # a cost category and its cost centres: not stock lines
        [None, "Br1", 10, "Cr"],
        ["", "Gupta Stores", "", "", "", "", "Credit Note", "1", None, 19.0],  # row 16: same day, blank date
        ["", "Sales Return", "", "", "", "", "", "", 19.0, None],
        [None, "PG100", "2 Pcs", "9.50/Pcs", 19.0],  # row 18
        ["", "Cash", "", "", "", "", "Receipt", "1", None, 500.0],  # no stock lines: skipped
        ["", "Cash Account", "", "", "", "", "", "", 500.0, None],
    ]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def same_vouchers_as_xml() -> str:
    return envelope(
        voucher(
            "1",
            [
                stock_line("CRUNCHY GLUCOSE 100GM", " 10", "9.50", "95.00"),
                stock_line("SKU0002", " 7.600 Kg", "200.00/Kg", "967.00"),
                stock_line("PG100", None, None, "0.00"),
            ],
            [ledger("Sharma Traders", "-1177.00"), ledger("Output CGST", "57.50"), ledger("Output SGST", "57.50")],
        ),
        credit_note("1"),
        voucher("1", [], [ledger("Cash", "500.00")], vtype="Receipt", party="Cash"),
    )


def test_excel_day_book_loads_like_its_xml(inbox: Path, lake: Lake) -> None:
    excel = nightly(inbox, lake, {"DayBook.xlsx": excel_daybook()}, distributor="D001")
    xml = nightly(inbox, lake, {"DayBook.xml": same_vouchers_as_xml()}, distributor="D001")
    for outcome in (excel, xml):
        assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (4, 3, 1)
    columns = ["voucher_type", "voucher_number", "voucher_date", "party_name", "sku_code", "quantity", "unit"]
    columns += ["quantity_units", "rate", "amount", "line_type"]
    from_excel, from_xml = loaded_lines(lake, excel), loaded_lines(lake, xml)
    assert from_excel.select(columns).rows() == from_xml.select(columns).rows()
    assert from_excel.select("_sheet", "_row_number", "voucher_key", "quantity_units", "unit").rows() == [
        ("Day Book", 8, "Sales|1|2026-01-05|Sharma Traders", 10, None),
        ("Day Book", 9, "Sales|1|2026-01-05|Sharma Traders", 38, "Kg"),
        ("Day Book", 18, "Credit Note|1|2026-01-05|Gupta Stores", 2, "Pcs"),
    ]
    value_only = quarantined(lake, excel).row(0, named=True)
    assert (value_only["reason_code"], value_only["_sheet"], value_only["_row_number"]) == (
        "no_quantity",
        "Day Book",
        10,
    )
    skipped = lake.ledger().filter(lake.ledger()["load_id"] == excel.load_id)["rows_skipped"].item()
    assert skipped == 1  # the receipt


def test_custom_voucher_type_in_an_excel_day_book_needs_the_layout(tmp_path: Path, masters: MasterData) -> None:
    """A workbook carries no VOUCHERTYPE masters: a custom type is resolved only by the distributor's layout."""
    path = tmp_path / "DayBook.xlsx"
    path.write_bytes(excel_daybook(vtype="GST Sale Invoice"))
    without = read(path, masters)
    assert without.quarantine["reason_code"].to_list().count("unknown_voucher_type") == 3
    layouts = tmp_path / "layouts"
    (layouts / "tally_daybook").mkdir(parents=True)
    (layouts / "tally_daybook" / "D001.yml").write_text("voucher_types:\n  GST Sale Invoice: Sales\n")
    resolved = read(path, masters, layouts)
    assert resolved.tables[TABLE]["base_type"].to_list() == ["Sales", "Sales", "Credit Note"]


def test_a_workbook_without_vouchers_under_its_header_is_rejected(tmp_path: Path, masters: MasterData) -> None:
    book = Workbook()
    book.active.append(HEADER)  # type: ignore[union-attr]
    book.active.append([None, "Opening Balance"])  # type: ignore[union-attr]
    path = tmp_path / "DayBook.xlsx"
    book.save(path)
    with pytest.raises(FileRejected) as caught:
        read(path, masters)
    assert caught.value.code == "no_vouchers" and "DayBook.xlsx" in caught.value.message


def test_an_excel_day_book_sent_as_a_sales_register_says_where_it_loads(tmp_path: Path, masters: MasterData) -> None:
    from ingest.core.preview import preview_file
    from ingest.core.runner import read_file
    from ingest.core.source import ReadContext
    from ingest.registry import source_kinds

    path = tmp_path / "DayBook.xlsx"
    path.write_bytes(excel_daybook())
    ctx = ReadContext("distributor_sales/D001/DayBook.xlsx", "D001", masters)
    with pytest.raises(FileRejected) as caught:
        read_file(path, source_kinds()["distributor_sales"], ctx)
    assert "inbox/tally_daybook/D001/" in caught.value.message
    assert preview_file(path, distributor_code="D001", masters=masters).kind == "tally_daybook"
