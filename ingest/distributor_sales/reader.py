"""Distributor secondary-sales files (xlsx, xlsm, xls, CSV/TSV in any encoding) to `raw/secondary_sales`."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.core.errors import FileRejected
from ingest.core.rows import RowCheck, apply_checks, quote
from ingest.core.source import ReadContext, ReadResult
from ingest.core.tabular import read_table_rows
from ingest.core.units import COUNTABLE_BASES, is_whole, with_pieces_per_unit
from ingest.core.values import decide_day_first, parse_date_column, with_mapped, with_numbers
from ingest.distributor_sales.contract import (
    FIELDS,
    ITEM_FIELDS,
    QUANTITY_FIELDS,
    SECONDARY_SALES,
    TEXT_FIELDS,
)

KIND = "distributor_sales"
RETURN_PATTERN = r"(?i)return|credit|\bsr\b|\bcn\b|\bsrn\b"
CANCEL_PATTERN = r"(?i)cancel|void|deleted"
# the line's quantity is the one of its unit column (else it is in pieces: pieces and cases columns)
_IN_UNIT = pl.col("unit").is_not_null() & pl.col("_quantity").is_not_null() & pl.col("_cases").is_null()


def read(path: Path, ctx: ReadContext) -> ReadResult:
    layout = ctx.layout(KIND, path)
    try:
        table = read_table_rows(
            path,
            file_name=ctx.file_name,
            fields=FIELDS,
            text_fields=TEXT_FIELDS,
            layout=layout,
            require_any=(ITEM_FIELDS, QUANTITY_FIELDS),
        )
    except FileRejected as rejected:
        _tally_daybook_hint(path, ctx, rejected)
        raise
    rows = table.rows
    if "net_amount" not in table.present and "gross_amount" in table.present and "discount_amount" not in table.present:
        # a lone "Amount" column is the line's value, not a gross before discount
        rows = rows.with_columns(net_amount=pl.col("gross_amount"), gross_amount=pl.lit(None, pl.String))

    day_first = layout.get("day_first", decide_day_first(rows["invoice_date"]))
    parsed = _parse(rows, ctx, day_first)
    checks = _checks(ctx)
    passed, failed = apply_checks(parsed, checks)

    lines = passed.with_columns(
        distributor_code=pl.lit(ctx.distributor_code),
        _sheet=pl.lit(table.sheet_name, pl.String),
        quantity_units=pl.col("_units"),
        quantity=pl.when(_IN_UNIT).then(pl.col("_quantity")).otherwise(pl.col("_units").cast(pl.Float64)),
        unit=pl.when(_IN_UNIT).then(pl.col("unit")),
        quantity_flag=pl.col("_quantity_flag"),
        free_units=pl.col("_free").fill_null(0),
        rate=pl.col("_rate"),
        gross_amount=pl.col("_gross"),
        discount_amount=pl.col("_discount").fill_null(0.0),
        net_amount=pl.coalesce(pl.col("_net"), pl.col("_gross") - pl.col("_discount").fill_null(0.0)).abs(),
        invoice_date=pl.col("_date"),
        line_type=pl.col("_line_type"),
        item_raw=pl.coalesce(pl.col("item_name"), pl.col("item_code")),
    )
    quarantine = table.quarantine(failed)
    # the period the file declares (title rows, name, layout), else the dates of its lines
    return table.dated_result(
        {SECONDARY_SALES.table: lines}, quarantine, lines["invoice_date"], file_name=ctx.file_name, layout=layout
    )


def _tally_daybook_hint(path: Path, ctx: ReadContext, rejected: FileRejected) -> None:
    """Tally's Excel Day Book sent as a sales register: say where it loads (the code stays header_not_found, so
    `preview` without a kind goes on to try tally_daybook)."""
    from ingest.tally_daybook.excel import looks_like_daybook

    if rejected.code == "header_not_found" and looks_like_daybook(path):
        raise FileRejected(
            "header_not_found",
            f"{ctx.file_name} is Tally's Excel Day Book, not a sales register: put it in "
            f"inbox/tally_daybook/{ctx.distributor_code}/, where it loads",
        ) from None


def _parse(rows: pl.DataFrame, ctx: ReadContext, day_first: bool) -> pl.DataFrame:
    parsed = parse_date_column(rows, "invoice_date", "_date", day_first=day_first)
    parsed = with_numbers(
        parsed, {"quantity_cases": "_cases", "quantity_pieces": "_pieces", "free_units": "_free"}, integer=True
    )
    parsed = with_numbers(
        parsed,
        {
            "rate": "_rate",
            "gross_amount": "_gross",
            "discount_amount": "_discount",
            "net_amount": "_net",
            "quantity_pieces": "_quantity",  # in the unit column's unit where there is one (7.5 KG)
        },
    )
    parsed = with_mapped(parsed, "line_type", "_type_is_return", pl.col("line_type").str.contains(RETURN_PATTERN))
    parsed = with_mapped(parsed, "line_type", "_type_is_cancelled", pl.col("line_type").str.contains(CANCEL_PATTERN))
    parsed = with_mapped(parsed, "status", "_status_is_cancelled", pl.col("status").str.contains(CANCEL_PATTERN))
    parsed = parsed.with_columns(
        _is_return=pl.col("_type_is_return").fill_null(False),
        _is_cancelled=pl.col("_type_is_cancelled").fill_null(False) | pl.col("_status_is_cancelled").fill_null(False),
    )
    parsed = ctx.masters.resolve(parsed, ctx.distributor_code, list(ITEM_FIELDS))
    parsed = parsed.with_columns(_item=pl.coalesce(pl.col("item_name"), pl.col("item_code")))
    parsed = ctx.masters.with_suggestions(parsed, "_item")
    parsed = _in_pieces(parsed, ctx)
    units = pl.col("_cases").fill_null(0) * pl.col("units_per_case").fill_null(1) + pl.col("_pieces").fill_null(0)
    units = pl.when(pl.col("_quantity_flag").is_null()).then(units)
    return parsed.with_columns(
        _units=pl.when(pl.col("_is_return")).then(units.abs()).otherwise(units),
        _line_type=pl.when(pl.col("_is_return")).then(pl.lit("return")).otherwise(pl.lit("sale")),
    )


def _in_pieces(parsed: pl.DataFrame, ctx: ReadContext) -> pl.DataFrame:
    """Where the file has a unit column, the quantity is in that unit: `_pieces` through the SKU master's units
    (ingest/core/units.py), `_quantity_flag` when it cannot be (unknown unit, a weight that is not whole packs)."""
    if parsed["unit"].null_count() == parsed.height:
        return parsed.with_columns(_quantity_flag=pl.lit(None, pl.String), _unit_basis=pl.lit(None, pl.String))
    masters = ctx.masters
    parsed = with_pieces_per_unit(parsed, unit="unit", packs=masters.packs, declared=masters.declared_units)
    pieces = pl.col("_quantity") * pl.col("_pieces_per_unit")
    has_unit = pl.col("unit").is_not_null() & pl.col("_quantity").is_not_null()
    flag = (
        pl.when(has_unit & pl.col("_pieces_per_unit").is_null())
        .then(pl.lit("unknown_unit"))
        .when(has_unit & ~is_whole(pieces) & ~pl.col("_unit_basis").is_in(COUNTABLE_BASES))
        .then(pl.lit("not_whole_pieces"))
    )
    whole = pl.when(is_whole(pieces)).then(pieces.round(0).cast(pl.Int64))
    return parsed.with_columns(
        _quantity_flag=flag,
        _pieces=pl.when(has_unit).then(whole).otherwise(pl.col("_pieces")),
    )


def _bad_number(raw: str, parsed: str) -> pl.Expr:
    return pl.col(raw).is_not_null() & pl.col(parsed).is_null()


def _checks(ctx: ReadContext) -> list[RowCheck]:
    item = pl.coalesce(pl.col("item_name"), pl.col("item_code"))
    no_quantity = pl.col("quantity_cases").is_null() & pl.col("quantity_pieces").is_null()
    return [
        RowCheck(
            "cancelled_document",
            pl.col("_is_cancelled"),
            pl.format("invoice {} is marked cancelled; its lines are not sales", quote(pl.col("invoice_number"))),
        ),
        RowCheck("missing_value", pl.col("invoice_number").is_null(), pl.lit("no invoice/bill number on this line")),
        RowCheck(
            "bad_date",
            pl.col("_date").is_null(),
            pl.format(
                "invoice date {} is not a date (expected e.g. 05-11-2026, 5/11/26, 3-Nov-26)",
                quote(pl.col("invoice_date")),
            ),
        ),
        RowCheck("missing_value", item.is_null(), pl.lit("no item name or code on this line")),
        RowCheck(
            "bad_quantity",
            _bad_number("quantity_cases", "_cases")
            | _bad_number("quantity_pieces", "_quantity")
            | (_bad_number("quantity_pieces", "_pieces") & pl.col("_quantity_flag").is_null()),
            pl.format(
                "quantity {} / {} is not a whole number",
                quote(pl.col("quantity_cases")),
                quote(pl.col("quantity_pieces")),
            ),
        ),
        RowCheck("missing_value", no_quantity, pl.lit("no quantity on this line")),
        RowCheck(
            "bad_quantity",
            _bad_number("free_units", "_free"),
            pl.format("free quantity {} is not a whole number", quote(pl.col("free_units"))),
        ),
        RowCheck(
            "bad_amount",
            _bad_number("net_amount", "_net")
            | _bad_number("gross_amount", "_gross")
            | _bad_number("rate", "_rate")
            | _bad_number("discount_amount", "_discount"),
            pl.format("amount {} / rate {} is not a number", quote(pl.col("net_amount")), quote(pl.col("rate"))),
        ),
        ctx.masters.unknown_sku_check(item, ctx.distributor_code, pl.col("_suggestions")),
        RowCheck(
            "negative_quantity",
            (pl.col("_units") < 0) | (pl.col("_free").fill_null(0) < 0),
            pl.format("negative quantity {} on a sale line (returns need a return voucher type)", pl.col("_units")),
        ),
        RowCheck(
            "zero_quantity",
            (pl.col("_units") == 0) & (pl.col("_free").fill_null(0) == 0),
            pl.lit("quantity is zero"),
        ),
    ]
