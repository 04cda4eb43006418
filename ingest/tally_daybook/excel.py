"""Tally's Excel Day Book (*Display > Day Book > Export > Excel*, with inventory details) as vouchers.

The sheet as Tally writes it:

    Test P Ltd                                   <- title rows (company, address, "Day Book", "For 1-Apr-23"),
    Day Book                                        merged across the first columns
    Date | Particulars | | | | | Vch Type | Vch No. | Debit Amount | Credit Amount   <- the header row
    1-4-2023 | Cash |  |  |  |  | Sales | 1 | 3294.50 |               <- a voucher row: date, party, type, number
             | Sales |  |  |  |  |       |   |         | 2827          <- continuation rows: blank date and number;
             | Item 3 | 11 | 22 | 242                                     a ledger with its amount, or a stock
             | Itm1   | 44 | 55 | 2420                                    item with quantity, rate and amount in
             | Cgst  |  |  |  |  |       |   |         | 233.75           the three columns after Particulars
             | New Ref | 2 | 30 Days | 11111 | Dr                       <- bill and cost-centre allocations
             | Br1 | 10 | Cr                                               (a Dr/Cr marker): not stock lines

A stock line is a continuation row whose quantity reads as a number (with an optional unit: `7.5 Kg`), whose
rate reads as a number (optionally `/unit`) and whose amount is a number, with no Dr/Cr marker; a row with an
amount alone (no quantity, no rate, no marker) is a value-only stock line. Everything else under a voucher is a
ledger or an allocation row, not a stock line. A voucher row with a blank date takes the date above it (the
printed Day Book writes a day once). The workbook carries no GUID: a voucher's identity is its type, number, date
and party. `StockLine.row` is the sheet row, so quarantined lines point at the row a person sees.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from ingest.core.errors import FileRejected
from ingest.core.grid import ROW_NUMBER, Sheet, read_grid
from ingest.tally_daybook.parser import (
    DayBook,
    LedgerEntry,
    StockLine,
    Voucher,
    parse_amount,
    parse_tally_date,
    stock_line_from_texts,
)

_HEADERS = {
    "date": ("date",),
    "particulars": ("particulars",),
    "type": ("vch type", "voucher type"),
    "number": ("vch no", "vch no.", "voucher no", "voucher no.", "voucher number"),
    "debit": ("debit amount", "debit", "dr amount", "debit amt"),
    "credit": ("credit amount", "credit", "cr amount", "credit amt"),
}
_QUANTITY = re.compile(r"^[-+]?(\d[\d,]*(\.\d*)?|\.\d+)(\s*[A-Za-z][A-Za-z .]*)?$")
_RATE = re.compile(r"^[-+]?(\d[\d,]*(\.\d*)?|\.\d+)\s*(/\s*\S.*)?$")
_NUMBER = re.compile(r"^[-+]?(\d[\d,]*(\.\d*)?|\.\d+)$")
_MARKER = re.compile(r"(?i)^(dr|cr)\.?$")
_CANCELLED = re.compile(r"(?i)\bcancell?ed\b")
EXCEL_EPOCH = date(1899, 12, 30)


def parse_excel_daybook(path: Path, *, name: str | None = None) -> DayBook:
    """The vouchers of Tally's Excel Day Book. Raises FileRejected when no sheet has the Day Book's header row."""
    name = name or path.name
    for sheet in read_grid(path):
        header = _header(sheet)
        if header is not None:
            row_index, columns = header
            vouchers = _vouchers(sheet.frame.slice(row_index + 1), columns)
            if not vouchers:
                raise FileRejected("no_vouchers", f"{name}: the Day Book sheet {sheet.name!r} lists no voucher")
            return DayBook(vouchers, {}, sheet=sheet.name)
    raise FileRejected(
        "not_a_daybook",
        f"{name} is a workbook but not Tally's Day Book: no sheet has a header row with Date, Particulars, "
        "Vch Type and Vch No. (export Display > Day Book from Tally, or send the XML export)",
    )


def looks_like_daybook(path: Path) -> bool:
    """Whether a workbook is Tally's Excel Day Book (a sheet with its header row): for a clear message when one
    arrives as another kind of file."""
    try:
        return any(_header(sheet) is not None for sheet in read_grid(path))
    except FileRejected:
        return False


def _header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """(row index, column positions) of the header row, within the first 30 rows."""
    for index, row in enumerate(sheet.frame.head(30).drop(ROW_NUMBER).iter_rows()):
        texts = [_label(cell) for cell in row]
        columns = {key: texts.index(found) for key, names in _HEADERS.items() if (found := _first(texts, names))}
        if {"date", "particulars", "type", "number"} <= columns.keys():
            return index, columns
    return None


def _label(cell: str | None) -> str:
    return re.sub(r"\s+", " ", (cell or "").strip().lower())


def _first(texts: list[str], names: tuple[str, ...]) -> str | None:
    return next((text for text in texts if text in names), None)


def _cell(row: tuple, position: int | None) -> str | None:
    if position is None or position >= len(row):
        return None
    value = row[position]
    return value.strip() or None if isinstance(value, str) else None


def _vouchers(frame: pl.DataFrame, columns: dict[str, int]) -> list[Voucher]:
    cells = frame.drop(ROW_NUMBER)
    detail = columns["particulars"] + 1  # quantity, rate, amount of a stock line follow Particulars
    vouchers: list[Voucher] = []
    last_date: date | None = None
    current: Voucher | None = None
    for sheet_row, row in zip(frame[ROW_NUMBER].to_list(), cells.iter_rows(), strict=True):
        particulars = _cell(row, columns["particulars"])
        vch_type, number = _cell(row, columns["type"]), _cell(row, columns["number"])
        debit, credit = _cell(row, columns.get("debit")), _cell(row, columns.get("credit"))
        if vch_type or number:
            date_raw = _cell(row, columns["date"])
            day = excel_date(date_raw) if date_raw else last_date
            last_date = day or last_date
            current = Voucher(
                ordinal=len(vouchers) + 1,
                voucher_type=vch_type,
                vch_type_attr=None,
                voucher_number=number,
                date=day,
                date_raw=date_raw or (day.isoformat() if day else None),
                party_name=particulars,
                is_cancelled=bool(particulars and _CANCELLED.search(particulars)),
                is_optional=False,
                is_deleted=False,
                guid=None,
                remote_id=None,
                ledger_entries=[_ledger(particulars, debit, credit)],
                stock_lines=[],
            )
            vouchers.append(current)
            continue
        if current is None or particulars is None:
            continue
        line = _stock_line(particulars, row[detail : detail + 4], sheet_row, len(current.stock_lines) + 1)
        if line is not None:
            current.stock_lines.append(line)
        elif debit or credit:
            current.ledger_entries.append(_ledger(particulars, debit, credit))
    return vouchers


def _ledger(name: str | None, debit: str | None, credit: str | None) -> LedgerEntry:
    """Tally's sign: a debit is negative, a credit positive."""
    amount = -abs(parse_amount(debit) or 0.0) if debit else abs(parse_amount(credit) or 0.0)
    return LedgerEntry(ledger_name=name, amount=amount, is_deemed_positive=bool(debit))


def _stock_line(item: str, details: tuple, sheet_row: int, ordinal: int) -> StockLine | None:
    texts = [c.strip() if isinstance(c, str) and c.strip() else None for c in details] + [None] * 4
    quantity_text, rate_text, amount_text = texts[:3]
    if any(t and _MARKER.match(t) for t in texts[:4]) or amount_text is None or not _NUMBER.match(amount_text):
        return None
    value_only = quantity_text is None and rate_text is None  # an amount and nothing else
    countable = bool(quantity_text and _QUANTITY.match(quantity_text) and (rate_text is None or _RATE.match(rate_text)))
    if not (value_only or countable):
        return None
    raw = {"STOCKITEMNAME": item, "ACTUALQTY": quantity_text, "BILLEDQTY": quantity_text, "RATE": rate_text}
    return stock_line_from_texts({**raw, "AMOUNT": amount_text}, ordinal, row=sheet_row)


def excel_date(text: str) -> date | None:
    """A spreadsheet datetime (`2023-04-01 00:00:00`), a serial number, or Tally's text forms (`1-Apr-23`)."""
    text = text.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    if _NUMBER.match(text):
        serial = float(text.replace(",", ""))
        return EXCEL_EPOCH + timedelta(days=int(serial)) if 1 <= serial < 2_958_466 else None
    return parse_tally_date(text.replace("/", "-").replace(".", "-"))
