"""A synthetic raw lake at warehouse scale, written straight with DuckDB SQL (docs/contracts.md).

K distributors x S SKUs x D days of secondary lines, one `distributor_sales` load per distributor per week (a few
weeks re-sent later, to exercise supersession), weekly ERP `primary_sales` loads (invoices for a week's sales,
delivered 2-4 days later, a few credit notes), monthly `stock_statement` loads whose reported opening is the true
stock (most rows reconcile; a few closings carry a deliberate variance), one masters snapshot, the `_schema.parquet`
files and the derived outlet master. Every load's ledger row is written after all data, as ingest does.

Values come from `hash(row, salt)`, so the lake is the same for the same knobs; no Python loop touches a row. All
SQL is static text with bound parameters (paths and values never go into the SQL string).
"""

from __future__ import annotations

import hashlib
import math
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from ingest.core.lake import LEDGER_DIR, Lake
from ingest.core.reviews import ReviewStore
from ingest.registry import all_schemas
from sellthrough.config import Settings
from sellthrough.incentives.store import run_incentive_plan
from sellthrough.outlets.store import run_outlet_master

RETURN_PCT = 2  # share of invoices that are a retailer's return
VARIANCE_PCT = 3  # share of stock-statement rows whose reported closing is off
RESENT_EVERY = 97  # one distributor week in this many is re-sent (a later load for the same period)
BEATS_PER_DISTRIBUTOR = 12
# Secondary lines per partitioned write: the writer's memory follows this, not the size of the lake (one write of
# every line took about 9 GB at 20M lines; bench/README.md, warehouse_scale session 11)
CHUNK_LINES = 2_000_000
REPS_PER_DISTRIBUTOR = 4

Params = Mapping[str, Any]


@dataclass(frozen=True)
class LakeSpec:
    """Scale knobs. `lines` is the total of secondary lines over `days` days ending on `end_date`."""

    data_dir: Path
    lines: int = 20_000_000
    days: int = 365
    distributors: int = 40
    skus: int = 60
    outlets: int = 8_000
    end_date: date = date(2026, 3, 10)

    @property
    def start_date(self) -> date:
        return self.end_date - timedelta(days=self.days - 1)

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def outlets_per_distributor(self) -> int:
        return max(1, self.outlets // self.distributors)

    def lines_per_day(self, distributor: int) -> int:
        """Lines one distributor bills per day (the remainder of the division goes to the first ones)."""
        per_day = self.lines // self.days
        return per_day // self.distributors + (1 if distributor < per_day % self.distributors else 0)


@dataclass(frozen=True)
class Load:
    load_id: str
    distributor_code: str
    file_name: str
    received_at: datetime
    loaded_at: datetime
    file_sha256: str

    def metadata(self) -> dict[str, Any]:
        return {"load_id": self.load_id, "source_file": self.file_name, "loaded_at": self.loaded_at}


@dataclass(frozen=True)
class SalesLoad:
    """One distributor_sales file: `days` days from `start`, `lines` rows, values salted by `salt`."""

    load: Load
    distributor: int
    start: date
    days: int
    lines: int
    salt: int


@dataclass
class Ledger:
    """Ledger rows of the loads written so far, committed (written) after all their data."""

    rows: list[tuple] = field(default_factory=list)

    def add(self, load: Load, kind: str, table: str, period: tuple[date | None, date | None], rows: int) -> None:
        self.rows.append(
            (
                *(load.load_id, load.file_sha256, kind, load.distributor_code, load.file_name, rows * 120, table),
                *(period[0], period[1], load.received_at, load.loaded_at, rows),
            )
        )


def distributor_code(index: int) -> str:
    return f"D{index + 1:03d}"


def make_load(kind: str, distributor: str, file_stem: str, received_at: datetime, loaded_at: datetime) -> Load:
    digest = hashlib.sha256(f"{kind}|{distributor}|{file_stem}|{received_at}".encode()).hexdigest()
    load_id = f"L{loaded_at.strftime('%Y%m%dT%H%M%S%f')}-{digest[:8]}"
    return Load(load_id, distributor, f"{kind}/{distributor}/{file_stem}", received_at, loaded_at, digest)


def at(day: date, hours: int, minutes: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day) + timedelta(hours=hours, minutes=minutes)


def write_select(con: duckdb.DuckDBPyConnection, sql: str, params: Params, target: Path) -> int:
    """COPY the select's rows to `target` (zstd parquet); returns the rows written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    con.sql(sql, params=dict(params)).write_parquet(str(target), compression="zstd")
    found = con.execute("select sum(num_rows) from parquet_file_metadata($path)", {"path": str(target)}).fetchall()
    return int(found[0][0] or 0)


# --------------------------------------------------------------------------------------------------- sales

SALES_DIMS_SQL = """
create or replace temp table sales_outlets as
select
    d, o, printf('P%05d', o) as party_code, printf('Outlet D%03d-%05d Stores', d + 1, o) as party_name,
    printf('D%03d-R%d', d + 1, o % $reps + 1) as salesman, printf('D%03d-B%02d', d + 1, o % $beats + 1) as beat
from range($distributors) as a(d), range($outlets) as b(o);
create or replace temp table sales_skus as
select s, printf('SKU%04d', s + 1) as sku_code, round(5 + (s * 37) % 150 + 0.25 * (s % 4), 2) as rate
from range($skus) as t(s);
"""

SALES_KEYS_SQL = """
create or replace temp table sales_keys as
select load_no, i from sales_loads as loads, range(loads.lines) as t(i)
"""

SALES_SQL = """
with r as (
    select keys.i, hash(keys.i // 5, loads.salt) as hi, hash(keys.i, loads.salt + 1) as hl, loads.*
    from sales_keys as keys
    inner join sales_loads as loads using (load_no)
),
v as (
    select
        *,
        start_date + (i * days // lines)::integer as invoice_date,
        hi % 100 < $return_pct as is_return,
        ((hi // 100) % $outlets)::bigint as o,
        (hl % $skus)::bigint as s,
        (hl // 100000) % 100 as p,
        (hl // 1000) as hq
    from r
),
q as (
    select *, case when is_return then 1 + hq % 6 else 1 + hq % 48 end as q from v
)
select
    q.load_id as _load_id,
    q.source_file as _source_file,
    'Sheet1' as _sheet,
    (q.i + 2)::integer as _row_number,
    q.loaded_at as _loaded_at,
    q.distributor as distributor_code,
    concat(case when q.is_return then 'CN-' else 'INV-' end, q.distributor, '-', q.salt, '-', q.i // 5)
        as invoice_number,
    q.invoice_date,
    case when q.is_return then 'return' else 'sale' end as line_type,
    outlets.party_code,
    outlets.party_name,
    skus.sku_code as item_raw,
    skus.sku_code,
    q.q::bigint as quantity_units,
    (case when not q.is_return and q.p < 5 then q.q // 12 else 0 end)::bigint as free_units,
    skus.rate::double as rate,
    round(q.q * skus.rate, 2)::double as gross_amount,
    round(q.q * skus.rate * (q.p % 5) / 100.0, 2)::double as discount_amount,
    (round(q.q * skus.rate, 2) - round(q.q * skus.rate * (q.p % 5) / 100.0, 2))::double as net_amount,
    outlets.salesman,
    outlets.beat
from q
inner join sales_outlets as outlets on outlets.d = q.d and outlets.o = q.o
inner join sales_skus as skus on skus.s = q.s
"""


def write_partitioned(
    con: duckdb.DuckDBPyConnection, sql: str, params: Params, key: str, values: list[str], staging: Path, folder: Path
) -> None:
    """Write the select's rows as one parquet file per value of `key` (a load id): `folder/<value>.parquet`.

    One partitioned, parallel COPY instead of a statement per file; then each partition's file is moved into place.
    """
    con.execute("set partitioned_write_max_open_files = $n", {"n": len(values) + 16})
    staging.parent.mkdir(parents=True, exist_ok=True)
    con.sql(sql, params=dict(params)).write_parquet(
        str(staging), compression="zstd", partition_by=[key], write_partition_columns=True, overwrite=True
    )
    folder.mkdir(parents=True, exist_ok=True)
    for value in values:
        parts = sorted((staging / f"{key}={value}").glob("*.parquet"))
        target = folder / f"{value}.parquet"
        if len(parts) == 1:
            parts[0].replace(target)
        else:  # the writer split a partition: merge, one file per load
            merged = con.sql("select * from read_parquet($files)", params={"files": [str(f) for f in parts]})
            merged.write_parquet(str(target), compression="zstd")
    shutil.rmtree(staging)


def sales_received_at(distributor: int, period_end: date, extra_days: int = 0) -> datetime:
    return at(period_end + timedelta(days=1 + extra_days), 3, distributor)


def sales_weeks(spec: LakeSpec) -> list[tuple[date, date]]:
    starts = [spec.start_date + timedelta(days=7 * w) for w in range(math.ceil(spec.days / 7))]
    return [(start, min(start + timedelta(days=6), spec.end_date)) for start in starts]


def history_sales_loads(spec: LakeSpec) -> tuple[list[SalesLoad], set[str]]:
    """One load per distributor per week, plus the re-sent weeks; also the load ids the re-sends supersede."""
    loads: list[SalesLoad] = []
    superseded: set[str] = set()
    for week, (start, end) in enumerate(sales_weeks(spec)):
        days = (end - start).days + 1
        for d in range(spec.distributors):
            code, lines = distributor_code(d), spec.lines_per_day(d) * days
            received = sales_received_at(d, end)
            load = make_load(
                "distributor_sales", code, f"sales_{start}_{end}.xlsx", received, received + timedelta(minutes=10)
            )
            loads.append(SalesLoad(load, d, start, days, lines, salt=week * 1000 + d))
            if (week * spec.distributors + d) % RESENT_EVERY != RESENT_EVERY // 2 or end + timedelta(
                days=3
            ) > spec.end_date:
                continue
            received = sales_received_at(d, end, extra_days=2)
            stem = f"sales_{start}_{end}_v2.xlsx"
            resent = make_load("distributor_sales", code, stem, received, received + timedelta(minutes=10))
            loads.append(SalesLoad(resent, d, start, days, lines - lines // 50, salt=week * 1000 + d + 500_000))
            superseded.add(load.load_id)
    return loads, superseded


SALES_LOADS_SCHEMA = {
    "load_no": pl.Int32,
    "load_id": pl.String,
    "source_file": pl.String,
    "loaded_at": pl.Datetime("us"),
    "distributor": pl.String,
    "d": pl.Int64,
    "start_date": pl.Date,
    "days": pl.Int32,
    "lines": pl.Int64,
    "salt": pl.Int64,
}


def sales_chunks(loads: list[SalesLoad], budget: int) -> list[list[SalesLoad]]:
    """The loads in order, cut into runs of at most `budget` lines (a load larger than that is a run of its own)."""
    chunks: list[list[SalesLoad]] = []
    lines = budget
    for sales in loads:
        if lines + sales.lines > budget:
            chunks.append([])
            lines = 0
        chunks[-1].append(sales)
        lines += sales.lines
    return chunks


def write_sales(con: duckdb.DuckDBPyConnection, spec: LakeSpec, loads: list[SalesLoad], ledger: Ledger) -> None:
    """The sales loads in partitioned writes of at most CHUNK_LINES lines each (so the writer's memory does not
    grow with the lake): keys (load, row) first, then the lines joined to small dims. A load's rows depend on its
    own knobs only, so the chunking does not change what any file holds."""
    dims = {
        "reps": REPS_PER_DISTRIBUTOR,
        "beats": BEATS_PER_DISTRIBUTOR,
        "distributors": spec.distributors,
        "outlets": spec.outlets_per_distributor,
        "skus": spec.skus,
    }
    for statement in SALES_DIMS_SQL.split(";"):
        if statement.strip():
            con.execute(statement, {k: v for k, v in dims.items() if f"${k}" in statement})
    params = {"return_pct": RETURN_PCT, "outlets": spec.outlets_per_distributor, "skus": spec.skus}
    staging = spec.data_dir / ".staging" / "secondary_sales"
    for chunk in sales_chunks(loads, CHUNK_LINES):
        rows = [
            (
                *(n, s.load.load_id, s.load.file_name, s.load.loaded_at, s.load.distributor_code, s.distributor),
                *(s.start, s.days, s.lines, s.salt),
            )
            for n, s in enumerate(chunk)
        ]
        con.register("sales_loads_frame", pl.DataFrame(rows, schema=SALES_LOADS_SCHEMA, orient="row"))
        con.execute("create or replace temp table sales_loads as select * from sales_loads_frame")
        con.unregister("sales_loads_frame")
        con.execute(SALES_KEYS_SQL)
        load_ids = [s.load.load_id for s in chunk]
        write_partitioned(con, SALES_SQL, params, "_load_id", load_ids, staging, spec.raw_dir / "secondary_sales")
    for sales in loads:
        period = (sales.start, sales.start + timedelta(days=sales.days - 1))
        ledger.add(sales.load, "distributor_sales", "secondary_sales", period, sales.lines)


# ------------------------------------------------------------------------------------------ current movements

DAILY_SALES_SQL = """
create or replace temp table daily_sales as
select
    distributor_code,
    sku_code,
    invoice_date as day,
    sum(case when line_type = 'sale' then quantity_units + free_units else 0 end) as sales_units,
    sum(case when line_type = 'return' then quantity_units else 0 end) as returns_units
from read_parquet($glob)
where not list_contains($superseded::varchar[], _load_id)
group by all
"""


def create_current_sales(con: duckdb.DuckDBPyConnection, spec: LakeSpec, superseded: set[str]) -> None:
    """Daily sales per distributor x SKU from the current (not superseded) loads: the truth stock rests on it."""
    glob = str(spec.raw_dir / "secondary_sales" / "*.parquet")
    con.execute(DAILY_SALES_SQL, {"glob": glob, "superseded": sorted(superseded)})


# ------------------------------------------------------------------------------------------------ primary

PRIMARY_SQL = """
with week as (
    select distributor_code, sku_code, sum(sales_units) as units
    from daily_sales
    where day between $week_start and $week_end
    group by all
),
sized as (
    select week.*, cast(substr(sku_code, 4) as integer) - 1 as s, hash(distributor_code, sku_code, $number) as h
    from week
),
lines as (
    select
        'invoice' as doc_type, distributor_code, sku_code, s,
        (ceil(units / (12 * 2 ** (s % 3))) * (12 * 2 ** (s % 3)))::bigint as quantity_units,
        $doc_date::date + (2 + h % 3)::integer as delivery_date
    from sized
    union all
    select 'credit_note', distributor_code, sku_code, s, (1 + h % 24)::bigint, null::date
    from sized
    where (h // 7) % 100 < 1
)
select
    $load_id as _load_id,
    $source_file as _source_file,
    null::varchar as _sheet,
    (row_number() over (order by doc_type desc, distributor_code, sku_code) + 1)::integer as _row_number,
    $loaded_at::timestamp as _loaded_at,
    doc_type,
    printf('%s%d%05d', case when doc_type = 'invoice' then '9' else '7' end, $number + 100,
           row_number() over (partition by doc_type order by distributor_code, sku_code)) as doc_number,
    $doc_date::date as doc_date,
    delivery_date,
    distributor_code,
    sku_code,
    quantity_units,
    round(round(5 + (s * 37) % 150 + 0.25 * (s % 4), 2) * 0.8, 2)::double as rate,
    round(quantity_units * round(round(5 + (s * 37) % 150 + 0.25 * (s % 4), 2) * 0.8, 2), 2)::double as net_amount
from lines
"""


def write_primary(con: duckdb.DuckDBPyConnection, spec: LakeSpec, ledger: Ledger) -> None:
    """One ERP load a week: invoices dated the day after a sales week, for that week's sales, and credit notes."""
    for number, (start, end) in enumerate(sales_weeks(spec)):
        doc_date = end + timedelta(days=1)
        if doc_date > spec.end_date:
            break
        received = at(doc_date + timedelta(days=1), 0, 30)
        load = make_load("primary_sales", "BRAND", f"primary_{doc_date}.csv", received, received + timedelta(minutes=5))
        params = {**load.metadata(), "week_start": start, "week_end": end, "doc_date": doc_date, "number": number}
        rows = write_select(con, PRIMARY_SQL, params, spec.raw_dir / "primary_sales" / f"{load.load_id}.parquet")
        ledger.add(load, "primary_sales", "primary_sales", (doc_date, doc_date), rows)


# ------------------------------------------------------------------------------------------------ stock

TRUE_STOCK_SQL = """
create or replace temp table true_stock as
with primary_lines as (
    select * from read_parquet($primary_glob)
),
months as (
    select unnest($month_starts::date[]) as period_start
),
movements as (
    select distributor_code, sku_code, day, returns_units - sales_units as net, 0 as receipts,
        sales_units - returns_units as sales
    from daily_sales
    union all
    select distributor_code, sku_code, delivery_date, quantity_units, quantity_units, 0
    from primary_lines where doc_type = 'invoice'
    union all
    select distributor_code, sku_code, doc_date, -quantity_units, 0, 0
    from primary_lines where doc_type = 'credit_note'
),
grid as (
    select
        pairs.distributor_code, pairs.sku_code, months.period_start,
        (months.period_start + interval 1 month - interval 1 day)::date as period_end
    from (select distinct distributor_code, sku_code from daily_sales) as pairs, months
),
monthly as (
    select
        grid.distributor_code, grid.sku_code, grid.period_start, grid.period_end,
        coalesce(sum(movements.net), 0) as net,
        coalesce(sum(movements.receipts), 0) as receipts,
        coalesce(sum(movements.sales), 0) as sales
    from grid
    left join movements
        on movements.distributor_code = grid.distributor_code
        and movements.sku_code = grid.sku_code
        and movements.day between grid.period_start and grid.period_end
    group by all
),
initial as (
    -- two weeks of the pair's average sales
    select distributor_code, sku_code, (14 * sum(sales_units) / greatest(count(distinct day), 1))::bigint as units
    from daily_sales
    group by all
)
select
    monthly.*,
    initial.units + coalesce(sum(monthly.net) over (
        partition by monthly.distributor_code, monthly.sku_code order by monthly.period_start
        rows between unbounded preceding and 1 preceding
    ), 0) as opening_units
from monthly
inner join initial using (distributor_code, sku_code)
"""

STATEMENT_SQL = """
select
    $load_id as _load_id,
    $source_file as _source_file,
    'Stock Statement' as _sheet,
    (row_number() over (order by sku_code) + 3)::integer as _row_number,
    $loaded_at::timestamp as _loaded_at,
    distributor_code,
    period_start,
    period_end,
    sku_code as item_raw,
    sku_code,
    opening_units::bigint as opening_units,
    receipts::bigint as receipts_units,
    sales::bigint as sales_units,
    (opening_units + net + case
        when hash(distributor_code, sku_code, period_start) % 100 < $variance_pct
            then 1 + hash(sku_code, period_start) % 40
        else 0
    end)::bigint as closing_units
from true_stock
where distributor_code = $distributor and period_start = $period_start
"""


def statement_months(spec: LakeSpec) -> list[tuple[date, date]]:
    """Calendar months from the lake's first month whose statement (3 days after month end) has arrived."""
    months = []
    first = spec.start_date.replace(day=1)
    while True:
        following = (first + timedelta(days=32)).replace(day=1)
        last = following - timedelta(days=1)
        if last + timedelta(days=3) > spec.end_date:
            return months
        months.append((first, last))
        first = following


def create_true_stock(con: duckdb.DuckDBPyConnection, spec: LakeSpec) -> None:
    """Per distributor x SKU x statement month: the true opening and closing from every current movement."""
    params = {
        "primary_glob": str(spec.raw_dir / "primary_sales" / "*.parquet"),
        "month_starts": [start for start, _ in statement_months(spec)],
    }
    con.execute(TRUE_STOCK_SQL, params)


def write_statements(con: duckdb.DuckDBPyConnection, spec: LakeSpec, ledger: Ledger) -> None:
    for period_start, period_end in statement_months(spec):
        for d in range(spec.distributors):
            code = distributor_code(d)
            received = at(period_end + timedelta(days=3), 6, d)
            stem = f"stock_{period_start.strftime('%Y-%m')}.xlsx"
            load = make_load("stock_statement", code, stem, received, received + timedelta(minutes=10))
            params = {
                **load.metadata(),
                "distributor": code,
                "period_start": period_start,
                "variance_pct": VARIANCE_PCT,
            }
            rows = write_select(
                con, STATEMENT_SQL, params, spec.raw_dir / "stock_statement" / f"{load.load_id}.parquet"
            )
            ledger.add(load, "stock_statement", "stock_statement", (period_start, period_end), rows)


# ----------------------------------------------------------------------------------------------- masters

MASTERS_SQL = {
    "masters_skus": """
select printf('SKU%04d', i + 1) as sku_code, printf('Product %d %d g', i + 1, 50 * (1 + i % 6)) as sku_name,
    printf('Brand %s', chr((65 + i % 5)::integer)) as brand,
    ['Biscuits', 'Snacks', 'Beverages'][1 + i % 3] as category, printf('%d g', 50 * (1 + i % 6)) as pack_size,
    (12 * 2 ** (i % 3))::bigint as units_per_case,
    round((5 + (i * 37) % 150 + 0.25 * (i % 4)) * 1.25, 0)::double as mrp, printf('890601%07d', i) as ean
from range($skus) as t(i)""",
    "masters_distributors": """
select printf('D%03d', i + 1) as distributor_code, printf('Distributor %d Agencies', i + 1) as distributor_name,
    'distributor' as tier, null::varchar as parent_distributor_code,
    ['North', 'South', 'East', 'West'][1 + i % 4] as zone,
    ['Uttar Pradesh', 'Karnataka', 'West Bengal', 'Maharashtra'][1 + i % 4] as region,
    ['Uttar Pradesh', 'Karnataka', 'West Bengal', 'Maharashtra'][1 + i % 4] as state,
    ['Lucknow', 'Bengaluru', 'Kolkata', 'Pune'][1 + i % 4] as town, 'weekly' as sales_file_cadence
from range($distributors) as t(i)""",
    "masters_outlets": """
select printf('OUT%03d%05d', d + 1, j) as outlet_code, printf('Outlet D%03d-%05d Stores', d + 1, j) as outlet_name,
    printf('D%03d', d + 1) as distributor_code, printf('P%05d', j) as party_code,
    ['GT', 'GT', 'GT', 'MT', 'ECOM'][1 + j % 5] as channel, ['A', 'B', 'B', 'C', 'C'][1 + (j // 5) % 5] as outlet_class,
    printf('D%03d-B%02d', d + 1, j % $beats + 1) as beat_code,
    ['Lucknow', 'Bengaluru', 'Kolkata', 'Pune'][1 + d % 4] as town,
    ['Uttar Pradesh', 'Karnataka', 'West Bengal', 'Maharashtra'][1 + d % 4] as state,
    (12 + d % 4 * 4 + (hash(d, j) % 100000) / 100000.0)::double as latitude,
    (74 + d % 4 * 3 + (hash(j, d) % 100000) / 100000.0)::double as longitude,
    null::varchar as gstin, printf('9%09d', ((d * $outlets + j) * 7919) % 1000000000) as phone
from range($distributors) as a(d), range($outlets) as b(j)""",
    "masters_reps": """
select printf('D%03d-R%d', d + 1, r + 1) as rep_code, printf('Rep %d of D%03d', r + 1, d + 1) as rep_name,
    printf('D%03d', d + 1) as distributor_code, printf('8%09d', d * 10 + r) as phone
from range($distributors) as a(d), range($reps) as b(r)""",
    "masters_beats": """
select printf('D%03d-B%02d', d + 1, b + 1) as beat_code, printf('Beat %d of D%03d', b + 1, d + 1) as beat_name,
    printf('D%03d', d + 1) as distributor_code, printf('D%03d-R%d', d + 1, b % $reps + 1) as rep_code,
    ['Lucknow', 'Bengaluru', 'Kolkata', 'Pune'][1 + d % 4] as town, (b % 6)::bigint as visit_weekday
from range($distributors) as a(d), range($beats) as c(b)""",
    "masters_schemes": """
select printf('SCH%03d', i + 1) as scheme_code, printf('Scheme %d', i + 1) as scheme_name,
    ['qty_slab', 'pct_discount', 'free_goods'][1 + i % 3] as scheme_type,
    printf('SKU%04d;SKU%04d', 1 + (i * 3) % $skus, 1 + (i * 3 + 1) % $skus) as sku_codes,
    $start::date + (i * 30)::integer as start_date, $start::date + (i * 30 + 45)::integer as end_date,
    ([24, 1, 24][1 + i % 3])::bigint as min_units, ([3.0, 4.0, 0.0][1 + i % 3])::double as discount_pct,
    ([0, 0, 2][1 + i % 3])::bigint as free_units
from range($schemes) as t(i)""",
    "masters_sku_aliases": """
select printf('D%03d', d + 1) as distributor_code, printf('ITEM-%04d', i + 1) as alias,
    printf('SKU%04d', i + 1) as sku_code
from range($distributors) as a(d), range($skus) as b(i)""",
}

MASTERS_WRAPPER_SQL = """
select $load_id as _load_id, $source_file as _source_file, null::varchar as _sheet,
    (row_number() over () + 1)::integer as _row_number, $loaded_at::timestamp as _loaded_at, m.*
from ({body}) as m
"""


def masters_params(spec: LakeSpec, body: str) -> dict[str, Any]:
    """The parameters a masters select uses (DuckDB rejects unused named parameters)."""
    values = {
        "skus": spec.skus,
        "distributors": spec.distributors,
        "outlets": spec.outlets_per_distributor,
        "beats": BEATS_PER_DISTRIBUTOR,
        "reps": REPS_PER_DISTRIBUTOR,
        "start": spec.start_date,
        "schemes": max(1, spec.days // 30),
    }
    return {name: value for name, value in values.items() if f"${name}" in body}


def write_masters(con: duckdb.DuckDBPyConnection, spec: LakeSpec, ledger: Ledger) -> None:
    received = at(spec.start_date - timedelta(days=1), 0, 30)
    for offset, (table, body) in enumerate(MASTERS_SQL.items()):
        loaded = received + timedelta(minutes=5, microseconds=offset)
        load = make_load("masters", "BRAND", f"{table.removeprefix('masters_')}.csv", received, loaded)
        sql = MASTERS_WRAPPER_SQL.replace("{body}", body)  # both are constants of this module
        params = {**load.metadata(), **masters_params(spec, body)}
        rows = write_select(con, sql, params, spec.raw_dir / table / f"{load.load_id}.parquet")
        ledger.add(load, "masters", table, (None, None), rows)


# ------------------------------------------------------------------------------------------------ ledger

LEDGER_ROWS_SCHEMA = {
    "load_id": pl.String,
    "file_sha256": pl.String,
    "source_kind": pl.String,
    "distributor_code": pl.String,
    "file_name": pl.String,
    "file_size": pl.Int64,
    "table_name": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "received_at": pl.Datetime("us"),
    "loaded_at": pl.Datetime("us"),
    "rows_read": pl.Int64,
}

LEDGER_SQL = """
select
    load_id, file_sha256, source_kind, distributor_code, file_name, file_size, table_name, period_start, period_end,
    received_at, loaded_at, rows_read, rows_read as rows_loaded, 0::bigint as rows_quarantined,
    0::bigint as rows_deduplicated, 0::bigint as rows_skipped, 'loaded' as status, null::varchar as error_code,
    null::varchar as error
from ledger_rows
"""


def commit_ledger(con: duckdb.DuckDBPyConnection, spec: LakeSpec, ledger: Ledger) -> None:
    """One ledger file per load, written after every data file (the commit marker)."""
    con.register("ledger_rows", pl.DataFrame(ledger.rows, schema=LEDGER_ROWS_SCHEMA, orient="row"))
    staging = spec.data_dir / ".staging" / LEDGER_DIR
    load_ids = [row[0] for row in ledger.rows]
    write_partitioned(con, LEDGER_SQL, {}, "load_id", load_ids, staging, spec.raw_dir / LEDGER_DIR)
    ledger.rows.clear()


# --------------------------------------------------------------------------------------------------- API


@dataclass(frozen=True)
class LakeSummary:
    secondary_lines: int
    loads: int
    resent_loads: int
    statement_rows: int
    seconds: float


def write_lake(spec: LakeSpec) -> LakeSummary:
    """Write the whole lake under spec.data_dir (which should hold none yet), the derived outlet master and the
    incentive plan's tables (the shipped default plan), as the nightly job's Python steps would."""
    started = time.perf_counter()
    Lake(spec.raw_dir).ensure(all_schemas())
    ReviewStore.beside(spec.raw_dir).ensure()  # no decisions yet: dbt reads the empty files
    con = duckdb.connect()
    ledger = Ledger()
    write_masters(con, spec, ledger)
    sales, superseded = history_sales_loads(spec)
    write_sales(con, spec, sales, ledger)
    create_current_sales(con, spec, superseded)
    write_primary(con, spec, ledger)
    create_true_stock(con, spec)
    write_statements(con, spec, ledger)
    loads = len(ledger.rows)
    commit_ledger(con, spec, ledger)
    found = con.execute("select count(*) from true_stock").fetchall()
    con.close()
    run_outlet_master(Settings.from_env(spec.data_dir))
    run_incentive_plan(Settings.from_env(spec.data_dir))
    return LakeSummary(
        secondary_lines=sum(s.lines for s in sales),
        loads=loads,
        resent_loads=len(superseded),
        statement_rows=int(found[0][0]),
        seconds=time.perf_counter() - started,
    )


def add_day(spec: LakeSpec, day: date) -> int:
    """The nightly delta: one distributor_sales load per distributor for `day` (data first, then ledger rows).

    loaded_at is after every load already in the lake, as a real ingest run's clock would be.
    """
    con = duckdb.connect()
    glob = str(spec.raw_dir / LEDGER_DIR / "*.parquet")
    found = con.execute("select max(loaded_at) from read_parquet($glob)", {"glob": glob}).fetchall()
    latest: datetime = found[0][0] or datetime.now()
    ledger = Ledger()
    loads = []
    for d in range(spec.distributors):
        received = sales_received_at(d, day)
        loaded = max(latest, received) + timedelta(minutes=10 + d)
        load = make_load("distributor_sales", distributor_code(d), f"sales_{day}.xlsx", received, loaded)
        loads.append(SalesLoad(load, d, day, 1, spec.lines_per_day(d), salt=9_000_000 + d))
    write_sales(con, spec, loads, ledger)
    commit_ledger(con, spec, ledger)
    con.close()
    return sum(s.lines for s in loads)
