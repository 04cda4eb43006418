"""Publishing writes only what changed (sellthrough/publish_delta.py): the spare generation is brought up to date in
place, and the published file still equals the warehouse, night after night, on small files the test writes."""

import os
import stat
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from sellthrough.publish import connect_published, publish_warehouse, spare_path
from sellthrough.publish_delta import IncrementalTable

INCREMENTAL = {
    "staging.stg_lines": IncrementalTable("landing", "load_id"),
    "main.fct_sales": IncrementalTable("window", "sale_date"),
}


def _night(warehouse: Path, night: int, change: str | None = None) -> None:
    """The warehouse after night `night` (dbt has exited): a load landed, the facts' window rebuilt, a table rebuilt
    whole; `change`, a statement for what else happened that night."""
    with duckdb.connect(str(warehouse)) as con:
        _build_night(con, night)
        if change:
            con.execute(change)


def _build_night(con: duckdb.DuckDBPyConnection, night: int) -> None:
    built = datetime(2026, 8, night, 20, 0)
    con.execute("insert into staging.stg_ingest__loads values (?, ?, 'loaded')", [f"L{night}", built])
    con.execute("insert into staging.stg_lines select ?, range from range(?)", [f"L{night}", 50 + night])
    con.execute("delete from main.fct_sales where sale_date >= ?", [date(2026, 8, night)])
    con.execute(
        "insert into main.fct_sales select ?::date, range, ?, 'dims-1' from range(40)", [date(2026, 8, night), built]
    )
    con.execute("create or replace table main.dim_outlet as select range as outlet, ? as night from range(5)", [night])


def _warehouse(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        _create(con)
    return path


def _create(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema staging")
    con.execute("create table staging.stg_ingest__loads (load_id varchar, loaded_at timestamp, status varchar)")
    con.execute("create table staging.stg_lines (load_id varchar, line bigint)")
    con.execute(
        "create table main.fct_sales "
        "(sale_date date, units bigint, _built_through timestamp, _dims_fingerprint varchar)"
    )
    con.execute("create view main.v_sales as select sale_date, sum(units) as units from main.fct_sales group by all")
    con.execute("create view main.v_sales_total as select sum(units) as units from main.v_sales")


CHANGES = {
    # a dimension changed: every date rebuilt (as dbt does: with the night's _built_through), a new fingerprint
    4: "update main.fct_sales set _dims_fingerprint = 'dims-2', units = units + 1, "
    "_built_through = timestamp '2026-08-04 20:00'",
    # a re-sent file dropped a day (its rows are gone, nothing replaces them); a model's columns changed (after a
    # full refresh): that table is replaced whole; a damaged load set aside: its landed rows went
    5: "delete from main.fct_sales where sale_date = date '2026-08-02'; "
    "alter table main.dim_outlet add column zone varchar; delete from staging.stg_lines where load_id = 'L3'",
    # a day emptied before the first date rewritten since the spare's build (night 5's): the spare would keep
    # its rows, so the row counts differ and the whole file is copied
    7: "delete from main.fct_sales where sale_date = date '2026-08-03'",
    # the ledger lost its newest loads (set aside): a date rebuilt under an older _built_through than the spare's
    # newest, which the dates rewritten since would miss; every date is compared instead
    8: "delete from staging.stg_ingest__loads where loaded_at > timestamp '2026-08-05 20:00'; "
    "update main.fct_sales set units = units + 5, _built_through = timestamp '2026-08-05 20:00' "
    "where sale_date = date '2026-08-01'",
}
READER = (
    "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); print('open', flush=True); sys.stdin.read()"
)


def _differences(published: Path, warehouse: Path) -> dict[str, int]:
    """Rows in one file and not the other, per table and view (EXCEPT ALL both ways)."""
    found = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("attach ? as p (read_only)", [str(published)])
        objects = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
            "union all select schema_name, view_name from duckdb_views() "
            "where database_name = current_database() and not internal"
        ).fetchall()
        for schema, name in objects:
            mine, theirs = f'"{schema}"."{name}"', f'p."{schema}"."{name}"'
            (diff,) = con.execute(
                f"select (select count(*) from (from {mine} except all from {theirs})) "
                f"+ (select count(*) from (from {theirs} except all from {mine}))"
            ).fetchone()
            found[f"{schema}.{name}"] = diff
    return found


def _publish(warehouse: Path, published: Path) -> list[str]:
    said: list[str] = []
    publish_warehouse(warehouse, published, incremental=INCREMENTAL, log=said.append)
    return said


@pytest.fixture(autouse=True)
def _delta_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SELLTHROUGH_PUBLISH_MODE", "delta")


def test_each_publish_equals_the_warehouse_writing_only_what_changed(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "sellthrough.duckdb", tmp_path / "published" / "sellthrough.duckdb"
    _warehouse(warehouse)
    inodes = []
    for night in range(1, 9):
        _night(warehouse, night, CHANGES.get(night))
        said = _publish(warehouse, published)
        assert set(_differences(published, warehouse).values()) == {0}, (night, _differences(published, warehouse))
        # the third publish is the first with a spare (the file the second one replaced): in place from then on,
        # but for the day emptied out of sight (night 7)
        assert any("only what changed" in s for s in said) == (night >= 3 and night != 7), (night, said)
        assert any("whole copy" in s for s in said) == (night == 7), (night, said)
        assert stat.S_IMODE(published.stat().st_mode) == 0o444
        spare = spare_path(published)  # the file the publish replaced: none on the first night
        assert spare.exists() == (night >= 2)
        assert night == 1 or not os.path.samefile(published, spare)
        inodes.append(published.stat().st_ino)
        with connect_published(published) as reader:  # self-contained: answers with external access off
            assert reader.execute("select units from main.v_sales_total").fetchone()[0] > 0
    assert len(set(inodes[2:6])) == 2  # two files take turns from the third night on (night 7 copied)


def test_a_spare_still_open_by_a_reader_is_left_alone(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "sellthrough.duckdb", tmp_path / "published" / "sellthrough.duckdb"
    _warehouse(warehouse)
    for night in (1, 2):
        _night(warehouse, night)
        _publish(warehouse, published)
    spare = spare_path(published)
    # an analyst who opened the file before the last publish still reads it (another process: DuckDB's lock)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(spare)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "open"
        before = reader_view = spare.stat().st_ino
        _night(warehouse, 3)
        said = _publish(warehouse, published)
        assert any("whole copy" in s for s in said), said
        assert published.stat().st_ino != reader_view
        assert set(_differences(published, warehouse).values()) == {0}
    finally:
        reader.communicate("")
    assert before == reader_view


@pytest.mark.parametrize("mode", ["copy"])
def test_the_copy_mode_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    monkeypatch.setenv("SELLTHROUGH_PUBLISH_MODE", mode)
    warehouse, published = tmp_path / "sellthrough.duckdb", tmp_path / "published" / "sellthrough.duckdb"
    _warehouse(warehouse)
    for night in (1, 2, 3):
        _night(warehouse, night)
        assert not any("only what changed" in s for s in _publish(warehouse, published))
    assert set(_differences(published, warehouse).values()) == {0}
    assert not spare_path(published).exists()  # no second file kept
