"""Fault injection: hostile files, broken disks, clocks and concurrent runs, on small copies of the tiny network.

Cheap by design (CI's budget): tests copy the session's `tiny_network` (loaded and published once per process)
and run the ingest on the copy, or a single step, rather than whole nightly builds. Every test asserts that
nothing was lost (each inbox file has a ledger row or a stated reason to be skipped) and the ledger identity
(rows read = loaded + quarantined + deduplicated for every file).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ingest.core.lake import Lake
from tests.pipeline_helpers import copy_network


@pytest.fixture()
def network(tiny_network: Path, tmp_path: Path) -> Path:
    """A private copy of the loaded and published tiny network (about 30 MB) to break."""
    return copy_network(tiny_network, tmp_path / "data")


def assert_ledger_identity(lake: Lake) -> pl.DataFrame:
    """Every ledger row adds up; returns the ledger."""
    ledger = lake.ledger()
    broken = ledger.filter(
        pl.col("rows_read") != pl.col("rows_loaded") + pl.col("rows_quarantined") + pl.col("rows_deduplicated")
    )
    assert broken.height == 0, broken.select("file_name", "rows_read", "rows_loaded", "rows_quarantined")
    return ledger


def assert_rows_in_lake(lake: Lake, ledger_row: dict) -> None:
    """The rows a ledger row says it loaded and quarantined are in the lake, no more, no fewer."""
    load_id = ledger_row["load_id"]
    loaded = sum(
        pl.read_parquet(path).height
        for table in (ledger_row["table_name"] or "").split(",")
        if table
        for path in [lake.table_dir(table) / f"{load_id}.parquet"]
        if path.exists()
    )
    quarantine = lake.table_dir("_quarantine") / f"{load_id}.parquet"
    quarantined = pl.read_parquet(quarantine).height if quarantine.exists() else 0
    assert quarantined == ledger_row["rows_quarantined"]
    if ledger_row["source_kind"] != "whatsapp":  # chats also write derived order lines
        assert loaded == ledger_row["rows_loaded"]


def latest_attempt(lake: Lake, file_name: str) -> dict:
    rows = lake.ledger().filter(pl.col("file_name") == file_name).sort("loaded_at", "load_id")
    assert rows.height, f"no ledger row for {file_name}"
    return rows.row(-1, named=True)
