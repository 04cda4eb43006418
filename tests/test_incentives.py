"""Targets, rep and retailer incentives, scheme ROI and the business marts of issue 17 equal the generator's truth on
the tiny network, figure by figure, and show the planted cases: the over-achieving rep (capped), the rep who padded
his field-app orders (paid on invoices: nothing), the scheme that loses money, the distributor stuffed by primary.

The truth (`truth/*.parquet`, generator/incentive_truth.py) is computed in Python from what the
generator knows; the marts in SQL from the files: they meet only here."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from sellthrough.incentives.plan import DEFAULT_PLAN, load_plan
from tests.pipeline_helpers import planted_problems, published_path

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def marts(tiny_network: Path):
    with duckdb.connect(str(published_path(tiny_network)), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def problems(tiny_network: Path) -> dict[str, list[dict]]:
    return planted_problems(tiny_network)


def _truth(network: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(network / "truth" / f"{name}.parquet")


def _assert_matches(
    truth: pl.DataFrame, mart: pl.DataFrame, keys: list[str], tolerance: float = 0.011, relative: float = 0.0
) -> None:
    """Every truth row is one mart row (and the reverse) and every truth column equals the mart's: numbers within
    `tolerance` plus `relative` x the value (the mart rounds to 2-4 places), nulls where the truth has them."""
    assert truth.height > 0
    assert mart.select(keys).is_duplicated().sum() == 0
    joined = truth.join(mart, on=keys, how="full", suffix="_mart", nulls_equal=True, coalesce=True)
    assert joined.height == truth.height == mart.height, (truth.height, mart.height, joined.height)
    for column in (c for c in truth.columns if c not in keys):
        want, got = pl.col(column), pl.col(f"{column}_mart")
        if truth[column].dtype == pl.Boolean or truth[column].dtype == pl.String:
            wrong = joined.filter(want.ne_missing(got))
        else:
            wrong = joined.filter(
                (want.is_null() != got.is_null())
                | (
                    (want.cast(pl.Float64) - got.cast(pl.Float64)).abs()
                    > tolerance + relative * want.cast(pl.Float64).abs()
                )
            )
        assert wrong.height == 0, f"{column}:\n{wrong.select(*keys, column, f'{column}_mart').head(8)}"


def test_target_achievement_equals_the_truth(marts, tiny_network: Path) -> None:
    keys = ["month_start", "distributor_code", "rep_code", "beat_code", "brand", "sku_group", "measure"]
    mart = marts.sql(f"select {', '.join(keys)}, target, actual, achievement_pct from fct_target_achievement").pl()
    truth = _truth(tiny_network, "target_achievement").with_columns(pl.col("achievement_pct").round(2))
    levels = marts.sql("select distinct target_level, product_scope from fct_target_achievement").fetchall()
    assert {lvl for lvl, _ in levels} == {"rep", "beat", "distributor"}
    assert {scope for _, scope in levels} == {"all", "brand", "sku_group"}
    _assert_matches(truth, mart, keys)


def test_rep_incentives_equal_the_truth(marts, tiny_network: Path) -> None:
    mart = marts.sql("select * from fct_rep_incentive").pl()
    truth = _truth(tiny_network, "rep_incentives").with_columns(
        pl.col("achievement_pct", "productive_call_pct", "focus_distribution_pct").round(2),
        pl.col("lines_per_call", "slab_payout_pct", "payout_pct", "order_fill_rate").round(4),
    )
    _assert_matches(truth, mart, ["rep_code", "month_start"])


def test_the_over_achiever_is_paid_the_cap(marts, problems) -> None:
    (planted,) = problems["over_achiever"]
    plan = load_plan(DEFAULT_PLAN).rep_plans[-1]
    rows = marts.execute(
        "select achievement_pct, is_capped, gates_passed, payout_amount from fct_rep_incentive where rep_code = ?",
        [planted["rep_code"]],
    ).fetchall()
    assert len(rows) == len(planted["months"]) >= 2
    assert plan.cap_pct is not None
    for achievement, capped, gates, paid in rows:
        assert achievement == pytest.approx(160, abs=3)  # target set at 1/1.6 of his sales, rounded
        assert capped and gates
        assert paid == pytest.approx(plan.target_incentive * plan.cap_pct / 100)
    capped_reps = marts.execute(
        "select distinct rep_code from fct_rep_incentive where achievement_pct > 150"
    ).fetchall()
    assert capped_reps == [(planted["rep_code"],)]


def test_the_rep_padding_orders_is_paid_on_invoices(marts, problems, tiny_network: Path) -> None:
    (planted,) = problems["gamed_orders"]
    orders = _truth(tiny_network, "sfa_orders").filter(pl.col("rep_code") == planted["rep_code"])
    padded = orders.filter(pl.col("fault") == "padded")
    assert padded.height == planted["padded_lines"] > 0
    rows = marts.execute(
        "select month_start, achievement_pct, payout_amount, ordered_units, order_fill_rate from fct_rep_incentive "
        "where rep_code = ? order by month_start",
        [planted["rep_code"]],
    ).fetchall()
    for month, achievement, paid, ordered, fill in rows:
        assert achievement < 80 and paid == 0  # the invoices pay nothing
        assert fill < 0.8  # a fifth of what he booked was never invoiced
        mine = orders.filter(pl.col("order_date").dt.truncate("1mo") == month)
        assert ordered == mine["quantity_units"].sum()
        # taken at his word (ordered units as if invoiced), he would have been above 80%
        assert achievement * ordered / (ordered - mine.filter(pl.col("fault") == "padded")["quantity_units"].sum()) > 80
    inflated = marts.execute("select distinct rep_code from fct_rep_incentive where is_order_inflated").fetchall()
    assert inflated == [(planted["rep_code"],)]


def test_retailer_incentives_equal_the_truth(marts, tiny_network: Path) -> None:
    mart = marts.sql("select * from fct_retailer_incentive").pl()
    truth = _truth(tiny_network, "retailer_incentives")
    assert truth["new_skus_listed"].sum() > 0 and truth["focus_bonus_amount"].sum() > 0
    assert set(truth["loyalty_payout_pct"].unique().to_list()) >= {0.0, 1.0, 1.5}
    assert not truth["is_in_programme"].all()  # modern trade is outside
    _assert_matches(truth, mart, ["master_outlet_id", "month_start"])


def test_scheme_roi_equals_the_truth_and_the_unprofitable_scheme_loses(marts, problems, tiny_network: Path) -> None:
    mart = marts.sql("select * from fct_scheme_roi").pl()
    truth = _truth(tiny_network, "scheme_roi")
    # the mart's leakage is claims less what the warehouse's rules earned; the truth's less what the simulation paid.
    # Files without a gross amount give the discount back from the net one, rounded to the paisa or the rupee by
    # the distributor's software: the rules' earnings are within 0.01% of what the simulation paid
    _assert_matches(truth.drop("leakage_amount"), mart, ["scheme_code"], tolerance=0.06, relative=0.0001)
    leakage = truth.join(mart.select("scheme_code", mart_leakage="leakage_amount"), on="scheme_code")
    assert ((leakage["leakage_amount"] - leakage["mart_leakage"]).abs() <= 1).all()
    assert leakage["leakage_amount"].sum() == pytest.approx(
        sum(c["claimed_amount"] - c["earned_amount"] for c in problems["scheme_overclaim"][0]["claims"]), abs=0.05
    )
    (planted,) = problems["negative_roi_scheme"]
    roi = dict(mart.select("scheme_code", "roi").iter_rows())
    assert roi[planted["scheme_code"]] < 0
    assert mart.filter(pl.col("scheme_code") == planted["scheme_code"])["cost_amount"][0] == pytest.approx(
        planted["cost_amount"], abs=0.05
    )
    assert mart.filter(pl.col("scheme_type") == "free_goods")["free_goods_cost_amount"].sum() > 0
    assert mart["post_dip_pct"].drop_nulls().len() > 0


def test_primary_secondary_equals_the_truth_and_the_stuffed_distributor_shows(
    marts, problems, tiny_network: Path
) -> None:
    mart = marts.sql("select * from kpi_primary_secondary").pl()
    truth = _truth(tiny_network, "primary_secondary").drop("stock_days")
    truth = truth.with_columns(pl.col("primary_secondary_ratio").round(4), pl.col("days_of_cover").round(1))
    _assert_matches(truth, mart, ["distributor_code", "month_start"], tolerance=0.06)
    (planted,) = problems["primary_stuffing"]
    stuffed = mart.filter(pl.col("distributor_code") == planted["distributor_code"])
    assert stuffed.height == len(planted["months"]) and stuffed["is_stuffing_signal"].all()
    assert (stuffed["primary_secondary_ratio"] > 1.3).all()


def test_distribution_by_state_and_by_brand(marts, tiny_network: Path) -> None:
    """Numeric distribution per brand and state equals the share of active outlets buying the brand in the lines."""
    lines = pl.read_parquet(tiny_network / "truth" / "secondary_lines.parquet").filter(
        (pl.col("expected") == "loaded") & (pl.col("line_type") == "sale")
    )
    distributors = pl.read_csv(tiny_network / "inbox" / "masters" / "BRAND" / "distributors.csv", infer_schema=False)
    skus = pl.read_csv(tiny_network / "inbox" / "masters" / "BRAND" / "skus.csv", infer_schema=False)
    masters = dict(marts.execute("select outlet_code, master_outlet_id from dim_outlet").fetchall())
    placed = (
        lines.join(distributors.select("distributor_code", "state"), on="distributor_code")
        .join(skus.select("sku_code", "brand"), on="sku_code")
        .with_columns(
            outlet_id=pl.col("outlet_code").replace_strict(masters, default=None),
            month_start=pl.col("invoice_date").dt.truncate("1mo"),
        )
    )
    active = placed.group_by("month_start", "state").agg(active=pl.col("outlet_id").n_unique())
    buying = placed.group_by("month_start", "state", "brand").agg(buying=pl.col("outlet_id").n_unique())
    truth = buying.join(active, on=["month_start", "state"]).with_columns(
        numeric_distribution=(pl.col("buying") / pl.col("active")).round(4)
    )
    mart = marts.sql(
        "select month_start, geo_value as state, brand, numeric_distribution from kpi_brand_distribution "
        "where geo_level = 'state'"
    ).pl()
    _assert_matches(truth.select("month_start", "state", "brand", "numeric_distribution"), mart,
                    ["month_start", "state", "brand"], tolerance=0.00005)  # fmt: skip
    levels = {r[0] for r in marts.execute("select distinct geo_level from kpi_distribution").fetchall()}
    assert levels == {"national", "zone", "region", "state", "distributor"}


def test_sales_facts_carry_the_retailer_category(marts, tiny_network: Path) -> None:
    outlets = pl.read_csv(tiny_network / "inbox" / "masters" / "BRAND" / "outlets.csv", infer_schema=False)
    lines = marts.sql("select outlet_code, channel, outlet_class from fct_secondary_sales").pl()
    joined = lines.join(outlets.select("outlet_code", "channel", "outlet_class"), on="outlet_code", suffix="_master")
    assert joined.height == lines.height > 0
    assert (joined["channel"] == joined["channel_master"]).all()
    assert (joined["outlet_class"] == joined["outlet_class_master"]).all()
    assert set(joined["channel"].unique().to_list()) == {"GT", "MT", "ECOM"} & set(outlets["channel"].to_list())
    daily = marts.execute("select count(*) filter (where channel is null) from fct_sell_through_daily").fetchall()[0][0]
    assert daily == 0


def test_sell_through_separates_free_units(marts, tiny_network: Path) -> None:
    lines = pl.read_parquet(tiny_network / "truth" / "secondary_lines.parquet").filter(
        (pl.col("expected") == "loaded") & (pl.col("line_type") == "sale")
    )
    kpi = marts.sql(
        "select distributor_code, period_start, period_end, sum(secondary_free_units)::bigint as free, "
        "sum(secondary_billed_units)::bigint as billed, sum(secondary_sales_units)::bigint as total "
        "from kpi_sell_through group by all"
    ).pl()
    assert kpi.height > 0 and kpi["free"].sum() > 0
    for row in kpi.iter_rows(named=True):
        mine = lines.filter(
            (pl.col("distributor_code") == row["distributor_code"])
            & pl.col("invoice_date").is_between(row["period_start"], row["period_end"])
        )
        assert (row["free"], row["billed"]) == (mine["free_units"].sum(), mine["quantity_units"].sum()), row
        assert row["total"] == row["free"] + row["billed"]


@pytest.mark.e2e
def test_the_tiny_network_plants_every_incentive_case(tiny_inbox: Path) -> None:
    """The cases the marts must show are in the network CI builds (nothing needs a bigger one)."""
    problems = planted_problems(tiny_inbox)
    (over,) = problems["over_achiever"]
    (gamed,) = problems["gamed_orders"]
    (scheme,) = problems["negative_roi_scheme"]
    (stuffed,) = problems["primary_stuffing"]
    assert over["rep_code"] != gamed["rep_code"]
    assert all(m["is_capped"] for m in over["months"]) and len(over["months"]) >= 2
    assert all(m["payout_amount"] == 0 and m["is_order_inflated"] for m in gamed["months"])
    assert gamed["padded_lines"] > 0
    assert scheme["roi"] < 0 and scheme["true_incremental_amount"] == 0 and scheme["distributor_codes"]
    assert all(m["is_stuffing_signal"] for m in stuffed["months"]) and stuffed["pushed_units"] > 0
    masters = tiny_inbox / "inbox" / "masters" / "BRAND"
    targets = pl.read_csv(masters / "targets.csv", infer_schema=False)
    assert targets.height > 0 and set(targets["measure"].to_list()) == {"units", "value"}
    assert set(pl.read_csv(masters / "sku_groups.csv")["sku_group"].to_list()) == {"FOCUS", "NEW"}
