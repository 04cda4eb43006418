"""Stock-out prediction per outlet x SKU where the outlet's shelf stock is counted (the retailer_stock kind).

A rep counts the shelf on the beat's visit day before the day's delivery (a chain reports its store's stock on
hand); the next count comes a visit later. Between two counts the shelf sold

    sold = stock at the first count + what the outlet bought from that day to the day before the next count
           - stock at the next count

which is only a lower bound when the next count found the shelf empty (the shoppers may have wanted more). From
the last INTERVALS intervals up to a count:

    rate (units a day)  = sum(sold) / sum(days)
    weekly variance     = the sample variance of the intervals' sales per 7 days (intervals the shelf did not run
                          out in), never below a Poisson's (the mean) and MIN_DISPERSION times it with too few

At a count, the supply until the next visit (HORIZON_DAYS) is the stock counted plus what the outlet bought on the
count day and after it up to the day the prediction is made (never beyond the horizon). The shelf runs out when
the horizon's sales reach that supply:

    probability = P(horizon sales >= supply), normal approximation with the variance above

A shelf found empty is not itself a stock-out: the count is taken before the day's delivery, and an outlet that
buys just in time is often empty in the morning (as a floor, the share of counts found empty made the
probabilities between 0.2 and 0.7 come true 2-5% of the time in bench/outlet_stockouts.py, seed 42; left out).
    expected stock-out date = count date + ceil(supply / rate) when that falls in the horizon
    suggested order         = ceil(rate x ORDER_COVER_DAYS + SERVICE_Z x weekly sd) less the stock expected at
                              the next visit (supply - rate x horizon, not below 0), in units

Nothing here reads the generator's truth; bench/outlet_stockouts.py judges it against the shelves it simulated.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from statistics import NormalDist

import polars as pl

HORIZON_DAYS = 7  # a beat is visited weekly: the shelf must last until the next visit
INTERVALS = 6  # the count intervals the rate and its spread are read from
MIN_INTERVALS_FOR_SPREAD = 3
MIN_DISPERSION = 2.0  # variance / mean when too few intervals tell the spread
ORDER_COVER_DAYS = 7
SERVICE_Z = NormalDist().inv_cdf(0.95)
_NORMAL = NormalDist()

COUNTS_SCHEMA = {"outlet_code": pl.String, "sku_code": pl.String, "count_date": pl.Date, "stock_units": pl.Float64}
PURCHASES_SCHEMA = {"outlet_code": pl.String, "sku_code": pl.String, "day": pl.Date, "units": pl.Float64}
OUTLET_STOCKOUT_SCHEMA = {
    "outlet_code": pl.String,
    "sku_code": pl.String,
    "count_date": pl.Date,
    "stock_units": pl.Float64,
    "supply_units": pl.Float64,
    "daily_rate_units": pl.Float64,
    "intervals": pl.UInt32,
    "stockout_probability": pl.Float64,
    "expected_stockout_date": pl.Date,
    "suggested_order_units": pl.Int64,
}

_PAIR = ["outlet_code", "sku_code"]


def _bought_between(rows: pl.DataFrame, purchases: pl.DataFrame, start: str, end: str) -> pl.Series:
    """Units each row's outlet x SKU bought on the days from column `start` to column `end` (inclusive)."""
    indexed = rows.select(*_PAIR, start, end).with_row_index("_row")
    joined = indexed.join(purchases, on=_PAIR, how="inner").filter(
        pl.col("day") >= pl.col(start), pl.col("day") <= pl.col(end)
    )
    sums = joined.group_by("_row").agg(pl.col("units").sum().alias("_units"))
    return indexed.join(sums, on="_row", how="left").sort("_row")["_units"].fill_null(0.0)


def shelf_intervals(counts: pl.DataFrame, purchases: pl.DataFrame) -> pl.DataFrame:
    """One row per count with what its pair's last INTERVALS intervals (ending at this count) say: the daily rate,
    and the weekly variance, as defined in the module's docstring."""
    ordered = (
        counts.select(list(COUNTS_SCHEMA))
        .cast(COUNTS_SCHEMA)
        .unique(subset=[*_PAIR, "count_date"], keep="last")
        .sort(*_PAIR, "count_date")
        .with_columns(
            previous_date=pl.col("count_date").shift(1).over(_PAIR),
            previous_stock=pl.col("stock_units").shift(1).over(_PAIR),
            last_day=pl.col("count_date") - pl.duration(days=1),
        )
    )
    bought = _bought_between(
        ordered.with_columns(pl.col("previous_date").fill_null(pl.col("count_date"))),
        purchases.select(list(PURCHASES_SCHEMA)).cast(PURCHASES_SCHEMA),
        "previous_date",
        "last_day",
    )
    empty = pl.col("stock_units") <= 0
    has = pl.col("previous_date").is_not_null()
    days = (pl.col("count_date") - pl.col("previous_date")).dt.total_days().cast(pl.Float64)
    sold = (pl.col("previous_stock") + pl.col("bought") - pl.col("stock_units")).clip(lower_bound=0.0)
    weekly = sold * 7.0 / days
    clean = has & ~empty  # the interval's sales were not capped by an empty shelf

    def rolling(expr: pl.Expr) -> pl.Expr:
        return expr.rolling_sum(window_size=INTERVALS, min_samples=1).over(_PAIR)

    return (
        ordered.with_columns(bought=bought)
        .with_columns(
            _days=pl.when(has).then(days).otherwise(0.0),
            _sold=pl.when(has).then(sold).otherwise(0.0),
            _n=has.cast(pl.Float64),
            _x=pl.when(clean).then(weekly).otherwise(0.0),
            _xx=pl.when(clean).then(weekly * weekly).otherwise(0.0),
            _m=clean.cast(pl.Float64),
        )
        .with_columns(
            intervals=rolling(pl.col("_n")).cast(pl.UInt32),
            _sum_days=rolling(pl.col("_days")),
            _sum_sold=rolling(pl.col("_sold")),
            _sx=rolling(pl.col("_x")),
            _sxx=rolling(pl.col("_xx")),
            _sm=rolling(pl.col("_m")),
        )
        .with_columns(
            daily_rate_units=pl.when(pl.col("_sum_days") > 0).then(pl.col("_sum_sold") / pl.col("_sum_days")),
            weekly_variance=pl.when(pl.col("_sm") >= MIN_INTERVALS_FOR_SPREAD).then(
                (pl.col("_sxx") - pl.col("_sx") * pl.col("_sx") / pl.col("_sm")) / (pl.col("_sm") - 1.0)
            ),
        )
        .select(*_PAIR, "count_date", "stock_units", "intervals", "daily_rate_units", "weekly_variance")
    )


def _probability(supply: float, rate: float | None, days: int, weekly_variance: float | None) -> float | None:
    if rate is None:
        return None
    if supply <= 0:
        return 1.0
    mean = rate * days
    if mean <= 0:
        return 0.0
    variance = mean * MIN_DISPERSION if weekly_variance is None else max(weekly_variance * days / 7.0, mean)
    return 1.0 - _NORMAL.cdf((supply - 0.5 - mean) / variance**0.5)


def predict_outlet_stockouts(counts: pl.DataFrame, purchases: pl.DataFrame, as_of: date | None = None) -> pl.DataFrame:
    """Each outlet x SKU's stock-out risk (OUTLET_STOCKOUT_SCHEMA).

    as_of None: at every count, as that count's night knew it (purchases to the count day; the horizon starts
    that day): what bench/outlet_stockouts.py judges. A date: at each pair's latest count on or before it, with
    the purchases known to it; the horizon is then the days from the count to as_of + HORIZON_DAYS - 1 (a count
    some days old still says whether the shelf is out now or will be within the week)."""
    stats = shelf_intervals(counts, purchases)
    if as_of is None:
        rows = stats.with_columns(known_through=pl.col("count_date"))
    else:
        rows = (
            stats.filter(pl.col("count_date") <= as_of)
            .sort("count_date")
            .group_by(_PAIR, maintain_order=True)
            .last()
            .with_columns(known_through=pl.lit(as_of, dtype=pl.Date))
        )
    rows = rows.with_columns(
        horizon_days=(pl.col("known_through") - pl.col("count_date")).dt.total_days() + HORIZON_DAYS,
        horizon_end=pl.col("known_through") + pl.duration(days=HORIZON_DAYS - 1),
    )
    supply = rows["stock_units"] + _bought_between(
        rows, purchases.select(list(PURCHASES_SCHEMA)).cast(PURCHASES_SCHEMA), "count_date", "known_through"
    )
    rows = rows.with_columns(supply_units=supply)
    out: list[dict] = []
    for row in rows.iter_rows(named=True):
        rate, days = row["daily_rate_units"], row["horizon_days"]
        probability = _probability(row["supply_units"], rate, days, row["weekly_variance"])
        expected = None
        order = None
        if rate is not None and rate > 0:
            day = int(max(row["supply_units"], 0.0) // rate)
            if day < days:
                expected = row["count_date"] + timedelta(days=day)
            sd = (row["weekly_variance"] if row["weekly_variance"] is not None else rate * 7 * MIN_DISPERSION) ** 0.5
            target = rate * ORDER_COVER_DAYS + SERVICE_Z * sd
            left = max(row["supply_units"] - rate * days, 0.0)
            order = max(0, math.ceil(target - left))
        out.append(
            {
                "outlet_code": row["outlet_code"],
                "sku_code": row["sku_code"],
                "count_date": row["count_date"],
                "stock_units": row["stock_units"],
                "supply_units": row["supply_units"],
                "daily_rate_units": None if rate is None else round(rate, 4),
                "intervals": row["intervals"],
                "stockout_probability": None if probability is None else round(probability, 4),
                "expected_stockout_date": expected,
                "suggested_order_units": order,
            }
        )
    return pl.DataFrame(out, schema=OUTLET_STOCKOUT_SCHEMA)
