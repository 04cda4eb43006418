"""What the forecast reads from the warehouse, as Polars frames: one place for the dbt Python models and the
benchmarks. `tables` maps a model name to a DuckDB relation (in a dbt Python model, its literal `dbt.ref("...")`
calls: dbt reads the dependencies from them)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import polars as pl

from sellthrough.forecast.events import Festival

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


BOOK_COLUMNS = ("distributor_code", "sku_code", "booked_on", "due_date", "units")
# the relations read_stockout_inputs reads (int_stockout__predictions names each in a literal dbt.ref)
STOCKOUT_TABLES = (
    "int_sales_forecast__weekly",
    "fct_distributor_stock_daily",
    "fct_primary_sales",
    "dim_sku",
    "int_secondary_orders__book",
    "int_secondary_orders__open",
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
    daily = ledger.select("distributor_code", "sku_code", day=pl.col("stock_date"), units=pl.col("sales_units"))
    stock = ledger.filter(pl.col("stock_date") == as_of).select("distributor_code", "sku_code", "closing_units")
    primary = (
        relation("fct_primary_sales")
        .filter((_col("doc_type") == _val("invoice")) & (_col("doc_date") > _val(as_of - timedelta(days=91))))
        .select("distributor_code", "sku_code", "doc_date", "delivery_date", "quantity_units")
        .pl()
    )
    arrivals = primary.filter(pl.col("doc_date") <= as_of, pl.col("delivery_date") > as_of).select(
        "distributor_code", "sku_code", "delivery_date", units=pl.col("quantity_units")
    )
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
        skus=relation("dim_sku").select("sku_code", "units_per_case").pl(),
        as_of=as_of,
        booked=booked,
    )


def _col(name: str) -> duckdb.Expression:
    return duckdb.ColumnExpression(name)


def _val(value: object) -> duckdb.Expression:
    return duckdb.ConstantExpression(value)
