"""The brand's ERP primary-sales export (CSV or xlsx) to `raw/primary_sales`."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.core.rows import RowCheck, apply_checks, quote
from ingest.core.source import ReadContext, ReadResult
from ingest.core.tabular import read_table_rows
from ingest.core.values import decide_day_first, parse_date, parse_integer, parse_number
from ingest.primary_sales.contract import DOC_TYPES, FIELDS, PRIMARY_SALES

KIND = "primary_sales"


def read(path: Path, ctx: ReadContext) -> ReadResult:
    layout = ctx.layout(KIND, path)
    table = read_table_rows(
        path,
        file_name=ctx.file_name,
        fields=FIELDS,
        text_fields=("doc_number", "doc_type"),
        layout=layout,
    )
    day_first = layout.get("day_first", decide_day_first(table.rows["doc_date"]))
    parsed = table.rows.with_columns(
        _doc_type=pl.col("doc_type").str.to_lowercase().replace_strict(DOC_TYPES, default=None),
        _doc_date=parse_date(pl.col("doc_date"), day_first=day_first),
        _delivery_date=parse_date(pl.col("delivery_date"), day_first=day_first),
        _quantity=parse_integer(pl.col("quantity_units")),
        _rate=parse_number(pl.col("rate")),
        _net=parse_number(pl.col("net_amount")),
    )
    parsed = _resolve(parsed, ctx)
    passed, failed = apply_checks(
        parsed,
        [
            RowCheck(
                "bad_value",
                pl.col("_doc_type").is_null(),
                pl.format("document type {} is not an invoice or credit note", quote(pl.col("doc_type"))),
            ),
            RowCheck(
                "bad_date",
                pl.col("_doc_date").is_null(),
                pl.format("document date {} is not a date", quote(pl.col("doc_date"))),
            ),
            RowCheck(
                "bad_date",
                pl.col("delivery_date").is_not_null() & pl.col("_delivery_date").is_null(),
                pl.format("delivery date {} is not a date", quote(pl.col("delivery_date"))),
            ),
            RowCheck("missing_value", pl.col("distributor_code").is_null(), pl.lit("no distributor code")),
            RowCheck(
                "unknown_sku",
                pl.col("_sku").is_null() & pl.lit(ctx.masters.has_skus),
                pl.format("material {} is not in the SKU master", quote(pl.col("sku_code"))),
            ),
            RowCheck(
                "bad_quantity",
                pl.col("_quantity").is_null(),
                pl.format("quantity {} is not a whole number", quote(pl.col("quantity_units"))),
            ),
            RowCheck(
                "negative_quantity",
                pl.col("_quantity") <= 0,
                pl.format(
                    "quantity {} must be positive (credit notes carry a positive quantity)",
                    pl.col("_quantity"),
                ),
            ),
            RowCheck(
                "bad_amount",
                (pl.col("net_amount").is_not_null() & pl.col("_net").is_null())
                | (pl.col("rate").is_not_null() & pl.col("_rate").is_null()),
                pl.format("amount {} or rate {} is not a number", quote(pl.col("net_amount")), quote(pl.col("rate"))),
            ),
        ],
    )
    lines = passed.with_columns(
        _sheet=pl.lit(table.sheet_name, pl.String),
        doc_type=pl.col("_doc_type"),
        doc_date=pl.col("_doc_date"),
        delivery_date=pl.col("_delivery_date"),
        sku_code=pl.col("_sku"),
        quantity_units=pl.col("_quantity"),
        rate=pl.col("_rate"),
        net_amount=pl.col("_net").abs(),
    )
    # the period the file declares (title rows, name, layout), else the dates of its lines
    return table.dated_result(
        {PRIMARY_SALES.table: lines},
        table.quarantine(failed),
        lines["doc_date"],
        file_name=ctx.file_name,
        layout=layout,
    )


def _resolve(parsed: pl.DataFrame, ctx: ReadContext) -> pl.DataFrame:
    """`_sku`: the ERP material checked against the SKU master (the brand's own codes, no aliases)."""
    resolved = ctx.masters.resolve(parsed.with_columns(_material=pl.col("sku_code")), "", ["_material"])
    return resolved.rename({"sku_code": "_sku"}).with_columns(sku_code=pl.col("_material")).drop("units_per_case")
