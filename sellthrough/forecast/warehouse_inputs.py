"""What the forecast reads from the warehouse, as Polars frames: one place for the dbt Python models and the
benchmarks. `tables` maps a model name to a DuckDB relation (in a dbt Python model, its literal `dbt.ref("...")`
calls: dbt reads the dependencies from them)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np
import polars as pl

from sellthrough.config import env_switch
from sellthrough.forecast.events import Festival
from sellthrough.forecast.stockout import replenishment, weekday_profile

ENABLED_ENV = "SELLTHROUGH_FORECAST"  # "off": the forecast models build empty (the test suite's other networks)


# billed + free pieces handed to retailers on sale lines, per distributor x SKU x day (int_secondary_sales__daily)
DAILY_UNITS = "distributor_code, sku_code, invoice_date as day, sold_units::double as units"


def forecast_enabled() -> bool:
    return env_switch(ENABLED_ENV)


@dataclass(frozen=True)
class ForecastInputs:
    as_of: date
    daily: pl.DataFrame  # distributor_code, sku_code, day, units
    distributors: pl.DataFrame
    skus: pl.DataFrame
    festivals: list[Festival]
    schemes: pl.DataFrame


def read_inputs(tables: Mapping[str, object]) -> ForecastInputs:
    def relation(name: str) -> object:
        return tables[name]

    # summed by the warehouse (int_secondary_sales__daily, incremental): a year is a few hundred thousand rows,
    # however many lines; the days a distributor x SKU only took returns back are not sales days
    daily = (
        relation("int_secondary_sales__daily")
        .filter("sold_units is not null and sku_code is not null")
        .select(DAILY_UNITS)
        .pl()
    )
    festivals = relation("festivals").pl()
    return ForecastInputs(
        as_of=relation("int_calendar__as_of").pl()["as_of_date"][0],
        daily=daily,
        distributors=relation("dim_distributor").pl().select("distributor_code", "region"),
        skus=relation("dim_sku").pl().select("sku_code", "brand", "units_per_case"),
        festivals=[Festival(n, d) for n, d in festivals.select("festival_name", "festival_date").iter_rows()],
        schemes=relation("dim_scheme").pl(),
    )


@dataclass(frozen=True)
class StockoutInputs:
    """predict_stockouts' arguments as the warehouse holds them on the night of `as_of`."""

    forecast: pl.DataFrame  # the distributor_sku rows of int_sales_forecast__weekly
    stock: pl.DataFrame
    arrivals: pl.DataFrame
    daily: pl.DataFrame
    primary: pl.DataFrame
    skus: pl.DataFrame
    as_of: date
    booked: pl.DataFrame  # the order book: past lines (for the history) and the open ones


# the estimated orders after the primary file's last day (with_unbilled_orders)
RATE_DAYS = 28  # the sales a distributor's order covers are reckoned from (a daily rate)
MIN_RATE_DAYS = 7  # fewer days of ledger than this: no rate
ORDER_COVER_DAYS = timedelta(days=63)  # the known orders its usual cover is read from
SUPPLIED_DAYS = timedelta(days=14)  # a SKU the brand billed no one for this long is not taken to be billed
SALES_KINDS = ("distributor_sales", "tally_daybook")  # the kinds a distributor's sales come in
BOOK_COLUMNS = ("distributor_code", "sku_code", "booked_on", "due_date", "units")
# the relations read_stockout_inputs reads (int_stockout__predictions names each in a literal dbt.ref)
STOCKOUT_TABLES = (
    "int_sales_forecast__weekly",
    "fct_distributor_stock_daily",
    "fct_primary_sales",
    "dim_sku",
    "int_secondary_orders__book",
    "int_secondary_orders__open",
    "int_ingest__coverage",
)


def published_stockout_inputs(con: duckdb.DuckDBPyConnection, history_days: int) -> StockoutInputs | None:
    """read_stockout_inputs on a built warehouse (a published copy: the tests, bench/stockout_nightly.py)."""
    schemas = dict(con.sql("select table_name, table_schema from information_schema.tables").fetchall())
    tables = {name: con.table(f"{schemas[name]}.{name}") for name in STOCKOUT_TABLES}
    return read_stockout_inputs(tables, history_days)


def read_stockout_inputs(tables: Mapping[str, object], history_days: int) -> StockoutInputs | None:
    """What int_stockout__predictions reads (None when there is no distributor forecast): the ledger's last
    `history_days` days, primary invoices of the last 91 days, and the order book: the lines of
    int_secondary_orders__book due in the history's days (what had been booked how far ahead) plus the open ones
    (int_secondary_orders__open: booked by the as-of date, due after it, not invoiced). Dates are bound as
    DuckDB expressions (no SQL text)."""

    def relation(name: str) -> duckdb.DuckDBPyRelation:
        return tables[name]  # type: ignore[return-value]

    forecast = relation("int_sales_forecast__weekly").pl().filter(pl.col("forecast_level") == "distributor_sku")
    if forecast.is_empty():
        return None
    as_of: date = forecast["as_of_date"][0]
    start = as_of - timedelta(days=history_days)
    # filtered in DuckDB (bound values, no SQL text): only the days read reach Python, however long the history
    ledger = relation("fct_distributor_stock_daily").filter(_col("stock_date") > _val(start)).pl()
    coverage = relation("int_ingest__coverage").pl()
    covered = (
        coverage.filter(pl.col("source_kind").is_in(SALES_KINDS))
        .group_by("distributor_code")
        .agg(pl.col("covered_through").max())
    )
    daily, stock = with_unreceived_days(ledger, covered, forecast, as_of)
    primary = (
        relation("fct_primary_sales")
        .filter((_col("doc_type") == _val("invoice")) & (_col("doc_date") > _val(as_of - timedelta(days=91))))
        .select("distributor_code", "sku_code", "doc_date", "delivery_date", "quantity_units")
        .pl()
    )
    arrivals = primary.filter(pl.col("doc_date") <= as_of, pl.col("delivery_date") > as_of).select(
        "distributor_code", "sku_code", "delivery_date", units=pl.col("quantity_units").cast(pl.Float64)
    )
    skus = relation("dim_sku").select("sku_code", "units_per_case").pl()
    billed_through = coverage.filter(pl.col("source_kind") == "primary_sales")["covered_through"].max()
    stock, arrivals = with_unbilled_orders(ledger, stock, arrivals, daily, primary, skus, billed_through, as_of)  # type: ignore[arg-type]
    past = (
        relation("int_secondary_orders__book")
        .filter((_col("due_date") <= _val(as_of)) & (_col("due_date") > _val(start)))
        .select(*BOOK_COLUMNS)
        .pl()
    )
    open_lines = relation("int_secondary_orders__open").select(*BOOK_COLUMNS).pl()
    booked = pl.concat([past, open_lines]).with_columns(pl.col("units").cast(pl.Float64))
    return StockoutInputs(
        forecast=forecast,
        stock=stock,
        arrivals=arrivals,
        daily=daily,
        primary=primary,
        skus=skus,
        as_of=as_of,
        booked=booked,
    )


def with_unreceived_days(
    ledger: pl.DataFrame, covered: pl.DataFrame, forecast: pl.DataFrame, as_of: date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The sales history (distributor_code, sku_code, day, units) and the stock at `as_of` (closing_units) from the
    ledger's days, with each distributor's days after the last one its sales files cover (`covered`:
    int_ingest__coverage) projected instead of read as zero sales: a weekly sender's current week is a
    file not received yet, and its stock on the as-of date is the ledger's (every receipt and return known) less
    the sales the forecast expects on those days (its week's units over the weekdays as the distributor's own
    recent sales fall; a day before the forecast's first week takes that week's level)."""
    keys = ["distributor_code", "sku_code"]
    days = ledger.select(*keys, day=pl.col("stock_date"), units=pl.col("sales_units").cast(pl.Float64))
    closing = ledger.filter(pl.col("stock_date") == as_of).select(*keys, "closing_units")
    covered = covered.select("distributor_code", "covered_through").filter(pl.col("covered_through") < as_of)
    known = days.join(covered, on="distributor_code", how="left")
    known = known.filter(pl.col("covered_through").is_null() | (pl.col("day") <= pl.col("covered_through")))
    if covered.is_empty() or forecast.is_empty():
        return days, closing.with_columns(pl.col("closing_units").cast(pl.Float64))
    shares = pl.concat(
        [
            pl.DataFrame(
                {"distributor_code": code, "weekday": range(1, 8), "share": weekday_profile(part, through)[code]},
                schema={"distributor_code": pl.String, "weekday": pl.Int8, "share": pl.Float64},
            )
            for code, through in covered.iter_rows()
            if not (part := known.filter(pl.col("distributor_code") == code)).is_empty()
        ]
        or [pl.DataFrame(schema={"distributor_code": pl.String, "weekday": pl.Int8, "share": pl.Float64})]
    )
    weeks = forecast.select(*keys, "week_start", week_units=pl.col("forecast_units").cast(pl.Float64))
    first = weeks.sort("week_start").group_by(keys).agg(first_units=pl.col("week_units").first())
    projected = (
        covered.with_columns(day=pl.date_ranges(pl.col("covered_through") + timedelta(days=1), pl.lit(as_of)))
        .explode("day")
        .join(first.select(keys), on="distributor_code")
        .with_columns(week_start=pl.col("day").dt.truncate("1w"), weekday=pl.col("day").dt.weekday())
        .join(weeks, on=[*keys, "week_start"], how="left")
        .join(first, on=keys)
        .join(shares, on=["distributor_code", "weekday"], how="left")
        .select(
            *keys,
            "day",
            units=pl.coalesce("week_units", "first_units") * pl.col("share").fill_null(1 / 7),
        )
    )
    # the ledger's sales on those days (none, as no file covers them) give way to the projection
    unknown = days.join(covered, on="distributor_code").filter(pl.col("day") > pl.col("covered_through"))
    adjust = (
        unknown.group_by(keys)
        .agg(recorded=pl.col("units").sum())
        .join(projected.group_by(keys).agg(expected=pl.col("units").sum()), on=keys, how="full", coalesce=True)
    )
    stock = closing.join(adjust, on=keys, how="left").select(
        *keys,
        closing_units=pl.col("closing_units").cast(pl.Float64)
        + pl.col("recorded").fill_null(0.0)
        - pl.col("expected").fill_null(0.0),
    )
    daily = pl.concat([known.select(days.columns), projected.select(days.columns)])
    return daily, stock


def with_unbilled_orders(
    ledger: pl.DataFrame,
    stock: pl.DataFrame,
    arrivals: pl.DataFrame,
    daily: pl.DataFrame,
    primary: pl.DataFrame,
    skus: pl.DataFrame,
    billed_through: date | None,
    as_of: date,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The stock at `as_of` and the goods in transit with the weekly orders the brand's primary file does not show
    yet (it is monthly: `billed_through` is the last day it covers) estimated as a planner would: each distributor
    orders on its weekday and its invoices take their median lag (the rhythm predict_stockouts reads), topping
    each SKU up to its usual cover: the median, over its known orders of the last ORDER_COVER_DAYS, of stock on
    hand (`ledger`'s closing) + in transit + the order, in days of its last RATE_DAYS' sales (`daily`, projected
    days included). On each ordering day after `billed_through` the order is that cover's stock less the stock
    estimated then (the ledger's, with the projected sales and the orders estimated before it) and what is in
    transit, in whole cases, for the SKUs the brand billed anyone in its last SUPPLIED_DAYS. Delivered by `as_of`:
    on hand; later: in transit. Self-correcting like the distributor's own rule: an estimate too low one week is
    made up the next."""
    if billed_through is None or billed_through >= as_of or primary.is_empty():
        return stock, arrivals
    rhythm = {code: (weekday, int(np.median(lags))) for code, (weekday, lags) in replenishment(primary, as_of).items()}
    if not rhythm:
        return stock, arrivals
    keys = ["distributor_code", "sku_code"]
    # the ledger's closing with the projected days' sales in place of its own (none: no file covers them)
    expected = daily.select(*keys, stock_date="day", expected="units")
    position = (
        ledger.select(*keys, "stock_date", "closing_units", "sales_units")
        .join(expected, on=[*keys, "stock_date"], how="left")
        .sort("stock_date")
        .with_columns(
            closing=pl.col("closing_units")
            + (pl.col("sales_units") - pl.col("expected").fill_null(pl.col("sales_units"))).cum_sum().over(keys)
        )
    )
    closing = {(d, s, day): float(c) for d, s, day, c in position.select(*keys, "stock_date", "closing").iter_rows()}
    sold: dict[tuple[str, str], dict[date, float]] = {}
    for d, s, day, units in daily.select(*keys, "day", "units").iter_rows():
        sold.setdefault((d, s), {})[day] = float(units)
    invoices: dict[tuple[str, str], list[tuple[date, date, float]]] = {}
    known = primary.filter(pl.col("doc_date") <= billed_through, pl.col("delivery_date").is_not_null())
    for d, s, billed, delivered, units in known.select(
        *keys, "doc_date", "delivery_date", "quantity_units"
    ).iter_rows():
        invoices.setdefault((d, s), []).append((billed, delivered, float(units)))

    def rate(pair: tuple[str, str], day: date) -> float:
        history = sold.get(pair, {})
        known = [history[past] for k in range(1, RATE_DAYS + 1) if (past := day - timedelta(days=k)) in history]
        return sum(known) / len(known) if len(known) >= MIN_RATE_DAYS else 0.0  # a young ledger: its days

    def on_the_way(pair: tuple[str, str], day: date) -> float:  # billed before `day`, delivered after it
        return sum(units for billed, delivered, units in invoices.get(pair, []) if billed < day < delivered)

    covers: dict[str, list[float]] = {}
    for (d, s), lines in invoices.items():
        for billed, _, units in lines:
            if d not in rhythm or billed.weekday() != rhythm[d][0] or billed <= billed_through - ORDER_COVER_DAYS:
                continue
            per_day, on_hand = rate((d, s), billed), closing.get((d, s, billed))
            if per_day > 0 and on_hand is not None:
                covers.setdefault(d, []).append((on_hand + on_the_way((d, s), billed) + units) / per_day)
    cover = {d: float(np.median(values)) for d, values in covers.items()}
    supplied = set(primary.filter(pl.col("doc_date") > billed_through - SUPPLIED_DAYS)["sku_code"].to_list())
    case = {s: max(1, int(u or 1)) for s, u in skus.select("sku_code", "units_per_case").iter_rows()}
    landed: list[tuple[str, str, float]] = []
    pending: list[tuple[str, str, date, float]] = []
    for d, s in stock.select(keys).iter_rows():
        if d not in cover or s not in supplied:
            continue
        weekday, lag = rhythm[d]
        estimated: list[tuple[date, float]] = []  # (delivery date, units)
        first = billed_through + timedelta(days=(weekday - billed_through.weekday() - 1) % 7 + 1)
        for day in (first + timedelta(days=7 * k) for k in range((as_of - first).days // 7 + 1)):
            per_day, on_hand = rate((d, s), day), closing.get((d, s, day))
            if per_day <= 0 or on_hand is None:
                continue
            held = on_hand + on_the_way((d, s), day) + sum(units for _, units in estimated)
            need = cover[d] * per_day - held
            if need > 0:
                estimated.append((day + timedelta(days=lag), math.ceil(need / case.get(s, 1)) * case.get(s, 1)))
        landed += [(d, s, units) for delivered, units in estimated if delivered <= as_of]
        pending += [(d, s, delivered, units) for delivered, units in estimated if delivered > as_of]
    schema = {"distributor_code": pl.String, "sku_code": pl.String, "landed": pl.Float64}
    added = pl.DataFrame(landed, schema=schema, orient="row").group_by(keys).agg(pl.col("landed").sum())
    stock = (
        stock.join(added, on=keys, how="left")
        .with_columns(closing_units=pl.col("closing_units").cast(pl.Float64) + pl.col("landed").fill_null(0.0))
        .drop("landed")
    )
    schema = {"distributor_code": pl.String, "sku_code": pl.String, "delivery_date": pl.Date, "units": pl.Float64}
    coming = pl.DataFrame(pending, schema=schema, orient="row").select(arrivals.columns).cast(arrivals.schema)
    return stock, pl.concat([arrivals, coming])


def _col(name: str) -> duckdb.Expression:
    return duckdb.ColumnExpression(name)


def _val(value: object) -> duckdb.Expression:
    return duckdb.ConstantExpression(value)
