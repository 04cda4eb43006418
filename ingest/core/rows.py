"""Row accounting helpers: which rows are not lines, which are duplicates, and why a row is quarantined."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from ingest.core.grid import ROW_NUMBER

TOTAL_MARKER = r"(?i)^\s*(grand|sub|bill|invoice|party|page|day|net)?\s*-?\s*totals?\b"
# Hindi and Hinglish totals ("कुल योग", "कुल", "योग", "Kul Yog", "Kul Jod", "Jod"): the whole cell only, since
# "Kul" or "Yog" may begin a shop's name
_JOD = "\u091c\u094b(?:\u0921\u093c?|\u095c)"  # जोड़ / जोड, composed or not
TOTAL_WORDS = (
    rf"(?i)^\s*(कुल\s*योग|कुल\s*{_JOD}|कुल|योग|{_JOD}|महायोग|kul\s*yog|kul\s*jod|kul|yog|jod|maha\s*yog)\s*[:.\-]?\s*$"
)


@dataclass(frozen=True)
class RowCheck:
    """A row fails `failed`; its quarantine reason is `message` (an expression, so it can quote the value)."""

    code: str
    failed: pl.Expr
    message: pl.Expr


def drop_non_lines(
    frame: pl.DataFrame, text_fields: Sequence[str], headers: dict[str, str]
) -> tuple[pl.DataFrame, int]:
    """Remove blank rows, total/subtotal rows and repeated header rows. Returns (lines, rows removed)."""
    fields = [c for c in frame.columns if c != ROW_NUMBER]
    blank = pl.all_horizontal([pl.col(c).is_null() for c in fields])
    markers = [c for c in text_fields if c in frame.columns]
    total = pl.any_horizontal(
        pl.lit(False),
        *[
            (pl.col(c).str.contains(TOTAL_MARKER) | pl.col(c).str.contains(TOTAL_WORDS)).fill_null(False)
            for c in markers
        ],
    )
    # a header repeated on every printed page: the same texts again (cells are trimmed already)
    repeated_header = pl.all_horizontal(
        pl.lit(True),
        *[
            pl.col(name).str.to_lowercase() == text.strip().lower()
            for name, text in headers.items()
            if name in frame.columns
        ],
    ).fill_null(False)
    keep = ~(blank | total | repeated_header)
    lines = frame.filter(keep)
    return lines, frame.height - lines.height


def deduplicate(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Drop rows whose every cell repeats an earlier row of the same file. Returns (rows, dropped)."""
    fields = [c for c in frame.columns if c != ROW_NUMBER]
    unique = frame.unique(subset=fields, keep="first", maintain_order=True)
    return unique, frame.height - unique.height


def raw_values_json(fields: Sequence[str]) -> pl.Expr:
    return pl.struct([pl.col(c) for c in fields]).struct.json_encode().alias("raw_values")


def apply_checks(frame: pl.DataFrame, checks: Sequence[RowCheck]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split into (passing rows, failing rows with reason_code and reason); the first failed check wins."""
    if not checks:
        return frame, frame.clear().with_columns(reason_code=pl.lit(None, pl.String), reason=pl.lit(None, pl.String))
    code: pl.Expr = pl.lit(None, pl.String)
    message: pl.Expr = pl.lit(None, pl.String)
    for check in reversed(checks):
        condition = check.failed.fill_null(False)
        code = pl.when(condition).then(pl.lit(check.code)).otherwise(code)
        message = pl.when(condition).then(check.message).otherwise(message)
    marked = frame.with_columns(reason_code=code, reason=message)
    failed = marked.filter(pl.col("reason_code").is_not_null())
    passed = marked.filter(pl.col("reason_code").is_null()).drop("reason_code", "reason")
    return passed, failed


def quote(expr: pl.Expr) -> pl.Expr:
    """A cell's text for a message: 'value', or (empty)."""
    return pl.when(expr.is_null()).then(pl.lit("(empty)")).otherwise(pl.format("'{}'", expr))
