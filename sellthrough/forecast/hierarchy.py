"""The whole network's forecast: distributor x SKU x week, and brand x region x week reconciled bottom-up.

Reconciliation: bottom-up. The distributor x SKU forecasts are the ones orders and stock-outs are planned on,
so they are kept as fitted and every level above is their sum, coherent by construction (MinT would move the
bottom forecasts by a covariance estimated from a few dozen weeks of residuals: on a short history that estimate
is noise). An aggregate's interval is not a sum: its own AutoETS, fitted to the aggregate series (events divided
out), gives the interval's width relative to its mean, which is set around the bottom-up mean; that keeps the
correlation between the series the sum of bottom variances would ignore.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import polars as pl

from sellthrough.forecast.events import (
    Festival,
    festival_exposure,
    festival_uplift,
    scheme_exposure,
    scheme_uplift,
)
from sellthrough.forecast.models import HORIZON, SeriesForecast, forecast_series
from sellthrough.forecast.series import future_weeks, weekly_series

MIN_MULTIPLIER = 0.2
ROUND_MULTIPLIER = 9
ROUND_UNITS = 6  # a millionth of a piece: what float noise never reaches, and no one reads
NETWORK = "network"  # festival uplift is learnt on the whole network's weekly total (events.py)

FORECAST_SCHEMA = {
    "forecast_level": pl.String,
    "distributor_code": pl.String,
    "sku_code": pl.String,
    "brand": pl.String,
    "region": pl.String,
    "week_start": pl.Date,
    "horizon_weeks": pl.Int32,
    "forecast_units": pl.Float64,
    "lower_80_units": pl.Float64,
    "upper_80_units": pl.Float64,
    "model": pl.String,
    "history_weeks": pl.Int32,
    "as_of_date": pl.Date,
}


def event_multipliers(
    weekly: pl.DataFrame,
    festivals: Iterable[Festival],
    schemes: pl.DataFrame,
    weeks: list[date],
) -> pl.DataFrame:
    """distributor_code, sku_code, week_start, multiplier over history and future weeks: festival uplift x scheme
    uplift, both learnt from the network's history. `weekly` carries region."""
    pairs = weekly.select("distributor_code", "sku_code", "region").unique().sort("distributor_code", "sku_code")
    exposure = festival_exposure(festivals, weeks)
    network = weekly.group_by("week_start").agg(pl.col("units").sum()).with_columns(region=pl.lit(NETWORK))
    uplift = festival_uplift(network, exposure).drop("region")
    festival = (
        exposure.join(uplift, on="festival_name")
        .group_by("week_start")
        .agg(festival_multiplier=(1 + (pl.col("uplift") * pl.col("exposure")).sum()).round(ROUND_MULTIPLIER))
    )
    grid = pairs.join(pl.DataFrame({"week_start": weeks}, schema={"week_start": pl.Date}), how="cross")
    grid = grid.join(festival, on="week_start", how="left").with_columns(pl.col("festival_multiplier").fill_null(1.0))
    shares = scheme_exposure(schemes, pairs.select("distributor_code", "sku_code"), weeks)
    grid = grid.join(shares, on=["distributor_code", "sku_code", "week_start"], how="left").with_columns(
        pl.col("scheme_share").fill_null(0.0)
    )
    history = weekly.join(grid, on=["distributor_code", "sku_code", "region", "week_start"]).with_columns(
        units=pl.col("units") / pl.col("festival_multiplier")
    )
    beta = scheme_uplift(history.select("distributor_code", "sku_code", "week_start", "units", "scheme_share"))
    multiplier = (pl.col("festival_multiplier") * (1 + beta * pl.col("scheme_share"))).clip(MIN_MULTIPLIER)
    # rounded: sums taken in a different order differ in their last bits, and the forecast must not
    return grid.select("distributor_code", "sku_code", "week_start", multiplier=multiplier.round(ROUND_MULTIPLIER))


def _rows(level: str, keys: dict, fc: SeriesForecast, weeks: list[date], history: int, as_of: date) -> dict:
    n = len(weeks)
    return {
        "forecast_level": [level] * n,
        "distributor_code": [keys.get("distributor_code")] * n,
        "sku_code": [keys.get("sku_code")] * n,
        "brand": [keys.get("brand")] * n,
        "region": [keys.get("region")] * n,
        "week_start": weeks,
        "horizon_weeks": list(range(1, n + 1)),
        "forecast_units": fc.mean.tolist(),
        "lower_80_units": fc.lo.tolist(),
        "upper_80_units": fc.hi.tolist(),
        "model": [fc.model] * n,
        "history_weeks": [history] * n,
        "as_of_date": [as_of] * n,
    }


def _frame(parts: list[dict]) -> pl.DataFrame:
    if not parts:
        return pl.DataFrame(schema=FORECAST_SCHEMA)
    merged = {k: [v for p in parts for v in p[k]] for k in FORECAST_SCHEMA}
    return pl.DataFrame(merged, schema=FORECAST_SCHEMA)


def forecast_network(
    daily: pl.DataFrame,
    distributors: pl.DataFrame,
    skus: pl.DataFrame,
    festivals: Iterable[Festival],
    schemes: pl.DataFrame,
    as_of: date,
    horizon: int = HORIZON,
) -> pl.DataFrame:
    """`daily`: distributor_code, sku_code, day, units (billed + free pieces handed to retailers); `distributors`:
    distributor_code, region; `skus`: sku_code, brand; `schemes` as dim_scheme. Rows of FORECAST_SCHEMA."""
    weekly = weekly_series(daily, as_of)
    if weekly.is_empty():
        return _frame([])
    weekly = (
        weekly.join(distributors.select("distributor_code", "region"), on="distributor_code")
        .join(skus.select("sku_code", "brand"), on="sku_code")
        .sort("distributor_code", "sku_code", "week_start")
    )
    history_weeks = sorted(weekly["week_start"].unique().to_list())
    future = future_weeks(as_of, horizon)
    multipliers = event_multipliers(weekly, festivals, schemes, history_weeks + future)
    adjusted = weekly.join(multipliers, on=["distributor_code", "sku_code", "week_start"]).with_columns(
        adjusted=pl.col("units") / pl.col("multiplier")
    )
    future_m = {
        key: frame.sort("week_start")["multiplier"].to_numpy()
        for key, frame in multipliers.filter(pl.col("week_start") >= future[0]).group_by(
            ["distributor_code", "sku_code"]
        )
    }
    parts, bottom = [], []
    for (distributor, sku, region, brand), series in adjusted.sort("week_start").group_by(
        ["distributor_code", "sku_code", "region", "brand"], maintain_order=True
    ):
        fc = forecast_series(series["adjusted"].to_numpy(), horizon)
        m = future_m[(distributor, sku)]
        fc = SeriesForecast(fc.model, fc.mean * m, fc.lo * m, fc.hi * m)
        keys = {"distributor_code": distributor, "sku_code": sku, "region": region, "brand": brand}
        parts.append(_rows("distributor_sku", keys, fc, future, series.height, as_of))
        bottom.append((region, brand, fc))
    parts += _aggregates(adjusted, bottom, future, as_of, horizon)
    frame = _frame(sorted(parts, key=lambda p: (p["forecast_level"][0], *(str(p[k][0]) for k in FORECAST_SCHEMA))))
    return frame.with_columns(pl.col("forecast_units", "lower_80_units", "upper_80_units").round(ROUND_UNITS))


def _aggregates(
    adjusted: pl.DataFrame, bottom: list[tuple[str, str, SeriesForecast]], future: list[date], as_of: date, horizon: int
) -> list[dict]:
    sums: dict[tuple[str, str], np.ndarray] = {}
    for region, brand, fc in bottom:
        sums[(region, brand)] = sums.get((region, brand), np.zeros(horizon)) + fc.mean
    parts = []
    totals = (
        adjusted.sort("distributor_code", "sku_code", "week_start")
        .group_by("region", "brand", "week_start")
        .agg(pl.col("adjusted").sum().round(ROUND_MULTIPLIER))
        .sort("region", "brand", "week_start")
    )
    for (region, brand), series in totals.group_by(["region", "brand"], maintain_order=True):
        own = forecast_series(series["adjusted"].to_numpy(), horizon, residual_interval=False)
        mean = sums[(region, brand)]
        base = np.where(own.mean > 0, own.mean, 1.0)
        lo = mean * np.clip(own.lo / base, 0.0, 1.0)
        hi = mean * np.maximum(own.hi / base, 1.0)
        fc = SeriesForecast(f"bottom_up+{own.model}_interval", mean, lo, hi)
        parts.append(_rows("brand_region", {"region": region, "brand": brand}, fc, future, series.height, as_of))
    return parts
