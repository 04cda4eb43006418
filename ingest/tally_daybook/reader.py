"""Tally Day Books (the XML export, or Tally's Excel Day Book) to `raw/tally_voucher_lines`: one row per stock line
of a trade voucher.

Row accounting: every stock line of a Sales, Purchase, Credit Note or Debit Note voucher (or of a voucher whose
type cannot be resolved) is a read row, loaded or quarantined. Not read, counted in rows_skipped: a voucher with no
stock lines (1 each) and the stock lines of other Tally types (orders, delivery and receipt notes, stock journals).
`_row_number`: XML: voucher ordinal in the file (1-based, every VOUCHER element counts) * 1000 + stock-line
ordinal; Excel: the item's sheet row (`_sheet` is the sheet).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from ingest.core.errors import FileRejected
from ingest.core.files import OLE2_MAGIC, ZIP_MAGIC
from ingest.core.rows import REASON_FIELDS, RowCheck, apply_checks, quote
from ingest.core.source import ReadContext, ReadResult
from ingest.core.units import COUNTABLE_BASES, is_whole, with_pieces_per_unit
from ingest.tally_daybook.contract import LINE_TYPES, TALLY_VOUCHER_LINES
from ingest.tally_daybook.excel import parse_excel_daybook
from ingest.tally_daybook.parser import OTHER_TYPE, DayBook, StockLine, Voucher, parse_daybook_file, resolved

KIND = "tally_daybook"
LINES_PER_VOUCHER = 1000
MAX_ROW_NUMBER = 2**31 - 1

LINE_SCHEMA: dict[str, pl.DataType] = {
    "_row_number": pl.Int32(),
    "voucher_key": pl.String(),
    "voucher_type": pl.String(),
    "base_type": pl.String(),
    "voucher_number": pl.String(),
    "voucher_date": pl.Date(),
    "party_name": pl.String(),
    "item_raw": pl.String(),
    "_billed": pl.Float64(),
    "_actual": pl.Float64(),
    "unit": pl.String(),
    "rate": pl.Float64(),
    "_amount": pl.Float64(),
    "_cancelled": pl.Boolean(),
    "_deleted": pl.Boolean(),
    "_optional": pl.Boolean(),
    "raw_values": pl.String(),
}


def read(path: Path, ctx: ReadContext) -> ReadResult:
    daybook = read_daybook(path, ctx)
    lines, skipped = _lines(daybook, ctx.file_name)
    resolved_lines = _resolve(lines, ctx)
    passed, failed = apply_checks(resolved_lines, _checks(ctx))
    loaded = passed.select(
        pl.lit(ctx.distributor_code, pl.String).alias("distributor_code"),
        pl.lit(daybook.sheet, pl.String).alias("_sheet"),
        "_row_number",
        "voucher_key",
        "voucher_type",
        "base_type",
        "voucher_number",
        "voucher_date",
        "party_name",
        "item_raw",
        "sku_code",
        "quantity",
        "unit",
        pl.col("_units").alias("quantity_units"),
        pl.col("_free").alias("free_units"),
        pl.col("_flag").alias("quantity_flag"),
        "rate",
        pl.col("_amount").abs().alias("amount"),
        pl.col("base_type").replace_strict(LINE_TYPES, default=None, return_dtype=pl.String).alias("line_type"),
    )
    quarantine = failed.select(
        "_row_number", pl.lit(daybook.sheet, pl.String).alias("_sheet"), *REASON_FIELDS, "raw_values"
    )
    dates = lines["voucher_date"].drop_nulls()
    return ReadResult(
        tables={TALLY_VOUCHER_LINES.table: loaded},
        quarantine=quarantine,
        rows_read=lines.height,
        rows_skipped=skipped,
        period=(dates.min(), dates.max()) if dates.len() else None,  # type: ignore[arg-type]
    )


def read_daybook(path: Path, ctx: ReadContext) -> DayBook:
    """The XML export, or Tally's Excel Day Book (an xlsx/xls workbook: `ingest/tally_daybook/excel.py`), with
    voucher types resolved through the file's VOUCHERTYPE masters and the distributor's layout."""
    voucher_types = ctx.layout(KIND).get("voucher_types") or {}
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith((OLE2_MAGIC, ZIP_MAGIC)):
        return resolved(parse_excel_daybook(path, name=ctx.file_name), voucher_types)
    return parse_daybook_file(path, name=ctx.file_name, voucher_types=voucher_types)


def _lines(daybook: DayBook, file_name: str) -> tuple[pl.DataFrame, int]:
    """One record per read stock line, and the number of skipped rows."""
    records: list[dict] = []
    skipped = 0
    for voucher in daybook.vouchers:
        if not voucher.stock_lines:
            skipped += 1
        elif voucher.base_type in LINE_TYPES or voucher.base_type == OTHER_TYPE:
            records.extend(_record(voucher, line, file_name) for line in voucher.stock_lines)
        else:
            skipped += len(voucher.stock_lines)
    return pl.DataFrame(records, schema=LINE_SCHEMA, orient="row"), skipped


def _row_number(voucher: Voucher, line: StockLine, file_name: str) -> int:
    if line.row is not None:
        return line.row
    if line.ordinal >= LINES_PER_VOUCHER:
        raise FileRejected(
            "too_many_lines",
            f"{file_name}: voucher {voucher.voucher_number!r} has more than {LINES_PER_VOUCHER - 1} stock lines",
        )
    number = voucher.ordinal * LINES_PER_VOUCHER + line.ordinal
    if number > MAX_ROW_NUMBER:
        raise FileRejected("too_many_vouchers", f"{file_name}: more than {MAX_ROW_NUMBER // 1000:,} vouchers")
    return number


def voucher_key(voucher: Voucher) -> str:
    """Tally's id of the voucher, else its type, number, date and party (what makes a Tally voucher one)."""
    if voucher.identity:
        return voucher.identity
    day = voucher.date.isoformat() if voucher.date else voucher.date_raw
    return "|".join(part or "" for part in (voucher.voucher_type, voucher.voucher_number, day, voucher.party_name))


def _record(voucher: Voucher, line: StockLine, file_name: str) -> dict:
    raw = {
        "voucher_type": voucher.voucher_type,
        "voucher_number": voucher.voucher_number,
        "date": voucher.date_raw,
        "party_name": voucher.party_name,
        "is_cancelled": voucher.is_cancelled,
        "is_optional": voucher.is_optional,
        **{key.lower(): value for key, value in line.raw.items()},
    }
    return {
        "_row_number": _row_number(voucher, line, file_name),
        "voucher_key": voucher_key(voucher),
        "voucher_type": voucher.voucher_type,
        "base_type": voucher.base_type,
        "voucher_number": voucher.voucher_number,
        "voucher_date": voucher.date,
        "party_name": voucher.party_name,
        "item_raw": line.item_name,
        "_billed": line.billed_qty,
        "_actual": line.actual_qty,
        "unit": line.billed_unit or line.actual_unit,
        "rate": line.rate,
        "_amount": line.amount,
        "_cancelled": voucher.is_cancelled,
        "_deleted": voucher.is_deleted,
        "_optional": voucher.is_optional,
        "raw_values": json.dumps(raw, ensure_ascii=False),
    }


def _resolve(lines: pl.DataFrame, ctx: ReadContext) -> pl.DataFrame:
    """SKU mapping (alias, then the brand's code/name/EAN), suggestions for unknown items, quantities in pieces
    through the SKU master's units (ingest/core/units.py)."""
    masters = ctx.masters
    resolved_lines = masters.resolve(lines, ctx.distributor_code, ["item_raw"])
    resolved_lines = masters.with_suggestions(resolved_lines, "item_raw")
    resolved_lines = with_pieces_per_unit(
        resolved_lines, unit="unit", packs=masters.packs, declared=masters.declared_units
    )
    quantity = pl.coalesce(pl.col("_billed"), pl.col("_actual"))
    free = pl.when(pl.col("_actual") > pl.col("_billed")).then(pl.col("_actual") - pl.col("_billed")).otherwise(0.0)
    per_unit = pl.col("_pieces_per_unit")
    resolved_lines = resolved_lines.with_columns(
        quantity.alias("quantity"),
        (quantity * per_unit).alias("_pieces"),
        (free.fill_null(0.0) * per_unit).alias("_free_pieces"),
    )
    whole = is_whole(pl.col("_pieces")) & is_whole(pl.col("_free_pieces"))
    flag = (
        pl.when(per_unit.is_null())
        .then(pl.lit("unknown_unit"))
        .when(~whole & ~pl.col("_unit_basis").is_in(COUNTABLE_BASES))
        .then(pl.lit("not_whole_pieces"))
    )
    in_pieces = flag.is_null()
    return resolved_lines.with_columns(
        flag.alias("_flag"),
        pl.when(in_pieces).then(pl.col("_pieces").round(0).cast(pl.Int64)).alias("_units"),
        pl.when(in_pieces).then(pl.col("_free_pieces").round(0).cast(pl.Int64)).alias("_free"),
    ).sort("_row_number")


def _checks(ctx: ReadContext) -> list[RowCheck]:
    voucher = quote(pl.col("voucher_number"))
    item = quote(pl.col("item_raw"))
    return [
        RowCheck(
            "cancelled_document",
            pl.col("_cancelled") | pl.col("_deleted"),
            pl.format(
                "voucher {} ({}) is marked cancelled in Tally; its lines are not trade", voucher, pl.col("voucher_type")
            ),
        ),
        RowCheck(
            "optional_document",
            pl.col("_optional"),
            pl.format("voucher {} is an optional (memorandum) voucher; it does not affect the books", voucher),
        ),
        RowCheck(
            "unknown_voucher_type",
            pl.col("base_type") == OTHER_TYPE,
            pl.format(
                "voucher type {} is not Sales, Purchase, Credit Note or Debit Note and neither its RESERVEDNAME nor a "
                "PARENT in the file's VOUCHERTYPE masters says which it is: map it in layouts/{}.yml "
                "(voucher_types: {{name: Sales}})",
                quote(pl.col("voucher_type")),
                pl.lit(ctx.distributor_code),
            ),
        ),
        RowCheck("missing_value", pl.col("voucher_number").is_null(), pl.lit("the voucher has no voucher number")),
        RowCheck("bad_date", pl.col("voucher_date").is_null(), pl.lit("the voucher's DATE is missing or not a date")),
        RowCheck("missing_value", pl.col("item_raw").is_null(), pl.lit("stock line without a STOCKITEMNAME")),
        RowCheck(
            "no_quantity",
            pl.col("quantity").is_null(),
            pl.format(
                "value-only line: {} in {} voucher {} of {} has an amount ({}) but no quantity. Tally allows this for "
                "rate differences, discounts and charges; it moves no goods, so it is not counted as units. If goods "
                "moved, enter the quantity in Tally and send the Day Book again",
                item,
                pl.col("voucher_type"),
                voucher,
                pl.col("voucher_date"),
                pl.col("_amount").abs(),
            ),
        ),
        RowCheck(
            "negative_quantity",
            pl.col("quantity") < 0,
            pl.format("negative quantity {} in a {} voucher", pl.col("quantity"), pl.col("base_type")),
        ),
        # with no SKU master ever loaded, lines stay unmapped rather than quarantined
        *(
            [ctx.masters.unknown_sku_check(pl.col("item_raw"), ctx.distributor_code, pl.col("_suggestions"))]
            if ctx.masters.has_skus
            else []
        ),
        RowCheck(
            "bad_quantity",
            pl.col("_unit_basis").is_in(COUNTABLE_BASES)
            & ~(is_whole(pl.col("_pieces")) & is_whole(pl.col("_free_pieces"))),
            pl.format(
                "quantity {} {} of {} is not a whole number of pieces",
                pl.col("quantity"),
                pl.col("unit").fill_null(""),
                item,
            ),
        ),
        RowCheck(
            "zero_quantity",
            (pl.col("quantity") == 0) & ((pl.col("_actual") == 0) | pl.col("_actual").is_null()),
            pl.lit("quantity is zero"),
        ),
    ]
