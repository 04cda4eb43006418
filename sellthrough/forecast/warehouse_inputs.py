"""What the forecast reads from the warehouse, as Polars frames: one place for the dbt Python models and the
benchmarks. `tables` maps a model name to a DuckDB relation (in a dbt Python model, its literal `dbt.ref("...")`
calls: dbt reads the dependencies from them)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np
import polars as pl

from sellthrough.forecast.events import Festival
from sellthrough.forecast.stockout import replenished_pairs, replenishment, weekday_profile

ENABLED_ENV = "SELLTHROUGH_FORECAST"  # "off": the forecast models build empty (the test suite's other networks)


PIECES = "coalesce(quantity_units, 0) + coalesce(free_units, 0)"  # billed + free pieces handed to retailers
DAILY_UNITS = f"distributor_code, sku_code, invoice_date as day, sum({PIECES})::double as units"


def forecast_enabled() -> bool:
    return os.environ.get(ENABLED_ENV, "on").strip().lower() not in {"off", "0", "false", "no"}


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

    # aggregated in DuckDB: only distributor x SKU x day reaches Python, however many lines
    daily = (
        relation("fct_secondary_sales")
        .filter("line_type = 'sale' and sku_code is not null")
        .aggregate(DAILY_UNITS, "distributor_code, sku_code, invoice_date")
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
    stock, arrivals = with_unbilled_orders(stock, arrivals, daily, primary, skus, billed_through, as_of)  # type: ignore[arg-type]
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
    stock: pl.DataFrame,
    arrivals: pl.DataFrame,
    daily: pl.DataFrame,
    primary: pl.DataFrame,
    skus: pl.DataFrame,
    billed_through: date | None,
    as_of: date,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The stock at `as_of` and the goods in transit with the weekly orders the brand's primary file does not show
    yet (it is monthly: `billed_through` is the last day it covers) estimated: each distributor orders on its
    weekday and its invoices take their median lag (the rhythm predict_stockouts reads), so on each of its
    ordering days after `billed_through` it is taken to order the pairs its latest known order held, as many units
    as it sold in the 7 days before times its own ratio of ordered units to the week's sales before its known
    orders (restocking what sold; in whole cases). Delivered by `as_of`: on hand; later: in transit."""
    keys = ["distributor_code", "sku_code"]
    if billed_through is None or billed_through >= as_of or primary.is_empty():
        return stock, arrivals
    rhythm = replenishment(primary, as_of)
    ordered = replenished_pairs(primary, rhythm, as_of) or set()
    days = {code: (weekday, int(np.median(lags))) for code, (weekday, lags) in rhythm.items()}
    if not days:
        return stock, arrivals
    estimated = [
        (code, sku, billed_through + timedelta(days=step), lag)
        for code, sku in sorted(ordered)
        if code in days
        for weekday, lag in [days[code]]
        for step in range(1, (as_of - billed_through).days + 1)
        if (billed_through + timedelta(days=step)).weekday() == weekday
    ]
    schema = {"distributor_code": pl.String, "sku_code": pl.String, "order_day": pl.Date, "lag": pl.Int64}
    orders = pl.DataFrame(estimated, schema=schema, orient="row")
    known = (
        primary.filter(pl.col("doc_date") <= billed_through)
        .join(
            pl.DataFrame(
                {"distributor_code": list(days), "weekday": [w + 1 for w, _ in days.values()]},
                schema={"distributor_code": pl.String, "weekday": pl.Int8},
            ),
            on="distributor_code",
        )
        .filter(pl.col("doc_date").dt.weekday() == pl.col("weekday"))
        .group_by(*keys, order_day="doc_date")
        .agg(units=pl.col("quantity_units").sum().cast(pl.Float64))
    )
    ratio = (
        _week_before(known, daily)
        .group_by("distributor_code")
        .agg(ratio=pl.col("units").sum() / pl.col("sold").sum())
        .filter(pl.col("ratio").is_finite())
    )
    units = (
        _week_before(orders, daily)
        .join(ratio, on="distributor_code", how="left")
        .join(skus, on="sku_code", how="left")
        .with_columns(case=pl.col("units_per_case").fill_null(1).clip(lower_bound=1).cast(pl.Float64))
        .select(
            *keys,
            delivery_date=pl.col("order_day") + pl.duration(days=pl.col("lag")),
            units=(pl.col("sold") * pl.col("ratio").fill_null(1.0) / pl.col("case")).ceil() * pl.col("case"),
        )
        .filter(pl.col("units") > 0)
    )
    landed = units.filter(pl.col("delivery_date") <= as_of).group_by(keys).agg(landed=pl.col("units").sum())
    stock = (
        stock.join(landed, on=keys, how="left")
        .with_columns(closing_units=pl.col("closing_units").cast(pl.Float64) + pl.col("landed").fill_null(0.0))
        .drop("landed")
    )
    pending = units.filter(pl.col("delivery_date") > as_of).select(arrivals.columns)
    return stock, pl.concat([arrivals, pending.cast(arrivals.schema)])


def _week_before(orders: pl.DataFrame, daily: pl.DataFrame) -> pl.DataFrame:
    """`orders` (distributor_code, sku_code, order_day, ...) with `sold`: the pair's sales in the 7 days before."""
    keys = ["distributor_code", "sku_code"]
    sold = (
        orders.select(*keys, "order_day")
        .join(daily, on=keys)
        .filter(pl.col("day") < pl.col("order_day"), pl.col("day") >= pl.col("order_day") - timedelta(days=7))
        .group_by(*keys, "order_day")
        .agg(sold=pl.col("units").sum())
    )
    return orders.join(sold, on=[*keys, "order_day"], how="left").with_columns(pl.col("sold").fill_null(0.0))


def _col(name: str) -> duckdb.Expression:
    return duckdb.ColumnExpression(name)


def _val(value: object) -> duckdb.Expression:
    return duckdb.ConstantExpression(value)
