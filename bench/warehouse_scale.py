"""dbt at warehouse scale on a synthetic raw lake (bench/synthetic_lake.py), two benchmarks printed as ratios.

1. Reconciliation at scale: `dbt build --select +fct_distributor_stock_reconciliation --full-refresh` on a
   20M-line lake against ONE hand-written DuckDB query computing the same reconciliation from the same raw parquet.
   Both results must be equal (rows, sum of computed_closing_units and variance_units, and row by row).
   Target: dbt / hand <= 2.0.
2. Cost grows with new data, not history: lake A (30 days) and lake B (365 days, same lines per day); on each a full
   `dbt build`, then one new day of distributor_sales loads, then the nightly `dbt build` (no --full-refresh),
   timed. Target: B / A <= 1.3. The same one-day build with --full-refresh on B is printed as context.

Every measured step runs in its own child (a tiny wrapper process), so wall time and peak RSS
(getrusage(RUSAGE_CHILDREN).ru_maxrss) are per step. dbt gets its own --target-path and log path under the temp
dir: the working tree's dbt_project/target is never touched.

Run: `python -m bench warehouse_scale [--quick] [--lines N] [--days N] [--keep] [--tmp-dir DIR]`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb

from bench.synthetic_lake import LakeSpec, add_day, write_lake
from sellthrough.config import REPO_ROOT, Settings

RECONCILIATION_TARGET = 2.0
GROWTH_TARGET = 1.3
QUICK_LINES = 1_000_000
SMALL_DAYS = 30
DBT = Path(sys.executable).with_name("dbt")

# Runs argv[2:] as a child and writes its wall time and peak RSS (KiB on Linux) to argv[1] as JSON. A fresh
# process, so RUSAGE_CHILDREN covers that one command only.
WRAPPER = """
import json, resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
proc = subprocess.run(cmd, capture_output=True, text=True)
seconds = time.perf_counter() - started
rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(out, "w") as handle:
    json.dump({"seconds": seconds, "rss_kib": rss_kib, "returncode": proc.returncode,
               "stdout": proc.stdout[-20000:], "stderr": proc.stderr[-4000:]}, handle)
"""

HAND_CHILD = "import sys; from bench.warehouse_scale import hand_query_main; hand_query_main(sys.argv[1:])"

# The reconciliation by hand, from the raw parquet: committed loads; a row of load L dated d is current unless a
# later (received_at, load_id) loaded load of the same kind and distributor covers d; lines are summed per load x
# distributor x SKU x day before supersession is applied (the hand-written shortcut dbt's layering cannot take).
HAND_SQL = """
copy (
with loads as (
    select load_id, source_kind, distributor_code, received_at, period_start, period_end
    from read_parquet($ledger_glob, union_by_name = true)
    where status = 'loaded'
),
dated as (
    select * from loads where period_start is not null and source_kind <> 'masters'
),
supersessions as (
    select
        earlier.load_id,
        greatest(earlier.period_start, later.period_start) as covers_from,
        least(earlier.period_end, later.period_end) as covers_to
    from dated as earlier
    inner join dated as later
        on later.source_kind = earlier.source_kind
        and later.distributor_code = earlier.distributor_code
        and later.load_id <> earlier.load_id
        and (
            later.received_at > earlier.received_at
            or (later.received_at = earlier.received_at and later.load_id > earlier.load_id)
        )
        and later.period_start <= earlier.period_end
        and later.period_end >= earlier.period_start
),
sales_by_load as (
    select
        _load_id as load_id,
        distributor_code,
        sku_code,
        invoice_date as day,
        sum(case when line_type = 'sale' then quantity_units + coalesce(free_units, 0) else 0 end) as sales_units,
        sum(case when line_type = 'return' then quantity_units else 0 end) as market_returns_units
    from read_parquet($sales_glob, union_by_name = true)
    where _load_id in (select load_id from loads)
    group by all
),
sales as (
    select * from sales_by_load as s
    where not exists (
        select 1 from supersessions as x
        where x.load_id = s.load_id and s.day between x.covers_from and x.covers_to
    )
),
primary_lines as (
    select * from read_parquet($primary_glob, union_by_name = true) as p
    where p._load_id in (select load_id from loads)
      and not exists (
        select 1 from supersessions as x
        where x.load_id = p._load_id and p.doc_date between x.covers_from and x.covers_to
    )
),
statements as (
    select
        distributor_code,
        sku_code,
        period_start,
        max(period_end) as period_end,
        sum(opening_units) as opening_units,
        sum(closing_units) as reported_closing_units
    from read_parquet($stock_glob, union_by_name = true) as s
    where s._load_id in (select load_id from loads)
      and not exists (
        select 1 from supersessions as x
        where x.load_id = s._load_id and s.period_start between x.covers_from and x.covers_to
    )
    group by all
),
movements as (
    select distributor_code, sku_code, day, sales_units, market_returns_units, 0 as receipts_units,
        0 as returns_to_brand_units
    from sales
    union all
    select distributor_code, sku_code, delivery_date, 0, 0, quantity_units, 0
    from primary_lines where doc_type = 'invoice' and delivery_date is not null
    union all
    select distributor_code, sku_code, doc_date, 0, 0, 0, quantity_units
    from primary_lines where doc_type = 'credit_note'
),
summed as (
    select
        st.distributor_code,
        st.sku_code,
        st.period_start,
        any_value(st.period_end) as period_end,
        any_value(st.opening_units) as opening_units,
        any_value(st.reported_closing_units) as reported_closing_units,
        coalesce(sum(m.receipts_units), 0) as receipts_units,
        coalesce(sum(m.sales_units), 0) as secondary_sales_units,
        coalesce(sum(m.market_returns_units), 0) as market_returns_units,
        coalesce(sum(m.returns_to_brand_units), 0) as returns_to_brand_units
    from statements as st
    left join movements as m
        on m.distributor_code = st.distributor_code
        and m.sku_code = st.sku_code
        and m.day between st.period_start and st.period_end
    group by st.distributor_code, st.sku_code, st.period_start
)
select
    *,
    (opening_units + receipts_units - secondary_sales_units + market_returns_units - returns_to_brand_units)::bigint
        as computed_closing_units,
    (reported_closing_units - (opening_units + receipts_units - secondary_sales_units + market_returns_units
        - returns_to_brand_units))::bigint as variance_units
from summed
) to $out (format parquet)
"""

COMPARE_SQL = """
with dbt as (
    select distributor_code, sku_code, period_start, computed_closing_units, variance_units
    from warehouse.main.fct_distributor_stock_reconciliation
),
hand as (
    select distributor_code, sku_code, period_start, computed_closing_units, variance_units
    from read_parquet($hand)
)
select
    (select count(*) from dbt),
    (select count(*) from hand),
    (select sum(computed_closing_units) from dbt),
    (select sum(computed_closing_units) from hand),
    (select sum(variance_units) from dbt),
    (select sum(variance_units) from hand),
    (select count(*) from (select * from dbt except all select * from hand)),
    (select count(*) from hand where variance_units <> 0)
"""


@dataclass(frozen=True)
class Measurement:
    label: str
    seconds: float
    rss_mib: float
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def summary(self) -> str:
        """dbt's closing `Done. PASS=...` line, or the last output line."""
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        done = [line for line in lines if "Done. PASS=" in line]
        return (done or lines or [self.stderr.strip()[-300:]])[-1].strip()

    def errors(self) -> list[str]:
        keep = ("ERROR", "FAIL ", "Failure in", "Error in", "Runtime Error", "Compilation Error", "Parser Error")
        return [line.strip() for line in self.stdout.splitlines() if any(k in line for k in keep)][:20]


@dataclass(frozen=True)
class Workspace:
    """One lake with its warehouse, dbt target and logs, all under `root`."""

    root: Path
    spec: LakeSpec

    @property
    def settings(self) -> Settings:
        return Settings.from_env(self.spec.data_dir)

    @property
    def target_path(self) -> Path:
        return self.root / "dbt_target"

    def dbt_env(self) -> dict[str, str]:
        env = {**os.environ, **self.settings.dbt_env()}
        env["DBT_TARGET_PATH"] = str(self.target_path)
        env["DBT_LOG_PATH"] = str(self.root / "dbt_logs")
        env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        return env


def measure(label: str, cmd: list[str], env: dict[str, str], scratch: Path) -> Measurement:
    """Run `cmd` in its own child (through the wrapper) and return its wall time and peak RSS."""
    out = scratch / f"measure-{time.monotonic_ns()}.json"
    subprocess.run([sys.executable, "-c", WRAPPER, str(out), *cmd], env=env, check=True, cwd=REPO_ROOT)
    result = json.loads(out.read_text())
    out.unlink()
    return Measurement(
        label=label,
        seconds=result["seconds"],
        rss_mib=result["rss_kib"] / 1024,
        returncode=result["returncode"],
        stdout=result["stdout"],
        stderr=result["stderr"],
    )


def dbt_command(ws: Workspace, verb: str, *args: str) -> list[str]:
    project = str(REPO_ROOT)
    return [
        *(str(DBT), verb, "--project-dir", project, "--profiles-dir", project),
        *("--target-path", str(ws.target_path), *args),
    ]


def run_dbt(ws: Workspace, label: str, *args: str) -> Measurement:
    result = measure(label, dbt_command(ws, "build", *args), ws.dbt_env(), ws.root)
    print(f"  {label}: {result.seconds:.1f} s, peak RSS {result.rss_mib:,.0f} MiB; {result.summary()}", flush=True)
    for line in result.errors():
        print(f"    {line}")
    return result


def prepare(ws: Workspace) -> None:
    """Write the lake and parse the project once (untimed), so measured builds start from a parsed manifest."""
    ws.settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"writing lake: {ws.spec.lines:,} lines, {ws.spec.days} days -> {ws.spec.data_dir}", flush=True)
    summary = write_lake(ws.spec)
    print(
        f"  {summary.secondary_lines:,} secondary lines, {summary.loads:,} loads"
        f" ({summary.resent_loads} re-sent weeks), {summary.statement_rows:,} statement rows,"
        f" written in {summary.seconds:.1f} s",
        flush=True,
    )
    parsed = measure("dbt parse", dbt_command(ws, "parse"), ws.dbt_env(), ws.root)
    if not parsed.ok:
        print(f"  dbt parse failed: {parsed.summary()}\n{parsed.stdout[-3000:]}")


# ------------------------------------------------------------------------------------------ benchmark 1


def hand_query_main(argv: list[str]) -> None:
    """Child entry point: the hand-written reconciliation over raw_dir, written to out (parquet)."""
    raw_dir, out = Path(argv[0]), argv[1]
    params = {
        "ledger_glob": str(raw_dir / "_ledger" / "*.parquet"),
        "sales_glob": str(raw_dir / "secondary_sales" / "*.parquet"),
        "primary_glob": str(raw_dir / "primary_sales" / "*.parquet"),
        "stock_glob": str(raw_dir / "stock_statement" / "*.parquet"),
        "out": out,
    }
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    con.execute(HAND_SQL, params)
    con.close()


def compare(ws: Workspace, hand: Path) -> tuple[bool, str]:
    con = duckdb.connect()
    con.execute("attach $path as warehouse (read_only)", {"path": str(ws.settings.warehouse_path)})
    row = con.execute(COMPARE_SQL, {"hand": str(hand)}).fetchall()[0]
    con.close()
    dbt_rows, hand_rows, dbt_closing, hand_closing, dbt_var, hand_var, differing, variances = row
    equal = dbt_rows == hand_rows and dbt_closing == hand_closing and dbt_var == hand_var and differing == 0
    detail = (
        f"rows {dbt_rows:,} / {hand_rows:,}; sum computed_closing_units {dbt_closing:,} / {hand_closing:,}; "
        f"sum variance_units {dbt_var:,} / {hand_var:,}; rows differing {differing:,}; "
        f"rows with a variance {variances:,}"
    )
    return equal, detail


def reconciliation_benchmark(ws: Workspace) -> dict[str, Measurement]:
    print("\n[1] reconciliation at scale", flush=True)
    dbt = run_dbt(
        ws,
        "dbt build +fct_distributor_stock_reconciliation --full-refresh",
        "--select",
        "+fct_distributor_stock_reconciliation",
        "--full-refresh",
    )
    out = ws.root / "hand_reconciliation.parquet"
    hand = measure(
        "hand query", [sys.executable, "-c", HAND_CHILD, str(ws.spec.raw_dir), str(out)], dict(os.environ), ws.root
    )
    print(f"  hand-written DuckDB query: {hand.seconds:.1f} s, peak RSS {hand.rss_mib:,.0f} MiB", flush=True)
    if not hand.ok:
        print(f"    failed: {hand.stderr[-2000:]}")
    if dbt.ok and hand.ok:
        equal, detail = compare(ws, out)
        print(f"  results {'EQUAL' if equal else 'DIFFER'} (dbt / hand): {detail}")
    return {"dbt": dbt, "hand": hand}


# ------------------------------------------------------------------------------------------ benchmark 2


def nightly(ws: Workspace, name: str, full_refresh_context: bool) -> dict[str, Measurement]:
    """Full build, one new day of loads, the nightly build (and, for context, the same with --full-refresh)."""
    print(f"\n[2] lake {name}: {ws.spec.days} days", flush=True)
    results = {"full": run_dbt(ws, f"{name}: full dbt build (history)")}
    new_day = ws.spec.end_date + timedelta(days=1)
    lines = add_day(ws.spec, new_day)
    print(f"  added {new_day}: {lines:,} lines in {ws.spec.distributors} distributor_sales loads", flush=True)
    results["nightly"] = run_dbt(ws, f"{name}: nightly dbt build (one new day)")
    if full_refresh_context:
        results["refresh"] = run_dbt(ws, f"{name}: same day, dbt build --full-refresh (context)", "--full-refresh")
    return results


# ----------------------------------------------------------------------------------------------- report


def ratio(numerator: Measurement, denominator: Measurement) -> str:
    if not (numerator.ok and denominator.ok):
        return "n/a (a step failed)"
    return f"{numerator.seconds / denominator.seconds:.2f}x"


def report(bench1: dict[str, Measurement], lake_a: dict[str, Measurement], lake_b: dict[str, Measurement]) -> None:
    print("\n" + "=" * 100)
    print(f"{'step':<62}{'seconds':>10}{'peak RSS MiB':>14}{'ok':>6}")
    rows = [bench1["dbt"], bench1["hand"], *lake_a.values(), *lake_b.values()]
    for m in rows:
        print(f"{m.label[:61]:<62}{m.seconds:>10.1f}{m.rss_mib:>14,.0f}{'yes' if m.ok else 'NO':>6}")
    print(
        f"\n[1] reconciliation dbt / hand: {ratio(bench1['dbt'], bench1['hand'])} (target <= {RECONCILIATION_TARGET})"
    )
    print(f"[2] nightly one-day build B / A: {ratio(lake_b['nightly'], lake_a['nightly'])} (target <= {GROWTH_TARGET})")
    if "refresh" in lake_b:
        print(f"    context: B full-refresh / B nightly: {ratio(lake_b['refresh'], lake_b['nightly'])}")
    print(f"    load average now: {', '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} cores")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench warehouse_scale", description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=None, help="secondary lines of the big lake (20,000,000)")
    parser.add_argument("--days", type=int, default=365, help="days of the big lake (lake B)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_LINES:,} lines, for development")
    parser.add_argument("--distributors", type=int, default=40)
    parser.add_argument("--skus", type=int, default=60)
    parser.add_argument("--outlets", type=int, default=8_000)
    parser.add_argument("--tmp-dir", type=Path, default=Path("/tmp/sellthrough-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the lakes and warehouses")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    lines = args.lines or (QUICK_LINES if args.quick else 20_000_000)
    root: Path = args.tmp_dir
    if root.exists():
        shutil.rmtree(root)
    knobs = {"distributors": args.distributors, "skus": args.skus, "outlets": args.outlets}
    big = Workspace(root / "lake_b", LakeSpec(root / "lake_b" / "data", lines=lines, days=args.days, **knobs))
    per_day = lines // args.days
    small_spec = LakeSpec(root / "lake_a" / "data", lines=per_day * SMALL_DAYS, days=SMALL_DAYS, **knobs)
    small = Workspace(root / "lake_a", small_spec)
    started = time.perf_counter()
    try:
        prepare(big)
        bench1 = reconciliation_benchmark(big)
        lake_b = nightly(big, "B", full_refresh_context=True)
        prepare(small)
        lake_a = nightly(small, "A", full_refresh_context=False)
        report(bench1, lake_a, lake_b)
    finally:
        print(f"total {time.perf_counter() - started:.0f} s; data under {root}", flush=True)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
