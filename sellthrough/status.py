"""`sellthrough status`: per distributor, its last file, the period covered, freshness and quarantine."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from ingest.core.lake import Lake
from sellthrough.config import Settings

CADENCE_DAYS = {"daily": 1, "weekly": 7, "monthly": 31}
GRACE_DAYS = 2


def distributor_status(settings: Settings, today: datetime | None = None) -> pl.DataFrame:
    lake = Lake(settings.raw_dir)
    ledger = lake.ledger()
    if ledger.height == 0:
        return pl.DataFrame()
    today = today or datetime.now()
    cadence = _cadences(lake)
    per_distributor = (
        ledger.filter(pl.col("source_kind") != "masters")
        .sort("received_at")
        .group_by("source_kind", "distributor_code")
        .agg(
            last_file=pl.col("file_name").last(),
            last_received=pl.col("received_at").last(),
            period_end=pl.col("period_end").max(),
            files=pl.len(),
            files_failed=(pl.col("status") == "failed").sum(),
            rows_loaded=pl.col("rows_loaded").sum(),
            rows_quarantined=pl.col("rows_quarantined").sum(),
        )
        .join(cadence, on="distributor_code", how="left")
        .with_columns(
            expected_every_days=pl.when(pl.col("source_kind") == "stock_statement")
            .then(31)
            .otherwise(pl.col("sales_file_cadence").replace_strict(CADENCE_DAYS, default=7)),
            days_since_file=(pl.lit(today) - pl.col("last_received")).dt.total_days(),
        )
        .with_columns(
            freshness=pl.when(pl.col("days_since_file") <= pl.col("expected_every_days") + GRACE_DAYS)
            .then(pl.lit("fresh"))
            .otherwise(pl.lit("late"))
        )
        .drop("sales_file_cadence")
        .sort("source_kind", "distributor_code")
    )
    return per_distributor


def _cadences(lake: Lake) -> pl.DataFrame:
    ledger = lake.ledger().filter((pl.col("table_name") == "masters_distributors") & (pl.col("status") == "loaded"))
    if ledger.height == 0:
        return pl.DataFrame(schema={"distributor_code": pl.String, "sales_file_cadence": pl.String})
    latest = ledger.sort("received_at", "load_id")["load_id"][-1]
    return lake.read_table("masters_distributors", [latest]).select("distributor_code", "sales_file_cadence")
