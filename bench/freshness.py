"""Freshness (issues 8, 19): the time from a distributor's sales file landing in the inbox to its rows in the
published warehouse, on the path a team runs: the `inbox_arrivals` sensor's evaluation, then the run it asks for,
then an analyst's read-only query of `published/sellthrough.duckdb`.

Setup (untimed): the demo network (`sellthrough demo`'s generator config) under `--data-dir`, with the two
last-received distributor_sales files held back, then one nightly run. Measured in the same run:
- baseline: the nightly job with nothing new (the job's fixed cost) and a sensor tick that finds nothing;
- before (issue 8's path): the first held-back file is dropped into the inbox; sensor tick (must ask for one run),
  the whole `nightly` job (what the sensor's run was until issue 19), the query;
- after (issue 19): the second file is dropped; sensor tick, the run it asks for (`orchestration.pipeline.
  run_requested`: only that kind's ingest, the models its loads change, the publish), the query.

The sensor ticks every 30 s (`minimum_interval_seconds`), so a file waits up to 30 s more for its tick in a
deployment: printed as the worst case. Targets: within 120 s (issue 8), within 30 s (issue 19). Per-step times
come from Dagster's step stats and the slowest dbt nodes from dbt's run_results.json.

Run: `python -m bench freshness [--data-dir DIR] [--keep]` (default data/bench/freshness, git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb

from sellthrough.config import DBT_TARGET_DIR, REPO_ROOT

if TYPE_CHECKING:
    from sellthrough.config import Settings

BUDGET_SECONDS = 120.0
ONE_FILE_TARGET_SECONDS = 30.0  # issue 19
SENSOR_INTERVAL_SECONDS = 30  # orchestration/sensors.py: minimum_interval_seconds
DEFAULT_DIR = REPO_ROOT / "data" / "bench" / "freshness"
T = TypeVar("T")


@dataclass(frozen=True)
class Timed:
    label: str
    seconds: float


def timed(label: str, fn: Callable[[], T]) -> tuple[Timed, T]:
    started = time.perf_counter()
    result = fn()
    return Timed(label, time.perf_counter() - started), result


def hold_back_latest_sales_files(inbox: Path, held: Path, count: int = 2) -> list[Path]:
    """Move the `count` last-received distributor_sales files (unique bytes, so each is a real new load) out of the
    inbox, oldest first; returns their paths inside the inbox, where the benchmark drops them again."""
    files = [p for p in (inbox / "distributor_sales").rglob("*") if p.is_file() and not p.name.startswith(".")]
    counts = Counter(sha_of(p) for p in files)
    unique = sorted((p for p in files if counts[sha_of(p)] == 1), key=lambda p: (p.stat().st_mtime, p.name))
    if len(unique) < count:
        raise SystemExit(f"fewer than {count} distributor_sales files with unique bytes under {inbox}")
    latest = unique[-count:]
    for path in latest:
        target = held / path.relative_to(inbox)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)  # keeps the mtime: the file's received_at stays the generator's delivery time
    return latest


@cache
def sha_of(path: Path) -> str:
    from ingest.core.files import sha256_of

    return sha256_of(path)


def sensor_tick(cursor: str | None) -> Any:
    """One evaluation of the real `inbox_arrivals` sensor, as the daemon's tick would run it."""
    from dagster import DagsterInstance, build_sensor_context

    from orchestration.definitions import defs

    sensor = defs.resolve_sensor_def("inbox_arrivals")
    with DagsterInstance.ephemeral() as instance:
        return sensor(build_sensor_context(instance=instance, cursor=cursor))


def published_rows(published: Path, source_file: str) -> int:
    """What an analyst sees: the file's lines in the published fct_secondary_sales (read-only connection)."""
    from sellthrough.publish import connect_published

    con = connect_published(published)
    try:
        sql = "select count(*) from fct_secondary_sales where _source_file = $file"
        found = con.execute(sql, {"file": source_file}).fetchall()
    finally:
        con.close()
    return int(found[0][0])


def ledger_rows_loaded(raw_dir: Path, source_file: str) -> int:
    glob = str(raw_dir / "_ledger" / "*.parquet")
    sql = "select coalesce(sum(rows_loaded), 0) from read_parquet($glob, union_by_name = true) where file_name = $f"
    with duckdb.connect() as con:
        return int(con.execute(sql, {"glob": glob, "f": source_file}).fetchall()[0][0])


def step_times(run_id: str) -> list[tuple[str, float]]:
    from dagster import DagsterInstance

    stats = DagsterInstance.get().get_run_step_stats(run_id)
    out = [(s.step_key, (s.end_time or 0) - (s.start_time or 0)) for s in stats if s.start_time]
    return sorted(out, key=lambda item: -item[1])


def last_run_results(since: float) -> list[dict[str, Any]]:
    """Node results of the newest dbt invocation written after `since` (dagster-dbt gives every invocation its
    own folder under dbt_project/target)."""
    found = [p for p in DBT_TARGET_DIR.rglob("run_results.json") if p.stat().st_mtime >= since]
    if not found:
        return []
    newest = max(found, key=lambda p: p.stat().st_mtime)
    return list(json.loads(newest.read_text())["results"])


def dbt_profile(since: float, limit: int = 8) -> None:
    results = last_run_results(since)
    kinds: dict[str, list[float]] = {}
    for r in results:
        kinds.setdefault(r["unique_id"].split(".", 1)[0], []).append(float(r["execution_time"]))
    summary = "; ".join(f"{len(v)} {k} nodes {sum(v):.1f} s" for k, v in sorted(kinds.items()))
    print(f"    dbt node time (summed over its 2 threads): {summary or 'no run_results.json found'}")
    nodes = sorted(
        ((r["unique_id"].split(".", 2)[-1], float(r["execution_time"])) for r in results), key=lambda n: -n[1]
    )
    for node, seconds in nodes[:limit]:
        print(f"      {node[:62]:<64}{seconds:>6.1f}")


@dataclass(frozen=True)
class OneFile:
    label: str
    latency: float
    job: float
    scope: str
    cursor: str | None


def one_file(settings: Settings, data_dir: Path, held: Path, cursor: str | None, label: str, whole: bool) -> OneFile:
    """Drop one held-back file into the inbox, evaluate the sensor (exactly one run asked), run the whole nightly
    job (`whole`) or the run the sensor asked for, and query the published file for the file's rows."""
    from orchestration.pipeline import run_nightly, run_requested

    source_file = held.relative_to(settings.inbox_dir).as_posix()
    print(f"\n{label}: {source_file}", flush=True)
    if published_rows(settings.published_path, source_file):
        raise SystemExit(f"{source_file} is already published: nothing to measure")
    dropped_at, dropped_wall = time.perf_counter(), time.time()
    shutil.copy2(data_dir / "held" / source_file, held)  # the file lands (copy2 keeps its delivery mtime)
    tick, asked = timed("sensor tick", lambda: sensor_tick(cursor))
    if len(asked.run_requests) != 1:
        raise SystemExit(f"the sensor asked for {len(asked.run_requests)} runs, expected 1")
    (request,) = asked.run_requests
    selection = request.asset_selection
    scope = "every asset" if whole or selection is None else f"{len(selection)} assets asked by the sensor"
    job = (lambda: run_nightly(data_dir)) if whole else (lambda: run_requested(request, data_dir))
    run, outcome = timed("job", lambda: quietly(job))
    if not outcome.success:
        raise SystemExit(f"the run failed at {outcome.failed_steps}")
    query, rows = timed("published query", lambda: published_rows(settings.published_path, source_file))
    latency = time.perf_counter() - dropped_at
    expected = ledger_rows_loaded(settings.raw_dir, source_file)
    if rows == 0 or rows != expected:
        raise SystemExit(f"published has {rows} rows of {source_file}; the ledger loaded {expected}")
    print(f"  sensor tick {tick.seconds:.2f} s (1 run asked), job {run.seconds:.1f} s, query {query.seconds:.2f} s")
    print(f"  published rows of the file: {rows:,} (= ledger rows_loaded); {scope}")
    print_profile("run", outcome.run_id, dropped_wall)
    return OneFile(label, latency, run.seconds, scope, asked.cursor)


def print_profile(label: str, run_id: str, since: float) -> None:
    steps = step_times(run_id)
    print(f"  {label}: Dagster steps (seconds; {sum(s for _, s in steps):.1f} s in steps)")
    for key, seconds in steps:
        print(f"    {key:<58}{seconds:>8.1f}")
    dbt_profile(since)


def quietly(fn: Callable[[], T]) -> T:
    """Run `fn` with its stdout (dbt's streamed log lines) kept off the report."""
    with contextlib.redirect_stdout(io.StringIO()):
        return fn()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench freshness", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DIR, help=f"scratch data dir ({DEFAULT_DIR})")
    parser.add_argument("--keep", action="store_true", help="keep the data dir afterwards")
    parser.add_argument("--days", type=int, default=123, help="days of the generated network (demo: 123)")
    parser.add_argument("--distributors", type=int, default=8, help="distributors (demo: 8)")
    parser.add_argument("--outlets", type=int, default=400, help="outlets (demo: 400)")
    parser.add_argument("--skus", type=int, default=30, help="SKUs (demo: 30)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv if argv is not None else [])  # `python -m bench NAME` passes no options
    data_dir: Path = args.data_dir.resolve()
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    dagster_home = Path(tempfile.mkdtemp(prefix="dagster-home-", dir=data_dir))
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    os.environ["DAGSTER_HOME"] = str(dagster_home)  # a persistent instance: the runs' step stats can be read back
    os.environ["SELLTHROUGH_DATA_DIR"] = str(data_dir)
    for variable in ("SELLTHROUGH_DUCKDB_PATH", "SELLTHROUGH_PUBLISHED_PATH"):
        os.environ.pop(variable, None)

    from generator import NetworkConfig, generate
    from orchestration.pipeline import run_nightly
    from sellthrough.config import Settings

    settings = Settings.from_env(data_dir)
    config = NetworkConfig(distributors=args.distributors, outlets=args.outlets, skus=args.skus, days=args.days)
    started = time.perf_counter()
    try:
        print(f"setup: demo network ({config}) -> {data_dir}", flush=True)
        gen, _ = timed("generate", lambda: generate(data_dir, config))
        held = hold_back_latest_sales_files(settings.inbox_dir, data_dir / "held")
        names = ", ".join(p.relative_to(settings.inbox_dir).as_posix() for p in held)
        print(f"  generated in {gen.seconds:.1f} s; held back {names}", flush=True)
        first, outcome = timed("first nightly", lambda: quietly(lambda: run_nightly(data_dir)))
        if not outcome.success:
            raise SystemExit(f"setup nightly failed at {outcome.failed_steps}")
        print(f"  first nightly (whole history) in {first.seconds:.1f} s", flush=True)

        print("\nbaseline (nothing new)", flush=True)
        quiet_tick, quiet = timed("sensor tick, no new file", lambda: sensor_tick(None))
        if quiet.run_requests:
            raise SystemExit(f"the sensor asked for a run with no new file: {quiet.run_requests}")
        quiet_tick2, quiet = timed("sensor tick, no new file (cached hashes)", lambda: sensor_tick(quiet.cursor))
        print(f"  sensor tick: {quiet_tick.seconds:.2f} s cold, {quiet_tick2.seconds:.2f} s with its cursor")
        noop_started = time.time()
        noop, outcome = timed("nightly, nothing new", lambda: quietly(lambda: run_nightly(data_dir)))
        if not outcome.success:
            raise SystemExit(f"no-change nightly failed at {outcome.failed_steps}")
        print(f"  nightly job, nothing new: {noop.seconds:.1f} s", flush=True)
        print_profile("no-change run", outcome.run_id, noop_started)

        before = one_file(settings, data_dir, held[0], quiet.cursor, "before: the whole nightly job", whole=True)
        after = one_file(settings, data_dir, held[1], before.cursor, "after: the run the sensor asks for", whole=False)

        print("\n" + "=" * 88)
        for run in (before, after):
            worst = run.latency + SENSOR_INTERVAL_SECONDS
            print(f"{run.label}: file in inbox -> rows in published warehouse {run.latency:.1f} s")
            print(
                f"  job {run.job:.1f} s ({run.scope}); {run.latency / BUDGET_SECONDS:.2f}x of the 120 s budget,"
                f" {run.latency / ONE_FILE_TARGET_SECONDS:.2f}x of the 30 s target; worst case with a"
                f" {SENSOR_INTERVAL_SECONDS} s sensor interval {worst:.1f} s"
            )
        print(f"after / before (latency): {after.latency / before.latency:.2f}x")
        print(f"baseline, same run: nightly job with nothing new {noop.seconds:.1f} s")
        print(f"load average now: {', '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} cores")
    finally:
        print(f"total {time.perf_counter() - started:.0f} s; data under {data_dir}", flush=True)
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
