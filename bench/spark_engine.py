"""Spark engine (issue 19): the models ported to Spark, built from one lake by DuckDB (the embedded default) and by
Spark (dbt-spark's session method, local mode), timed in the same run; the ratio is Spark / DuckDB.

Setup (untimed): a generated network (the tests' tiny one unless `--days` / `--distributors` / `--outlets` say
otherwise) under `--data-dir`, ingested and built by one nightly run. Measured: `dbt build --full-refresh` without
tests (the seed, then the models) of what builds on Spark (dbt_project.yml, `spark_ported`), on a fresh DuckDB file
and on a fresh Spark warehouse, each in a new process as a user runs it: wall time (Spark's includes starting its JVM)
and dbt's own elapsed time (run_results.json). Every table both builds wrote is then compared row for row, so the
times are of the same work.

Run: `python -m bench spark_engine [--data-dir DIR] [--days N] [--distributors N] [--outlets N] [--keep]`
(default data/bench/spark_engine, git-ignored). Needs dbt with the Spark adapter (`make setup`: .venv-spark) and
a JDK 17.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import time
from pathlib import Path

import duckdb

from sellthrough.config import REPO_ROOT, Settings

DEFAULT_DIR = REPO_ROOT / "data" / "bench" / "spark_engine"


def _dbt(data_dir: Path, work: Path, env: dict[str, str], *args: str) -> tuple[str, float, float]:
    """`dbt <args>` in a new process: (its output, wall seconds, dbt's elapsed seconds or 0 for `ls`)."""
    from tests.pipeline_helpers import SPARK_DBT, run_dbt

    spark = env.get("SELLTHROUGH_DBT_TARGET") == "spark"
    started = time.perf_counter()
    done = run_dbt(
        data_dir, work / "warehouse.duckdb", work, *args, extra_env=env, dbt_executable=SPARK_DBT if spark else None
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}")
    results = work / "target" / "run_results.json"
    elapsed = json.loads(results.read_text())["elapsed_time"] if args[0] != "ls" else 0.0
    return done.stdout, wall, elapsed


def main(argv: list[str] | None = None) -> None:
    from generator import generate
    from orchestration.pipeline import run_nightly
    from tests.pipeline_helpers import TINY, engine_differences, spark_partition_columns, spark_table

    parser = argparse.ArgumentParser(prog="python -m bench spark_engine")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--days", type=int, default=TINY.days)
    parser.add_argument("--distributors", type=int, default=TINY.distributors)
    parser.add_argument("--outlets", type=int, default=TINY.outlets)
    parser.add_argument("--keep", action="store_true", help="keep the network and both warehouses")
    args = parser.parse_args(argv or [])
    config = dataclasses.replace(TINY, days=args.days, distributors=args.distributors, outlets=args.outlets)

    data_dir = args.data_dir.resolve()
    shutil.rmtree(data_dir, ignore_errors=True)
    generate(data_dir / "network", config)
    outcome = run_nightly(data_dir / "network")
    if not outcome.success:
        raise SystemExit(f"setup: the nightly run failed at {outcome.failed_steps}")
    network = data_dir / "network"
    with duckdb.connect(str(Settings.from_env(network).warehouse_path), read_only=True) as con:
        secondary_lines = con.execute("select count(*) from main.fct_secondary_sales").fetchone()[0]

    spark_work, duck_work = data_dir / "spark", data_dir / "duckdb"
    spark_work.mkdir()
    duck_work.mkdir()
    spark_env = {"SELLTHROUGH_DBT_TARGET": "spark", "SELLTHROUGH_SPARK_DIR": str(spark_work / "spark")}
    # the models and seeds that build on Spark; `build` without tests: the seeds load, then the models run
    listing = ("ls", "--resource-type", "model", "--resource-type", "seed", "--output", "name", "--quiet")
    listed, _, _ = _dbt(network, spark_work, spark_env, *listing)
    nodes = sorted(line.strip() for line in listed.splitlines() if line.strip())
    no_tests = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
    duck_env: dict[str, str] = {}  # the warehouse: duckdb/warehouse.duckdb (run_dbt)
    _, duck_wall, duck_elapsed = _dbt(
        network, duck_work, duck_env, "build", "--full-refresh", *no_tests, "--select", *nodes
    )
    _, spark_wall, spark_elapsed = _dbt(network, spark_work, spark_env, "build", "--full-refresh", *no_tests)

    # every table Spark wrote (views have no files): staging, intermediate tables, marts, ops
    spark_warehouse = spark_work / "spark" / "warehouse"
    tables = sorted(
        (folder.parent.name.removesuffix(".db"), folder.name)
        for folder in spark_warehouse.glob("*.db/*")
        if any(folder.glob("*.parquet")) or any(folder.glob("*=*/*.parquet"))  # a partitioned mart: a folder a value
    )
    with duckdb.connect(str(duck_work / "warehouse.duckdb"), read_only=True) as con:
        differing = [
            f"{schema}.{table}"
            for schema, table in tables
            if engine_differences(
                con,
                spark_table(spark_warehouse, schema, table),
                f"{schema}.{table}",
                spark_partition_columns(spark_warehouse / f"{schema}.db" / table),
            )[2:]
            != (0, 0)
        ]

    print(
        f"spark_engine: {len(nodes)} models and seeds ported to Spark, {secondary_lines} secondary lines"
        f" ({config.days} days)"
    )
    print(f"  DuckDB  dbt build (no tests): {duck_wall:6.1f} s wall, {duck_elapsed:6.1f} s dbt elapsed")
    print(
        f"  Spark   dbt build (no tests): {spark_wall:6.1f} s wall, {spark_elapsed:6.1f} s dbt elapsed"
        " (session method, local[2])"
    )
    print(
        f"  ratio Spark / DuckDB: {spark_wall / duck_wall:.1f}x wall, {spark_elapsed / duck_elapsed:.1f}x dbt elapsed"
    )
    print(
        f"  tables equal on both engines: {len(tables) - len(differing)} of {len(tables)}"
        + (f" (differing: {', '.join(differing)})" if differing else "")
    )
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
