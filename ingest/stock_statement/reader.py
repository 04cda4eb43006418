"""Monthly distributor stock statements (xlsx, xls, CSV) to `raw/stock_statement`.

The statement's period comes from its title rows ("Stock Statement 01-07-2026 to 31-07-2026",
"Stock Statement for July 2026") or, failing that, from a `YYYY-MM` in the file name.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from pathlib import Path

import polars as pl

from ingest.core.errors import FileRejected
from ingest.core.grid import ROW_NUMBER, read_grid
from ingest.core.rows import RowCheck, apply_checks, quote
from ingest.core.source import ReadContext, ReadResult
from ingest.core.tabular import read_table_rows
from ingest.core.values import parse_date, parse_integer
from ingest.stock_statement.contract import FIELDS, STOCK_STATEMENT

KIND = "stock_statement"
QUANTITIES = ("opening_units", "receipts_units", "sales_units", "closing_units")
_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name
}


def read(path: Path, ctx: ReadContext) -> ReadResult:
    sheets = read_grid(path)
    table = read_table_rows(
        path,
        file_name=ctx.file_name,
        fields=FIELDS,
        text_fields=("item_code", "item_name"),
        layout=ctx.layout(KIND),
        require_any=(("item_code", "item_name"),),
        sheets=sheets,
    )
    period = statement_period(table.match.sheet.frame, table.match.header_row, ctx.file_name)
    parsed = table.rows.with_columns([parse_integer(pl.col(c)).alias(f"_{c}") for c in QUANTITIES])
    parsed = ctx.masters.resolve(parsed, ctx.distributor_code, ["item_code", "item_name"])
    item = pl.coalesce(pl.col("item_name"), pl.col("item_code"))
    bad = pl.any_horizontal([pl.col(c).is_not_null() & pl.col(f"_{c}").is_null() for c in QUANTITIES])
    passed, failed = apply_checks(
        parsed,
        [
            RowCheck("missing_value", item.is_null(), pl.lit("no item on this line")),
            RowCheck(
                "unknown_sku",
                pl.col("sku_code").is_null() & pl.lit(ctx.masters.has_skus),
                pl.format(
                    "unknown SKU {}: add an alias for distributor {}",
                    quote(item),
                    pl.lit(ctx.distributor_code),
                ),
            ),
            RowCheck("bad_quantity", bad, pl.lit("a stock quantity is not a whole number")),
            RowCheck(
                "missing_value",
                pl.col("opening_units").is_null() | pl.col("closing_units").is_null(),
                pl.lit("opening or closing stock is empty"),
            ),
            RowCheck(
                "negative_quantity",
                pl.any_horizontal([pl.col(f"_{c}") < 0 for c in QUANTITIES]),
                pl.lit("a stock quantity is negative"),
            ),
        ],
    )
    lines = passed.with_columns(
        [pl.col(f"_{c}").alias(c) for c in QUANTITIES],
        _sheet=pl.lit(table.sheet_name, pl.String),
        distributor_code=pl.lit(ctx.distributor_code),
        period_start=pl.lit(period[0]),
        period_end=pl.lit(period[1]),
        item_raw=item,
    )
    return ReadResult(
        tables={STOCK_STATEMENT.table: lines},
        quarantine=table.quarantine(failed),
        rows_read=table.rows_read,
        rows_deduplicated=table.duplicates,
        rows_skipped=table.skipped,
        period=period,
    )


def statement_period(frame: pl.DataFrame, header_row: int, file_name: str) -> tuple[date, date]:
    """The month (or dd-mm-yyyy to dd-mm-yyyy range) a periodic file covers: title rows first, then the name."""
    title = " ".join(
        str(v) for row in frame.filter(pl.col(ROW_NUMBER) < header_row).drop(ROW_NUMBER).rows() for v in row if v
    )
    dates = re.findall(r"\b(\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}-\d{2}-\d{2})\b", title)
    if len(dates) >= 2:
        parsed = pl.DataFrame({"d": dates[:2]}).select(parse_date(pl.col("d")).alias("d"))["d"].to_list()
        if all(parsed):
            return parsed[0], parsed[1]
    named = re.search(r"\b([A-Za-z]{3,9})[\s,'-]*(\d{4})\b", title)
    if named and named.group(1).lower() in _MONTH_NAMES:
        return _month(int(named.group(2)), _MONTH_NAMES[named.group(1).lower()])
    in_name = re.search(r"(\d{4})[-_](\d{2})", file_name)
    if in_name and 1 <= int(in_name.group(2)) <= 12:
        return _month(int(in_name.group(1)), int(in_name.group(2)))
    raise FileRejected(
        "no_period",
        f"{file_name}: cannot tell which period this file covers (no 'dd-mm-yyyy to dd-mm-yyyy' or "
        "'Month YYYY' above the header, no YYYY-MM in the file name)",
    )


def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
