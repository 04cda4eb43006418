"""What a person wants to see after a run: what THIS run loaded (files, rows, quarantine by kind and reason, the
files rejected and why), read from the ledger rows the run added, and what the warehouse now says (the largest
stock variances, the marts and KPI marts there are), read from the published warehouse."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from ingest.core.lake import LEDGER_DIR, QUARANTINE_DIR, SCHEMA_FILE, Lake

MART_PREFIXES = ("fct_", "dim_", "kpi_")


def committed_load_ids(raw_dir: Path) -> set[str]:
    """The loads the ledger holds now (one ledger file per load): taken before a run, so the run's own are the rest."""
    folder = raw_dir / LEDGER_DIR
    return {p.stem for p in folder.glob("*.parquet") if p.name != SCHEMA_FILE} if folder.exists() else set()


@dataclass(frozen=True)
class RunLoads:
    """The files one run loaded or rejected, per source kind, and the rows it quarantined by kind and reason."""

    by_kind: pl.DataFrame  # source_kind, files_loaded, files_failed, rows_read, rows_loaded, rows_quarantined, ...
    quarantine: pl.DataFrame  # source_kind, reason_code, rows
    failed: pl.DataFrame  # file_name, error_code, error

    @property
    def files(self) -> int:
        if self.by_kind.height == 0:
            return 0
        return int(self.by_kind["files_loaded"].sum() + self.by_kind["files_failed"].sum())


def run_loads(raw_dir: Path, before: set[str]) -> RunLoads:
    """The ledger rows added since `before` (see `committed_load_ids`) and their quarantined rows."""
    lake = Lake(raw_dir)
    ledger = lake.ledger()
    mine = ledger.filter(~pl.col("load_id").is_in(list(before)))
    by_kind = (
        mine.group_by("source_kind")
        .agg(
            files_loaded=(pl.col("status") == "loaded").sum(),
            files_failed=(pl.col("status") == "failed").sum(),
            rows_read=pl.col("rows_read").sum(),
            rows_loaded=pl.col("rows_loaded").sum(),
            rows_quarantined=pl.col("rows_quarantined").sum(),
            rows_deduplicated=pl.col("rows_deduplicated").sum(),
        )
        .sort("source_kind")
    )
    loaded = mine.filter(pl.col("status") == "loaded")["load_id"].to_list()
    quarantined = lake.read_table(QUARANTINE_DIR, loaded) if loaded else pl.DataFrame()
    if quarantined.height:
        reasons = (
            quarantined.group_by("source_kind", "reason_code")
            .agg(rows=pl.len())
            .sort(["rows", "source_kind", "reason_code"], descending=[True, False, False])
        )
    else:
        reasons = pl.DataFrame(schema={"source_kind": pl.String, "reason_code": pl.String, "rows": pl.UInt32})
    failed = mine.filter(pl.col("status") == "failed").sort("file_name").select("file_name", "error_code", "error")
    return RunLoads(by_kind, reasons, failed)


@dataclass(frozen=True)
class WarehouseSummary:
    largest_variances: list[tuple] = field(default_factory=list)
    marts: list[str] = field(default_factory=list)  # fct_, dim_ and kpi_ tables and views, by name


def warehouse_summary(published: Path, top: int = 5) -> WarehouseSummary:
    """The largest stock variances outside tolerance and every mart (fct_, dim_, kpi_) of the published warehouse."""
    if not published.exists():
        return WarehouseSummary()
    con = duckdb.connect(str(published), read_only=True)
    try:
        variances = con.execute(
            "select distributor_code, sku_code, period_start, computed_closing_units, reported_closing_units, "
            "variance_units, round(variance_pct, 1), likely_cause from fct_distributor_stock_reconciliation "
            "where not is_within_tolerance order by abs(variance_units) desc limit ?",
            [top],
        ).fetchall()
        names = con.execute(
            "select distinct table_name from information_schema.tables where table_schema in ('main', 'ops') order by 1"
        ).fetchall()
    finally:
        con.close()
    return WarehouseSummary(variances, [n for (n,) in names if n.startswith(MART_PREFIXES)])
