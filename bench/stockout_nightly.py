"""Stock-out prediction through the nightly (issue 16): the warehouse's int_stockout__predictions, order book
included, scored against the generator's truth beside the function path of bench/forecast.py.

The forecast benchmark's network (bench/forecast.py: seed, ~67 weeks, realistic demand, supply failures, orders
booked ahead) is generated as files (`generator.generate`: the booked orders travel in the field app's order-book
exports) and loaded by the nightly on NIGHTS nights a week apart in the held-back weeks (`run_nightly` with
`run_date`: the files received by then; the first night loads the whole history, the others are incremental). On
each night, at the warehouse's as-of date (the last day a sales file covers):

- warehouse: the probabilities of int_stockout__predictions (its inputs from the loaded files: the stock ledger,
  sales from invoices, primary in transit, the forecast fitted nightly, the open book of int_secondary_orders__open);
- identity: predict_stockouts on the warehouse's own inputs with the generator's book (truth/order_book.parquet,
  every line booked by the as-of date, as bench/forecast.py feeds it): must equal the warehouse's exactly, so the
  order book the warehouse derives from the files is the generator's;
- function path: bench/forecast.py's origin_frame at the same origin (truth stock, truth sales, truth primary,
  the forecast refitted on truth sales, the generator's book): what `python -m bench forecast` scores.

Both scored on the same pair-days (pairs in stock at the origin in the truth) against the truth's stock-out days of
the next 7 days: precision and recall at p >= 0.5, PR-AUC, and how far the two paths' probabilities lie apart.

Run: `python -m bench stockout_nightly [--seed 42] [--nights 3] [--keep DIR]`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from bench.forecast import HOLDOUT_WEEKS, KEYS, average_precision, network_and_plan, origin_frame
from generator import generate
from generator.masters import Network
from orchestration.pipeline import run_nightly
from sellthrough.anomalies.nightly import ENABLED_ENV as ANOMALIES_ENV
from sellthrough.forecast.stockout import HISTORY_WEEKS, PROFILE_WEEKS, predict_stockouts
from sellthrough.forecast.warehouse_inputs import ENABLED_ENV, published_stockout_inputs

P7 = "stockout_probability_7d"


def night_rows(
    data_dir: Path, network: Network, truth: dict[str, pl.DataFrame], fitted: dict[date, pl.DataFrame]
) -> tuple[dict, pl.DataFrame]:
    """The night's as-of date, identity check and the two paths' probabilities per pair (with the truth)."""
    with duckdb.connect(str(data_dir / "published" / "sellthrough.duckdb"), read_only=True) as con:
        inputs = published_stockout_inputs(con, 7 * max(HISTORY_WEEKS, PROFILE_WEEKS))
        warehouse = con.table("intermediate.int_stockout__predictions").pl()
        open_lines = con.table("intermediate.int_secondary_orders__open").pl().height
    assert inputs is not None, "no distributor forecast in the warehouse"
    as_of = inputs.as_of
    book = truth["book"].filter(pl.col("booked_on") <= as_of)
    i = inputs
    same = predict_stockouts(i.forecast, i.stock, i.arrivals, i.daily, i.primary, i.skus, as_of, book)
    check = warehouse.select(*KEYS, P7).join(same.select(*KEYS, check=P7), on=KEYS)
    bench = origin_frame(network, truth["daily"], truth["primary"], truth["book"], as_of, fitted)
    rows = bench.select(*KEYS, "truth", function=P7).join(warehouse.select(*KEYS, warehouse=P7), on=KEYS, how="left")
    facts = {
        "as_of": as_of,
        "open_lines": open_lines,
        "truth_open_lines": truth["book"].filter(pl.col("booked_on") <= as_of, pl.col("due_date") > as_of).height,
        "pairs": warehouse.height,
        "identity_differ": check.filter(pl.col(P7) != pl.col("check")).height,
        "missing_in_warehouse": rows["warehouse"].null_count(),
    }
    return facts, rows.with_columns(origin=pl.lit(as_of))


def scores(frame: pl.DataFrame, column: str) -> dict[str, float]:
    labels, p = frame["truth"].to_numpy(), frame[column].fill_null(0.0).to_numpy()
    flagged = p >= 0.5
    tp = int((flagged & labels).sum())
    return {
        "precision": tp / max(1, int(flagged.sum())),
        "recall": tp / max(1, int(labels.sum())),
        "pr_auc": average_precision(p, labels),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench stockout_nightly")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--nights", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate and load here (kept) instead of a temporary folder")
    args = parser.parse_args(argv or [])
    network, _ = network_and_plan(args.seed)
    end = network.config.end
    # a week apart, the last one 9 days before the end (the as-of date lags the night; its 7 days must be in truth)
    nights = [end - timedelta(days=9 + 7 * k) for k in reversed(range(args.nights))]
    assert nights[0] > end - timedelta(weeks=HOLDOUT_WEEKS), "more nights than the held-back weeks hold"
    work = args.keep or Path(tempfile.mkdtemp(prefix="stockout_nightly_"))
    started = time.perf_counter()
    generate(work, network.config)
    print(f"network: seed {args.seed}, generated in {time.perf_counter() - started:.0f} s under {work}")
    truth = {
        "daily": pl.read_parquet(work / "truth" / "daily_stock.parquet"),
        "primary": pl.read_parquet(work / "truth" / "primary_lines.parquet"),
        "book": pl.read_parquet(work / "truth" / "order_book.parquet").select(
            *KEYS, "booked_on", "due_date", units=pl.col("quantity_units").cast(pl.Float64)
        ),
    }
    os.environ[ENABLED_ENV] = "on"
    os.environ[ANOMALIES_ENV] = "off"  # not what is measured here: the nights run faster without it
    fitted: dict[date, pl.DataFrame] = {}
    frames = []
    for night in nights:
        started = time.perf_counter()
        outcome = run_nightly(work, run_date=night)
        seconds = time.perf_counter() - started
        if not outcome.success:
            raise SystemExit(f"the nightly of {night} failed at {outcome.failed_steps}")
        facts, rows = night_rows(work, network, truth, fitted)
        frames.append(rows)
        print(
            f"night {night} ({seconds:.0f} s): as of {facts['as_of']}, {facts['pairs']} pairs, open book "
            f"{facts['open_lines']} lines (generator: {facts['truth_open_lines']}), identity: "
            f"{facts['identity_differ']} pairs differ; {facts['missing_in_warehouse']} in-stock pairs without a "
            "warehouse prediction"
        )
    frame = pl.concat(frames)
    both = frame.filter(pl.col("warehouse").is_not_null())
    gap = (both["warehouse"] - both["function"]).abs().to_numpy()
    print(
        f"\n{frame.height} pair-days in stock at the origin (truth), {int(frame['truth'].sum())} ran out within 7 days"
    )
    for name in ("function", "warehouse"):
        v = scores(frame, name)
        print(f"  {name:<10} precision {v['precision']:.3f}  recall {v['recall']:.3f}  PR-AUC {v['pr_auc']:.3f}")
    print(
        f"  warehouse vs function: equal on {float(np.mean(gap == 0)):.1%} of pair-days, mean |difference| "
        f"{float(gap.mean()):.3f}, 90th percentile {float(np.quantile(gap, 0.9)):.3f}"
    )


if __name__ == "__main__":
    main()
