"""A corrupt warehouse file never stops the nights: it is set aside and rebuilt, the published copy untouched.

The warehouse (`warehouse/sellthrough.duckdb`) is derived data: the raw lake holds every committed load. When the
file cannot be opened (a disk error, a truncated copy, a half-restored backup), the dbt step sets it aside as
`sellthrough.duckdb.corrupt-<UTC time>` (kept for a person to look at) and starts again from the last published
copy, which is the last good build (so the outlet snapshot's history survives; staging lands the loads committed
since, the incremental windows come from the ledger), or from nothing when none was published (a full build).
Analysts keep reading the published copy until the night's build passes and replaces it.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb


def opens(path: Path) -> bool:
    """True when DuckDB can open `path` and read its catalog (or another process holds it: not our concern
    here); False when the file is damaged."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            con.execute("select count(*) from duckdb_tables()").fetchall()
        return True
    except duckdb.Error as problem:
        return "lock" in str(problem).lower()


def recover_corrupt_warehouse(warehouse: Path, published: Path) -> str | None:
    """Set a damaged warehouse aside and put the published copy (or nothing) in its place; what was done, in
    words, or None when the warehouse is fine or absent."""
    if not warehouse.exists() or opens(warehouse):
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = warehouse.with_name(f"{warehouse.name}.corrupt-{stamp}")
    os.replace(warehouse, aside)
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.exists():
        os.replace(wal, aside.with_name(aside.name + ".wal"))
    if published.exists() and opens(published):
        staging = warehouse.with_name(f".{warehouse.name}.restore.tmp")
        shutil.copyfile(published, staging)
        os.chmod(staging, 0o644)  # the published copy is read-only
        os.replace(staging, warehouse)
        start = f"restored from the published copy {published} (the last good build) and brought up to date"
    else:
        start = "rebuilt from the raw lake (no published copy to start from)"
    return f"the warehouse {warehouse} could not be opened: set aside as {aside.name}; {start}"
