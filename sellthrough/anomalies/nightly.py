"""The night's anomaly detection, as dbt's Python model `int_sales_anomalies__detected` runs it: the series up to
the day every active distributor has covered, the scheme windows, the brand's deliveries (sales_stopped judged up
to the as-of date: a distributor whose files stopped is exactly that case)."""

from __future__ import annotations

import os

import polars as pl

from sellthrough.anomalies.detect import ANOMALY_SCHEMA, Settings, detect

# most series the night judges per level (the busiest first); more cost time linearly (bench sales_anomalies)
MAX_SERIES_ENV = "SELLTHROUGH_ANOMALY_MAX_SERIES"
DEFAULT_MAX_SERIES = 2000
# "off": the model builds empty (the test suite's networks other than the shared one; see tests/conftest.py)
ENABLED_ENV = "SELLTHROUGH_ANOMALIES"


def anomalies_enabled() -> bool:
    return os.environ.get(ENABLED_ENV, "on").strip().lower() not in {"off", "0", "false", "no"}


def no_anomalies() -> pl.DataFrame:
    """The detected table with no rows (detection switched off)."""
    return pl.DataFrame(schema=ANOMALY_SCHEMA)


def detect_nightly(series: pl.DataFrame, context: pl.DataFrame, settings: Settings | None = None) -> pl.DataFrame:
    bounds = context.filter(pl.col("fact") == "bounds")
    if bounds.height == 0 or series.height == 0:
        return pl.DataFrame(schema=ANOMALY_SCHEMA)
    as_of, complete = bounds["start_date"][0], bounds["end_date"][0]
    series = series.with_columns(pl.col("units").cast(pl.Float64))
    series = _busiest(series, int(os.environ.get(MAX_SERIES_ENV, DEFAULT_MAX_SERIES)))
    schemes = context.filter(pl.col("fact").is_in(["scheme", "festival"])).select(
        "level", "series_key", "scheme_code", "start_date", "end_date"
    )
    deliveries = context.filter(pl.col("fact") == "delivery").select(
        "series_key", delivery_date="start_date", units=pl.col("units").cast(pl.Float64)
    )
    first = series["sale_date"].min()
    judged = fill_through(series.filter(pl.col("sale_date") <= complete), first, complete)
    found = detect(judged, schemes, deliveries, settings)
    found = found.filter(pl.col("kind") != "sales_stopped")
    distributors = fill_through(series.filter(pl.col("level") == "distributor"), first, as_of)
    stopped = detect(distributors, None, deliveries, settings).filter(pl.col("kind") == "sales_stopped")
    return pl.concat([found, stopped]).sort("level", "series_key", "start_date", "kind")


def fill_through(series: pl.DataFrame, first, last) -> pl.DataFrame:
    """Every series from `first` to `last`, a day without sales at zero."""
    if series.height == 0:
        return series
    days = pl.DataFrame({"sale_date": pl.date_range(first, last, "1d", eager=True)})
    keys = series.select("level", "series_key").unique()
    grid = keys.join(days, how="cross")
    filled = grid.join(series, on=["level", "series_key", "sale_date"], how="left")
    return filled.with_columns(pl.col("units").fill_null(0.0)).select("level", "series_key", "sale_date", "units")


def _busiest(series: pl.DataFrame, limit: int) -> pl.DataFrame:
    ranked = series.group_by("level", "series_key").agg(total=pl.col("units").sum())
    keep = ranked.sort("total", descending=True).group_by("level", maintain_order=True).head(limit)
    return series.join(keep.select("level", "series_key"), on=["level", "series_key"], how="semi")
