"""Typed values of SFA records: timestamps to India time, GPS, the productive flag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import polars as pl

IST = timezone(timedelta(hours=5, minutes=30))
TRUE_WORDS = {"true", "yes", "y", "1", "productive"}
FALSE_WORDS = {"false", "no", "n", "0", "unproductive", "non_productive"}


def parse_time(text: str) -> datetime | None:
    """ISO 8601 (with `T` or a space, optional seconds, `Z` or an offset) or epoch milliseconds, as naive IST.
    A time without an offset is taken as India time already. None when it is not a time."""
    text = text.strip()
    if text.isdigit() and len(text) >= 12:
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC).astimezone(IST).replace(tzinfo=None)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(IST).replace(tzinfo=None)
    return value


def time_column(column: str, output: str) -> pl.Expr:
    return pl.col(column).map_elements(parse_time, return_dtype=pl.Datetime("us"), skip_nulls=True).alias(output)


def flag_column(column: str, output: str) -> pl.Expr:
    words = pl.col(column).str.to_lowercase().str.replace_all(r"[\s-]+", "_")
    return (
        pl.when(words.is_in(list(TRUE_WORDS)))
        .then(pl.lit(True))
        .when(words.is_in(list(FALSE_WORDS)))
        .then(pl.lit(False))
        .otherwise(pl.lit(None, pl.Boolean))
        .alias(output)
    )


def number_column(column: str, output: str) -> pl.Expr:
    return pl.col(column).str.replace(",", ".", literal=True).cast(pl.Float64, strict=False).alias(output)


def date_column(column: str, output: str) -> pl.Expr:
    """An ISO date (a time's date when the export sends a timestamp); null when it is not one."""
    return pl.col(column).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias(output)
