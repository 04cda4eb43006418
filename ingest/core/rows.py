"""Row accounting helpers: which rows are not lines, which are duplicates, and why a row is quarantined."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from ingest.core.contract import SUBJECT_SCHEMA
from ingest.core.grid import ROW_NUMBER

TOTAL_MARKER = r"(?i)^\s*(grand|sub|bill|invoice|party|page|day|net)?\s*-?\s*totals?\b"
# Hindi and Hinglish totals ("कुल योग", "कुल", "योग", "Kul Yog", "Kul Jod", "Jod"): the whole cell only, since
# "Kul" or "Yog" may begin a shop's name
_JOD = "\u091c\u094b(?:\u0921\u093c?|\u095c)"  # जोड़ / जोड, composed or not
TOTAL_WORDS = (
    rf"(?i)^\s*(कुल\s*योग|कुल\s*{_JOD}|कुल|योग|{_JOD}|महायोग|kul\s*yog|kul\s*jod|kul|yog|jod|maha\s*yog)\s*[:.\-]?\s*$"
)


REASON_SCHEMA: dict[str, pl.DataType] = {"reason_code": pl.String(), "reason": pl.String(), **SUBJECT_SCHEMA}
REASON_FIELDS = tuple(REASON_SCHEMA)


@dataclass(frozen=True)
class Subject:
    """What a failed check could not match: the value as written, its kind, and the closest candidates."""

    value: pl.Expr
    kind: str
    suggestions: pl.Expr | None = None  # a List(SUGGESTION) expression

    def columns(self) -> dict[str, pl.Expr]:
        found = {"subject": self.value, "subject_kind": pl.lit(self.kind)}
        return found | ({"suggestions": self.suggestions} if self.suggestions is not None else {})


@dataclass(frozen=True)
class RowCheck:
    """A row fails `failed`; its quarantine reason is `message` (an expression, so it can quote the value), with
    the structured `subject` where the row failed on a value that matched nothing."""

    code: str
    failed: pl.Expr
    message: pl.Expr
    subject: Subject | None = None


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
    """Split into (passing rows, failing rows with reason_code, reason and the subject fields); the first failed
    check wins."""
    nothing = {c: pl.lit(None, t) for c, t in REASON_SCHEMA.items()}
    if not checks:
        return frame, frame.clear().with_columns(**nothing)
    fields = dict(nothing)
    for check in reversed(checks):
        condition = check.failed.fill_null(False)
        values = {"reason_code": pl.lit(check.code), "reason": check.message}
        values |= check.subject.columns() if check.subject else {}
        fields = {c: pl.when(condition).then(values.get(c, nothing[c])).otherwise(fields[c]) for c in fields}
    marked = frame.with_columns(**{c: e.cast(REASON_SCHEMA[c]) for c, e in fields.items()})
    failed = marked.filter(pl.col("reason_code").is_not_null())
    passed = marked.filter(pl.col("reason_code").is_null()).drop(*REASON_FIELDS)
    return passed, failed


def quote(expr: pl.Expr) -> pl.Expr:
    """A cell's text for a message: 'value', or (empty)."""
    return pl.when(expr.is_null()).then(pl.lit("(empty)")).otherwise(pl.format("'{}'", expr))
