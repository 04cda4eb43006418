"""Modern-trade POS sell-out files (CSV, xlsx; daily or weekly) to `raw/pos_sales`.

The chain is the inbox folder (`inbox/pos_sales/<CHAIN>/...`). Header detection and the chain's YAML layout
are the distributor spreadsheets' (ingest/core). A row is loaded only when its EAN/GTIN passes its check digit
and maps to a SKU, and its store maps to an outlet through `masters/chain_stores`.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
from stdnum import ean as ean_check

from expectations.model import declared_period
from ingest.core.rows import RowCheck, apply_checks, quote
from ingest.core.source import ReadContext, ReadResult
from ingest.core.tabular import read_table_rows
from ingest.core.values import decide_day_first, parse_date_column, with_mapped, with_numbers
from ingest.pos_sales.contract import DATE_FIELDS, FIELDS, POS_SALES, TEXT_FIELDS

KIND = "pos_sales"
ISO_WEEK = re.compile(r"^(\d{4})[-\s]?W(\d{1,2})$", re.IGNORECASE)
WEEK_DAYS = 6  # a weekly row covers its week start and the six days after


def read(path: Path, ctx: ReadContext) -> ReadResult:
    layout = ctx.layout(KIND)
    table = read_table_rows(
        path,
        file_name=ctx.file_name,
        fields=FIELDS,
        text_fields=TEXT_FIELDS,
        layout=layout,
        require_any=(DATE_FIELDS,),
    )
    rows = table.rows
    dates = pl.concat([rows["sale_date"].drop_nulls(), rows["week"].drop_nulls()])
    day_first = layout.get("day_first", decide_day_first(dates))
    parsed = _parse(rows, ctx, day_first)
    passed, failed = apply_checks(parsed, _checks(ctx))
    lines = passed.with_columns(
        chain_code=pl.lit(ctx.distributor_code),
        _sheet=pl.lit(table.sheet_name, pl.String),
        ean=pl.col("_ean"),
        item_raw=pl.col("item_name"),
        sale_date=pl.col("_date"),
        date_grain=pl.col("_grain"),
        units=pl.col("_units"),
        sales_value=pl.col("_value"),
    )
    period = _period(lines, ctx.file_name)
    return ReadResult(
        tables={POS_SALES.table: lines},
        quarantine=table.quarantine(failed),
        rows_read=table.rows_read,
        rows_deduplicated=table.duplicates,
        rows_skipped=table.skipped,
        period=period,
    )


def _period(lines: pl.DataFrame, file_name: str) -> tuple[date, date] | None:
    """The days the file covers: its lines (a weekly row covers its week) and the period its name declares
    (`..._2026-07-13_2026-07-19.csv`), so a restatement replaces every day of the weeks it restates, including
    days it no longer has a sale on."""
    spans = [declared] if (declared := declared_period(file_name)) else []
    if lines.height:
        last_day = lines.select(
            pl.when(pl.col("date_grain") == "week")
            .then(pl.col("sale_date") + pl.duration(days=WEEK_DAYS))
            .otherwise(pl.col("sale_date"))
            .max()
        ).item()
        spans.append((lines["sale_date"].min(), last_day))
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


def iso_week_start(text: str | None) -> date | None:
    """`2026-W28`, `2026W28` -> the Monday of that ISO week; None for anything else."""
    found = ISO_WEEK.match(text.strip()) if text else None
    if found is None:
        return None
    try:
        return date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
    except ValueError:
        return None


def ean_digits(text: str | None) -> str | None:
    """The digits of an EAN/GTIN cell (a spreadsheet number may carry `.0`); None when it has other characters."""
    if text is None:
        return None
    cleaned = re.sub(r"[\s-]", "", text).removesuffix(".0")
    return cleaned if cleaned.isdigit() else None


def ean_is_valid(text: str | None) -> bool:
    """EAN-8, UPC-12, EAN-13 or GTIN-14 with a correct check digit (python-stdnum)."""
    digits = ean_digits(text)
    return digits is not None and len(digits) in (8, 12, 13, 14) and ean_check.is_valid(digits)


def _parse(rows: pl.DataFrame, ctx: ReadContext, day_first: bool) -> pl.DataFrame:
    parsed = parse_date_column(rows, "sale_date", "_day", day_first=day_first)
    parsed = parse_date_column(parsed, "week", "_week_date", day_first=day_first)
    parsed = with_mapped(parsed, "week", "_iso_week", pl.col("week").map_elements(iso_week_start, pl.Date))
    parsed = with_numbers(parsed, {"units": "_units"}, integer=True)
    parsed = with_numbers(parsed, {"sales_value": "_value"})
    parsed = with_mapped(parsed, "ean", "_ean_ok", pl.col("ean").map_elements(ean_is_valid, pl.Boolean))
    parsed = with_mapped(parsed, "ean", "_ean", pl.col("ean").map_elements(ean_digits, pl.String))
    week = pl.coalesce(pl.col("_week_date"), pl.col("_iso_week"))
    parsed = parsed.with_columns(
        _date=pl.coalesce(pl.col("_day"), week),
        _grain=pl.when(pl.col("_day").is_not_null()).then(pl.lit("day")).otherwise(pl.lit("week")),
        _ean_key=pl.col("_ean").str.strip_chars_start("0"),
        _store_key=pl.col("store_code").str.to_uppercase().str.replace_all(r"\s+", ""),
    )
    skus = ctx.masters.skus.select(
        _ean_key=pl.col("ean").cast(pl.String).str.strip_chars().str.strip_chars_start("0"), sku_code="sku_code"
    )
    skus = skus.drop_nulls("_ean_key").unique("_ean_key", keep="first")
    stores = ctx.masters.chain_stores.filter(pl.col("chain_code").str.to_uppercase() == ctx.distributor_code.upper())
    stores = stores.select(
        _store_key=pl.col("store_code").str.to_uppercase().str.replace_all(r"\s+", ""), outlet_code="outlet_code"
    ).unique("_store_key", keep="last")
    return parsed.join(skus, on="_ean_key", how="left").join(stores, on="_store_key", how="left")


def _checks(ctx: ReadContext) -> list[RowCheck]:
    chain = pl.lit(ctx.distributor_code)
    return [
        RowCheck("missing_value", pl.col("store_code").is_null(), pl.lit("no store code on this line")),
        RowCheck(
            "bad_date",
            pl.col("_date").is_null(),
            pl.format(
                "date {} / week {} is not a date or ISO week (expected e.g. 05-11-2026, 2026-11-02, 2026-W45)",
                quote(pl.col("sale_date")),
                quote(pl.col("week")),
            ),
        ),
        RowCheck("missing_value", pl.col("ean").is_null(), pl.lit("no EAN/GTIN on this line")),
        RowCheck(
            "bad_ean",
            ~pl.col("_ean_ok"),
            pl.format(
                "EAN/GTIN {} fails its check digit or is not 8, 12, 13 or 14 digits "
                "(a spreadsheet may have turned it into 8.9E+12): ask chain {} for the barcode as text",
                quote(pl.col("ean")),
                chain,
            ),
        ),
        RowCheck(
            "unknown_sku",
            pl.col("sku_code").is_null() & pl.lit(ctx.masters.has_skus),
            pl.format(
                "EAN {} is valid but no SKU in the SKU master carries it: add it to skus.csv", quote(pl.col("_ean"))
            ),
        ),
        RowCheck(
            "bad_quantity",
            pl.col("_units").is_null(),
            pl.format("units {} is not a whole number", quote(pl.col("units"))),
        ),
        RowCheck(
            "bad_amount",
            pl.col("sales_value").is_not_null() & pl.col("_value").is_null(),
            pl.format("sales value {} is not a number", quote(pl.col("sales_value"))),
        ),
        RowCheck(
            "zero_quantity",
            (pl.col("_units") == 0) & (pl.col("_value").fill_null(0) == 0),
            pl.lit("units and value are zero"),
        ),
        RowCheck(
            "unmapped_store",
            # as for SKUs: where no chain_stores master was ever loaded (a preview on a new machine), stores stay
            # unmapped instead of every line being quarantined
            pl.col("outlet_code").is_null() & pl.lit(ctx.masters.chain_stores.height > 0),
            pl.format(
                "store {} of chain {} is not in the chain_stores master: add a row chain_code={}, store_code={}, "
                "outlet_code=<its outlet> to masters/chain_stores.csv, then re-send this file",
                quote(pl.col("store_code")),
                chain,
                chain,
                pl.col("store_code"),
            ),
        ),
    ]
