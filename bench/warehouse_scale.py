"""dbt at warehouse scale on a synthetic raw lake (bench/synthetic_lake.py), two benchmarks printed as ratios.

1. Reconciliation at scale: `dbt run --select +fct_distributor_stock_reconciliation --full-refresh` (the model and
   every parent, models only: dbt's tests have no counterpart in the hand query) on a 20M-line lake against ONE
   hand-written DuckDB query computing the same reconciliation (every column of the mart) from the same raw rows.
   Both results must be equal (row count, sums, and row by row on all 25 columns), else the benchmark fails.
   (1a) from the parquet lake, dbt landing it too; (1b) from the rows landed in the warehouse, cold (a new process
   each: dbt's CLI start-up, about 2 s of imports and the manifest check, included) and warm (dbt in-process
   with its manifest loaded, as an orchestrator holds it, against the hand query in a process with DuckDB
   imported; each repeated, medians compared). Target: dbt / hand <= 2.0, read on (1b) warm.
2. Cost grows with new data, not history: lake B (365 days) and lake A (30 days), same lines per day. On each the
   history is built (`dbt build --exclude-resource-type test`: seeds and models), then five nights: each adds one
   new day of distributor_sales loads and times the nightly job (dbt build with its tests, mart checks, publish; no
   --full-refresh); the median night is compared (the first two are not typical: night 1 tests the history's rows
   again, as its build's own window, and night 2's delta publish starts from the history's file, cold); the
   weekly full test run after them is timed as context
   (run + test is what the job's `dbt build` does). Target: B / A <= 1.3 for the run. The models whose time grows
   most with history are listed from dbt's run_results.json.

Every measured step runs in its own child (a tiny wrapper process), so wall time and peak RSS
(getrusage(RUSAGE_CHILDREN).ru_maxrss: the largest process of the step; dbt-duckdb runs DuckDB inside the dbt
process) are per step. dbt gets its own --target-path and log path under the scratch folder: the working tree's
dbt_project/target is never touched. The lakes live under data/bench/warehouse_scale (git-ignored), removed at
the end unless --keep.

Run: `python -m bench warehouse_scale [--quick] [--lines N] [--days N] [--only reconciliation|nightly] [--keep]`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import duckdb

from bench.synthetic_lake import LakeSpec, LakeSummary, add_day, write_lake
from expectations.marts import validate_marts
from sellthrough.config import REPO_ROOT, Settings
from sellthrough.publish import publish_warehouse
from sellthrough.publish_delta import incremental_tables
from sellthrough.test_windows import ENV_VAR as TEST_WINDOW_ENV
from sellthrough.test_windows import dbt_test_window, mart_windows, record_test_windows

RECONCILIATION_TARGET = 2.0
GROWTH_TARGET = 1.3
QUICK_LINES = 1_000_000
SMALL_DAYS = 30
NIGHTS = 5  # nightly runs per lake, each adding one day; the median is compared (each night is printed)
DEFAULT_DIR = REPO_ROOT / "data" / "bench" / "warehouse_scale"  # git-ignored (data/*)
DBT = Path(sys.executable).with_name("dbt")
# DuckDB's memory limit (profiles.yml; default a third of the RAM, spilling the rest to <warehouse>.tmp): the
# benchmark runs under the project's default unless --memory-limit or this variable says otherwise
MEMORY_ENV = "SELLTHROUGH_DUCKDB_MEMORY_LIMIT"
PROJECT_MEMORY_LIMIT = "33%"  # profiles.yml's default, for the hand query (which does not read profiles.yml)

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
LAKE_CHILD = "import sys; from bench.warehouse_scale import write_lake_main; write_lake_main(sys.argv[1])"
WARM_DBT_CHILD = "import sys; from bench.warehouse_scale import warm_dbt_main; warm_dbt_main(sys.argv[1:])"
WARM_REPEATS = 5  # a warm step repeats its work; the median is compared (one run moves by +-20% on 2 cores)
TIMINGS_ENV = "BENCH_TIMINGS"  # a warm child writes the seconds of its repeated work to this file

# The reconciliation by hand: every column fct_distributor_stock_reconciliation has, from the raw rows, in one
# statement. Committed loads; a row of load L dated d is current unless a later (received_at, load_id) loaded
# load of the same kind and distributor that loaded rows covers d. Supersession is an anti-join (left join on the
# few superseding periods, keep the rows that matched none): DuckDB probes the small table once per row, where a
# correlated `not exists` first hashes every row's (load, date). Masters: the latest loaded snapshot of each table. The
# likely cause follows the rules written in the mart's YAML (tolerance 2% or 0 units, dbt_project.yml's vars; a day
# without a sales file leaves Sundays out, var sales_days_off).
HAND_SQL = """
with loads as (
    select load_id, source_kind, distributor_code, received_at, period_start, period_end, status, rows_loaded
    from {ledger}
),
loaded as (
    select * from loads where status = 'loaded'
),
dated as (
    select * from loaded where period_start is not null and source_kind <> 'masters' and rows_loaded > 0
),
supersessions as materialized (
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
sales as (
    select
        s.distributor_code,
        s.sku_code,
        s.invoice_date as day,
        sum(case when s.line_type = 'sale' then s.quantity_units + coalesce(s.free_units, 0) else 0 end)
            as sales_units,
        sum(case when s.line_type = 'sale' then coalesce(s.free_units, 0) else 0 end) as free_units,
        sum(case when s.line_type = 'return' then s.quantity_units else 0 end) as market_returns_units
    from {sales} as s
    left join supersessions as x
        on x.load_id = s._load_id and s.invoice_date between x.covers_from and x.covers_to
    where s._load_id in (select load_id from loaded) and x.load_id is null
    group by all
),
primary_lines as (
    select p.* from {primary} as p
    left join supersessions as x
        on x.load_id = p._load_id and p.doc_date between x.covers_from and x.covers_to
    where p._load_id in (select load_id from loaded) and x.load_id is null
),
statements as (
    select
        s.distributor_code,
        s.sku_code,
        s.period_start,
        max(s.period_end) as period_end,
        sum(s.opening_units) as opening_units,
        sum(s.closing_units) as reported_closing_units,
        sum(s.receipts_units) as reported_receipts_units,
        sum(s.sales_units) as reported_sales_units,
        max(s._source_file) as statement_file
    from {stock} as s
    left join supersessions as x
        on x.load_id = s._load_id and s.period_start between x.covers_from and x.covers_to
    where s._load_id in (select load_id from loaded) and x.load_id is null
    group by all
),
movements as (
    select distributor_code, sku_code, day, sales_units, free_units, market_returns_units, 0 as receipts_units,
        0 as returns_to_brand_units
    from sales
    union all
    select distributor_code, sku_code, delivery_date, 0, 0, 0, quantity_units, 0
    from primary_lines where doc_type = 'invoice' and delivery_date is not null
    union all
    select distributor_code, sku_code, doc_date, 0, 0, 0, 0, quantity_units
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
        any_value(st.reported_receipts_units) as reported_receipts_units,
        any_value(st.reported_sales_units) as reported_sales_units,
        any_value(st.statement_file) as statement_file,
        coalesce(sum(m.receipts_units), 0) as receipts_units,
        coalesce(sum(m.sales_units), 0) as secondary_sales_units,
        coalesce(sum(m.free_units), 0) as secondary_free_units,
        coalesce(sum(m.market_returns_units), 0) as market_returns_units,
        coalesce(sum(m.returns_to_brand_units), 0) as returns_to_brand_units
    from statements as st
    left join movements as m
        on m.distributor_code = st.distributor_code
        and m.sku_code = st.sku_code
        and m.day between st.period_start and st.period_end
    group by st.distributor_code, st.sku_code, st.period_start
),
computed as (
    select
        *,
        opening_units + receipts_units - secondary_sales_units + market_returns_units - returns_to_brand_units
            as computed_closing_units
    from summed
),
sales_files as (
    select * from loaded where source_kind in ('distributor_sales', 'tally_daybook') and period_start is not null
),
gaps as (
    select
        distributor_code,
        period_start,
        count(*) filter (where not covered and isodow(day) <> 7) as days_without_sales_file
    from (
        select p.distributor_code, p.period_start, d.day, bool_or(f.load_id is not null) as covered
        from (select distinct distributor_code, period_start, period_end from computed) as p,
            unnest(generate_series(p.period_start, p.period_end, interval 1 day)) as d(day)
        left join sales_files as f
            on f.distributor_code = p.distributor_code
            and f.rows_loaded > 0
            and d.day::date between f.period_start and f.period_end
        group by all
    )
    group by all
),
unmapped as (
    select c.distributor_code, c.sku_code, c.period_start, count(*) as unmapped_sku_rows
    from computed as c
    inner join sales_files as f
        on f.distributor_code = c.distributor_code
        and f.period_start <= c.period_end and f.period_end >= c.period_start
    inner join {quarantine} as q
        on q._load_id = f.load_id and q.reason_code = 'unknown_sku'
    where q._load_id in (select load_id from loads)
    group by all
),
distributors as (
    select * from {distributors}
    where _load_id = (
        select l.load_id from loaded as l where l.load_id in (select _load_id from {distributors})
        order by l.received_at desc, l.load_id desc limit 1
    )
),
skus as (
    select * from {skus}
    where _load_id = (
        select l.load_id from loaded as l where l.load_id in (select _load_id from {skus})
        order by l.received_at desc, l.load_id desc limit 1
    )
),
checked as (
    select
        c.*,
        c.reported_closing_units - c.computed_closing_units as variance_units,
        abs(c.reported_closing_units - c.computed_closing_units)
            <= greatest(0, 2.0 / 100.0 * abs(c.computed_closing_units)) as is_within_tolerance,
        d.zone, d.region, d.state, k.brand, k.category, k.units_per_case,
        coalesce(g.days_without_sales_file, 0) as days_without_sales_file,
        coalesce(u.unmapped_sku_rows, 0) as unmapped_sku_rows,
        coalesce(c.reported_sales_units > c.secondary_sales_units - c.market_returns_units, true) as short,
        coalesce(k.units_per_case > 1 and (
            (c.reported_closing_units > 0 and abs(c.computed_closing_units) >= k.units_per_case
                and abs(c.reported_closing_units * k.units_per_case - c.computed_closing_units) < k.units_per_case)
            or abs(c.reported_closing_units - c.computed_closing_units * k.units_per_case)
                <= greatest(1, 2.0 / 100.0 * abs(c.computed_closing_units * k.units_per_case))
        ), false) as other_unit,
        coalesce(k.units_per_case > 1 and c.reported_closing_units <> c.computed_closing_units
            and (c.reported_closing_units - c.computed_closing_units) % k.units_per_case = 0, false) as whole_cases
    from computed as c
    left join distributors as d on d.distributor_code = c.distributor_code
    left join skus as k on k.sku_code = c.sku_code
    left join gaps as g on g.distributor_code = c.distributor_code and g.period_start = c.period_start
    left join unmapped as u
        on u.distributor_code = c.distributor_code and u.sku_code = c.sku_code and u.period_start = c.period_start
),
slips as (
    select distributor_code, sku_code, period_start from checked
    where not is_within_tolerance and (other_unit or whole_cases)
),
evidence as (
    select
        c.distributor_code,
        c.sku_code,
        c.period_start,
        count(*) filter (where s.period_start = c.period_start and s.sku_code <> c.sku_code) as statement_slips,
        count(*) filter (where s.sku_code = c.sku_code and s.period_start < c.period_start) as earlier_slips
    from checked as c
    inner join slips as s
        on s.distributor_code = c.distributor_code and (s.period_start = c.period_start or s.sku_code = c.sku_code)
    where c.whole_cases and not c.is_within_tolerance
    group by all
)
select
    distributor_code, zone, region, state, sku_code, brand, category, period_start, period_end,
    opening_units::bigint as opening_units,
    receipts_units::bigint as receipts_units,
    secondary_sales_units::bigint as secondary_sales_units,
    secondary_free_units::bigint as secondary_free_units,
    market_returns_units::bigint as market_returns_units,
    returns_to_brand_units::bigint as returns_to_brand_units,
    computed_closing_units::bigint as computed_closing_units,
    reported_closing_units::bigint as reported_closing_units,
    reported_receipts_units::bigint as reported_receipts_units,
    reported_sales_units::bigint as reported_sales_units,
    statement_file,
    variance_units::bigint as variance_units,
    round(100.0 * variance_units / nullif(abs(computed_closing_units), 0), 2) as variance_pct,
    is_within_tolerance,
    days_without_sales_file,
    unmapped_sku_rows,
    case
        when is_within_tolerance then null
        when variance_units < 0 and days_without_sales_file > 0 and short then 'missing_sales_file'
        when other_unit then 'unit_mismatch'
        when whole_cases and (coalesce(statement_slips, 0) > 0 or coalesce(earlier_slips, 0) > 0)
            then 'unit_mismatch'
        when variance_units < 0 and unmapped_sku_rows > 0 and short then 'unmapped_sku'
        else 'unexplained'
    end as likely_cause
from checked
left join evidence using (distributor_code, sku_code, period_start)
"""

# The raw data HAND_SQL reads: the parquet lake as ingest wrote it (benchmark 1a), or the same rows landed in the
# warehouse by the staging models (1b: staging renames `_load_id` to `load_id`, `_source_file` to `source_file`).
# The masters are read from the lake both ways: the warehouse does not land them (their staging views read the
# latest snapshot's parquet).
LAKE_SOURCES = {
    "ledger": "read_parquet($ledger_glob, union_by_name = true)",
    "sales": "read_parquet($sales_glob, union_by_name = true)",
    "primary": "read_parquet($primary_glob, union_by_name = true)",
    "stock": "read_parquet($stock_glob, union_by_name = true)",
    "quarantine": "read_parquet($quarantine_glob, union_by_name = true)",
    "distributors": "read_parquet($distributors_glob, union_by_name = true)",
    "skus": "read_parquet($skus_glob, union_by_name = true)",
}
LANDED_SOURCES = {
    **LAKE_SOURCES,
    "ledger": "warehouse.staging.stg_ingest__loads",
    "sales": "(select load_id as _load_id, * from warehouse.staging.stg_distributor_sales__lines)",
    "primary": "(select load_id as _load_id, * from warehouse.staging.stg_primary_sales__lines)",
    "stock": (
        "(select load_id as _load_id, source_file as _source_file, * from warehouse.staging.stg_stock_statement__lines)"
    ),
    "quarantine": "(select load_id as _load_id, * from warehouse.staging.stg_ingest__quarantined_rows)",
}
LAKE_GLOBS = {  # HAND_SQL's parameters: the lake's folders
    "ledger_glob": "_ledger",
    "sales_glob": "secondary_sales",
    "primary_glob": "primary_sales",
    "stock_glob": "stock_statement",
    "quarantine_glob": "_quarantine",
    "distributors_glob": "masters_distributors",
    "skus_glob": "masters_skus",
}
MART_BOOKKEEPING = ("_built_through", "_dims_fingerprint")  # the mart's columns the hand query has no use for

COMPARE_SQL = """
with dbt as (  -- every column (compare() checks the names and their order match the hand query's)
    select * exclude (_built_through, _dims_fingerprint) from warehouse.main.fct_distributor_stock_reconciliation
),
hand as (
    select * from read_parquet($hand)
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
    samples: tuple[float, ...] = ()  # a warm step: the seconds of each repetition (seconds is their median)

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
        lines = [line.strip() for line in self.stdout.splitlines() if "Done. PASS=" not in line]
        return [line for line in lines if any(k in line for k in keep)][:20]


@dataclass(frozen=True)
class Workspace:
    """One lake with its warehouse, dbt target and logs, all under `root`."""

    root: Path
    spec: LakeSpec
    warm_repeats: int = WARM_REPEATS
    nights: int = NIGHTS
    memory_limit: str | None = None  # DuckDB's memory_limit for dbt and the hand query (None: profiles.yml's)

    @property
    def settings(self) -> Settings:
        return Settings.from_env(self.spec.data_dir)

    @property
    def target_path(self) -> Path:
        return self.root / "dbt_target"

    def duckdb_env(self) -> dict[str, str]:
        """The environment with the workspace's DuckDB memory limit (profiles.yml reads it; so does the hand
        query, so both sides run under the same limit)."""
        return {**os.environ, **({MEMORY_ENV: self.memory_limit} if self.memory_limit else {})}

    def dbt_env(self) -> dict[str, str]:
        env = {**self.duckdb_env(), **self.settings.dbt_env()}
        env["DBT_TARGET_PATH"] = str(self.target_path)
        env["DBT_LOG_PATH"] = str(self.root / "dbt_logs")
        env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        env["DBT_USE_COLORS"] = "false"
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


def measure_warm(label: str, cmd: list[str], env: dict[str, str], scratch: Path) -> Measurement:
    """Run a warm child (it repeats its work in one process and writes the seconds of each repetition to
    $BENCH_TIMINGS): the median repetition, and the child's peak RSS."""
    timings = scratch / f"timings-{time.monotonic_ns()}.json"
    child = measure(label, cmd, {**env, TIMINGS_ENV: str(timings)}, scratch)
    if not timings.exists():
        return replace(child, returncode=child.returncode or 1)
    result = json.loads(timings.read_text())
    timings.unlink()
    samples = tuple(sorted(result["seconds"]))
    ok = child.ok and result["ok"]
    return replace(child, seconds=samples[len(samples) // 2], samples=samples, returncode=0 if ok else 1)


def dbt_command(ws: Workspace, verb: str, *args: str) -> list[str]:
    project = str(REPO_ROOT)
    return [
        *(str(DBT), verb, "--project-dir", project, "--profiles-dir", project),
        *("--target-path", str(ws.target_path), *args),
    ]


def run_dbt(ws: Workspace, label: str, verb: str, *args: str) -> Measurement:
    result = measure(label, dbt_command(ws, verb, *args), ws.dbt_env(), ws.root)
    print_step(result)
    return result


def run_dbt_warm(ws: Workspace, label: str, verb: str, *args: str) -> Measurement:
    """The dbt command invoked ws.warm_repeats times in one process that has imported dbt and loaded the
    manifest."""
    command = dbt_command(ws, verb, *args)[1:]  # dbt's arguments, without the executable
    result = measure_warm(
        label, [sys.executable, "-c", WARM_DBT_CHILD, str(ws.warm_repeats), *command], ws.dbt_env(), ws.root
    )
    print_step(result)
    return result


def print_step(result: Measurement) -> None:
    samples = f" (median of {', '.join(f'{s:.2f}' for s in result.samples)})" if result.samples else ""
    summary = f"; {result.summary()}" if result.stdout.strip() or result.stderr.strip() else ""
    print(f"  {result.label}: {result.seconds:.1f} s{samples}, peak RSS {result.rss_mib:,.0f} MiB{summary}", flush=True)
    for line in result.errors():
        print(f"    {line}")


def node_times(ws: Workspace) -> dict[str, float]:
    """Per-node execution seconds of the workspace's last dbt invocation (run_results.json)."""
    path = ws.target_path / "run_results.json"
    if not path.exists():
        return {}
    results = json.loads(path.read_text())["results"]
    return {r["unique_id"].split(".", 2)[-1]: float(r["execution_time"]) for r in results}


def prepare(ws: Workspace, reuse: bool = False) -> None:
    """Write the lake and parse the project once (untimed), so measured builds start from a parsed manifest.
    With `reuse`, a lake already under the workspace (left by --keep) is used as it is."""
    ws.settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    ledger = ws.spec.raw_dir / "_ledger"
    if reuse and ledger.is_dir() and any(ledger.glob("*.parquet")):
        with duckdb.connect() as con:
            lines = con.execute(
                "select count(*) from read_parquet($glob)",
                {"glob": str(ws.spec.raw_dir / "secondary_sales" / "*.parquet")},
            ).fetchall()[0][0]
        print(f"reusing the lake under {ws.spec.data_dir}: {lines:,} secondary lines", flush=True)
    else:
        print(f"writing lake: {ws.spec.lines:,} lines, {ws.spec.days} days -> {ws.spec.data_dir}", flush=True)
        spec = json.dumps({**asdict(ws.spec), "data_dir": str(ws.spec.data_dir), "end_date": str(ws.spec.end_date)})
        written = measure("write lake", [sys.executable, "-c", LAKE_CHILD, spec], dict(os.environ), ws.root)
        if not written.ok:
            raise SystemExit(f"writing the lake failed: {written.stderr}")
        summary = LakeSummary(**json.loads(written.stdout.strip().splitlines()[-1]))
        print(
            f"  {summary.secondary_lines:,} secondary lines, {summary.loads:,} loads"
            f" ({summary.resent_loads} re-sent weeks), {summary.statement_rows:,} statement rows,"
            f" written in {summary.seconds:.1f} s, peak RSS {written.rss_mib:,.0f} MiB",
            flush=True,
        )
    parsed = measure("dbt parse", dbt_command(ws, "parse"), ws.dbt_env(), ws.root)
    if not parsed.ok:
        raise SystemExit(f"dbt parse failed: {parsed.summary()}\n{parsed.stdout[-3000:]}")


# ------------------------------------------------------------------------------------------ benchmark 1


def write_lake_main(spec_json: str) -> None:
    """Child entry point: write the lake of the LakeSpec given as JSON, print its LakeSummary as JSON (its own
    process, so the writer's peak RSS is measured alone)."""
    knobs = json.loads(spec_json)
    spec = LakeSpec(**{**knobs, "data_dir": Path(knobs["data_dir"]), "end_date": date.fromisoformat(knobs["end_date"])})
    print(json.dumps(asdict(write_lake(spec))), flush=True)


def hand_query_main(argv: list[str]) -> None:
    """Child entry point: `[--repeat N] RAW_DIR OUT [--landed WAREHOUSE]`. The hand-written reconciliation,
    written to OUT (parquet), over the parquet lake under RAW_DIR, or over the rows the warehouse's staging tables
    landed from it (the masters from the lake either way). With `--repeat N` (a warm step) the statement runs N
    times in this process (connection included) and the seconds of each go to the file named by $BENCH_TIMINGS."""
    repeats = 1
    if argv[0] == "--repeat":
        repeats, argv = int(argv[1]), argv[2:]
    raw_dir, out = Path(argv[0]), argv[1]
    warehouse = argv[3] if argv[2:3] == ["--landed"] else None
    sql = HAND_SQL.format(**(LANDED_SOURCES if warehouse else LAKE_SOURCES))
    params = {name: str(raw_dir / folder / "*.parquet") for name, folder in LAKE_GLOBS.items() if f"${name}" in sql}
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        limit = os.environ.get(MEMORY_ENV)
        con = duckdb.connect(config={"memory_limit": limit} if limit else {})
        con.execute("set preserve_insertion_order = false")
        con.execute("set threads = 2")  # as profiles.yml gives dbt
        if warehouse:
            con.execute("attach $path as warehouse (read_only)", {"path": warehouse})
        con.sql(sql, params=params).write_parquet(out)
        con.close()
        seconds.append(time.perf_counter() - started)
    write_timings(seconds, ok=True)


def warm_dbt_main(argv: list[str]) -> None:
    """Child entry point: dbt as a long-lived process holds it (an orchestrator's code location, a notebook):
    dbt imported and the project's manifest loaded first (untimed), then `argv[1:]` invoked argv[0] times
    in-process (dbtRunner with that manifest), each timed; the seconds go to the file named by $BENCH_TIMINGS.
    What the warm invocation still pays: the node selection, the adapter's connection and relation cache,
    compiling, every model's SQL and DDL, the hooks and run_results.json."""
    from dbt.cli.main import dbtRunner  # dbt's imports are the cold start a warm process has already paid

    repeats, args = int(argv[0]), argv[1:]
    project = ("--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT))
    target = args[args.index("--target-path") : args.index("--target-path") + 2]
    parsed = dbtRunner().invoke(["parse", *project, *target, "--quiet"])
    if not parsed.success:
        raise SystemExit(f"dbt parse failed: {parsed.exception}")
    runner = dbtRunner(manifest=parsed.result)
    seconds, ok = [], True
    for _ in range(repeats):
        started = time.perf_counter()
        result = runner.invoke(args)
        seconds.append(time.perf_counter() - started)
        ok = ok and result.success
    write_timings(seconds, ok)
    if not ok:
        raise SystemExit(1)


def write_timings(seconds: list[float], ok: bool) -> None:
    path = os.environ.get(TIMINGS_ENV)
    if path:
        Path(path).write_text(json.dumps({"seconds": seconds, "ok": ok}))


def compare(ws: Workspace, hand: Path) -> tuple[bool, str]:
    con = duckdb.connect()
    con.execute("attach $path as warehouse (read_only)", {"path": str(ws.settings.warehouse_path)})
    mart = con.execute(
        "select column_name from duckdb_columns() where database_name = 'warehouse' and schema_name = 'main'"
        " and table_name = 'fct_distributor_stock_reconciliation' order by column_index"
    ).fetchall()
    mart_columns = [name for (name,) in mart if name not in MART_BOOKKEEPING]
    hand_columns = [
        c[0] for c in con.execute("describe select * from read_parquet($hand)", {"hand": str(hand)}).fetchall()
    ]
    row = con.execute(COMPARE_SQL, {"hand": str(hand)}).fetchall()[0]
    con.close()
    if mart_columns != hand_columns:
        return False, f"columns differ: mart {mart_columns}, hand query {hand_columns}"
    dbt_rows, hand_rows, dbt_closing, hand_closing, dbt_var, hand_var, differing, variances = row
    equal = dbt_rows == hand_rows and dbt_closing == hand_closing and dbt_var == hand_var and differing == 0
    equal = equal and dbt_rows > 0
    detail = (
        f"rows {dbt_rows:,} / {hand_rows:,}; sum computed_closing_units {dbt_closing:,} / {hand_closing:,}; "
        f"sum variance_units {dbt_var:,} / {hand_var:,}; rows differing in any of {len(hand_columns)} columns "
        f"{differing:,}; rows with a variance {variances:,}"
    )
    return equal, detail


class ResultsDiffer(RuntimeError):
    """dbt and the hand-written query disagree: the timing comparison means nothing."""


def reconciliation_benchmark(ws: Workspace) -> dict[str, Measurement]:
    """dbt run (models only, no tests) of the reconciliation and its parents, against the one hand query:
    (1a) from the parquet lake, dbt landing it too (cold: a new process each); (1b) from the rows landed in the
    warehouse (dbt's staging tables, built in 1a), dbt rebuilding every model above them, measured cold (dbt's
    CLI, a new process: its Python start-up and manifest check included) and warm (dbt held in-process with its
    manifest loaded, as an orchestrator or notebook holds it, against the hand query in a process that has
    imported DuckDB: each repeated WARM_REPEATS times, the medians compared). Every result is checked equal."""
    print("\n[1] reconciliation at scale", flush=True)
    out: dict[str, Measurement] = {}
    reconciliation = ("--select", "+fct_distributor_stock_reconciliation")
    landed = ["--landed", str(ws.settings.warehouse_path)]
    steps = (
        ("from_lake", False, reconciliation, []),
        ("from_landed", False, (*reconciliation, "--exclude", "tag:landing"), landed),
        ("from_landed_warm", True, (*reconciliation, "--exclude", "tag:landing"), landed),
    )
    for name, warm, selection, hand_args in steps:
        how = "warm" if warm else "cold"
        label = f"[1] {name}: dbt run {' '.join(selection[1:])} --full-refresh ({how})"
        dbt = (run_dbt_warm if warm else run_dbt)(ws, label, "run", *selection, "--full-refresh")
        result = ws.root / f"hand_reconciliation_{name}.parquet"
        hand_label = f"[1] {name}: hand-written DuckDB query, one statement ({how})"
        hand_cmd = [sys.executable, "-c", HAND_CHILD, str(ws.spec.raw_dir), str(result), *hand_args]
        if warm:
            hand_cmd[3:3] = ["--repeat", str(ws.warm_repeats)]
            hand = measure_warm(hand_label, hand_cmd, ws.duckdb_env(), ws.root)
        else:
            hand = measure(hand_label, hand_cmd, ws.duckdb_env(), ws.root)
        print_step(hand)
        if not (dbt.ok and hand.ok):
            raise ResultsDiffer(f"a step failed: dbt rc {dbt.returncode}, hand rc {hand.returncode}\n{hand.stderr}")
        equal, detail = compare(ws, result)
        print(f"  results {'EQUAL' if equal else 'DIFFER'} (dbt / hand): {detail}", flush=True)
        if not equal:
            raise ResultsDiffer(f"dbt and the hand query differ: {detail}")
        out[f"{name}_dbt"], out[f"{name}_hand"] = dbt, hand
    # context: what any dbt invocation costs here (start-up, manifest, connection), whatever the data
    floor = ("run", "--select", "int_ingest__supersessions")
    out["floor"] = run_dbt(ws, "[1] context: dbt run of one view (int_ingest__supersessions) (cold)", *floor)
    out["floor_warm"] = run_dbt_warm(ws, "[1] context: dbt run of one view (int_ingest__supersessions) (warm)", *floor)
    # context: the share of dbt's artifacts (manifest.json of the whole project, run_results.json) in the warm run
    out["no_artifacts_warm"] = run_dbt_warm(
        ws,
        "[1] context: from_landed, warm, without writing artifacts (--no-write-json)",
        "run",
        *(*reconciliation, "--exclude", "tag:landing", "--full-refresh", "--no-write-json"),
    )
    return out


# ------------------------------------------------------------------------------------------ benchmark 2


@dataclass(frozen=True)
class Nightly:
    history: Measurement
    run: Measurement  # the median night's whole job after ingest: dbt build (models + tests), mart checks, publish
    test: Measurement  # the weekly full test run after the last night (every test on whole tables), context
    nodes: dict[str, float]
    steps: dict[str, float]  # the median night's seconds per step
    days: int  # days of history


def publish_night(ws: Workspace, full_tests: bool = False) -> dict[str, float]:
    """What the nightly does after dbt: the mart suites (narrowed like the dbt tests, sellthrough/test_windows.py),
    then the publish and its record. In this process; seconds per step."""
    settings = ws.settings
    started = time.perf_counter()
    since = mart_windows(settings.published_path, full_tests=full_tests)
    verdicts = validate_marts(settings.warehouse_path, "bench", built_since=since)
    checked = time.perf_counter()
    manifest = json.loads((ws.target_path / "manifest.json").read_text(encoding="utf-8"))
    # as the nightly publishes (orchestration/assets/publish.py): only what changed, except on a full test night
    publish_warehouse(
        settings.warehouse_path,
        settings.published_path,
        incremental=None if full_tests else incremental_tables(manifest),
        log=lambda said: print(f"    {said}", flush=True),
    )
    record_test_windows(settings.published_path, manifest)
    published = time.perf_counter()
    failed = [f"{v.mart}: {', '.join(v.blocking_failures)}" for v in verdicts if v.blocking_failures]
    if failed:
        print(f"    mart checks failed (timed all the same): {'; '.join(failed)}")
    return {"mart checks": checked - started, "publish": published - checked}


def night_job(ws: Workspace, label: str) -> tuple[Measurement, dict[str, float]]:
    """The nightly job after ingest, as orchestration runs it: `dbt build` without unit tests, its data tests on
    the rows built since the published file (SELLTHROUGH_TEST_WINDOW), then mart checks and publish."""
    from orchestration.dbt import NIGHTLY_EXCLUDES  # Dagster's import, once, outside every timed step

    env = {**ws.dbt_env(), TEST_WINDOW_ENV: dbt_test_window(ws.settings.published_path, full_tests=False)}
    build = measure(f"{label}: dbt build", dbt_command(ws, "build", *NIGHTLY_EXCLUDES), env, ws.root)
    steps = {"dbt build": build.seconds, **publish_night(ws)}
    whole = replace(build, label=label, seconds=sum(steps.values()))
    print_step(whole)
    print(f"    {', '.join(f'{k} {v:.1f} s' for k, v in steps.items())}", flush=True)
    return whole, steps


def nightly(ws: Workspace, name: str) -> Nightly:
    """History build (seeds + models) and its first publish, then nights of one new day each: the whole job after
    ingest (dbt build with its tests, mart checks, publish) is timed; then the weekly full test run (context)."""
    print(f"\n[2] lake {name}: {ws.spec.days} days", flush=True)
    history = run_dbt(ws, f"{name}: history build (seeds + models)", "build", "--exclude-resource-type", "test")
    if not history.ok:  # a nightly on a broken history measures nothing
        raise SystemExit(f"{name}: the history build failed: {history.summary()}\n{history.stdout[-3000:]}")
    first = publish_night(ws, full_tests=True)
    print(f"  {name}: first publish of the history: {', '.join(f'{k} {v:.1f} s' for k, v in first.items())}")
    runs: list[tuple[Measurement, dict[str, float], dict[str, float]]] = []
    for night in range(1, ws.nights + 1):  # one night is one sample: a few seconds of noise on 2 cores
        new_day = ws.spec.end_date + timedelta(days=night)
        lines = add_day(ws.spec, new_day)
        print(f"  added {new_day}: {lines:,} lines in {ws.spec.distributors} distributor_sales loads", flush=True)
        job, steps = night_job(ws, f"{name}: nightly job, night {night} (one new day)")
        runs.append((job, node_times(ws), steps))
    failed = [m.summary() for m, _, _ in runs if not m.ok]
    if failed:
        print(f"  {name}: a nightly dbt build failed (a test or a model): {failed[0]}")
    run, nodes, steps = sorted(runs, key=lambda r: r[0].seconds)[len(runs) // 2]  # the median night
    run = replace(run, label=f"{name}: nightly job, one new day (median of {ws.nights} nights)")
    from orchestration.dbt import NIGHTLY_EXCLUDES

    test = run_dbt(ws, f"{name}: weekly full test run (dbt test, whole tables)", "test", *NIGHTLY_EXCLUDES)
    return Nightly(history, run, test, nodes, steps, ws.spec.days)


PYTHON_MODELS = ("int_sales_anomalies__detected", "int_stockout__predictions", "int_sales_forecast__weekly")


def growth_table(small: Nightly, big: Nightly, limit: int = 12) -> None:
    """The models whose nightly time grows most with history: B's seconds, A's, their ratio."""
    rows = [(node, big.nodes[node], small.nodes.get(node, 0.0)) for node in big.nodes]
    rows.sort(key=lambda r: -(r[1] - r[2]))
    print("\n    models whose nightly run time grows most with history (B vs A, run_results.json):")
    print(f"    {'model':<58}{'B s':>8}{'A s':>8}{'B/A':>8}")
    # and the Python models, listed whatever their growth (issue 19: the analytics' share of the night)
    shown = rows[:limit] + [r for r in rows[limit:] if r[0].split(".")[-1] in PYTHON_MODELS]
    for node, b, a in shown:
        print(f"    {node[:57]:<58}{b:>8.2f}{a:>8.2f}{(b / a if a else float('inf')):>8.1f}")


# ----------------------------------------------------------------------------------------------- report


def ratio(numerator: Measurement, denominator: Measurement) -> str:
    if not (numerator.ok and denominator.ok):
        return "n/a (a step failed)"
    return f"{numerator.seconds / denominator.seconds:.2f}x"


def report(bench1: dict[str, Measurement] | None, lake_a: Nightly | None, lake_b: Nightly | None) -> None:
    print("\n" + "=" * 100)
    print(f"{'step':<70}{'seconds':>10}{'peak RSS MiB':>14}{'ok':>6}")
    rows = [*(bench1 or {}).values()]
    for lake in (lake_b, lake_a):
        if lake:
            rows += [lake.history, lake.run, lake.test]
    for m in rows:
        print(f"{m.label[:69]:<70}{m.seconds:>10.1f}{m.rss_mib:>14,.0f}{'yes' if m.ok else 'NO':>6}")
    if bench1:
        warm = ratio(bench1["from_landed_warm_dbt"], bench1["from_landed_warm_hand"])
        print(
            f"\n[1] reconciliation dbt run / hand query, from the raw rows landed in the warehouse: {warm} warm"
            f" (target <= {RECONCILIATION_TARGET}), {ratio(bench1['from_landed_dbt'], bench1['from_landed_hand'])}"
            " cold (a new process each, dbt's CLI start-up included);"
        )
        print(
            f"    {ratio(bench1['from_lake_dbt'], bench1['from_lake_hand'])} from the parquet lake (cold; dbt lands"
            " it too); results verified equal each time"
        )
        print(
            f"    context: one dbt invocation of a single view takes {bench1['floor'].seconds:.1f} s cold,"
            f" {bench1['floor_warm'].seconds:.2f} s warm; (1b) warm without writing dbt's artifacts:"
            f" {ratio(bench1['no_artifacts_warm'], bench1['from_landed_warm_hand'])}"
        )
    if lake_a and lake_b:
        print(
            f"[2] nightly job after ingest (dbt build with its tests, mart checks, publish), one new day, B"
            f" ({lake_b.days} d) / A ({lake_a.days} d): {ratio(lake_b.run, lake_a.run)}"
            f" (target <= {GROWTH_TARGET})"
        )
        for step in lake_b.steps:
            b, a = lake_b.steps[step], lake_a.steps.get(step, 0.0)
            print(f"    {step}: {b:.1f} s / {a:.1f} s = {b / a if a else float('inf'):.2f}x")
        print(f"    context: the weekly full test run, B / A: {ratio(lake_b.test, lake_a.test)}")
        print(f"    context: B nightly job / B history build: {ratio(lake_b.run, lake_b.history)}")
        growth_table(lake_a, lake_b)
    print(f"    load average now: {', '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} cores")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench warehouse_scale", description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=None, help="secondary lines of the big lake (20,000,000)")
    parser.add_argument("--days", type=int, default=365, help="days of the big lake (lake B)")
    parser.add_argument("--small-days", type=int, default=SMALL_DAYS, help="days of the small lake (lake A)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_LINES:,} lines, for development")
    parser.add_argument("--distributors", type=int, default=40)
    parser.add_argument("--skus", type=int, default=60)
    parser.add_argument("--outlets", type=int, default=8_000)
    parser.add_argument(
        "--only",
        choices=("reconciliation", "nightly", "history"),
        help="run one of the two benchmarks, or only lake B's history build (its time and peak RSS)",
    )
    parser.add_argument(
        "--memory-limit",
        default=None,
        help=f"DuckDB's memory_limit for dbt and the hand query, e.g. 8GB or 80%%; default: ${MEMORY_ENV} if set,"
        f" else the project's (profiles.yml, {PROJECT_MEMORY_LIMIT.replace('%', '%%')} of RAM)",
    )
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"scratch folder ({DEFAULT_DIR})")
    parser.add_argument("--keep", action="store_true", help="keep the lakes and warehouses")
    parser.add_argument(
        "--warm-repeats", type=int, default=WARM_REPEATS, help=f"runs of each warm step ({WARM_REPEATS})"
    )
    parser.add_argument("--nights", type=int, default=NIGHTS, help=f"nightly runs per lake ({NIGHTS})")
    parser.add_argument(
        "--reuse-lake",
        action="store_true",
        help="with --only reconciliation: the lake a --keep run left (the warehouse is rebuilt)",
    )
    return parser.parse_args(argv)


def ws_files(ws: Workspace) -> list[Path]:
    warehouse = ws.settings.warehouse_path
    return [warehouse, warehouse.with_name(warehouse.name + ".wal")]


def memory_limit(args: argparse.Namespace) -> str:
    """The DuckDB memory limit of this run (dbt and the hand query): --memory-limit, else the environment's, else
    the project's default. DuckDB spills past it to <warehouse>.tmp."""
    return args.memory_limit or os.environ.get(MEMORY_ENV) or PROJECT_MEMORY_LIMIT


def history_only(ws: Workspace) -> None:
    """Lake B's history build alone: its seconds, peak RSS, and how much DuckDB spilled."""
    prepare(ws)
    history = run_dbt(ws, "B: history build (seeds + models)", "build", "--exclude-resource-type", "test")
    print(
        f"  history build {'ok' if history.ok else 'FAILED'}: {history.seconds:.1f} s, peak RSS"
        f" {history.rss_mib:,.0f} MiB, memory_limit {ws.memory_limit}",
        flush=True,
    )
    slowest = sorted(node_times(ws).items(), key=lambda item: -item[1])[:12]
    print("    slowest nodes: " + ", ".join(f"{node} {secs:.1f} s" for node, secs in slowest))
    if not history.ok:
        raise SystemExit(f"B: the history build failed: {history.summary()}\n{history.stdout[-3000:]}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv if argv is not None else [])  # `python -m bench NAME` passes no options
    if args.reuse_lake and args.only != "reconciliation":
        raise SystemExit("--reuse-lake goes with --only reconciliation (the nightly benchmark adds a day to its lakes)")
    lines = args.lines or (QUICK_LINES if args.quick else 20_000_000)
    root: Path = args.dir.resolve()
    if root.exists() and not args.reuse_lake:
        shutil.rmtree(root)
    knobs = {"distributors": args.distributors, "skus": args.skus, "outlets": args.outlets}
    limit = memory_limit(args)
    ram_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"DuckDB memory_limit: {limit} (RAM {ram_gib:.1f} GiB)", flush=True)
    big_spec = LakeSpec(root / "lake_b" / "data", lines=lines, days=args.days, **knobs)
    big = Workspace(root / "lake_b", big_spec, args.warm_repeats, args.nights, limit)
    per_day = lines // args.days
    small_spec = LakeSpec(root / "lake_a" / "data", lines=per_day * args.small_days, days=args.small_days, **knobs)
    small = Workspace(root / "lake_a", small_spec, nights=args.nights, memory_limit=limit)
    started = time.perf_counter()
    if args.only == "history":
        try:
            history_only(big)
        finally:
            print(f"total {time.perf_counter() - started:.0f} s; data under {root}", flush=True)
            print(f"    load average now: {', '.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)
            if not args.keep:
                shutil.rmtree(root, ignore_errors=True)
        return
    bench1: dict[str, Measurement] | None = None
    lake_a = lake_b = None
    try:
        prepare(big, args.reuse_lake)
        if args.reuse_lake:  # a fresh warehouse: the measured builds start from nothing, as on a new lake
            for stale in ws_files(big):
                stale.unlink(missing_ok=True)
        if args.only != "nightly":
            bench1 = reconciliation_benchmark(big)
        if args.only != "reconciliation":
            lake_b = nightly(big, "B")
            prepare(small, args.reuse_lake)
            if args.reuse_lake:
                for stale in ws_files(small):
                    stale.unlink(missing_ok=True)
            lake_a = nightly(small, "A")
        report(bench1, lake_a, lake_b)
        failed = [m.label for lake in (lake_a, lake_b) if lake for m in (lake.run, lake.test) if not m.ok]
        if failed:
            raise SystemExit(f"failed steps: {', '.join(failed)}")
    finally:
        print(f"total {time.perf_counter() - started:.0f} s; data under {root}", flush=True)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
