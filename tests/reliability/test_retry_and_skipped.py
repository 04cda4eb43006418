"""A fixed file is read again; every file a run does not load is listed with why (issue 18, 6 and 10).

A file is identified by its bytes. One that failed, or loaded nothing, is read again when its folder, its
distributor's layout or the masters change (ingest/core/retries.py); otherwise it is skipped with the reason, as
are links, lock files and folders of no known kind, and `sellthrough status` lists them all."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl

from ingest.core.lake import Lake
from ingest.core.runner import ingest_inbox
from sellthrough.config import Settings
from sellthrough.inbox_watch import WatchState, find_new_files
from sellthrough.status import distributor_status, skipped_files
from tests.reliability.conftest import assert_ledger_identity, latest_attempt
from tests.reliability.test_unknown_references import sales_csv

SALES = "distributor_sales"


def outcomes_by_name(network: Path, **options) -> dict:
    return {o.file_name: o for o in ingest_inbox(network / "inbox", Lake(network / "raw"), **options)}


def test_a_file_moved_to_the_right_folder_is_read_again(network: Path) -> None:
    inbox, lake = network / "inbox", Lake(network / "raw")
    wrong = sales_csv(inbox / SALES / "D099" / "sales_2026-08-03.csv", ["SKU0001", "SKU0002"])
    first = outcomes_by_name(network, kinds=[SALES])[f"{SALES}/D099/sales_2026-08-03.csv"]
    assert (first.status, first.rows_loaded, first.rows_quarantined) == ("loaded", 0, 2)

    again = outcomes_by_name(network, kinds=[SALES])[f"{SALES}/D099/sales_2026-08-03.csv"]
    assert again.status == "skipped" and "failed before" in again.error and "every row was quarantined" in again.error
    assert f"{SALES}/D099/sales_2026-08-03.csv" in skipped_files(Settings.from_env(network))["file_name"].to_list()

    moved = inbox / SALES / "D001" / "sales_2026-08-03.csv"
    shutil.move(wrong, moved)
    new, _ = find_new_files(inbox, lake, WatchState())
    assert new.names == [f"{SALES}/D001/sales_2026-08-03.csv"]  # the sensor starts a run for it

    retried = outcomes_by_name(network, kinds=[SALES])[f"{SALES}/D001/sales_2026-08-03.csv"]
    assert (retried.status, retried.rows_loaded) == ("loaded", 2)
    row = latest_attempt(lake, f"{SALES}/D001/sales_2026-08-03.csv")
    assert row["retry_of_load_id"] == first.load_id
    assert_ledger_identity(lake)
    settings = Settings.from_env(network)
    assert skipped_files(settings).filter(pl.col("file_name").str.contains("sales_2026-08-03")).height == 0
    status = distributor_status(settings, today=None)
    assert "D099" not in status["distributor_code"].to_list()  # the retried attempt needs nothing any more
    assert outcomes_by_name(network, kinds=[SALES])[f"{SALES}/D001/sales_2026-08-03.csv"].status == "duplicate"


def test_a_failed_file_is_read_again_once_a_layout_for_it_is_added(network: Path, tmp_path: Path) -> None:
    inbox, lake = network / "inbox", Lake(network / "raw")
    name = f"{SALES}/D002/odd_layout.csv"
    path = inbox / name
    path.write_text("Ref,Dated,Product,Pieces\nR1,03-08-2026,SKU0001,4\nR2,03-08-2026,SKU0002,6\n")
    layouts = tmp_path / "layouts"
    failed = outcomes_by_name(network, kinds=[SALES], extra_layouts_dir=layouts)[name]
    assert failed.status == "failed" and "header_not_found" in failed.error
    skipped = outcomes_by_name(network, kinds=[SALES], extra_layouts_dir=layouts)[name]
    assert skipped.status == "skipped" and "[header_not_found]" in skipped.error and "layout" in skipped.error

    layout = layouts / SALES / "D002.yml"
    layout.parent.mkdir(parents=True)
    columns = (
        "columns:\n  invoice_number: Ref\n  invoice_date: Dated\n  item_code: Product\n  quantity_pieces: Pieces\n"
    )
    layout.write_text(columns)
    retried = outcomes_by_name(network, kinds=[SALES], extra_layouts_dir=layouts)[name]
    assert (retried.status, retried.rows_loaded) == ("loaded", 2)
    assert latest_attempt(lake, name)["retry_of_load_id"] == failed.load_id
    assert_ledger_identity(lake)


def test_a_file_of_an_unknown_distributor_loads_once_the_master_knows_it(network: Path) -> None:
    inbox, lake = network / "inbox", Lake(network / "raw")
    name = f"{SALES}/D099/sales_from_d099_2026-08-03.csv"
    sales_csv(inbox / name, ["SKU0001"], bill="N")
    assert outcomes_by_name(network)[name].rows_loaded == 0

    masters = inbox / "masters" / "BRAND"
    distributors = (masters / "distributors.csv").read_text().splitlines()
    d001 = next(line for line in distributors if line.startswith("D001,"))
    newer = masters / "distributors_2026-09-01.csv"
    newer.write_text("\n".join([*distributors, "D099" + d001[4:].replace("Royal Marketing", "New Agencies")]) + "\n")
    os.utime(newer, (newer.stat().st_mtime + 60,) * 2)

    outcomes = outcomes_by_name(network)
    assert outcomes["masters/BRAND/distributors_2026-09-01.csv"].status == "loaded"
    assert (outcomes[name].status, outcomes[name].rows_loaded) == ("loaded", 1)
    assert_ledger_identity(lake)


def test_links_lock_files_and_unknown_kind_folders_are_listed_not_silently_passed(network: Path) -> None:
    inbox, lake = network / "inbox", Lake(network / "raw")
    outside = network / "elsewhere.csv"
    sales_csv(outside, ["SKU0001"], bill="X")
    (inbox / SALES / "D001" / "linked.csv").symlink_to(outside)
    (inbox / "secondary").mkdir()
    shutil.copy(outside, inbox / "secondary" / "sales.csv")
    (inbox / SALES / "D001" / "~$sales.xlsx").write_bytes(b"lock")
    before = lake.ledger().height

    skipped = {o.file_name: o.error for o in ingest_inbox(inbox, lake) if o.status == "skipped"}

    assert "symbolic link" in skipped[f"{SALES}/D001/linked.csv"]
    assert "'secondary' is not a source kind" in skipped["secondary/sales.csv"]
    assert "lock file" in skipped[f"{SALES}/D001/~$sales.xlsx"]
    assert lake.ledger().height == before  # nothing read, nothing followed
    listed = skipped_files(Settings.from_env(network))
    assert {f"{SALES}/D001/linked.csv", "secondary/sales.csv", f"{SALES}/D001/~$sales.xlsx"} <= set(
        listed["file_name"].to_list()
    )
    assert listed["reason"].null_count() == 0


def test_status_prints_the_skipped_files_with_why(network: Path) -> None:
    from typer.testing import CliRunner

    from sellthrough.cli import app

    (network / "inbox" / "secondary").mkdir()
    sales_csv(network / "inbox" / "secondary" / "sales.csv", ["SKU0001"], bill="S")
    result = CliRunner().invoke(app, ["status", "--data-dir", str(network)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Skipped inbox files" in result.output
    assert "secondary/sales.csv" in result.output and "is not a source kind" in result.output
