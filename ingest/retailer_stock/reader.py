"""Retailer shelf stock: counts reps record at a visit (field-app export) and modern-trade store inventory.

To `raw/retailer_stock_lines`, one row per outlet x SKU x day counted. A shelf-count line names the outlet by its
code (the inbox folder is the outlet's distributor); a store-inventory line names the chain's store (the folder is
the chain), mapped to the brand's outlet through `masters/chain_stores`, the distributor being the outlet master's.
Items map to SKUs by code, name, EAN or the sender's alias (unknown ones are quarantined onto the review queue).
A count is a snapshot: a line repeating an earlier one cell for cell is a re-delivery (rows_deduplicated); two
different counts of one outlet, SKU and day in one file are both quarantined (nobody can say which is right).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.core.rows import RowCheck, apply_checks, quote
from ingest.core.source import ReadContext, ReadResult
from ingest.core.tabular import read_table_rows
from ingest.core.values import decide_day_first, parse_date_column, with_numbers
from ingest.retailer_stock.contract import FIELDS, LINES, PLACE_FIELDS, TEXT_FIELDS

KIND = "retailer_stock"
SHELF_COUNT, STORE_INVENTORY = "shelf_count", "store_inventory"


def read(path: Path, ctx: ReadContext) -> ReadResult:
    layout = ctx.layout(KIND, path)  # the sender's YAML layout, if it has one, for this file's format
    table = read_table_rows(
        path,
        file_name=ctx.file_name,
        fields=FIELDS,
        text_fields=TEXT_FIELDS,
        layout=layout,
        require_any=(PLACE_FIELDS,),
        deduplicate_identical=True,
    )
    day_first = layout.get("day_first", decide_day_first(table.rows["count_date"]))
    parsed = parse_date_column(table.rows, "count_date", "_date", day_first=day_first)
    parsed = with_numbers(parsed, {"stock": "_stock"}, integer=True)
    parsed = ctx.masters.resolve(parsed, ctx.distributor_code, ["item"])
    parsed = _with_outlets(parsed, ctx)
    passed, failed = apply_checks(parsed, _checks(ctx))
    lines = passed.with_columns(
        sender_code=pl.lit(ctx.distributor_code),
        _sheet=pl.lit(table.sheet_name, pl.String),
        count_source=pl.col("_source"),
        distributor_code=pl.col("_distributor"),
        outlet_code=pl.col("_outlet"),
        store_code=pl.col("store"),
        rep_code=pl.col("rep"),
        count_date=pl.col("_date"),
        item_raw=pl.col("item"),
        stock_units=pl.col("_stock"),
    )
    # the period the file declares (title rows, name, layout), else the dates of its lines
    return table.dated_result(
        {LINES.table: lines}, table.quarantine(failed), lines["count_date"], file_name=ctx.file_name, layout=layout
    )


def _with_outlets(parsed: pl.DataFrame, ctx: ReadContext) -> pl.DataFrame:
    """The outlet and its distributor: a shelf count's own outlet code (the folder's distributor), or the outlet
    a chain's store maps to (the outlet master's distributor); and how many lines count the same outlet, SKU and
    day (a conflict when more than one)."""
    chain = pl.col("chain_code").str.to_uppercase() == ctx.distributor_code.upper()
    stores = (
        ctx.masters.chain_stores.filter(chain)
        .select(_store_key=_code_key(pl.col("store_code")), _store_outlet="outlet_code")
        .unique("_store_key", keep="last")
    )
    owners = ctx.masters.outlets.select(_store_outlet="outlet_code", _owner="distributor_code").unique("_store_outlet")
    parsed = parsed.with_columns(_store_key=_code_key(pl.col("store"))).join(stores, on="_store_key", how="left")
    parsed = parsed.join(owners, on="_store_outlet", how="left")
    is_store = pl.col("store").is_not_null() & pl.col("outlet").is_null()
    parsed = parsed.with_columns(
        _source=pl.when(is_store).then(pl.lit(STORE_INVENTORY)).otherwise(pl.lit(SHELF_COUNT)),
        _outlet=pl.when(is_store).then(pl.col("_store_outlet")).otherwise(pl.col("outlet").str.to_uppercase()),
        _distributor=pl.when(is_store).then(pl.col("_owner")).otherwise(pl.lit(ctx.distributor_code)),
    )
    key = ["_outlet", "sku_code", "_date"]
    return parsed.with_columns(_counts=pl.len().over(key))


def _code_key(expr: pl.Expr) -> pl.Expr:
    """A store code as a key: case and spaces aside."""
    return expr.str.to_uppercase().str.replace_all(r"\s+", "")


def _checks(ctx: ReadContext) -> list[RowCheck]:
    """The first failing check quarantines a row with its reason (a sentence a person can act on)."""
    sender = pl.lit(ctx.distributor_code)
    return [
        RowCheck("missing_value", pl.col("item").is_null(), pl.lit("no item on this line")),
        RowCheck(
            "missing_value",
            pl.col("outlet").is_null() & pl.col("store").is_null(),
            pl.lit("no outlet code or store code on this line"),
        ),
        RowCheck(
            "bad_date",
            pl.col("_date").is_null(),
            pl.format("date {} is not a date (expected e.g. 05-11-2026)", quote(pl.col("count_date"))),
        ),
        RowCheck(
            "bad_quantity",
            pl.col("_stock").is_null(),
            pl.format("stock {} is not a whole number of pieces", quote(pl.col("stock"))),
        ),
        RowCheck(
            "negative_quantity",
            pl.col("_stock") < 0,
            pl.format("stock {} is negative: a shelf holds none or more", quote(pl.col("stock"))),
        ),
        ctx.masters.unknown_sku_check(pl.col("item"), ctx.distributor_code, hint="sellthrough review list"),
        RowCheck(
            "unmapped_store",
            pl.col("_outlet").is_null(),
            pl.format(
                "store {} of chain {} is not in the chain_stores master: add a row chain_code={}, store_code={}, "
                "outlet_code=<its outlet> to masters/chain_stores.csv, then re-send this file",
                quote(pl.col("store")),
                sender,
                sender,
                pl.col("store"),
            ),
        ),
        RowCheck(
            "unknown_outlet",
            pl.col("_distributor").is_null(),
            pl.format(
                "outlet {} (of store {}) is not in the outlet master (outlets.csv)",
                pl.col("_outlet"),
                quote(pl.col("store")),
            ),
        ),
        RowCheck(
            "conflicting_count",
            pl.col("_counts") > 1,
            pl.format(
                "outlet {} has more than one different count of {} on {} in this file: re-send it with one count",
                pl.col("_outlet"),
                pl.col("sku_code"),
                pl.col("_date"),
            ),
        ),
    ]
