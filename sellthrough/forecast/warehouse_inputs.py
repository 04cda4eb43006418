"""What the forecast reads from the warehouse, as Polars frames: one place for the dbt Python models and the
benchmarks. `tables` maps a model name to a DuckDB relation (in a dbt Python model, its literal `dbt.ref("...")`
calls: dbt reads the dependencies from them)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

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
