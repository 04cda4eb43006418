"""The record of how far the published rows go (sellthrough/test_windows.py), on small files the test writes: what
the nightly's dbt tests and mart suites narrow to, and every case where they must read whole tables instead."""

import json
import os
from datetime import datetime
from pathlib import Path

import duckdb

from sellthrough.publish import publish_warehouse
from sellthrough.test_windows import dbt_test_window, mart_windows, published_windows, record_test_windows

LEDGER = "model.sellthrough.stg_ingest__loads"
MANIFEST = {
    "nodes": {
        LEDGER: {
            "resource_type": "model",
            "schema": "staging",
            "name": "stg_ingest__loads",
            "tags": ["landing"],
            "config": {"materialized": "incremental"},
        },
        "model.sellthrough.stg_distributor_sales__lines": {
            "resource_type": "model",
            "schema": "staging",
            "name": "stg_distributor_sales__lines",
            "tags": ["landing"],
            "config": {"materialized": "incremental"},
        },
        "model.sellthrough.fct_secondary_sales": {
            "resource_type": "model",
            "schema": "main",
            "name": "fct_secondary_sales",
            "config": {"materialized": "incremental", "meta": {"incremental_window": {"date_column": "d"}}},
        },
        "model.sellthrough.int_secondary_sales__scheme_earnings": {
            "resource_type": "model",
            "schema": "intermediate",
            "name": "int_secondary_sales__scheme_earnings",
            "config": {
                "materialized": "view",
                "meta": {"test_window": {"like": "fct_secondary_sales", "date_column": "invoice_date"}},
            },
        },
        "model.sellthrough.int_sales_anomalies__series": {
            "resource_type": "model",
            "schema": "intermediate",
            "name": "int_sales_anomalies__series",
            "config": {
                "materialized": "view",
                "meta": {
                    "test_window": {
                        "like": "fct_secondary_sales",
                        "date_column": "sale_date",
                        "like_date_column": "invoice_date",
                    }
                },
            },
        },
        "model.sellthrough.int_secondary_sales__resolved": {
            "resource_type": "model",
            "schema": "intermediate",
            "name": "int_secondary_sales__resolved",
            "config": {"materialized": "view", "meta": {"test_window": {"like": "stg_distributor_sales__lines"}}},
        },
        "model.sellthrough.fct_primary_sales": {
            "resource_type": "model",
            "schema": "main",
            "name": "fct_primary_sales",
            "config": {"materialized": "incremental", "meta": {"incremental_window": {"date_column": "doc_date"}}},
        },
        "model.sellthrough.fct_returns": {
            "resource_type": "model",
            "schema": "main",
            "name": "fct_returns",
            "config": {
                "materialized": "view",
                "meta": {
                    "test_window": {
                        "like": ["fct_secondary_sales", "fct_primary_sales"],
                        "date_column": "return_date",
                        "like_date_column": {"fct_secondary_sales": "invoice_date", "fct_primary_sales": "doc_date"},
                    }
                },
            },
        },
        "model.sellthrough.dim_sku": {
            "resource_type": "model",
            "schema": "main",
            "name": "dim_sku",
            "config": {"materialized": "table"},
        },
    }
}
NIGHT_1, NIGHT_2 = datetime(2026, 8, 1, 20, 30, 1, 250000), datetime(2026, 8, 2, 20, 31, 5)
REJECTED = datetime(2026, 8, 2, 20, 40)  # a load the ledger refused after the last night's build


def _warehouse(path: Path, built_through: list[datetime]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema staging")
        con.execute("create table staging.stg_ingest__loads (load_id varchar, loaded_at timestamp, status varchar)")
        con.executemany(
            "insert into staging.stg_ingest__loads values (?, ?, 'loaded')",
            [[f"L{i}", t] for i, t in enumerate(built_through)],
        )
        # refused loads are in the ledger but stamp no build (macros/incremental/incremental_window.sql)
        con.execute("insert into staging.stg_ingest__loads values ('LX', ?, 'failed')", [REJECTED])
        con.execute(
            "create table staging.stg_distributor_sales__lines as select load_id from staging.stg_ingest__loads"
        )
        con.execute("create table main.fct_secondary_sales (d date, _built_through timestamp)")
        con.executemany(
            "insert into main.fct_secondary_sales values (date '2026-08-01', ?)", [[t] for t in built_through]
        )
        con.execute("create table main.fct_primary_sales (doc_date date, _built_through timestamp)")
        con.execute("insert into main.fct_primary_sales values (date '2026-07-30', ?)", [built_through[0]])
        con.execute("create table main.dim_sku as select 1 as sku")
    return path


def test_the_record_narrows_incremental_models_to_the_rows_built_since_the_published_file(tmp_path: Path) -> None:
    published = tmp_path / "published" / "sellthrough.duckdb"
    publish_warehouse(_warehouse(tmp_path / "sellthrough.duckdb", [NIGHT_1, NIGHT_2]), published)
    assert dbt_test_window(published, full_tests=False) == ""  # no record yet: every test reads its whole table

    record_test_windows(published, MANIFEST)
    window = json.loads(dbt_test_window(published, full_tests=False))
    assert window == {
        "ledger": "staging.stg_ingest__loads",
        "relations": {
            # rows stamped at or after the published ledger's newest loaded load (what a build now would stamp)
            "main.fct_secondary_sales": {"column": "_built_through", "after": "2026-08-02 20:31:05"},
            # the loads committed since the published ledger's newest, refused ones included
            "staging.stg_distributor_sales__lines": {"column": "load_id", "after": "2026-08-02 20:40:00"},
            "staging.stg_ingest__loads": {"column": "loaded_at", "after": "2026-08-02 20:40:00"},
            # views holding another model's rows one for one take its window (meta.test_window.like)
            # ... or its rows from the first date that model rebuilt (a date filter reaches the view's scans)
            "intermediate.int_secondary_sales__scheme_earnings": {
                "column": "date",
                "date_column": "invoice_date",
                "of": "main.fct_secondary_sales",
                "after": "2026-08-02 20:31:05",
            },
            # ... the earliest date read from the model's own date column when the view names it otherwise
            "intermediate.int_sales_anomalies__series": {
                "column": "date",
                "date_column": "sale_date",
                "of": "main.fct_secondary_sales",
                "of_date_column": "invoice_date",
                "after": "2026-08-02 20:31:05",
            },
            "intermediate.int_secondary_sales__resolved": {"column": "load_id", "after": "2026-08-02 20:40:00"},
            # a fact the last build did not touch (its rows stamped NIGHT_1): none of its rows is tested again,
            # a later build that rewrites any of them stamps them NIGHT_2 at least
            "main.fct_primary_sales": {"column": "_built_through", "after": "2026-08-02 20:31:05"},
            # ... of several models (a view over both facts), each model from its own window
            "main.fct_returns": {
                "column": "date",
                "date_column": "return_date",
                "of": "main.fct_secondary_sales",
                "of_date_column": "invoice_date",
                "after": "2026-08-02 20:31:05",
                "and": [
                    {
                        "of": "main.fct_primary_sales",
                        "after": "2026-08-02 20:31:05",
                        "of_date_column": "doc_date",
                    }
                ],
            },
        },
    }  # tables (dim_sku) are never narrowed
    assert mart_windows(published, full_tests=False) == {"fct_secondary_sales": NIGHT_2, "fct_primary_sales": NIGHT_2}
    # the weekly full test run ignores the record
    assert dbt_test_window(published, full_tests=True) == ""
    assert mart_windows(published, full_tests=True) == {}


def test_held_back_models_and_a_record_of_another_file_are_tested_whole(tmp_path: Path) -> None:
    published = tmp_path / "published" / "sellthrough.duckdb"
    publish_warehouse(_warehouse(tmp_path / "sellthrough.duckdb", [NIGHT_1]), published)
    record_test_windows(published, MANIFEST, kept=["main.fct_secondary_sales"])
    relations = json.loads(dbt_test_window(published, full_tests=False))["relations"]
    assert "main.fct_secondary_sales" not in relations  # its rows wait for a build that publishes
    assert "intermediate.int_secondary_sales__scheme_earnings" not in relations  # nor those of a view over it
    assert "main.fct_returns" not in relations  # nor a view over it and another model
    assert "main.fct_primary_sales" in relations
    assert "staging.stg_ingest__loads" in relations

    # a publish the record was not written after (a crash between the two): the record describes another file
    os.remove(tmp_path / "sellthrough.duckdb")
    publish_warehouse(_warehouse(tmp_path / "sellthrough.duckdb", [NIGHT_1, NIGHT_2]), published)
    assert published_windows(published) is None
    assert dbt_test_window(published, full_tests=False) == ""
