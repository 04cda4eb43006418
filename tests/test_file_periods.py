"""A file's period and what is a duplicate, on files the tests write, through the nightly path.

Period: the one a file declares (its name, its title rows, its layout), else its dates; none when no row loads, so
such a file supersedes nothing. De-duplication: only where the data says a row is a re-delivery (the same bytes, a
re-sent file, a keyed master record delivered twice); identical lines in one bill are two sales.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import polars as pl

from ingest.core.lake import Lake
from ingest.core.runner import ingest_inbox
from tests.conftest import SKUS, write_csv, write_rows

SALES = "distributor_sales"
HEADER = ["Bill No", "Bill Date", "Party", "Item", "Qty", "Net Amt"]


def _sales_file(inbox: Path, name: str, rows: list[list[object]], when: datetime | None = None) -> Path:
    path = write_rows(inbox / SALES / "D001" / name, [HEADER, *rows])
    if when is not None:
        stamp = when.replace(tzinfo=UTC).timestamp()
        os.utime(path, (stamp, stamp))
    return path


def _ledger(lake: Lake) -> list[dict]:
    return lake.ledger().filter(pl.col("source_kind") == SALES).sort("received_at").to_dicts()


def _period(row: dict) -> tuple[str, str] | None:
    return (str(row["period_start"]), str(row["period_end"])) if row["period_start"] else None


WEEK = [
    ["B1", "06-07-2026", "Sharma", "PG100", "12", "96"],
    ["B2", "08-07-2026", "Gupta", "PG100", "6", "48"],
    ["B3", "12-07-2026", "Sharma", "Masala Namkeen 200 g", "2", "64"],
]


def test_a_corrected_resend_that_drops_its_last_day_still_covers_it(inbox: Path, lake: Lake) -> None:
    """The first file of the week has a bill on Sunday the 12th; the corrected re-send has none (it was wrongly
    dated): both declare the whole week by their names, so the re-send supersedes the old Sunday bill (its first
    to last bill date would stop on the 8th and leave it current). The tiny network plants the same re-send and
    its end-to-end test checks the marts (tests/test_real_shapes_end_to_end.py)."""
    _sales_file(inbox, "sales_2026-07-06_2026-07-12.csv", WEEK, datetime(2026, 7, 13, 2))
    _sales_file(inbox, "sales_2026-07-06_2026-07-12_v2.csv", WEEK[:2], datetime(2026, 7, 15, 2))
    ingest_inbox(inbox, lake)
    assert [_period(r) for r in _ledger(lake)] == [("2026-07-06", "2026-07-12")] * 2


def _titled_workbook(path: Path, title: str, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["M/s Balaji Agencies"])
    sheet.append([title])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def test_title_rows_declare_the_period_and_a_line_outside_it_is_quarantined(inbox: Path, lake: Lake) -> None:
    _titled_workbook(
        inbox / SALES / "D001" / "register.xlsx",
        "Sales Register from 01-07-2026 to 07-07-2026",
        [["B1", "02-07-2026", "Sharma", "PG100", 12, 96], ["B9", "09-07-2026", "Gupta", "PG100", 6, 48]],
    )
    [*_, outcome] = ingest_inbox(inbox, lake)
    assert (outcome.rows_loaded, outcome.rows_quarantined) == (1, 1)
    assert _period(_ledger(lake)[0]) == ("2026-07-01", "2026-07-07")  # not 2 July, the only loaded date
    quarantined = pl.read_parquet(lake.root / "_quarantine" / "*.parquet").filter(pl.col("source_kind") == SALES)
    assert quarantined["reason_code"].to_list() == ["date_outside_period"]
    assert "from its title rows" in quarantined["reason"][0]


def test_a_file_that_declares_nothing_covers_its_dates(inbox: Path, lake: Lake) -> None:
    _sales_file(inbox, "register.csv", WEEK[:2])
    ingest_inbox(inbox, lake)
    assert _period(_ledger(lake)[0]) == ("2026-07-06", "2026-07-08")


def test_a_file_with_no_loaded_row_has_no_period_and_supersedes_nothing(inbox: Path, lake: Lake) -> None:
    _sales_file(inbox, "sales_2026-07-06_2026-07-12.csv", [["B1", "06-07-2026", "Sharma", "Mystery Cola 2L", "1", "9"]])
    [*_, outcome] = ingest_inbox(inbox, lake)
    assert (outcome.status, outcome.rows_read, outcome.rows_quarantined) == ("loaded", 1, 1)
    assert _period(_ledger(lake)[0]) is None


def test_identical_lines_in_one_bill_are_two_sales(inbox: Path, lake: Lake) -> None:
    """A biller keys an item twice, a till writes one row per unit: nothing says these are one line delivered
    twice, so both load (a real retail export lost 2 of 10,194 lines to cell-for-cell de-duplication)."""
    _sales_file(
        inbox, "sales_2026-07-06.csv", [WEEK[0], WEEK[0], WEEK[0], ["B1", "06-07-2026", "Sharma", "PG100", "1", "8"]]
    )
    [*_, outcome] = ingest_inbox(inbox, lake)
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_deduplicated) == (4, 4, 0)
    loaded = lake.read_table("secondary_sales", [outcome.load_id])
    assert loaded["quantity_units"].sum() == 37 and loaded["_row_number"].to_list() == [2, 3, 4, 5]
    again = ingest_inbox(inbox, lake)  # the same bytes again: a re-delivery, loaded once
    assert [o.status for o in again if o.kind == SALES] == ["duplicate"]


def test_a_master_record_delivered_twice_in_one_snapshot_is_deduplicated(tmp_path: Path, lake: Lake) -> None:
    """A master is a set of records by key: the same record twice, cell for cell, is one record."""
    inbox = tmp_path / "inbox"
    write_csv(inbox / "masters" / "BRAND" / "skus.csv", [SKUS[0], SKUS[1], SKUS[1]])
    [outcome] = ingest_inbox(inbox, lake)
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded, outcome.rows_deduplicated) == (
        "loaded",
        3,
        2,
        1,
    )


def test_a_layout_period_grain_covers_whole_months(inbox: Path, lake: Lake) -> None:
    """A distributor whose files declare nothing but always cover a calendar month says so in its layout."""
    layout = inbox.parent / "config" / "layouts" / SALES / "D001.yml"
    layout.parent.mkdir(parents=True)
    layout.write_text("period: month\n")
    _sales_file(inbox, "register.csv", WEEK[:2])
    ingest_inbox(inbox, lake)
    assert _period(_ledger(lake)[0]) == ("2026-07-01", "2026-07-31")  # the month, not its two billing days
