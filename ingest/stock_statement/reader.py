"""Monthly distributor stock statements (xlsx, xls, CSV) to `raw/stock_statement`.

The statement's period comes from its title rows ("Stock Statement 01-07-2026 to 31-07-2026",
"Stock Statement for July 2026") or, failing that, from a `YYYY-MM` in the file name.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from ingest.core.errors import FileRejected
from ingest.core.grid import read_grid
from ingest.core.period import BY_NAME, BY_TITLE, month_span, title_period
from ingest.core.rows import RowCheck, apply_checks
from ingest.core.source import ReadContext, ReadResult
from ingest.core.tabular import read_table_rows
from ingest.core.values import parse_integer
from ingest.stock_statement.contract import FIELDS, STOCK_STATEMENT

KIND = "stock_statement"
QUANTITIES = ("opening_units", "receipts_units", "sales_units", "closing_units")


def read(path: Path, ctx: ReadContext) -> ReadResult:
    sheets = read_grid(path)
    table = read_table_rows(
        path,
        file_name=ctx.file_name,
        fields=FIELDS,
        text_fields=("item_code", "item_name"),
        layout=ctx.layout(KIND, path),
        require_any=(("item_code", "item_name"),),
        sheets=sheets,
        deduplicate_identical=True,  # one line per SKU: a line repeated cell for cell is the same line twice
    )
    period, declared_by = statement_period(table.title, ctx.file_name)
    parsed = table.rows.with_columns([parse_integer(pl.col(c)).alias(f"_{c}") for c in QUANTITIES])
    parsed = ctx.masters.resolve(parsed, ctx.distributor_code, ["item_code", "item_name"])
    item = pl.coalesce(pl.col("item_name"), pl.col("item_code"))
    bad = pl.any_horizontal([pl.col(c).is_not_null() & pl.col(f"_{c}").is_null() for c in QUANTITIES])
    passed, failed = apply_checks(
        parsed,
        [
            RowCheck("missing_value", item.is_null(), pl.lit("no item on this line")),
            ctx.masters.unknown_sku_check(item, ctx.distributor_code),
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
    return table.result({STOCK_STATEMENT.table: lines}, table.quarantine(failed), period, declared_by)


def statement_period(title: str, file_name: str) -> tuple[tuple[date, date], str]:
    """(The month or dd-mm-yyyy to dd-mm-yyyy range a periodic file covers, what declared it): its title rows
    first, then a YYYY-MM in its name."""
    declared = title_period(title)
    if declared is not None:
        return declared, BY_TITLE
    in_name = re.search(r"(\d{4})[-_](\d{2})", file_name)
    if in_name and 1 <= int(in_name.group(2)) <= 12:
        return month_span(int(in_name.group(1)), int(in_name.group(2))), BY_NAME
    raise FileRejected(
        "no_period",
        f"{file_name}: cannot tell which period this file covers (no 'dd-mm-yyyy to dd-mm-yyyy' or "
        "'Month YYYY' above the header, no YYYY-MM in the file name)",
    )
