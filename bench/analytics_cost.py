"""What forecasting, stock-out prediction and anomaly detection add to the demo network's nightly run (issue 16:
at most 60 s, and linear in the series count).

Setup (untimed): the demo network (`sellthrough demo`'s generator config) under `--data-dir`, and one nightly run
with the analytics on. Then, on a copy of that warehouse, the same dbt invocation the nightly makes for those models
(`dbt build --select <the analytics models>+`: the dbt Python models, the marts below them and their tests) runs
alternately with the analytics switched off (SELLTHROUGH_FORECAST / SELLTHROUGH_ANOMALIES = off: the models build
empty: dbt's own cost of those nodes, the baseline) and on, `--repeats` times each. Added seconds = median(on) -
median(off); per 1,000 series = added / (forecast series + anomaly series + outlet x SKU pairs) x 1,000. The
whole nightly's wall time of the setup run is printed for scale.

Run: `python -m bench analytics_cost [--data-dir DIR] [--repeats 3] [--keep]` (default data/bench/analytics_cost).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from generator import NetworkConfig, generate
from orchestration.dbt import DBT_EXECUTABLE
from orchestration.pipeline import run_nightly
from sellthrough.anomalies.nightly import ENABLED_ENV as ANOMALIES_ENV
from sellthrough.config import DBT_PROJECT_DIR, REPO_ROOT, Settings
from sellthrough.forecast.warehouse_inputs import ENABLED_ENV as FORECAST_ENV

BUDGET_SECONDS = 60.0
DEFAULT_DIR = REPO_ROOT / "data" / "bench" / "analytics_cost"
ANALYTICS_MODELS = (
    "int_sales_forecast__weekly",
    "int_stockout__predictions",
    "int_sales_anomalies__detected",
    "int_outlet_stockout__predictions",
)


def dbt_build(settings: Settings, warehouse: Path, work: Path, enabled: bool) -> float:
    env = {
        **os.environ,
        **settings.dbt_env(),
        "SELLTHROUGH_DUCKDB_PATH": str(warehouse),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        FORECAST_ENV: "on" if enabled else "off",
        ANOMALIES_ENV: "on" if enabled else "off",
    }
    command = [str(DBT_EXECUTABLE), "build", "--select", *(f"{m}+" for m in ANALYTICS_MODELS)]
    command += ["--exclude-resource-type", "unit_test", "--project-dir", str(DBT_PROJECT_DIR)]
    command += ["--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(work / "target")]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"dbt build failed ({'on' if enabled else 'off'}):\n{result.stdout[-3000:]}")
    return seconds


def series_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        queries = {
            "forecast series (distributor x SKU)": "select count(distinct (distributor_code, sku_code)) from "
            "intermediate.int_sales_forecast__weekly where forecast_level = 'distributor_sku'",
            "anomaly series": "select count(distinct (level, series_key)) from "
            "intermediate.int_sales_anomalies__series",
            "outlet x SKU shelves": "select count(*) from intermediate.int_outlet_stockout__predictions",
        }
        return {label: con.execute(sql).fetchall()[0][0] for label, sql in queries.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench analytics_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the data dir afterwards")
    args = parser.parse_args(argv if argv is not None else sys.argv[2:])
    data_dir: Path = args.data_dir.resolve()
    shutil.rmtree(data_dir, ignore_errors=True)
    saved = {name: os.environ.get(name) for name in (FORECAST_ENV, ANOMALIES_ENV)}
    os.environ.update({FORECAST_ENV: "on", ANOMALIES_ENV: "on"})
    try:
        generate(data_dir, NetworkConfig())
        started = time.perf_counter()
        outcome = run_nightly(data_dir)
        nightly = time.perf_counter() - started
        if not outcome.success:
            raise RuntimeError(f"the setup night failed at {outcome.failed_steps}")
        settings = Settings.from_env(data_dir)
        work = data_dir / "bench_work"
        warehouse = work / "warehouse.duckdb"
        work.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(settings.warehouse_path, warehouse)
        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(args.repeats):
            for enabled in (False, True):
                times[enabled].append(dbt_build(settings, warehouse, work, enabled))
        counts = series_counts(warehouse)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    off, on = statistics.median(times[False]), statistics.median(times[True])
    added = on - off
    total = sum(counts.values())
    print(f"demo network: the setup nightly (ingest, dbt build, publish) took {nightly:.1f} s")
    for label, n in counts.items():
        print(f"  {label}: {n:,}")
    print(f"dbt build of the analytics models and what is below them, median of {args.repeats}:")
    print(f"  off (the models build empty): {off:.1f} s   runs {', '.join(f'{t:.1f}' for t in times[False])}")
    print(f"  on: {on:.1f} s   runs {', '.join(f'{t:.1f}' for t in times[True])}")
    print(
        f"added by forecasting, stock-out prediction and detection: {added:.1f} s "
        f"({added / BUDGET_SECONDS:.2f}x the {BUDGET_SECONDS:.0f} s budget; on / off {on / off:.2f}x); "
        f"{added / total * 1000:.1f} s per 1,000 series ({total:,})"
    )


if __name__ == "__main__":
    main()
