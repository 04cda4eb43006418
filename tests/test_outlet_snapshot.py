"""Outlet history (SCD type 2): the dbt snapshot of the outlet master and dim_outlet_history, run as `dbt build`
runs it, twice on the same data and after an outlet moves beat and distributor."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from ingest.core.lake import Lake
from ingest.core.runner import ingest_inbox
from sellthrough.config import Settings
from tests.conftest import write_csv
from tests.pos_helpers import outlet, run_dbt, write_hierarchy


def _history(data_dir: Path) -> pl.DataFrame:
    with duckdb.connect(str(Settings.from_env(data_dir).warehouse_path), read_only=True) as con:
        return con.sql(
            "select outlet_code, distributor_code, beat_code, valid_from, valid_to, is_current, master_received_at "
            "from dim_outlet_history order by outlet_code, valid_from"
        ).pl()


def _snapshot(inbox: Path, name: str, rows: list[dict], received: date) -> None:
    path = inbox / "masters" / "BRAND" / name
    write_csv(path, rows)
    stamp = time.mktime(received.timetuple())
    os.utime(path, (stamp, stamp))


def _build_twice(data_dir: Path) -> None:
    ingest_inbox(data_dir / "inbox", Lake(data_dir / "raw"), kinds=["masters"])
    for _ in range(2):  # the same data snapshotted again adds nothing
        run_dbt(data_dir, "build", "--select", "+dim_outlet_history", "--indirect-selection", "cautious")


def _one_current_row_per_outlet(history: pl.DataFrame) -> None:
    current = history.group_by("outlet_code").agg(pl.col("is_current").sum().alias("n"))
    assert current["n"].max() <= 1
    assert history.filter(pl.col("is_current"))["valid_to"].null_count() == history["is_current"].sum()


def test_a_moved_outlet_keeps_its_history_with_one_current_row(inbox: Path) -> None:
    data_dir = inbox.parent
    write_hierarchy(inbox, [outlet("O1")])
    _snapshot(inbox, "outlets.csv", [outlet("O1"), outlet("O2")], date(2026, 7, 1))
    _build_twice(data_dir)
    first = _history(data_dir)
    assert first["outlet_code"].to_list() == ["O1", "O2"] and first["is_current"].all()
    _one_current_row_per_outlet(first)

    moved = [outlet("O1", beat="D002-B01", distributor="D002"), outlet("O2", outlet_name="Store O2 (renamed)")]
    _snapshot(inbox, "outlets_2026-08-01.csv", moved, date(2026, 8, 1))
    _build_twice(data_dir)
    history = _history(data_dir)
    _one_current_row_per_outlet(history)
    o1 = history.filter(pl.col("outlet_code") == "O1").to_dicts()
    assert len(o1) == 2
    assert [(r["distributor_code"], r["beat_code"], r["is_current"]) for r in o1] == [
        ("D001", "D001-B01", False),
        ("D002", "D002-B01", True),
    ]
    assert o1[0]["valid_to"] == o1[1]["valid_from"]  # no gap, no overlap
    assert o1[1]["master_received_at"].date() == date(2026, 8, 1)
    # a name is not a placement: O2 keeps one version
    assert history.filter(pl.col("outlet_code") == "O2").height == 1

    _snapshot(inbox, "outlets_2026-09-01.csv", [moved[0]], date(2026, 9, 1))  # O2 leaves the master
    _build_twice(data_dir)
    history = _history(data_dir)
    _one_current_row_per_outlet(history)
    assert history.filter(pl.col("is_current"))["outlet_code"].to_list() == ["O1"]
    assert history.height == 3


def test_dagster_dbt_build_includes_the_snapshot() -> None:
    from orchestration.dbt import sellthrough_dbt_assets

    names = {key.path[-1] for key in sellthrough_dbt_assets.keys}
    assert {"snp_masters__outlets", "dim_outlet_history", "fct_pos_sales"} <= names
