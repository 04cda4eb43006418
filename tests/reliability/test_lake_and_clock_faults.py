"""The disk, the lake and the clock misbehave (issue 18, fault injection): a disk that fills during the lake write,
a truncated parquet file in the lake, a clock moved back, a corrupt warehouse file, two overlapping runs. Each
asserts that nothing is lost (every file's rows end up in the lake, once) and the ledger identity."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.core import chunked, clock
from ingest.core.failpoints import ENV, FIRED, TransientFault
from ingest.core.lake import DAMAGED_DIR, Lake
from ingest.core.locks import run_lock
from ingest.core.runner import ingest_inbox
from sellthrough.warehouse import recover_corrupt_warehouse
from tests.reliability.conftest import assert_ledger_identity, assert_rows_in_lake, latest_attempt
from tests.reliability.test_large_and_hostile_files import register
from tests.reliability.test_unknown_references import sales_csv

SALES = "distributor_sales"


@pytest.fixture()
def failpoint(monkeypatch):
    def arm(name: str) -> None:
        FIRED.discard(name)
        monkeypatch.setenv(ENV, f"{name}:error-once")

    yield arm
    FIRED.clear()


def test_a_disk_full_during_the_lake_write_commits_nothing_and_the_next_run_loads_the_file(
    network: Path, failpoint
) -> None:
    inbox, lake = network / "inbox", Lake(network / "raw")
    name = f"{SALES}/D001/late_2026-08-03.csv"
    sales_csv(inbox / name, ["SKU0001", "SKU0002", "SKU0003"], bill="F")
    before = lake.ledger().height
    failpoint("ingest.before_ledger")  # the rows are written, the ledger row fails: as ENOSPC would

    with pytest.raises(TransientFault):
        ingest_inbox(inbox, lake, kinds=[SALES])
    assert lake.ledger().height == before  # not committed, and the file is not blamed
    assert list(lake.table_dir("secondary_sales").glob("L*.parquet"))  # an orphan the next run removes

    outcome = {o.file_name: o for o in ingest_inbox(inbox, lake, kinds=[SALES])}[name]
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 3)
    assert_rows_in_lake(lake, latest_attempt(lake, name))
    committed = set(lake.ledger()["load_id"].to_list())
    assert all(p.stem in committed for p in lake.table_dir("secondary_sales").glob("L*.parquet"))
    assert_ledger_identity(lake)


def test_a_disk_full_during_a_chunked_load_is_not_blamed_on_the_file(tmp_path: Path, failpoint, monkeypatch) -> None:
    from bench.hostile_files import write_masters

    inbox, lake = tmp_path / "inbox", Lake(tmp_path / "raw")
    write_masters(inbox)
    register(inbox / SALES / "D001" / "register.csv")
    monkeypatch.setenv("SELLTHROUGH_CHUNK_BYTES", "1000")
    monkeypatch.setattr(chunked, "CHUNK_ROWS", 500)
    failpoint("ingest.chunk_write")

    with pytest.raises(OSError):
        ingest_inbox(inbox, lake)
    assert lake.ledger().filter(pl.col("source_kind") == SALES).height == 0
    assert not list(lake.table_dir("secondary_sales").glob("*.tmp"))

    [outcome] = [o for o in ingest_inbox(inbox, lake) if o.kind == SALES]
    assert outcome.status == "loaded" and outcome.rows_loaded > 2900
    assert_ledger_identity(lake)


@pytest.mark.parametrize("table", ["secondary_sales", "_ledger"])
def test_a_truncated_parquet_in_the_lake_sets_its_load_aside_and_reads_the_file_again(
    network: Path, table: str
) -> None:
    inbox, lake = network / "inbox", Lake(network / "raw")
    ledger = lake.ledger()
    victim = ledger.filter((pl.col("source_kind") == SALES) & (pl.col("rows_loaded") > 0)).row(0, named=True)
    path = lake.table_dir(table) / f"{victim['load_id']}.parquet"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # a torn write, a bad sector

    outcomes = {o.file_name: o for o in ingest_inbox(inbox, lake, kinds=[SALES])}

    again = outcomes[victim["file_name"]]
    assert (again.status, again.rows_loaded, again.rows_read) == ("loaded", victim["rows_loaded"], victim["rows_read"])
    row = latest_attempt(lake, victim["file_name"])
    assert row["retry_of_load_id"] == victim["load_id"]  # dbt replaces what it had landed of the damaged load
    assert_rows_in_lake(lake, row)
    assert (lake.root / DAMAGED_DIR / table / path.name).exists()
    assert victim["load_id"] not in lake.ledger()["load_id"].to_list()
    others = [o for name, o in outcomes.items() if name != victim["file_name"]]
    assert {o.status for o in others} <= {"duplicate", "skipped"}  # nothing else read twice
    assert_ledger_identity(lake)


def test_a_clock_moved_back_still_orders_new_loads_after_the_old(network: Path, monkeypatch) -> None:
    """dbt's incremental windows take the loads committed after a model's newest loaded_at: a load stamped
    earlier would never reach the facts."""
    inbox, lake = network / "inbox", Lake(network / "raw")
    newest = lake.ledger()["loaded_at"].max()

    class BackInTime(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return datetime.now(tz) - timedelta(days=30)

    monkeypatch.setattr(clock, "datetime", BackInTime)
    name = f"{SALES}/D001/late_2026-08-03.csv"
    sales_csv(inbox / name, ["SKU0001"], bill="C")
    outcome = {o.file_name: o for o in ingest_inbox(inbox, lake, kinds=[SALES])}[name]

    row = latest_attempt(lake, name)
    assert row["loaded_at"] > newest
    assert outcome.load_id == max(lake.ledger()["load_id"].to_list())  # load ids still sort by load time
    assert row["loaded_at"] < datetime.now(UTC).replace(tzinfo=None)  # not in the future either
    assert_ledger_identity(lake)


def test_a_corrupt_warehouse_is_set_aside_and_restored_from_the_published_copy(network: Path) -> None:
    warehouse = network / "warehouse" / "sellthrough.duckdb"
    published = network / "published" / "sellthrough.duckdb"
    published_bytes = published.read_bytes()
    with warehouse.open("r+b") as handle:  # garbage over the header and the first blocks
        handle.write(b"\xde\xad\xbe\xef" * 8192)

    done = recover_corrupt_warehouse(warehouse, published)

    assert done is not None and "could not be opened" in done and "restored from the published copy" in done
    assert len(list(warehouse.parent.glob("sellthrough.duckdb.corrupt-*"))) == 1
    assert published.read_bytes() == published_bytes  # analysts' copy untouched
    with duckdb.connect(str(warehouse)) as con:  # writable again, with the last good build's tables
        assert con.execute("select count(*) from main.fct_secondary_sales").fetchone()[0] > 0
    assert recover_corrupt_warehouse(warehouse, published) is None  # a sound file is left alone

    shutil.rmtree(published.parent)
    warehouse.write_bytes(b"not a database")
    assert "rebuilt from the raw lake" in (recover_corrupt_warehouse(warehouse, published) or "")
    assert not warehouse.exists()  # dbt builds a new one from the lake


def test_a_second_run_waits_for_the_first_then_refuses_clearly(network: Path, monkeypatch) -> None:
    from orchestration.pipeline import run_nightly

    monkeypatch.setenv("SELLTHROUGH_RUN_LOCK_WAIT_SECONDS", "1")
    published = network / "published" / "sellthrough.duckdb"
    before = published.stat().st_mtime_ns
    ledger = Lake(network / "raw").ledger().height
    with run_lock(network, "the-first-run", timeout_seconds=0):
        outcome = run_nightly(network)
    assert not outcome.success
    assert outcome.error and "another Sellthrough run is in progress" in outcome.error
    assert "the-first-run" in outcome.error
    assert outcome.alert_path is not None and outcome.alert_path.exists()  # the command line alerts too
    assert Lake(network / "raw").ledger().height == ledger and published.stat().st_mtime_ns == before
