"""Modern-trade POS sell-out files (CSV, xlsx; daily or weekly) to `raw/pos_sales`.

The chain is the inbox folder (`inbox/pos_sales/<CHAIN>/...`). Header detection and the chain's YAML layout
are the distributor spreadsheets' (ingest/core). A row is loaded only when its item maps to a SKU (its EAN/GTIN,
which must pass its check digit; where it has no EAN, the chain's own product code through
`masters/chain_products`) and its store maps to an outlet through `masters/chain_stores`. Identical rows are
kept: a till writes one row per unit sold, and `fct_pos_sales` sums them.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
from stdnum import ean as ean_check

from ingest.core.masters import NO_SKU_MASTER
from ingest.core.rows import RowCheck, apply_checks, quote
from ingest.core.source import ReadContext, ReadResult
from ingest.core.tabular import read_table_rows
from ingest.core.values import decide_day_first, parse_date_column, with_mapped, with_numbers
from ingest.pos_sales.contract import DATE_FIELDS, FIELDS, ITEM_FIELDS, POS_SALES, TEXT_FIELDS

KIND = "pos_sales"
ISO_WEEK = re.compile(r"^(\d{4})[-\s]?W(\d{1,2})$", re.IGNORECASE)
WEEK_DAYS = 6  # a weekly row covers its week start and the six days after


def read(path: Path, ctx: ReadContext) -> ReadResult:
    layout = ctx.layout(KIND, path)
    table = read_table_rows(
        path,
        file_name=ctx.file_name,
        fields=FIELDS,
        text_fields=TEXT_FIELDS,
        layout=layout,
        require_any=(DATE_FIELDS, ITEM_FIELDS),
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
        product_code=pl.col("product_code"),
        item_raw=pl.coalesce(pl.col("item_name"), pl.col("product_code")),
        sale_date=pl.col("_date"),
        date_grain=pl.col("_grain"),
        units=pl.col("_units"),
        sales_value=pl.col("_value"),
    )
    # the period the file declares (title rows, name, layout), else the dates of its lines
    return table.dated_result(
        {POS_SALES.table: lines}, table.quarantine(failed), _covered_days(lines), file_name=ctx.file_name, layout=layout
    )


def _covered_days(lines: pl.DataFrame) -> pl.Series:
    """The first and last day the lines cover (a weekly row covers its week): the period when the file declares
    none. A declared one (`..._2026-07-13_2026-07-19.csv`, a title row) wins, so a restatement replaces every day
    of the weeks it restates, including days it no longer has a sale on."""
    if lines.height == 0:
        return pl.Series("days", [], dtype=pl.Date)
    last_day = lines.select(
        pl.when(pl.col("date_grain") == "week")
        .then(pl.col("sale_date") + pl.duration(days=WEEK_DAYS))
        .otherwise(pl.col("sale_date"))
        .max()
    ).item()
    return pl.Series("days", [lines["sale_date"].min(), last_day], dtype=pl.Date)


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
        _store_key=_code_key(pl.col("store_code")),
    )
    skus = ctx.masters.skus.select(
        _ean_key=pl.col("ean").cast(pl.String).str.strip_chars().str.strip_chars_start("0"), sku_code="sku_code"
    )
    skus = skus.drop_nulls("_ean_key").unique("_ean_key", keep="first")
    chain = pl.col("chain_code").str.to_uppercase() == ctx.distributor_code.upper()
    stores = ctx.masters.chain_stores.filter(chain).select(
        _store_key=_code_key(pl.col("store_code")), outlet_code="outlet_code"
    )
    products = ctx.masters.chain_products.filter(chain).select(
        _product_key=_code_key(pl.col("product_code")), _product_sku="sku_code"
    )
    parsed = parsed.with_columns(_product_key=_code_key(pl.col("product_code")))
    parsed = parsed.join(skus, on="_ean_key", how="left")
    parsed = parsed.join(products.unique("_product_key", keep="last"), on="_product_key", how="left")
    # the EAN where the line has one; the chain's product code (its alias table) only where it has none
    parsed = parsed.with_columns(
        sku_code=pl.when(pl.col("ean").is_null()).then(pl.col("_product_sku")).otherwise(pl.col("sku_code"))
    )
    return parsed.join(stores.unique("_store_key", keep="last"), on="_store_key", how="left")


def _code_key(expr: pl.Expr) -> pl.Expr:
    """A store or product code as a key: case and spaces aside."""
    return expr.str.to_uppercase().str.replace_all(r"\s+", "")


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
        RowCheck(
            "missing_value",
            pl.col("ean").is_null() & pl.col("product_code").is_null(),
            pl.lit("no EAN/GTIN or product code on this line"),
        ),
        RowCheck(
            "bad_ean",
            pl.col("ean").is_not_null() & ~pl.col("_ean_ok"),
            pl.format(
                "EAN/GTIN {} fails its check digit or is not 8, 12, 13 or 14 digits "
                "(a spreadsheet may have turned it into 8.9E+12): ask chain {} for the barcode as text",
                quote(pl.col("ean")),
                chain,
            ),
        ),
        RowCheck(
            "unknown_sku",
            pl.col("ean").is_not_null() & pl.col("sku_code").is_null(),
            pl.format(
                "EAN {} is valid but no SKU in the SKU master carries it: add it to skus.csv", quote(pl.col("_ean"))
            )
            if ctx.masters.has_skus
            else pl.format("EAN {}: {}", quote(pl.col("_ean")), pl.lit(NO_SKU_MASTER)),
        ),
        RowCheck(
            "unknown_product",
            pl.col("ean").is_null() & pl.col("sku_code").is_null(),
            pl.format(
                "product code {} of chain {} is not in the chain_products master (the line has no EAN): add a row "
                "chain_code={}, product_code={}, sku_code=<its SKU> to masters/chain_products.csv, then re-send "
                "this file",
                quote(pl.col("product_code")),
                chain,
                chain,
                pl.col("product_code"),
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
            pl.col("outlet_code").is_null(),
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
