"""Lake.ledger() on ledger files the way they are found in a lake: one per load, some written before a column
existed (the retry columns came later) or with a column's type as an older version wrote it. The one multi-file
read gives the file-by-file read's rows, in load-id order, typed by today's LEDGER_SCHEMA."""

from datetime import datetime
from pathlib import Path

import polars as pl

from ingest.core.contract import LEDGER_SCHEMA
from ingest.core.lake import LEDGER_DIR, Lake


def _row(load_id: str, **values: object) -> dict[str, object]:
    return {
        "load_id": load_id,
        "file_sha256": f"sha-{load_id}",
        "source_kind": "distributor_sales",
        "file_name": f"{load_id}.xlsx",
        "file_size": 100,
        "loaded_at": datetime(2026, 10, 1, 2, 0),
        "rows_read": 3,
        "status": "loaded",
        **values,
    }


def _write(lake: Lake, load_id: str, frame: pl.DataFrame) -> None:
    folder = lake.table_dir(LEDGER_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(folder / f"{load_id}.parquet")


def test_an_empty_lake_has_an_empty_typed_ledger(tmp_path: Path) -> None:
    assert Lake(tmp_path / "raw").ledger().schema == pl.Schema(LEDGER_SCHEMA)


def test_files_written_before_a_column_existed_read_with_it_null(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "raw")
    lake.ensure({})
    today = pl.DataFrame([_row("L2", retry_key="k", retry_of_load_id="L1")], schema=LEDGER_SCHEMA)
    older = today.with_columns(load_id=pl.lit("L1")).drop("retry_key", "retry_of_load_id")
    extra = today.with_columns(load_id=pl.lit("L3"), dropped_later=pl.lit("x"))
    for load_id, frame in (("L2", today), ("L1", older), ("L3", extra)):
        _write(lake, load_id, frame)
    ledger = lake.ledger()
    assert ledger.schema == pl.Schema(LEDGER_SCHEMA)
    assert ledger["load_id"].to_list() == ["L1", "L2", "L3"]
    assert ledger["retry_key"].to_list() == [None, "k", "k"]
    assert ledger.equals(Lake._ledger_file_by_file(sorted(lake.table_dir(LEDGER_DIR).glob("L*.parquet"))))


def test_a_file_with_an_older_type_reads_through_the_relaxed_path(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "raw")
    lake.ensure({})
    _write(lake, "L1", pl.DataFrame([_row("L1")], schema=LEDGER_SCHEMA))
    # an all-null column written as polars' Null type, and a count written as a 32-bit integer
    older = pl.DataFrame([_row("L2")]).with_columns(error=pl.lit(None), rows_read=pl.lit(3, pl.Int32))
    _write(lake, "L2", older)
    ledger = lake.ledger()
    assert ledger.schema == pl.Schema(LEDGER_SCHEMA)
    assert ledger.select("load_id", "rows_read", "error").rows() == [("L1", 3, None), ("L2", 3, None)]
