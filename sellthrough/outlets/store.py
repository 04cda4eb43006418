"""The outlet master's run: read the latest outlet snapshot from the lake, match it against the last run's
ids and a person's overrides, and write the derived tables dbt reads (`derived/outlet_*/current.parquet`).

Files (under SELLTHROUGH_DATA_DIR):
- `config/outlet_overrides.csv`: a person's decisions (outlet_code_a, outlet_code_b, decision merge|split, reason,
  decided_by); append-only, the latest row for a pair wins; read by every run, so a decision sticks.
- `derived/outlet_clusters/current.parquet`: outlet_code -> master_outlet_id (also next run's `previous`).
- `derived/outlet_pairs/current.parquet`: the audit of every compared pair (rule, score, decision, source).
- `derived/outlet_flags/current.parquet`: invalid GSTIN, impossible GPS, phone not a mobile, per outlet.
"""

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.core.lake import Lake, write_parquet_atomic
from sellthrough.config import Settings
from sellthrough.outlets import OutletMatchResult, match_outlets

CLUSTERS_SCHEMA = {
    "outlet_code": pl.String,
    "master_outlet_id": pl.String,
    "is_golden": pl.Boolean,
    "cluster_size": pl.Int64,
}
PAIRS_SCHEMA = {
    "outlet_code_a": pl.String,
    "outlet_code_b": pl.String,
    "rule": pl.String,
    "score": pl.Float64,
    "decision": pl.String,
    "source": pl.String,
    "reason": pl.String,
    "decided_by": pl.String,
    "features": pl.String,
}
FLAGS_SCHEMA = {
    "outlet_code": pl.String,
    "gstin_invalid": pl.Boolean,
    "gps_impossible": pl.Boolean,
    "phone_invalid": pl.Boolean,
}


@dataclass(frozen=True)
class OutletMasterRun:
    outlets: int
    clusters: int
    merged_outlets: int
    id_changes: int
    flagged: int


def derived_path(settings: Settings, table: str) -> Path:
    return settings.data_dir / "derived" / table / "current.parquet"


def latest_outlets(lake: Lake) -> pl.DataFrame:
    ledger = lake.ledger().filter(
        (pl.col("status") == "loaded") & pl.col("table_name").fill_null("").str.contains("masters_outlets")
    )
    if ledger.is_empty():
        return pl.DataFrame()
    latest = ledger.sort("received_at", "load_id").tail(1)["load_id"].to_list()
    return lake.read_table("masters_outlets", latest)


def _read_previous(path: Path) -> pl.DataFrame | None:
    return pl.read_parquet(path).select("outlet_code", "master_outlet_id") if path.exists() else None


def _read_overrides(path: Path) -> pl.DataFrame | None:
    if not path.exists():
        return None
    return pl.read_csv(path, infer_schema=False)


def _frames(result: OutletMatchResult) -> dict[str, pl.DataFrame]:
    clusters = result.clusters.select(
        pl.col("outlet_code"),
        pl.col("master_outlet_id"),
        pl.col("is_golden"),
        pl.col("members").cast(pl.Int64).alias("cluster_size"),
    )
    pairs = result.pairs.with_columns(pl.col("features").struct.json_encode().alias("features"))
    flags = result.flags.select(list(FLAGS_SCHEMA))
    return {"outlet_clusters": clusters, "outlet_pairs": pairs, "outlet_flags": flags}


def run_outlet_master(settings: Settings) -> OutletMasterRun:
    """Match the latest outlet snapshot and write the derived tables (empty ones when there is no snapshot)."""
    outlets = latest_outlets(Lake(settings.raw_dir))
    schemas = {"outlet_clusters": CLUSTERS_SCHEMA, "outlet_pairs": PAIRS_SCHEMA, "outlet_flags": FLAGS_SCHEMA}
    if outlets.is_empty():
        for table, schema in schemas.items():
            write_parquet_atomic(pl.DataFrame(schema=schema), derived_path(settings, table))
        return OutletMasterRun(0, 0, 0, 0, 0)
    previous = _read_previous(derived_path(settings, "outlet_clusters"))
    result = match_outlets(
        outlets, previous=previous, overrides=_read_overrides(settings.config_dir / "outlet_overrides.csv")
    )
    for table, frame in _frames(result).items():
        conformed = frame.select([pl.col(c).cast(t) for c, t in schemas[table].items()])
        write_parquet_atomic(conformed, derived_path(settings, table))
    clusters = result.clusters
    return OutletMasterRun(
        outlets=clusters.height,
        clusters=result.golden.height,
        merged_outlets=clusters.height - result.golden.height,
        id_changes=result.id_changes.height,
        flagged=result.flags.filter(pl.col("any_flag")).height,
    )
