"""bench/stockout_bound.py: the oracle's demand law is the generator's (same expected units, same day-to-day shape),
the orders on the book at the origin are known to it line for line, and its stock runs forward as the simulation's
does (a pair whose booked orders alone empty it runs out on every path, one with stock beyond any demand on none)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from bench.stockout_bound import DemandLaw, oracle_probabilities
from generator import NetworkConfig
from generator.masters import Network, build_network
from generator.problems import ProblemPlan, plan_problems
from generator.simulate import simulate
from generator.truth import daily_frame

SEEDS = (10, 11, 12, 13)
BOOK_SCHEMA = ["distributor_code", "sku_code", "booked_on", "due_date", "units"]


def _world(seed: int) -> tuple[Network, ProblemPlan, pl.DataFrame, pl.DataFrame]:
    config = NetworkConfig(
        seed=seed,
        distributors=4,
        outlets=120,
        skus=10,
        days=120,
        start=date(2026, 1, 5),
        realistic_demand=True,
        supply_disruptions=True,
        orders_booked_ahead=True,
    )
    network = build_network(config)
    plan = plan_problems(network)
    sim = simulate(network, plan)
    return network, plan, daily_frame(sim), pl.DataFrame(sim.booked, schema=BOOK_SCHEMA, orient="row")


def test_the_oracle_draws_the_demand_the_generator_simulates() -> None:
    """Over four tiny worlds the oracle's expected units (seen from a week before: nothing booked yet) are the units
    retailers asked for (sold, free goods included, plus lost) within 5%, and day by day they rise and fall with
    them (beat days, Sundays, festivals, schemes)."""
    expected_total = asked_total = 0.0
    correlations = []
    for seed in SEEDS:
        network, plan, daily, _ = _world(seed)
        law = DemandLaw(network, plan)
        rng = np.random.default_rng(seed)
        days = network.config.dates()[28:]
        codes = list(law.distributors)
        expected = np.array(
            [
                sum(law.draw(code, day, day - timedelta(days=7), rng, 300).sum(axis=1).mean() for code in codes)
                for day in days
            ]
        )
        asked = (
            daily.filter(pl.col("date") >= days[0])
            .group_by("date")
            .agg(asked=(pl.col("sales") + pl.col("lost_sales_units")).sum())
            .sort("date")["asked"]
            .to_numpy()
        )
        expected_total += expected.sum()
        asked_total += asked.sum()
        correlations.append(float(np.corrcoef(expected, asked)[0, 1]))
    assert expected_total / asked_total == pytest.approx(1.0, abs=0.05)
    assert min(correlations) > 0.7 and np.mean(correlations) > 0.85, correlations


def test_orders_on_the_book_at_the_origin_are_known() -> None:
    network, plan, _, book = _world(SEEDS[0])
    law = DemandLaw(network, plan)
    due = book.group_by("distributor_code", "due_date").agg(pl.col("units").sum()).sort("units", descending=True)
    distributor, day, _ = due.row(0)
    origin = day - timedelta(days=1)
    on_book = (
        book.filter(pl.col("distributor_code") == distributor, pl.col("due_date") == day, pl.col("booked_on") <= origin)
        .group_by("sku_code")
        .agg(pl.col("units").sum())
    )
    assert on_book.height > 0
    known_outlets, known_units = law.known_orders(distributor, day, origin)
    assert known_outlets
    draws = law.draw(distributor, day, origin, np.random.default_rng(0), 500)
    for sku, units in on_book.iter_rows():
        j = law.index[sku]
        assert known_units[j] >= units  # free goods on top of the booked units
        assert draws[:, j].min() >= known_units[j]  # every path holds what the book holds
    # a week ahead nothing is on the book yet (the longest lead is 5 days)
    assert law.known_orders(distributor, day, day - timedelta(days=7)) == (
        set(),
        pytest.approx(np.zeros(len(law.skus))),
    )


def test_the_oracle_runs_the_stock_forward() -> None:
    network, plan, daily, book = _world(SEEDS[0])
    law = DemandLaw(network, plan)
    # a pair with units booked for the day after the origin: with one unit on hand and nothing arriving it runs out
    # on every path; with more than any week's demand on hand, on none
    distributor, sku, booked_on, day, _ = book.filter(
        pl.col("due_date") - pl.col("booked_on") >= pl.duration(days=2)
    ).row(0)
    origin = day - timedelta(days=1)
    pair = (pl.col("distributor_code") == distributor) & (pl.col("sku_code") == sku)

    def with_stock(units: float) -> pl.DataFrame:
        return daily.with_columns(
            closing=pl.when(pair & (pl.col("date") == origin)).then(units).otherwise(pl.col("closing")),
            receipts=pl.when(pair).then(0).otherwise(pl.col("receipts")),
            market_returns=pl.when(pair).then(0).otherwise(pl.col("market_returns")),
        )

    pairs = pl.DataFrame({"origin": [origin], "distributor_code": [distributor], "sku_code": [sku]})
    short = oracle_probabilities(law, with_stock(1.0), pairs, paths=200, seed=1)
    plenty = oracle_probabilities(law, with_stock(1e9), pairs, paths=200, seed=1)
    assert short["oracle"].to_list() == [1.0]
    assert plenty["oracle"].to_list() == [0.0]
    assert booked_on <= origin
