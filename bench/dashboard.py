"""Dashboard page render times (issue 15): every page under 1 s at demo scale and under 2 s on the 20M-line
warehouse of bench/warehouse_scale, median of 5, printed with the page's query times.

A render is one run of the page's script, what the server does per click: Streamlit's AppTest runs the app in
this process (the browser's drawing is not in it). Each repetition starts with the query cache empty: the first
click after a nightly publish, the slowest case (later clicks on the same night read the cache; printed as
"warm" for context). Baseline, same run: the app shell rendering a page that runs no query (Streamlit's own cost
per run). Ratio: the page's median against its target. Also printed: the CPU seconds the process spent on the
render (median; DuckDB's threads included), which a shared, overloaded machine does not inflate as it does wall
time; and the load average before and after, so a reader can tell a quiet run from a contended one.

  python -m bench dashboard                     # demo network (8 distributors, 400 outlets, 123 days)
  python -m bench dashboard --scale 20m         # the 20M-line synthetic lake of warehouse_scale, built once
  python -m bench dashboard --reuse             # keep and reuse the data under data/bench/dashboard/
  python -m bench dashboard --warehouse FILE    # any published warehouse
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

from sellthrough.config import REPO_ROOT

DEFAULT_DIR = REPO_ROOT / "data" / "bench" / "dashboard"
REPEATS = 5
TARGETS = {"demo": 1.0, "20m": 2.0}
# page file, the query parameters it opens with: each page as a manager first sees it, and the deep ends of
# the drill and the heatmap
PAGES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("overview", "views/overview.py", {}),
    ("drilldown", "views/drilldown.py", {}),
    ("drilldown (outlet)", "views/drilldown.py", {"deep": "outlet"}),
    ("heatmap", "views/heatmap.py", {}),
    ("heatmap (beats, a cell)", "views/heatmap.py", {"level": "beat", "deep": "cell"}),
    ("outlets", "views/outlets.py", {}),
    ("stock", "views/stock.py", {}),
    ("early warning", "views/alerts.py", {}),
    ("schemes", "views/schemes.py", {}),
    ("field", "views/field.py", {}),
    ("data quality", "views/data_quality.py", {}),
)
SHELL = 'import streamlit as st\nst.title("baseline")\nst.write("no query")\n'


def demo_warehouse(root: Path, reuse: bool) -> Path:
    """The demo network generated and run once (about 5 minutes on 2 cores), under root/demo."""
    from generator import NetworkConfig, generate
    from orchestration.pipeline import run_nightly

    data_dir = root / "demo"
    published = data_dir / "published" / "sellthrough.duckdb"
    if reuse and published.exists():
        print(f"reusing {published}", flush=True)
        return published
    shutil.rmtree(data_dir, ignore_errors=True)
    started = time.perf_counter()
    generate(data_dir, NetworkConfig())
    outcome = run_nightly(data_dir)
    if not outcome.success:
        raise SystemExit(f"the demo's nightly run failed at {outcome.failed_steps}")
    print(f"demo network generated and run in {time.perf_counter() - started:.0f} s: {published}", flush=True)
    return published


def scale_warehouse(root: Path, reuse: bool) -> Path:
    """bench/warehouse_scale's 20M-line, 365-day lake (lake B), with every model built once (`dbt build`
    without tests, as that benchmark's history build)."""
    from bench.synthetic_lake import LakeSpec, write_lake
    from sellthrough.config import Settings

    spec = LakeSpec(root / "scale" / "data")
    settings = Settings.from_env(spec.data_dir)
    if reuse and settings.warehouse_path.exists():
        print(f"reusing {settings.warehouse_path}", flush=True)
        return settings.warehouse_path
    shutil.rmtree(root / "scale", ignore_errors=True)
    started = time.perf_counter()
    summary = write_lake(spec)
    print(f"lake: {summary.secondary_lines:,} lines in {time.perf_counter() - started:.0f} s", flush=True)
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        **settings.dbt_env(),
        "DBT_TARGET_PATH": str(root / "scale" / "dbt_target"),
        "DBT_LOG_PATH": str(root / "scale" / "dbt_logs"),
    }
    dbt = Path(sys.executable).with_name("dbt")
    project = str(REPO_ROOT)
    command = [str(dbt), "build", "--exclude-resource-type", "test", "--project-dir", project]
    command += ["--profiles-dir", project, "--target-path", env["DBT_TARGET_PATH"]]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"dbt build failed:\n{done.stdout[-3000:]}")
    print(f"warehouse built in {time.perf_counter() - started:.0f} s: {settings.warehouse_path}", flush=True)
    return settings.warehouse_path


def deep_query(warehouse: Path, deep: str) -> dict[str, str]:
    """The query parameters of the deepest view: the largest zone's ... largest outlet, or the heatmap's worst
    beat-week."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        if deep == "outlet":
            row = con.execute(
                "select zone, region, state, distributor_code, beat_code, master_outlet_id from dash_sales_periods "
                "where period = 'mtd' group by all order by sum(net_amount) desc limit 1"
            ).fetchall()[0]
            return dict(zip(("zone", "region", "state", "distributor", "beat", "outlet"), row, strict=True))
        row = con.execute(
            "select geo_value, week_start from dash_geo_weekly where geo_level = 'beat' and growth_pct is not null "
            "order by week_start desc, growth_pct limit 1"
        ).fetchall()[0]
        return {"cell": row[0], "week": row[1].isoformat()}


Result = tuple[str, list[float], list[float], list[float], dict[str, list[float]]]


def measure(warehouse: Path, repeats: int) -> list[Result]:
    from streamlit.testing.v1 import AppTest

    from dashboard import ui
    from dashboard.server import APP
    from dashboard.warehouse import warehouse_for

    os.environ["SELLTHROUGH_PUBLISHED_PATH"] = str(warehouse)
    cache = warehouse_for(warehouse)
    results = []
    for name, page, query in PAGES:
        query = dict(query)
        deep = query.pop("deep", None)
        if deep:
            query.update(deep_query(warehouse, deep))
        at = AppTest.from_file(str(APP), default_timeout=300)
        at.run()  # imports, the night opened
        cold: list[float] = []
        warm: list[float] = []
        cpu: list[float] = []
        queries: dict[str, list[float]] = {}
        for _ in range(repeats):
            for cached in (False, True):
                if not cached:
                    cache.clear_cache()
                at.query_params.clear()
                at.query_params.update(query)
                at.switch_page(page)
                started, cpu_started = time.perf_counter(), time.process_time()
                at.run()
                seconds = time.perf_counter() - started
                if not cached:
                    cpu.append(time.process_time() - cpu_started)
                if at.exception:
                    raise SystemExit(f"{name}: {at.exception[0].value}")
                (warm if cached else cold).append(seconds)
                if not cached:
                    for timing in at.session_state[ui.TIMINGS_KEY]:
                        queries.setdefault(timing.label, []).append(timing.seconds)
        results.append((name, cold, warm, cpu, queries))
    return results


def shell_baseline(repeats: int) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(SHELL)
    at.run()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        at.run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def report(scale: str, warehouse: Path, results, baseline: float, repeats: int) -> bool:
    target = TARGETS[scale]
    print(f"\ndashboard pages on {warehouse} ({scale}; target {target:.0f} s per page, median of {repeats})")
    print(f"baseline: an app page with no query renders in {baseline * 1000:.0f} ms (Streamlit's own cost per run)")
    print(f"{'page':<26}{'median s':>9}{'ratio':>7}{'cpu s':>7}{'warm s':>8}   queries (median ms, cold)")
    ok = True
    for name, cold, warm, cpu, queries in results:
        median = statistics.median(cold)
        ok &= median < target
        detail = ", ".join(f"{label} {statistics.median(times) * 1000:.0f}" for label, times in queries.items())
        print(
            f"{name:<26}{median:>9.3f}{median / target:>7.2f}{statistics.median(cpu):>7.3f}"
            f"{statistics.median(warm):>8.3f}   {detail}"
        )
    print(("every page under target" if ok else "NOT every page under target") + f" ({target:.0f} s)")
    return ok


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=tuple(TARGETS), default="demo")
    parser.add_argument("--warehouse", type=Path, help="measure this published warehouse instead")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--reuse", action="store_true", help="reuse (and keep) the data a previous run left")
    args = parser.parse_args(argv if argv is not None else [])
    root = args.dir.resolve()
    if args.warehouse:
        warehouse = args.warehouse.resolve()
    elif args.scale == "demo":
        warehouse = demo_warehouse(root, args.reuse)
    else:
        warehouse = scale_warehouse(root, args.reuse)
    load_before = os.getloadavg()[0]
    results = measure(warehouse, args.repeats)
    print(f"\nload average (1 min) before {load_before:.1f}, after {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    ok = report(args.scale, warehouse, results, shell_baseline(args.repeats), args.repeats)
    if not args.reuse and not args.warehouse:
        shutil.rmtree(root / ("demo" if args.scale == "demo" else "scale"), ignore_errors=True)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
