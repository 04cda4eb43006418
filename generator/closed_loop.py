"""The closed loop: distributors replenish with the system's suggested orders instead of the generator's own rule.

`SystemReplenishment` is set on the plan (`ProblemPlan.replenish`); from day index `from_day` on, each distributor's
weekly order is what the warehouse would suggest that morning: the forecast (sellthrough/forecast/) fitted on the
distributor's sales so far, and the order-up-to quantity of sellthrough/forecast/stockout.py (lead time + a review
week of expected sales + safety stock, less stock on hand and in transit), in whole cases. Before `from_day` the
distributor's own rule orders (the history the forecast needs). `python -m bench forecast` compares stock-out
days and average stock over the same days of demand with and without it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from generator.masters import Network, Sku
from sellthrough.forecast.events import Festival

FESTIVALS_CSV = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "festivals.csv"
HISTORY_DAYS = 400  # the sales history each suggestion is fitted on


def festivals() -> list[Festival]:
    """The festival calendar the warehouse has (dbt seed `festivals`)."""
    with FESTIVALS_CSV.open() as handle:
        return [Festival(r["festival_name"], date.fromisoformat(r["festival_date"])) for r in csv.DictReader(handle)]


def scheme_frame(network: Network) -> pl.DataFrame:
    """The scheme master as dim_scheme has it (the columns the forecast reads)."""
    return pl.DataFrame(
        {
            "sku_codes": [list(s.sku_codes) for s in network.schemes],
            "distributor_codes": [list(s.distributor_codes) for s in network.schemes],
            "start_date": [s.start for s in network.schemes],
            "end_date": [s.end for s in network.schemes],
        },
        schema={
            "sku_codes": pl.List(pl.String),
            "distributor_codes": pl.List(pl.String),
            "start_date": pl.Date,
            "end_date": pl.Date,
        },
    )


def dimensions(network: Network) -> tuple[pl.DataFrame, pl.DataFrame]:
    """dim_distributor (code, region) and dim_sku (code, brand, units per case) as the forecast reads them."""
    distributors = pl.DataFrame(
        {
            "distributor_code": [d.code for d in network.distributors],
            "region": [d.town.region for d in network.distributors],
        }
    )
    skus = pl.DataFrame(
        {
            "sku_code": [s.code for s in network.skus],
            "brand": [s.brand for s in network.skus],
            "units_per_case": [s.units_per_case for s in network.skus],
        }
    )
    return distributors, skus


@dataclass
class SystemReplenishment:
    network: Network
    from_day: int
    lead_days: int = 4  # the brand delivers 2-5 days after the order (simulate.py)
    _orders: dict[tuple[str, int], dict[str, int]] = field(default_factory=dict, repr=False)

    def active(self, t: int) -> bool:
        return t >= self.from_day

    def units(
        self, distributor_code: str, sku: Sku, t: int, day: date, stock: dict, in_transit: dict, daily: dict
    ) -> int:
        """The suggested order for the pair on day index t (all the distributor's SKUs are computed at once)."""
        key = (distributor_code, t)
        if key not in self._orders:
            self._orders[key] = self._suggest(distributor_code, day, stock, in_transit, daily)
        return self._orders[key].get(sku.code, 0)

    def _suggest(self, code: str, day: date, stock: dict, in_transit: dict, daily: dict) -> dict[str, int]:
        from sellthrough.forecast.hierarchy import forecast_network
        from sellthrough.forecast.stockout import predict_stockouts

        history = pl.DataFrame(
            {k: daily[k] for k in ("distributor_code", "sku_code", "date", "sales")},
            schema={"distributor_code": pl.String, "sku_code": pl.String, "date": pl.Date, "sales": pl.Int64},
        ).filter(pl.col("distributor_code") == code, pl.col("date") > day - timedelta(days=HISTORY_DAYS))
        sales = history.select(
            "distributor_code", "sku_code", day=pl.col("date"), units=pl.col("sales").cast(pl.Float64)
        )
        as_of = day - timedelta(days=1)  # the morning's data: sales up to yesterday
        distributors, skus = dimensions(self.network)
        forecast = forecast_network(sales, distributors, skus, festivals(), scheme_frame(self.network), as_of)
        forecast = forecast.filter(pl.col("forecast_level") == "distributor_sku")
        on_hand = pl.DataFrame(
            {"distributor_code": code, "sku_code": list(stock), "closing_units": [float(v) for v in stock.values()]}
        )
        coming = pl.DataFrame(
            {
                "distributor_code": code,
                "sku_code": list(in_transit),
                "delivery_date": day + timedelta(days=1),
                "units": [float(v) for v in in_transit.values()],
            }
        )
        lead = pl.DataFrame(
            {"distributor_code": [code], "doc_date": [as_of], "delivery_date": [as_of + timedelta(days=self.lead_days)]}
        )
        suggested = predict_stockouts(forecast, on_hand, coming, sales, lead, skus, as_of)
        return dict(suggested.select("sku_code", "suggested_order_units").iter_rows())
