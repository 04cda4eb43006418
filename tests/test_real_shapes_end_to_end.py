"""The tiny network's real-world shapes through the nightly pipeline (no extra build: the session's network):
declared periods in the marts (a corrected re-send that drops its last day, on-time files, days without a sales
file), identical lines kept, the layout a headerless CSV needs, and the column it ignores."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.core.lake import Lake
from tests.pipeline_helpers import published_path

pytestmark = pytest.mark.e2e


def _sql(network: Path, sql: str, params: list | None = None) -> pl.DataFrame:
    with duckdb.connect(str(published_path(network)), read_only=True) as con:
        return con.sql(sql, params=params).pl()


def _faults(network: Path, kind: str) -> list[dict]:
    return [f for f in json.loads((network / "truth" / "file_faults.json").read_text()) if f["fault"] == kind]


def test_a_corrected_resend_takes_the_bill_of_a_day_it_no_longer_has_out_of_the_marts(tiny_network: Path) -> None:
    [resent] = _faults(tiny_network, "resent_corrected")
    dropped = resent["dropped_bill"]
    assert dropped["invoice_date"] == resent["period_end"]  # the last day of the week, no line of it left
    hits = _sql(
        tiny_network,
        "select count(*) as n from fct_secondary_sales where distributor_code = ? and invoice_number = ?",
        [resent["distributor_code"], dropped["invoice_number"]],
    )["n"][0]
    assert hits == 0
    raw = Lake(tiny_network / "raw").read_table("secondary_sales", _load_ids(tiny_network, resent["replaces"]))
    assert raw.filter(pl.col("invoice_number") == dropped["invoice_number"]).height == 1  # the raw layer keeps it


def _load_ids(network: Path, file_name: str) -> list[str]:
    ledger = Lake(network / "raw").ledger()
    return ledger.filter(pl.col("file_name") == file_name)["load_id"].to_list()


def test_the_scorecard_marks_late_exactly_the_planted_late_files(tiny_network: Path) -> None:
    """Every period is the one its file declares, and a corrected re-send is judged by when its week first
    arrived: the only sales files not on time are the planted late ones."""
    late = Counter(f["distributor_code"] for f in _faults(tiny_network, "late_file"))
    scorecard = _sql(
        tiny_network,
        "select distributor_code, sales_files, sales_files_on_time, files_failed from ops.kpi_distributor_scorecard",
    )
    assert sum(late.values()) >= 1 and scorecard["files_failed"].sum() == 0
    not_on_time = {r["distributor_code"]: r["sales_files"] - r["sales_files_on_time"] for r in scorecard.to_dicts()}
    assert not_on_time == {code: late.get(code, 0) for code in not_on_time}


def test_days_without_a_sales_file_leave_sundays_out(tiny_network: Path) -> None:
    """Per statement period: the days no loaded sales file's period covers, Sundays aside (var sales_days_off)."""
    ledger = (
        Lake(tiny_network / "raw")
        .ledger()
        .filter(
            pl.col("source_kind").is_in(["distributor_sales", "tally_daybook"])
            & (pl.col("status") == "loaded")
            & (pl.col("rows_loaded") > 0)
        )
    )
    covered: dict[str, set[date]] = {}
    for code, start, end in ledger.select("distributor_code", "period_start", "period_end").iter_rows():
        covered.setdefault(code, set()).update(start + timedelta(days=i) for i in range((end - start).days + 1))
    recon = _sql(
        tiny_network,
        "select distinct distributor_code, period_start, period_end, days_without_sales_file "
        "from fct_distributor_stock_reconciliation",
    )
    assert recon.height > 0
    for code, start, end, gaps in recon.iter_rows():
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        expected = sum(1 for d in days if d.isoweekday() != 7 and d not in covered.get(code, set()))
        assert gaps == expected, (code, start)


def test_identical_lines_load_and_nothing_in_a_sales_or_pos_file_is_deduplicated(tiny_network: Path) -> None:
    lake = Lake(tiny_network / "raw")
    ledger = lake.ledger()
    sales = ledger.filter(pl.col("source_kind").is_in(["distributor_sales", "pos_sales"]))
    assert sales.height > 0 and sales["rows_deduplicated"].sum() == 0
    # files loaded as sent (not a byte-identical copy, which is never loaded, nor a first send whose quantities a
    # re-send corrects)
    skipped = {f["file"] for f in _faults(tiny_network, "duplicate_file")}
    skipped |= {f["replaces"] for f in _faults(tiny_network, "resent_corrected")}
    repeated = [f for f in _faults(tiny_network, "repeated_lines") if f["file"] not in skipped]
    assert len(repeated) >= 10
    for fault in repeated:
        lines = lake.read_table("secondary_sales", _load_ids(tiny_network, fault["file"]))
        values = [c for c in lines.columns if not c.startswith("_")]
        assert lines.select(values).is_duplicated().sum() >= 2 * fault["rows"], fault["file"]


def test_the_headerless_csv_loads_by_its_layout_and_the_ignored_column_stays_out(tiny_network: Path) -> None:
    manifest = json.loads((tiny_network / "truth" / "manifest.json").read_text())
    dms = next(code for code, layout in manifest["layouts"].items() if layout == "multisheet_xlsx")
    ledger = Lake(tiny_network / "raw").ledger().filter(pl.col("distributor_code") == dms)
    quick = ledger.filter(pl.col("file_name").str.ends_with(".csv"))
    assert quick.height >= 2 and (quick["status"] == "loaded").all() and (quick["rows_loaded"] > 0).all()
    # its workbook's `Sch Disc` (fractions such as 0.05) is ignored by the layout: no discount amount is loaded
    discounts = _sql(
        tiny_network, "select distinct discount_amount from fct_secondary_sales where distributor_code = ?", [dms]
    )
    assert discounts["discount_amount"].to_list() == [0.0]
