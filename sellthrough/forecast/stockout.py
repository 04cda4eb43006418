"""Stock-out prediction per distributor x SKU: will the stock on hand plus the goods in transit last?

The probability of running out by a horizon is simulated: PATHS paths of daily demand, each future day a day of
the pair's own last HISTORY_WEEKS weeks on the same weekday (retailers order on their beat's day; a niche SKU's
lumps and idle days come as they came), scaled by the forecast's level for that week over the history's level
(festivals and schemes come in through the forecast). A path runs out on the first day its cumulative demand
reaches the stock on hand plus what arrives by then (primary invoices billed and not yet delivered), unless the
distributor's next weekly order has landed by then: the ordering weekday and the delivery lags are read from its
primary invoices of the last RHYTHM_DAYS, and a pair is taken to be restocked by it only if it was billed on the
distributor's latest ordering day (a pair the brand stopped billing is not, nor any pair of a distributor whose
order was not billed on its day: a credit hold). Where an order book is given (retailer orders booked days
before they are billed: modern-trade purchase orders, pre-sold beats), a day k days ahead is the orders already
booked for it plus a day of the history less what had been booked at least k days before that day (the part an
order book could not have shown yet). Without enough history the normal approximation of the weekly forecast's
spread is used (it ignores the order book). On the forecast benchmark (bench/README.md) these probabilities are
calibrated (seed 42: a predicted 0.14 ran out 13% of the time, 0.57 60%), where the normal approximation overstated
0.2-0.7.

Demand per day for the expected date and the order is the week's forecast spread over the weekdays the way the
distributor's own recent sales fall, its variance the week's (from the 80% interval) spread the same way. The
expected stock-out date is the first day the expected cumulative demand reaches the stock. The suggested order
tops the stock up to the expected demand over the lead time plus one review week plus SUPPLY_BUFFER_DAYS (the
brand's supply fails now and then) plus safety stock (SERVICE_LEVEL), in whole cases.
"""

from __future__ import annotations

import math
import zlib
from datetime import date, timedelta
from statistics import NormalDist

import numpy as np
import polars as pl

from sellthrough.forecast.models import Z80

REVIEW_DAYS = 7  # distributors order once a week
# the chance a protection period's demand stays within the order-up-to level. 98%: in the closed loop
# (bench/forecast.py, seed 42) 95% ran out on 23% fewer days than the distributors' own rule but lost 14% more
# units; 98% ran out on 48% fewer days and lost 22% fewer units, still holding 32% less stock than the rule
SERVICE_LEVEL = 0.98
SERVICE_Z = NormalDist().inv_cdf(SERVICE_LEVEL)
# days of demand the suggested order holds beyond the lead time and the review week: the brand's supply fails now
# and then (a depot short of the SKU, a credit hold: a weekly order billed short or not at all). In the closed loop
# with supply disruptions (bench/forecast.py, seed 42): 0 days ran out on 13% fewer days than the distributors'
# own rule (target 22%), 3 days 40% fewer at 27% less stock, 5 days 56% fewer at 23% less stock
SUPPLY_BUFFER_DAYS = 5
DEFAULT_LEAD_DAYS = 4
PROFILE_WEEKS = 8
ALERT_PROBABILITY = 0.5
PATHS = 2000  # demand paths simulated per distributor x SKU
# the weeks the demand paths are drawn from (bench/forecast.py, seed 42, before the latest-order rule: PR-AUC
# 0.354 / 0.356 / 0.364 / 0.371 with 8 / 12 / 16 / 26 weeks: lumps of a niche SKU need a long memory)
HISTORY_WEEKS = 26
RHYTHM_DAYS = 91  # the primary invoices the ordering weekday and delivery lags are read from
MIN_ORDERS = 4
BOOKED_LEAD_DAYS = 7  # the order book's days ahead that matter for a 7-day horizon
_NORMAL = NormalDist()

STOCKOUT_SCHEMA = {
    "distributor_code": pl.String,
    "sku_code": pl.String,
    "as_of_date": pl.Date,
    "closing_units": pl.Float64,
    "in_transit_units": pl.Float64,
    "lead_time_days": pl.Int32,
    "forecast_units_7d": pl.Float64,
    "days_of_cover": pl.Float64,
    "stockout_probability_7d": pl.Float64,
    "stockout_probability_lead_time": pl.Float64,
    "expected_stockout_date": pl.Date,
    "suggested_order_units": pl.Int64,
}


def weekday_profile(daily: pl.DataFrame, as_of: date) -> dict[str, np.ndarray]:
    """distributor_code -> share of a week's sales on each weekday (Monday first), from its last weeks."""
    recent = daily.filter(pl.col("day") > as_of - timedelta(days=7 * PROFILE_WEEKS), pl.col("day") <= as_of)
    shares = recent.group_by("distributor_code", weekday=pl.col("day").dt.weekday()).agg(pl.col("units").sum())
    out = {}
    for (code,), part in shares.group_by(["distributor_code"]):
        profile = np.full(7, 1e-9)
        for weekday, units in part.select("weekday", "units").iter_rows():
            profile[weekday - 1] += max(float(units), 0.0)
        out[code] = profile / profile.sum() if profile.sum() > 1e-6 else np.full(7, 1 / 7)
    return out


def lead_times(primary: pl.DataFrame) -> dict[str, int]:
    """distributor_code -> median days from a primary invoice to its delivery."""
    invoices = primary.filter(pl.col("delivery_date").is_not_null())
    if invoices.is_empty():
        return {}
    lags = invoices.group_by("distributor_code").agg(
        lag=(pl.col("delivery_date") - pl.col("doc_date")).dt.total_days().median()
    )
    return {code: max(1, round(lag)) for code, lag in lags.iter_rows()}


def daily_path(forecast: pl.DataFrame, profile: np.ndarray, as_of: date, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the demand on each of the `days` days after `as_of`, from the weekly forecast
    (week_start, forecast_units, lower_80_units, upper_80_units) of one series."""
    weeks = {
        row[0]: row[1:]
        for row in forecast.select("week_start", "forecast_units", "lower_80_units", "upper_80_units").iter_rows()
    }
    mean, var = np.zeros(days), np.zeros(days)
    for i in range(days):
        day = as_of + timedelta(days=i + 1)
        week = weeks.get(day - timedelta(days=day.weekday()))
        if week is None:
            continue
        units, lo, hi = week
        sigma = max(hi - lo, 0.0) / (2 * Z80)
        share = profile[day.weekday()]
        mean[i], var[i] = units * share, sigma * sigma * share
    return mean, var


def replenishment(primary: pl.DataFrame, as_of: date) -> dict[str, tuple[int, np.ndarray]]:
    """distributor_code -> (the weekday it orders on, Monday 0; the days its invoices took to arrive), from its
    primary invoices of the last RHYTHM_DAYS: distributors order once a week on their own day."""
    recent = primary.filter(
        pl.col("delivery_date").is_not_null(),
        pl.col("doc_date") <= as_of,
        pl.col("doc_date") > as_of - timedelta(days=RHYTHM_DAYS),
    )
    out = {}
    for (code,), part in recent.group_by(["distributor_code"]):
        orders = part.select("doc_date", "delivery_date").unique().sort("doc_date", "delivery_date")  # a fixed order
        weekdays = orders["doc_date"].dt.weekday().value_counts().sort(["count", "doc_date"], descending=[True, False])
        lags = (orders["delivery_date"] - orders["doc_date"]).dt.total_days().to_numpy()
        if orders.height >= MIN_ORDERS:
            out[code] = (int(weekdays["doc_date"][0]) - 1, np.maximum(lags.astype(int), 1))
    return out


def replenished_pairs(
    primary: pl.DataFrame, rhythm: dict[str, tuple[int, np.ndarray]], as_of: date
) -> set[tuple[str, str]] | None:
    """The distributor x SKU pairs its next weekly order is expected to restock: the ones billed on the
    distributor's latest ordering day (its weekday, up to `as_of`). A pair the brand stopped billing (a depot out
    of the SKU, a rationed pair), or the distributor stopped ordering, is not; nor is any pair of a distributor
    whose order was not billed on its day while others were billed that day or later (a credit hold). Where the
    invoices loaded end before that day (a monthly feed), its latest order on its weekday stands for it. None:
    invoices without SKUs."""
    if "sku_code" not in primary.columns:
        return None
    known = primary.filter(pl.col("doc_date") <= as_of, pl.col("doc_date") > as_of - timedelta(days=RHYTHM_DAYS))
    if known.is_empty():
        return set()
    loaded_to = known["doc_date"].max()
    due = pl.DataFrame(
        {
            "distributor_code": list(rhythm),
            "due_date": [loaded_to - timedelta(days=(loaded_to.weekday() - w) % 7) for w, _ in rhythm.values()],
        },
        schema={"distributor_code": pl.String, "due_date": pl.Date},
    )
    latest = known.join(due, on="distributor_code").filter(pl.col("doc_date") == pl.col("due_date"))
    return set(latest.select("distributor_code", "sku_code").unique().iter_rows())


def demand_histories(daily: pl.DataFrame, as_of: date) -> dict[tuple[str, str], np.ndarray]:
    """(distributor_code, sku_code) -> weeks x 7 (Monday first) of its sales in the last HISTORY_WEEKS weeks up to
    `as_of`, the latest week first, as many weeks as the pair has rows."""
    past = (
        daily.filter(pl.col("day") > as_of - timedelta(days=7 * HISTORY_WEEKS), pl.col("day") <= as_of)
        .with_columns(
            week=((pl.lit(as_of) - pl.col("day")).dt.total_days() // 7).cast(pl.Int64),
            weekday=(pl.col("day").dt.weekday() - 1).cast(pl.Int64),
            units=pl.col("units").clip(lower_bound=0.0),
        )
        .group_by("distributor_code", "sku_code", "week", "weekday")
        .agg(pl.col("units").sum())
    )
    out = {}
    for (distributor, sku), part in past.group_by(["distributor_code", "sku_code"]):
        weeks = part["week"].to_numpy()
        grid = np.zeros((int(weeks.max()) + 1, 7))
        grid[weeks, part["weekday"].to_numpy()] = part["units"].to_numpy()
        out[(distributor, sku)] = grid
    return out


def demand_draws(
    history: np.ndarray,
    scale: np.ndarray,
    first_weekday: int,
    rng: np.random.Generator,
    unbooked: np.ndarray | None = None,
) -> np.ndarray:
    """PATHS x days of daily demand: each future day a day of the pair's own history on the same weekday (its
    lumps and idle days as they came), times the forecast's level for that day over the history's level.
    `history`: weeks x 7 (Monday first); `unbooked` (optional): days x weeks x 7, for each day ahead the history
    less what had been booked at least that many days before (what an order book cannot show yet)."""
    days = scale.size
    picks = rng.integers(0, history.shape[0], size=(PATHS, days))
    weekdays = (first_weekday + np.arange(days)) % 7
    if unbooked is not None:
        return unbooked[np.arange(days)[None, :], picks, weekdays[None, :]] * scale[None, :]
    return history[picks, weekdays[None, :]] * scale[None, :]


def simulated_probability(
    draws: np.ndarray, available: np.ndarray, arrival_day: np.ndarray | None, horizons: tuple[int, ...]
) -> list[float]:
    """The share of demand paths that empty the shelf (cumulative demand reaches the stock on hand plus arrivals)
    within each horizon, before the distributor's next order arrives (`arrival_day`: per path, the day index its
    next weekly order lands; from then on the pair is restocked)."""
    cum = np.cumsum(draws, axis=1)
    out_on = cum >= available[None, : cum.shape[1]]
    if arrival_day is not None:
        out_on &= np.arange(cum.shape[1])[None, :] < arrival_day[:, None]
    return [float(out_on[:, :h].any(axis=1).mean()) if h > 0 else 0.0 for h in horizons]


def _probabilities(
    history: np.ndarray | None,
    week_units: np.ndarray,
    cum_mean: np.ndarray,
    cum_var: np.ndarray,
    available: np.ndarray,
    rhythm: tuple[int, np.ndarray] | None,
    first_weekday: int,
    horizons: tuple[int, ...],
    seed: int,
    known: np.ndarray | None = None,
    booked_before: np.ndarray | None = None,
) -> list[float]:
    days = min(max(horizons), week_units.size)
    level = history.sum() / history.shape[0] if history is not None else 0.0
    if cum_mean[days - 1] <= 0:
        return [0.0 for _ in horizons]  # no demand expected (a delisted or dormant SKU): an empty shelf loses nothing
    if history is None or level <= 0:
        return [_probability_by(cum_mean, cum_var, available, h) for h in horizons]
    scale = week_units[:days] / level
    unbooked = None
    if booked_before is not None:  # each day ahead drawn from what was not yet booked that many days before
        steps = np.minimum(np.arange(1, days + 1), booked_before.shape[0] - 1)
        unbooked = np.maximum(history[None] - booked_before[steps, : history.shape[0]], 0.0)
    if not can_run_out(history, scale, first_weekday, available, unbooked, known):
        return [0.0 for _ in horizons]  # what the simulation gives, without simulating (most pairs, most nights)
    rng = np.random.default_rng(seed)
    draws = demand_draws(history, scale, first_weekday, rng, unbooked)
    if known is not None:  # orders booked for those days come on top of what was not booked that far ahead
        draws = draws + known[None, :days]
    arrival = None
    if rhythm is not None:
        weekday, lags = rhythm
        order_day = (weekday - first_weekday) % 7
        arrival = order_day + rng.choice(lags, size=PATHS)
    return simulated_probability(draws, available, arrival, horizons)


def can_run_out(
    history: np.ndarray,
    scale: np.ndarray,
    first_weekday: int,
    available: np.ndarray,
    unbooked: np.ndarray | None = None,
    known: np.ndarray | None = None,
) -> bool:
    """Whether any demand path of `demand_draws` (plus the `known` booked orders) can reach the stock on hand plus
    arrivals within its days: each day's largest possible draw (the largest day of the pair's history, or of what
    was unbooked, on that weekday, scaled), summed day by day, bounds every path's cumulative demand (IEEE sums and
    products are monotone, so the bound holds in floating point too). A pair well stocked for the horizon is 0
    without its PATHS draws."""
    days = scale.size
    weekdays = (first_weekday + np.arange(days)) % 7
    if unbooked is not None:
        column = unbooked[np.arange(days), :, weekdays]  # days x weeks
        high, low = column.max(axis=1), column.min(axis=1)
    else:
        high, low = history.max(axis=0)[weekdays], history.min(axis=0)[weekdays]
    largest = np.maximum(high * scale, low * scale)
    if known is not None:
        largest = largest + known[:days]
    return bool((np.cumsum(largest) >= available[:days]).any())


def _probability_by(cum_mean: np.ndarray, cum_var: np.ndarray, available: np.ndarray, horizon: int) -> float:
    if horizon <= 0 or cum_mean[min(horizon, cum_mean.size) - 1] <= 0:
        return 0.0  # no demand expected (a delisted or dormant SKU): an empty shelf loses nothing
    best = 0.0
    for i in range(min(horizon, cum_mean.size)):
        if available[i] <= 0:
            return 1.0
        sd = math.sqrt(cum_var[i])
        if sd <= 0:
            p = 1.0 if cum_mean[i] >= available[i] else 0.0
        else:
            p = 1 - _NORMAL.cdf((available[i] - cum_mean[i]) / sd)
        best = max(best, p)
    return best


def open_orders(booked: pl.DataFrame | None, as_of: date, days: int) -> dict[tuple[str, str], np.ndarray]:
    """(distributor_code, sku_code) -> units booked by `as_of` for each of the `days` days after it."""
    out: dict[tuple[str, str], np.ndarray] = {}
    if booked is None:
        return out
    known = booked.filter(pl.col("booked_on") <= as_of, pl.col("due_date") > as_of)
    for d, s, due, units in known.select("distributor_code", "sku_code", "due_date", "units").iter_rows():
        offset = (due - as_of).days - 1
        if 0 <= offset < days:
            out.setdefault((d, s), np.zeros(days))[offset] += units
    return out


def booked_histories(booked: pl.DataFrame | None, as_of: date) -> dict[tuple[str, str], np.ndarray]:
    """(distributor_code, sku_code) -> BOOKED_LEAD_DAYS + 1 x HISTORY_WEEKS x 7: [k, week, weekday] the units due
    that day of the last HISTORY_WEEKS weeks (latest week first, as in demand_histories) that were booked at least
    k days before it (k = 0: all of them; the last step also holds longer leads)."""
    out: dict[tuple[str, str], np.ndarray] = {}
    if booked is None:
        return out
    past = booked.filter(
        pl.col("booked_on") <= as_of,
        pl.col("due_date") <= as_of,
        pl.col("due_date") > as_of - timedelta(days=7 * HISTORY_WEEKS),
    ).select(
        "distributor_code",
        "sku_code",
        "units",
        week=((pl.lit(as_of) - pl.col("due_date")).dt.total_days() // 7).cast(pl.Int64),
        weekday=(pl.col("due_date").dt.weekday() - 1).cast(pl.Int64),
        ahead=(pl.col("due_date") - pl.col("booked_on")).dt.total_days().clip(0, BOOKED_LEAD_DAYS).cast(pl.Int64),
    )
    for (d, s), part in past.group_by(["distributor_code", "sku_code"]):
        exact = np.zeros((BOOKED_LEAD_DAYS + 1, HISTORY_WEEKS, 7))  # [days booked ahead, week, weekday]
        np.add.at(
            exact,
            (part["ahead"].to_numpy(), part["week"].to_numpy(), part["weekday"].to_numpy()),
            part["units"].to_numpy(),
        )
        out[(d, s)] = np.cumsum(exact[::-1], axis=0)[::-1]  # booked at least k days ahead
    return out


def predict_stockouts(
    forecast: pl.DataFrame,
    stock: pl.DataFrame,
    arrivals: pl.DataFrame,
    daily: pl.DataFrame,
    primary: pl.DataFrame,
    skus: pl.DataFrame,
    as_of: date,
    booked: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """`forecast`: the distributor_sku rows of the forecast; `stock`: distributor_code, sku_code, closing_units at
    `as_of`; `arrivals`: distributor_code, sku_code, delivery_date, units (billed, delivered after as_of);
    `daily`: distributor_code, sku_code, day, units (sales); `primary`: distributor_code, doc_date, delivery_date
    (invoices, for lead times); `skus`: sku_code, units_per_case; `booked` (optional, an order book):
    distributor_code, sku_code, booked_on, due_date, units: retailer order lines booked before the day they are
    billed. One row per distributor x SKU forecast."""
    if forecast.is_empty():
        return pl.DataFrame(schema=STOCKOUT_SCHEMA)
    profiles = weekday_profile(daily, as_of)
    leads = lead_times(primary)
    horizon_days = 7 * int(forecast["horizon_weeks"].max())
    on_hand = {
        (d, s): float(u) for d, s, u in stock.select("distributor_code", "sku_code", "closing_units").iter_rows()
    }
    case = {s: max(1, int(u or 1)) for s, u in skus.select("sku_code", "units_per_case").iter_rows()}
    coming: dict[tuple[str, str], np.ndarray] = {}
    for d, s, delivered, units in arrivals.select("distributor_code", "sku_code", "delivery_date", "units").iter_rows():
        offset = (delivered - as_of).days - 1
        if 0 <= offset < horizon_days:
            coming.setdefault((d, s), np.zeros(horizon_days))[offset] += units
    due = open_orders(booked, as_of, horizon_days)
    booked_past = booked_histories(booked, as_of)
    rhythm = replenishment(primary, as_of)
    ordered = replenished_pairs(primary, rhythm, as_of)
    histories = demand_histories(daily, as_of)
    first_weekday = (as_of + timedelta(days=1)).weekday()
    rows = []
    for (distributor, sku), series in forecast.group_by(["distributor_code", "sku_code"], maintain_order=True):
        profile = profiles.get(distributor, np.full(7, 1 / 7))
        mean, var = daily_path(series, profile, as_of, horizon_days)
        cum_mean, cum_var = np.cumsum(mean), np.cumsum(var)
        arriving = coming.get((distributor, sku), np.zeros(horizon_days))
        closing = max(on_hand.get((distributor, sku), 0.0), 0.0)
        available = closing + np.cumsum(arriving)
        lead = leads.get(distributor, DEFAULT_LEAD_DAYS)
        short = np.nonzero((cum_mean >= available) & (cum_mean > 0))[0]
        expected = as_of + timedelta(days=int(short[0]) + 1) if short.size else None
        rate = cum_mean[-1] / horizon_days if horizon_days else 0.0
        protect = min(lead + REVIEW_DAYS + SUPPLY_BUFFER_DAYS, horizon_days)
        target = cum_mean[protect - 1] + SERVICE_Z * math.sqrt(cum_var[protect - 1])
        need = target - closing - float(arriving.sum())
        order = math.ceil(need / case.get(sku, 1)) * case.get(sku, 1) if need > 0 else 0
        rows.append(
            (
                distributor,
                sku,
                as_of,
                closing,
                float(arriving.sum()),
                lead,
                float(cum_mean[6]),
                closing / rate if rate > 0 else None,
                *_probabilities(
                    histories.get((distributor, sku)),
                    daily_path(series, np.ones(7), as_of, horizon_days)[0],  # each day: its week's units
                    cum_mean,
                    cum_var,
                    available,
                    None if ordered is not None and (distributor, sku) not in ordered else rhythm.get(distributor),
                    first_weekday,
                    (7, lead),
                    zlib.crc32(f"{distributor}|{sku}|{as_of}".encode()),
                    due.get((distributor, sku)),
                    booked_past.get((distributor, sku)),
                ),
                expected,
                order,
            )
        )
    return pl.DataFrame(rows, schema=STOCKOUT_SCHEMA, orient="row")
