"""Outlet x SKU stock-out prediction (issue 16): does the shelf a rep counted run out before the next visit?

The generator simulates every counted outlet x SKU shelf day by day (generator/retailer_stock.py: the
outlet's purchases arrive, its shoppers take what they want while there is stock) and records each day the
shoppers wanted more than the shelf held (truth/retailer_shelf_outs.parquet). At every count the prediction
(`sellthrough.forecast.outlet_stockout.predict_outlet_stockouts`, as that count's night knew it: the counts and
the purchases up to the count day) says how likely the shelf is to run out within the 7 days from the count (the
next visit). Positive = the truth has a shelf-out day in those 7 days. The counts and purchases are what the
warehouse serves (the stock lines and sales lines that load, read from the truth, as bench/forecast.py does; the
nightly path is tested on the tiny network in tests/test_outlet_stockouts.py). Counts with no interval yet (the
pair's first) are left out: nothing is known of the shelf's rate.

Baseline in the same run: the fixed rule of fct_outlet_stock_cover (`is_low_cover`: shelf empty, or fewer than
7 days of cover at the last 28 days' purchases). Printed: precision, recall, PR-AUC (ours; the rule has one
operating point), how many days ahead the first alert of each shelf-out episode came.

Run: `python -m bench outlet_stockouts [--seeds 42,11]` (the demo network's size; ~1-2 min per seed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import polars as pl

from generator.build import generate
from generator.config import NetworkConfig
from sellthrough.forecast.outlet_stockout import HORIZON_DAYS, predict_outlet_stockouts

ALERT = 0.5
COVER_WINDOW_DAYS = 28  # dbt_project.yml: cover_window_days
RISK_COVER_DAYS = 7  # dbt_project.yml: stockout_risk_cover_days


def warehouse_inputs(truth: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The counts (one per outlet x SKU x day, a chain's store stock before a rep's count) and each outlet's net
    purchases per SKU and day, as the warehouse holds them."""
    stock = pl.read_parquet(truth / "retailer_stock.parquet").filter(pl.col("expected") == "loaded")
    counts = (
        stock.sort(pl.col("count_source") == "store_inventory", descending=True)
        .unique(subset=["outlet_code", "sku_code", "count_date"], keep="first")
        .select("outlet_code", "sku_code", "count_date", stock_units=pl.col("stock_units").cast(pl.Float64))
    )
    lines = pl.read_parquet(truth / "secondary_lines.parquet").filter(pl.col("expected") == "loaded")
    purchases = (
        lines.with_columns(
            units=pl.when(pl.col("line_type") == "return")
            .then(-pl.col("quantity_units"))
            .otherwise(pl.col("quantity_units") + pl.col("free_units"))
            .cast(pl.Float64)
        )
        .group_by("outlet_code", "sku_code", day=pl.col("invoice_date"))
        .agg(pl.col("units").sum())
    )
    return counts, purchases


def labelled(predictions: pl.DataFrame, outs: pl.DataFrame) -> pl.DataFrame:
    """Each prediction with `ran_out` (a shelf-out day in the 7 days from its count) and the first such day."""
    window = predictions.join(outs.select("outlet_code", "sku_code", "day"), on=["outlet_code", "sku_code"]).filter(
        pl.col("day") >= pl.col("count_date"), pl.col("day") < pl.col("count_date") + timedelta(days=HORIZON_DAYS)
    )
    first = window.group_by("outlet_code", "sku_code", "count_date").agg(first_out=pl.col("day").min())
    return predictions.join(first, on=["outlet_code", "sku_code", "count_date"], how="left").with_columns(
        ran_out=pl.col("first_out").is_not_null()
    )


def low_cover_rule(counts: pl.DataFrame, purchases: pl.DataFrame) -> pl.DataFrame:
    """fct_outlet_stock_cover's is_low_cover at every count."""
    joined = counts.join(purchases, on=["outlet_code", "sku_code"], how="left").filter(
        pl.col("day").is_null()
        | pl.col("day").is_between(pl.col("count_date") - timedelta(days=COVER_WINDOW_DAYS - 1), pl.col("count_date"))
    )
    bought = joined.group_by("outlet_code", "sku_code", "count_date").agg(
        pl.col("stock_units").first(), pl.col("units").sum().alias("bought")
    )
    rate = pl.col("bought").clip(lower_bound=0) / COVER_WINDOW_DAYS
    return bought.with_columns(
        rule=(pl.col("stock_units") <= 0) | ((rate > 0) & (pl.col("stock_units") / rate < RISK_COVER_DAYS))
    ).select("outlet_code", "sku_code", "count_date", "rule")


def precision_recall(flag: pl.Series, truth: pl.Series) -> tuple[float, float, int, int, int]:
    hits = int((flag & truth).sum())
    flagged, positives = int(flag.sum()), int(truth.sum())
    return (hits / flagged if flagged else 0.0), (hits / positives if positives else 0.0), hits, flagged, positives


def pr_auc(score: pl.Series, truth: pl.Series) -> float:
    """Average precision (the area under the precision-recall curve, step-wise)."""
    frame = pl.DataFrame({"score": score, "truth": truth}).sort("score", descending=True)
    positives = int(frame["truth"].sum())
    if positives == 0:
        return 0.0
    hits = frame["truth"].cast(pl.Int64).cum_sum()
    precision = hits / pl.Series(range(1, frame.height + 1))
    return float((precision * frame["truth"].cast(pl.Float64)).sum() / positives)


def episode_leads(scored: pl.DataFrame, outs: pl.DataFrame) -> tuple[int, int, float | None]:
    """Shelf-out episodes (runs of consecutive out days per pair) that had a count in the 7 days before their
    first day: how many were alerted at such a count, and the median days from the earliest alert to the start."""
    episodes = (
        outs.sort("outlet_code", "sku_code", "day")
        .with_columns(
            new=(pl.col("day") - pl.col("day").shift(1).over("outlet_code", "sku_code") != timedelta(days=1)).fill_null(
                True
            )
        )
        .filter(pl.col("new"))
        .select("outlet_code", "sku_code", start=pl.col("day"))
    )
    ahead = episodes.join(scored, on=["outlet_code", "sku_code"]).filter(
        pl.col("count_date") <= pl.col("start"), pl.col("count_date") > pl.col("start") - timedelta(days=HORIZON_DAYS)
    )
    per = ahead.group_by("outlet_code", "sku_code", "start").agg(
        alerted=(pl.col("stockout_probability") >= ALERT).any(),
        lead=(pl.col("start") - pl.col("count_date"))
        .dt.total_days()
        .filter(pl.col("stockout_probability") >= ALERT)
        .max(),
    )
    alerted = per.filter(pl.col("alerted"))
    median = alerted["lead"].median() if alerted.height else None
    return per.height, alerted.height, (float(median) if median is not None else None)


def run_seed(seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-outlet-stockouts-") as tmp:
        generate(Path(tmp), NetworkConfig(seed=seed))
        truth = Path(tmp) / "truth"
        counts, purchases = warehouse_inputs(truth)
        outs = pl.read_parquet(truth / "retailer_shelf_outs.parquet")
    started = time.perf_counter()
    predictions = predict_outlet_stockouts(counts, purchases)
    seconds = time.perf_counter() - started
    scored = labelled(predictions.filter(pl.col("intervals") > 0), outs)
    scored = scored.join(low_cover_rule(counts, purchases), on=["outlet_code", "sku_code", "count_date"], how="left")
    flag = scored["stockout_probability"] >= ALERT
    ours = precision_recall(flag, scored["ran_out"])
    rule = precision_recall(scored["rule"].fill_null(False), scored["ran_out"])
    episodes, alerted, lead = episode_leads(scored, outs)
    return {
        "seed": seed,
        "counts": scored.height,
        "pairs": scored.select("outlet_code", "sku_code").n_unique(),
        "ours": ours,
        "rule": rule,
        "pr_auc": pr_auc(scored["stockout_probability"], scored["ran_out"]),
        "episodes": episodes,
        "alerted": alerted,
        "lead": lead,
        "seconds": seconds,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench outlet_stockouts", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="42,11", help="comma-separated network seeds (42: the demo's)")
    args = parser.parse_args(argv if argv is not None else sys.argv[2:])
    print(f"outlet x SKU stock-outs within {HORIZON_DAYS} days of a count; alert at p >= {ALERT}")
    print(
        "| seed | counts (pairs) | positives | ours P | ours R | PR-AUC | rule P | rule R | P ratio | R ratio "
        "| episodes alerted ahead | median lead | seconds |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for seed in (int(s) for s in args.seeds.split(",")):
        r = run_seed(seed)
        (p, rc, *_), (rp, rr, *_) = r["ours"], r["rule"]
        positives = r["ours"][4]
        lead = "-" if r["lead"] is None else f"{r['lead']:.0f} d"
        print(
            f"| {seed} | {r['counts']:,} ({r['pairs']:,}) | {positives:,} | {p:.3f} | {rc:.3f} | {r['pr_auc']:.3f} "
            f"| {rp:.3f} | {rr:.3f} | {p / rp if rp else float('nan'):.2f}x | {rc / rr if rr else float('nan'):.2f}x "
            f"| {r['alerted']} of {r['episodes']} | {lead} | {r['seconds']:.2f} |"
        )


if __name__ == "__main__":
    main()
