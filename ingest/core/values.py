"""Cell text to typed values, as vectorised Polars expressions.

Numbers: Indian digit grouping (`1,23,456.00`), `₹`, `Rs.`, `INR`, stray and no-break spaces, `(12.50)` as
negative. Dates: ISO and spreadsheet datetimes, Excel serial numbers, and the Indian text forms
`05-11-2026`, `5/11/26`, `3-Nov-26`, `05.11.2026`; day-first unless the column's own values prove
month-first (a second part above 12 and no first part above 12).
"""

from __future__ import annotations

import re
from typing import overload

import polars as pl

from ingest.core.chunk_session import file_day_first

_CURRENCY = r"(?i)(₹|rs\.?|inr|/-)"
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
EXCEL_EPOCH_OFFSET_DAYS = 25569  # 1970-01-01 as an Excel (1900 system) serial


_INVISIBLE = r"[\u00a0\u202f\u200b\u200e\u200f]"


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Trim, fold no-break spaces, and turn empty strings into nulls."""
    cleaned = expr.str.replace_all(_INVISIBLE, " ").str.strip_chars()
    return pl.when(cleaned == "").then(None).otherwise(cleaned)


def clean_columns(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """`clean_text` on each column, skipping the regex where a column has no invisible characters."""
    invisible = (
        frame.select([pl.col(c).str.contains(_INVISIBLE).any().alias(c) for c in columns]).row(0, named=True)
        if frame.height
        else {}
    )
    return frame.with_columns(
        [(clean_text(pl.col(c)) if invisible.get(c) else _strip_empty(pl.col(c))).alias(c) for c in columns]
    )


def _strip_empty(expr: pl.Expr) -> pl.Expr:
    cleaned = expr.str.strip_chars()
    return pl.when(cleaned == "").then(None).otherwise(cleaned)


def parse_number(expr: pl.Expr) -> pl.Expr:
    """Text to Float64; null where the text is not a number (callers compare with the raw text)."""
    text = clean_text(expr).str.replace_all(_CURRENCY, "").str.replace_all(r"[,\s]", "")
    negative = text.str.starts_with("(") & text.str.ends_with(")")
    text = text.str.strip_chars("()")
    number = text.cast(pl.Float64, strict=False)
    return pl.when(negative).then(-number).otherwise(number)


def with_numbers(frame: pl.DataFrame, columns: dict[str, str], *, integer: bool = False) -> pl.DataFrame:
    """Parse text columns to numbers (`raw name -> output name`): a plain cast where the text is a plain
    number, and the full `parse_number` (currency, grouping, brackets) only on the rows where that fails."""
    parse = parse_integer if integer else parse_number
    dtype = pl.Int64 if integer else pl.Float64
    fast = frame.with_columns([pl.col(raw).cast(pl.Float64, strict=False).alias(out) for raw, out in columns.items()])
    if integer:
        fast = fast.with_columns(
            [
                pl.when(pl.col(o) == pl.col(o).round(0)).then(pl.col(o)).otherwise(None).cast(pl.Int64).alias(o)
                for o in columns.values()
            ]
        )
    for raw, out in columns.items():
        needs = pl.col(out).is_null() & pl.col(raw).is_not_null()
        if not fast.select(needs.any()).item():
            continue
        fast = fast.with_columns(pl.when(needs).then(parse(pl.col(raw))).otherwise(pl.col(out)).cast(dtype).alias(out))
    return fast


def with_mapped(frame: pl.DataFrame, column: str, output: str, expr: pl.Expr) -> pl.DataFrame:
    """Evaluate `expr` (written over `column`) on the column's distinct values only, then join back:
    for low-cardinality columns (dates, voucher types, statuses, item names)."""
    mapping = frame.select(pl.col(column).unique()).with_columns(expr.alias(output))
    return frame.join(mapping, on=column, how="left", nulls_equal=True)


def parse_integer(expr: pl.Expr) -> pl.Expr:
    """Whole numbers (quantities): text that parses to a number with no fraction, else null."""
    number = parse_number(expr)
    return pl.when(number == number.round(0)).then(number.cast(pl.Int64)).otherwise(None)


# what a name key drops after lower-casing: everything but ASCII digits and letters and the Devanagari block
NAME_KEY_DROPPED = r"[^0-9a-z\u0900-\u097f]"


@overload
def name_key(value: pl.Expr) -> pl.Expr: ...
@overload
def name_key(value: str | None) -> str: ...
def name_key(value: pl.Expr | str | None) -> pl.Expr | str:
    """The key names and codes are matched by: lower case, only ASCII letters and digits and Devanagari kept
    (case, spaces and punctuation aside: 'Gluco  Crunch 100-G' -> 'glucocrunch100g').

    The one definition, in two forms: on a Polars expression (SKU mapping in `masters.py`, the review queue; an
    empty key is null, so it matches nothing) and on one string (review decisions; None or nothing left -> '').
    Its dbt twin is the macro `review_name_key` (dbt_project/macros/names/review_name_key.sql), which the review queue
    mart and the review decisions use; tests/test_name_key.py runs both on tricky names and holds them equal.
    """
    if isinstance(value, pl.Expr):
        key = value.str.to_lowercase().str.replace_all(NAME_KEY_DROPPED, "")
        return pl.when(key != "").then(key)
    return re.sub(NAME_KEY_DROPPED, "", (value or "").lower())


def decide_day_first(values: pl.Series) -> bool:
    """Day-first unless the file's own numeric dates prove month-first (in a chunked load, all of the file's)."""
    decided = file_day_first()
    if decided is not None:
        return decided
    text = values.drop_nulls().unique().cast(pl.String).str.strip_chars()
    parts = text.str.extract_groups(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})$")
    first = parts.struct.field("1").cast(pl.Int32, strict=False)
    second = parts.struct.field("2").cast(pl.Int32, strict=False)
    first_over_12 = bool((first > 12).any())
    second_over_12 = bool((second > 12).any())
    return not (second_over_12 and not first_over_12)


def parse_date(expr: pl.Expr, *, day_first: bool = True) -> pl.Expr:
    """Text to Date, trying every form a distributor's software writes; null where none fits."""
    text = clean_text(expr)
    iso = text.str.extract(r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$", 1)
    iso_date = iso.str.to_date("%Y-%m-%d", strict=False)

    serial = text.cast(pl.Float64, strict=False)
    serial_date = (
        pl.when((serial >= 20_000) & (serial <= 80_000))
        .then((serial.floor().cast(pl.Int64) - EXCEL_EPOCH_OFFSET_DAYS).cast(pl.Date))
        .otherwise(None)
    )

    numeric = text.str.extract_groups(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{2}|\d{4})$")
    a = numeric.struct.field("1").cast(pl.Int32, strict=False)
    b = numeric.struct.field("2").cast(pl.Int32, strict=False)
    numeric_date = _ymd(_full_year(numeric.struct.field("3")), b if day_first else a, a if day_first else b)

    named = text.str.to_lowercase().str.extract_groups(r"^(\d{1,2})[-/. ]*([a-z]{3,9})[-/.,' ]*(\d{2}|\d{4})$")
    month = named.struct.field("2").replace_strict(_MONTHS, default=None, return_dtype=pl.Int32)
    named_date = _ymd(_full_year(named.struct.field("3")), month, named.struct.field("1").cast(pl.Int32))

    return pl.coalesce(iso_date, serial_date, numeric_date, named_date)


def parse_date_column(frame: pl.DataFrame, column: str, output: str, *, day_first: bool) -> pl.DataFrame:
    """`parse_date` over the column's distinct values only (a file has few distinct dates), joined back."""
    return with_mapped(frame, column, output, parse_date(pl.col(column), day_first=day_first))


def _full_year(expr: pl.Expr) -> pl.Expr:
    year = expr.cast(pl.Int32, strict=False)
    return pl.when(year < 100).then(pl.when(year < 70).then(2000 + year).otherwise(1900 + year)).otherwise(year)


def _ymd(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    text = pl.format(
        "{}-{}-{}",
        year.cast(pl.String).str.zfill(4),
        month.cast(pl.String).str.zfill(2),
        day.cast(pl.String).str.zfill(2),
    )
    return text.str.to_date("%Y-%m-%d", strict=False)
