"""Issue 16 part B on the tiny network (the session's `tiny_network` build: no extra nightly run): retailer stock
counts and outlet cover, perpetually understocked outlets, sales anomalies against the planted ones, best and worst
SKUs by region, outlet whitespace."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from sellthrough.anomalies.evaluate import score
from sellthrough.anomalies.nightly import detect_nightly, without_stamp
from tests.pipeline_helpers import published_path

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def marts(tiny_network: Path):
    con = duckdb.connect(str(published_path(tiny_network)), read_only=True)
    yield con
    con.close()


def test_every_stock_count_that_should_load_is_in_the_cover_mart_once_and_nothing_else(marts, tiny_network) -> None:
    truth = pl.read_parquet(tiny_network / "truth" / "retailer_stock.parquet").filter(pl.col("expected") == "loaded")
    cover = marts.sql(
        "select outlet_code, sku_code, count_date, stock_units, count_source, distributor_code "
        "from fct_outlet_stock_cover"
    ).pl()
    key = ["outlet_code", "sku_code", "count_date"]
    assert cover.height == cover.unique(key).height  # the grain
    expected = truth.select(*key, "stock_units", "count_source", "distributor_code").sort(key)
    assert cover.sort(key).equals(expected.select(cover.columns))  # the corrected re-send won its month
    assert set(cover["count_source"]) == {"shelf_count", "store_inventory"}
    assert (
        marts.execute("select count(*) from fct_outlet_stock_cover where region is null or brand is null").fetchall()[
            0
        ][0]
        == 0
    )


def test_the_planted_understocked_outlets_and_only_they_are_perpetually_understocked(marts, tiny_network) -> None:
    planted = json.loads((tiny_network / "truth" / "retailer_understocked.json").read_text())
    flagged = marts.execute(
        "select distinct outlet_code from kpi_outlet_understocked where is_perpetually_understocked"
    ).fetchall()
    assert {o for (o,) in flagged} == {p["outlet_code"] for p in planted}
    assert len(planted) >= 2


def test_planted_spikes_are_found_with_size_start_and_drill_keys(marts, tiny_network) -> None:
    truth = pl.read_parquet(tiny_network / "truth" / "sales_anomalies.parquet")
    found = marts.sql("select * from fct_sales_anomalies").pl()
    regions = dict(marts.execute("select distributor_code, region from dim_distributor").fetchall())
    spikes = truth.filter(pl.col("kind") == "spike")
    assert score(found, spikes, regions).recall == 1.0  # every planted spike, on its own series, within 7 days
    for spike in spikes.iter_rows(named=True):
        home = (
            pl.col("distributor_code") == spike["distributor_code"]
            if spike["distributor_code"]
            else pl.col("sku_code").is_in(spike["sku_codes"])
        )
        hit = found.filter(home & (pl.col("kind") == "spike")).filter(
            (pl.col("start_date") - spike["start_date"]).abs() <= timedelta(days=7)
        )
        assert hit.height and (hit["size_units"] > 0).all() and (hit["size_pct"] > 40).all()
    whole = score(found, truth, regions)
    # tiny series are lumpy (about 10 outlets a distributor, D001 selling on half its days): 6 of its dips in late
    # August are noise no planted event explains (a post-scheme drop at D001 explained them by coincidence until
    # drops were planted only after a scheme with a week of history before it); bench sales_anomalies measures the
    # demo size
    assert whole.precision >= 0.55, whole
    keys = found.filter(pl.col("level") == "distributor")
    assert keys["region"].null_count() == 0 and keys["zone"].null_count() == 0
    assert found.filter(pl.col("level") == "sku")["brand"].null_count() == 0


def test_detection_is_deterministic_the_python_step_gives_what_dbt_stored(marts) -> None:
    series = marts.sql("select * from intermediate.int_sales_anomalies__series").pl()
    context = marts.sql("select * from intermediate.int_sales_anomalies__context").pl()
    stored = without_stamp(marts.sql("select * from intermediate.int_sales_anomalies__detected").pl())
    again = detect_nightly(series, context)
    assert again.sort("anomaly_id").equals(stored.select(again.columns).sort("anomaly_id"))
    assert detect_nightly(series, context).equals(again)


def test_best_and_worst_skus_by_region_and_outlet_whitespace_follow_the_sales(marts) -> None:
    per_region = marts.execute(
        "select region, count(*) filter (where value_rank = 1), count(*) filter (where is_best), "
        "count(*) filter (where is_worst), count(*) from kpi_sku_region_ranking group by 1"
    ).fetchall()
    assert per_region and all(
        r[1] == 1 and r[2] == min(3, r[4]) and r[3] == min(3, max(r[4] - 3, 0)) for r in per_region
    )
    window = "invoice_date > (select max(as_of_date) from kpi_sku_region_ranking) - 90"
    in_mart = marts.execute("select sum(net_sales_amount) from kpi_sku_region_ranking").fetchall()[0][0]
    in_facts = marts.sql(
        f"select sum(signed_net_amount) from fct_secondary_sales where region is not null and {window}"
    )
    assert in_mart == pytest.approx(in_facts.fetchall()[0][0], abs=1.0)
    wrong = marts.execute(
        "select count(*) from kpi_outlet_whitespace as w where peer_share < 0.5 or peers < 3 or exists ("
        " select 1 from fct_secondary_sales as s where coalesce(s.master_outlet_id, s.outlet_code) = w.master_outlet_id"
        " and s.sku_code = w.sku_code and s.line_type = 'sale' and s.invoice_date > w.as_of_date - 90)"
    ).fetchall()[0][0]
    assert wrong == 0
    assert marts.execute("select count(*) from kpi_outlet_whitespace").fetchall()[0][0] > 0
