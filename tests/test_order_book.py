"""Orders booked before they are billed (NetworkConfig.orders_booked_ahead, generator/order_book.py): the order
book shows a share of each day's retailer orders days ahead, by channel, and the simulated world is unchanged;
through the nightly (the field app's order-book exports, int_secondary_orders__book / __open), the warehouse's open
book is the generator's and the stock-out predictions read it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from generator import NetworkConfig, generate
from generator.masters import build_network
from generator.order_book import BOOKED_DAYS
from generator.problems import plan_problems
from generator.simulate import simulate
from generator.truth import daily_frame
from orchestration.pipeline import run_nightly
from sellthrough.forecast.stockout import HISTORY_WEEKS, PROFILE_WEEKS, predict_stockouts
from sellthrough.forecast.warehouse_inputs import (
    SALES_KINDS,
    StockoutInputs,
    published_stockout_inputs,
    with_unbilled_orders,
)
from tests.conftest import FORECAST_ENV
from tests.pipeline_helpers import TINY, published_path

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


# the tiny network with the book on, loaded as the night of NIGHT saw it (files received by then): the as-of date is
# the last day a sales file covers, so orders booked by then for the next days are still open
NIGHT = date(2026, 8, 20)
KEYS = ["distributor_code", "sku_code"]
P7 = "stockout_probability_7d"


@pytest.fixture(scope="module")
def booked_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, duckdb.DuckDBPyConnection]]:
    data_dir = tmp_path_factory.mktemp("booked_network")
    generate(data_dir, replace(TINY, orders_booked_ahead=True))
    before = os.environ.get(FORECAST_ENV)
    os.environ[FORECAST_ENV] = "on"
    try:
        outcome = run_nightly(data_dir, run_date=NIGHT)
    finally:
        os.environ[FORECAST_ENV] = before if before is not None else "off"
    assert outcome.success, f"nightly run failed at {outcome.failed_steps}"
    con = duckdb.connect(str(published_path(data_dir)), read_only=True)
    yield data_dir, con
    con.close()


def _inputs(con: duckdb.DuckDBPyConnection) -> StockoutInputs:
    inputs = published_stockout_inputs(con, 7 * max(HISTORY_WEEKS, PROFILE_WEEKS))
    assert inputs is not None
    return inputs


@pytest.mark.e2e
def test_open_order_book_is_the_generators(booked_network: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    data_dir, con = booked_network
    as_of = con.sql("select as_of_date from intermediate.int_calendar__as_of").fetchall()[0][0]
    assert as_of < NIGHT  # sales files lag: the open book is the one of the as-of date
    truth = pl.read_parquet(data_dir / "truth" / "order_book.parquet")
    planted = truth.filter(pl.col("booked_on") <= as_of, pl.col("due_date") > as_of).select(
        "distributor_code",
        order_id="client_order_id",
        order_line_number="line_number",
        sku_code="sku_code",
        due_date="due_date",
        units="quantity_units",
    )
    assert planted.height > 0 and planted["distributor_code"].n_unique() > 1
    found = con.sql("select * from intermediate.int_secondary_orders__open").pl()
    assert (found["booked_on"] <= as_of).all() and (found["due_date"] > as_of).all()
    columns = planted.columns
    assert_frame_equal(
        found.select(columns).with_columns(pl.col("order_line_number").cast(pl.Int32)).sort(columns),
        planted.sort(columns),
        check_dtypes=False,
    )
    # a purchase order booked days ahead: in the open book with its delivery date
    longest = planted.sort(pl.col("due_date")).row(-1, named=True)
    assert found.filter(pl.col("order_id") == longest["order_id"])["due_date"].to_list()[0] == longest["due_date"]
    # past lines are matched to the invoice that filled them; the booked orders travelled in the field app's exports
    book = con.sql("select * from intermediate.int_secondary_orders__book").pl()
    past = book.filter(pl.col("due_date") <= as_of)
    assert past["invoiced_on"].is_not_null().mean() > 0.8
    summary = json.loads((data_dir / "truth" / "manifest.json").read_text())
    assert summary["files"]["sfa"] > len(list((data_dir / "inbox" / "sfa").glob("*/sfa_export_*")))


@pytest.mark.e2e
def test_nightly_stockout_predictions_read_the_order_book(
    booked_network: tuple[Path, duckdb.DuckDBPyConnection],
) -> None:
    data_dir, con = booked_network
    i = _inputs(con)
    nightly = con.sql("select * from intermediate.int_stockout__predictions").pl().sort(KEYS)
    assert nightly.height > 0

    def predicted(booked: pl.DataFrame | None) -> pl.DataFrame:
        return predict_stockouts(i.forecast, i.stock, i.arrivals, i.daily, i.primary, i.skus, i.as_of, booked)

    # the night's probabilities are those of the function on the night's inputs with the generator's own book
    # (as bench/forecast.py feeds it: every line booked by the as-of date)
    truth = pl.read_parquet(data_dir / "truth" / "order_book.parquet")
    generators = truth.filter(pl.col("booked_on") <= i.as_of).select(
        *KEYS, "booked_on", "due_date", units=pl.col("quantity_units")
    )
    assert_frame_equal(nightly, predicted(generators).sort(KEYS))
    # and without the book they differ: for pairs with open orders, the book moves the chance
    bookless = predicted(None).select(*KEYS, bookless=P7)
    moved = nightly.join(bookless, on=KEYS).filter(pl.col(P7) != pl.col("bookless"))
    assert moved.height > 0
    with_open = i.booked.filter(pl.col("due_date") > i.as_of).select(KEYS).unique()
    assert moved.join(with_open, on=KEYS).height > 0


@pytest.mark.e2e
def test_stockout_inputs_project_what_no_file_shows_yet(
    booked_network: tuple[Path, duckdb.DuckDBPyConnection],
) -> None:
    """A weekly sender's current week is a file not received yet, not days without sales, and the brand's monthly
    primary file does not show this month's orders yet, not that none were billed: the stock-out model's history
    holds the forecast's expected sales on those days, its stock and goods in transit the weekly orders estimated
    since the primary file's last day, and its stock on the as-of date is nearer the truth's than the ledger's
    closing (which drifts on zero sales and zero receipts)."""
    data_dir, con = booked_network
    i = _inputs(con)
    coverage = con.sql("select * from intermediate.int_ingest__coverage").pl()
    covered = (
        coverage.filter(pl.col("source_kind").is_in(SALES_KINDS))
        .group_by("distributor_code")
        .agg(pl.col("covered_through").max())
    )
    lagging = covered.filter(pl.col("covered_through") < i.as_of)
    assert lagging.height > 0 and lagging.height < covered.height  # weekly senders behind the daily one
    daily = pl.read_parquet(data_dir / "truth" / "daily_stock.parquet")
    truth = daily.join(lagging, on="distributor_code")
    unreceived = truth.filter(pl.col("date") > pl.col("covered_through"), pl.col("date") <= i.as_of)
    projected = i.daily.join(lagging, on="distributor_code").filter(pl.col("day") > pl.col("covered_through"))
    ledger = con.sql("select * from fct_distributor_stock_daily").pl()
    on_ledger = ledger.join(lagging, on="distributor_code").filter(pl.col("stock_date") > pl.col("covered_through"))
    assert on_ledger.filter(pl.col("stock_date") <= i.as_of)["sales_units"].sum() == 0  # no file: no sale there
    # the projection is of the size of what was sold on those days (the ledger reads nothing)
    assert 0.6 < projected["units"].sum() / unreceived["sales"].sum() < 1.5
    assert projected.select(*KEYS, "day").is_unique().all()
    assert (projected["day"] <= i.as_of).all()
    # the orders billed since the primary file's last day (none is loaded), estimated from what the warehouse holds
    billed_through = coverage.filter(pl.col("source_kind") == "primary_sales")["covered_through"].max()
    assert billed_through < i.as_of
    primary = pl.read_parquet(data_dir / "truth" / "primary_lines.parquet")
    billed = primary.filter(
        pl.col("doc_type") == "invoice", pl.col("doc_date") > billed_through, pl.col("doc_date") <= i.as_of
    )
    assert billed.height > 0 and i.primary.filter(pl.col("doc_date") > billed_through).height == 0
    none = i.stock.with_columns(closing_units=pl.lit(0.0))
    landed, pending = with_unbilled_orders(
        ledger, none, i.arrivals.clear(), i.daily, i.primary, i.skus, billed_through, i.as_of
    )
    estimated = landed["closing_units"].sum() + pending["units"].sum()
    # nearer the truth than the zero the ledger reads (the tiny network's July holds few weeks to learn the cover
    # from: the estimate runs high there)
    assert abs(estimated - billed["quantity_units"].sum()) < billed["quantity_units"].sum()
    assert (pending["delivery_date"] > i.as_of).all()
    # so the stock on the as-of date is nearer the truth's than the ledger's closing
    at = daily.filter(pl.col("date") == i.as_of).select(*KEYS, truth="closing")
    closing = ledger.filter(pl.col("stock_date") == i.as_of).select(*KEYS, ledger="closing_units")
    read = at.join(closing, on=KEYS).join(i.stock, on=KEYS)
    assert read.height == at.height
    ledger_error = (read["ledger"] - read["truth"]).abs().sum()
    input_error = (read["closing_units"] - read["truth"]).abs().sum()
    assert input_error < 0.75 * ledger_error
