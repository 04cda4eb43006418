"""Quarantine rows carry their subject as fields, and a lake or warehouse from before those fields still gives the
same review queue: the tiny network's quarantine files rewritten as an older ingest wrote them (no subject,
subject_kind, suggestions; its _schema.parquet too), built by dbt into a copy of the warehouse whose quarantine
table predates the columns (an incremental run), then from scratch (a full refresh), and read by the Python queue."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl

from ingest.core.contract import SUBJECT_SCHEMA
from ingest.core.lake import Lake
from ingest.core.values import name_key
from sellthrough.review_queue import review_queue
from tests.pipeline_helpers import run_dbt

MODELS = ("stg_ingest__quarantined_rows", "fct_quarantined_rows", "fct_review_queue")


def _legacy_view(network: Path, data_dir: Path) -> Path:
    """A data dir reading the network's lake, but with its quarantine files as written before the subject fields."""
    raw = data_dir / "raw"
    raw.mkdir(parents=True)
    for folder in (network / "raw").iterdir():
        if folder.name != "_quarantine":
            (raw / folder.name).symlink_to(folder, target_is_directory=folder.is_dir())
    (raw / "_quarantine").mkdir()
    for path in (network / "raw" / "_quarantine").glob("*.parquet"):
        pl.read_parquet(path).drop(*SUBJECT_SCHEMA).write_parquet(raw / "_quarantine" / path.name)
    return data_dir


def _pending(warehouse: Path) -> set[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return set(
            con.sql(
                "select review_kind, distributor_code, name_key, name, occurrences from ops.fct_review_queue "
                "where review_status = 'pending'"
            ).fetchall()
        )


def test_the_new_lake_carries_subjects_and_the_mart_reads_them(tiny_network: Path) -> None:
    quarantine = pl.read_parquet(tiny_network / "raw" / "_quarantine" / "*.parquet")
    unknown = quarantine.filter(pl.col("subject_kind") == "sku")
    assert unknown.height and set(unknown["reason_code"]) == {"unknown_sku"}
    assert unknown["subject"].null_count() == 0
    # the sentence quotes the subject it was written from
    assert all(f"unknown SKU '{s}'" in r for s, r in unknown.select("subject", "reason").iter_rows())
    with duckdb.connect(str(tiny_network / "warehouse" / "sellthrough.duckdb"), read_only=True) as con:
        mart = con.execute("select count(*) from ops.fct_quarantined_rows where subject_kind = 'sku'").fetchone()
        scored = con.execute(
            "select count(*) from ops.fct_review_queue where review_kind = 'sku' and len(suggestions) > 0 "
            "and suggestions[1].score >= coalesce(suggestions[2].score, 0)"
        ).fetchone()
    assert mart == (unknown.height,)
    assert scored is not None and scored[0] > 0


def test_quarantine_files_and_a_warehouse_from_before_the_subject_fields_give_the_same_queue(
    tiny_network: Path, tmp_path: Path
) -> None:
    expected = _pending(tiny_network / "warehouse" / "sellthrough.duckdb")
    assert any(kind == "sku" for kind, *_ in expected)
    view = _legacy_view(tiny_network, tmp_path / "data")
    assert "subject" not in pl.read_parquet(view / "raw" / "_quarantine" / "_schema.parquet").columns
    python = {
        (i.review_kind, i.distributor_code, name_key(i.name), i.name, i.occurrences)
        for i in review_queue(Lake(view / "raw"))
    }
    assert python == expected

    # a warehouse whose quarantine table was landed before the columns existed: the next run appends them (null
    # on every landed row) and the mart reads those rows' items from their sentences
    warehouse = tmp_path / "sellthrough.duckdb"
    shutil.copyfile(tiny_network / "warehouse" / "sellthrough.duckdb", warehouse)
    with duckdb.connect(str(warehouse)) as con:
        (schema,) = con.execute(
            "select table_schema from information_schema.tables where table_name = 'stg_ingest__quarantined_rows'"
        ).fetchone()  # type: ignore[misc]
        for column in SUBJECT_SCHEMA:
            con.execute(f'alter table "{schema}".stg_ingest__quarantined_rows drop column {column}')
    done = run_dbt(view, warehouse, tmp_path, "run", "--select", *MODELS)
    assert done.returncode == 0, done.stdout[-4000:]
    assert _pending(warehouse) == expected

    # and built from scratch on the old files (no column in any of them, _schema.parquet included)
    done = run_dbt(view, warehouse, tmp_path, "run", "--full-refresh", "--select", *MODELS)
    assert done.returncode == 0, done.stdout[-4000:]
    assert _pending(warehouse) == expected
    with duckdb.connect(str(warehouse), read_only=True) as con:
        nulls = con.execute("select count(*), count(subject) from staging.stg_ingest__quarantined_rows").fetchone()
    assert nulls is not None and nulls[0] > 0 and nulls[1] == 0
