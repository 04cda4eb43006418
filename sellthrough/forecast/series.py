"""Complete weekly series (Monday to Sunday) of secondary sales units per distributor x SKU."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

SERIES_KEYS = ("distributor_code", "sku_code")


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_complete_week(as_of: date) -> date:
    """Monday of the last week whose Sunday is on or before `as_of`."""
    return week_start(as_of + timedelta(days=1)) - timedelta(days=7)


def weekly_series(daily: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """`daily` has distributor_code, sku_code, day, units. Returns distributor_code, sku_code, week_start, units
    for every complete week from the first full week of data (or the series' first sale, a new SKU) to the last
    complete week on or before `as_of`, zero-filled: a week without a sale is a zero, not a gap."""
    schema = {"distributor_code": pl.String, "sku_code": pl.String, "week_start": pl.Date, "units": pl.Float64}
    if daily.is_empty():
        return pl.DataFrame(schema=schema)
    first_day = daily["day"].min()
    first_week = week_start(first_day) if first_day.weekday() == 0 else week_start(first_day) + timedelta(days=7)
    last_week = last_complete_week(as_of)
    if last_week < first_week:
        return pl.DataFrame(schema=schema)
    weekly = (
        daily.filter(pl.col("day") >= first_week, pl.col("day") < last_week + timedelta(days=7))
        .with_columns(week_start=pl.col("day").dt.truncate("1w"))
        .group_by("distributor_code", "sku_code", "week_start")
        .agg(units=pl.col("units").sum().cast(pl.Float64))
    )
    starts = weekly.filter(pl.col("units") > 0).group_by(SERIES_KEYS).agg(first=pl.col("week_start").min())
    weeks = pl.DataFrame({"week_start": pl.date_range(first_week, last_week, "1w", eager=True)})
    grid = starts.join(weeks, how="cross").filter(pl.col("week_start") >= pl.col("first")).drop("first")
    return (
        grid.join(weekly, on=["distributor_code", "sku_code", "week_start"], how="left")
        .with_columns(pl.col("units").fill_null(0.0))
        .sort("distributor_code", "sku_code", "week_start")
        .select(list(schema))
    )


def future_weeks(as_of: date, horizon: int) -> list[date]:
    """The Mondays of the `horizon` weeks after the last complete week."""
    start = last_complete_week(as_of)
    return [start + timedelta(days=7 * k) for k in range(1, horizon + 1)]
