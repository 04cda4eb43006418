"""Orders booked before they are billed (NetworkConfig.orders_booked_ahead, generator/order_book.py): the order
book shows a share of each day's retailer orders days ahead, by channel, and the simulated world is unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from generator import NetworkConfig
from generator.masters import build_network
from generator.order_book import BOOKED_DAYS
from generator.problems import plan_problems
from generator.simulate import simulate
from generator.truth import daily_frame

CONFIG = NetworkConfig(
    seed=5, distributors=4, outlets=80, skus=10, days=120, start=date(2026, 1, 5), orders_booked_ahead=True
)
SCHEMA = ["distributor_code", "sku_code", "booked_on", "due_date", "units"]


def test_order_book_shows_orders_ahead_and_leaves_the_world_alone() -> None:
    network = build_network(CONFIG)
    plan = plan_problems(network)
    sim = simulate(network, plan)
    book = pl.DataFrame(sim.booked, schema=SCHEMA, orient="row")
    assert book.height > 0
    ahead = (book["due_date"] - book["booked_on"]).dt.total_days()
    shortest = min(low for low, _ in BOOKED_DAYS.values())
    longest = max(high for _, high in BOOKED_DAYS.values())
    assert ahead.min() == shortest and ahead.max() == longest
    # what was booked for a day is part of what retailers asked for that day (billed or lost)
    daily = daily_frame(sim)
    asked = daily.select(
        "distributor_code", "sku_code", due_date="date", asked=pl.col("sales") + pl.col("lost_sales_units")
    )
    per_day = book.group_by("distributor_code", "sku_code", "due_date").agg(pl.col("units").sum())
    joined = per_day.join(asked, on=["distributor_code", "sku_code", "due_date"], how="left")
    assert joined["asked"].null_count() == 0
    # free goods count in sales, so a day's asked units can only exceed what was booked
    assert (joined["units"] <= joined["asked"]).all()
    share = per_day["units"].sum() / asked["asked"].sum()
    assert 0.3 < share < 0.9
    # the same seed books the same orders; the stock, sales and lost sales are those of the world without a book
    assert simulate(network, plan).booked == sim.booked
    plain = replace(network, config=replace(CONFIG, orders_booked_ahead=False))
    plain_sim = simulate(plain, plan)
    assert plain_sim.booked == []
    assert_frame_equal(daily_frame(plain_sim), daily)
