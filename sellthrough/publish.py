"""Atomic publishing of the warehouse file, and the read-only connection analysts use."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from ingest.core.failpoints import failpoint


def publish_warehouse(warehouse: Path, published: Path) -> int:
    """Copy `warehouse` next to `published`, then rename over it: readers see the old or the new file,
    never half of one (a reader that has the old file open keeps reading it)."""
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run the dbt build first")
    published.parent.mkdir(parents=True, exist_ok=True)
    for stale in published.parent.glob(f".{published.name}.*.tmp"):  # left by a run killed mid-copy
        stale.unlink(missing_ok=True)
    staging = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    shutil.copyfile(warehouse, staging)
    with staging.open("rb") as handle:
        os.fsync(handle.fileno())
    check = duckdb.connect(str(staging), read_only=True)  # refuse to publish a file DuckDB cannot open
    check.close()
    failpoint("publish.before_rename")
    os.replace(staging, published)
    return published.stat().st_size


def connect_published(path: Path) -> duckdb.DuckDBPyConnection:
    """What analysts should use: read-only, no access to files or the network, settings locked."""
    return duckdb.connect(
        str(path),
        read_only=True,
        config={"enable_external_access": False, "lock_configuration": True},
    )
