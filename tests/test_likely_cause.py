"""likely_cause on real files, one nightly run of the tiny network with three things changed in its inbox:
- one distributor's mid-July sales file removed: the SKUs it sold reconcile outside tolerance and the mart names
  the missing sales file;
- one planted stock discrepancy moved to a whole number of cases (the statement's other lines and the SKU's
  history fine): arithmetic alone is no unit mismatch, it stays unexplained like every planted discrepancy;
- one distributor's July statement with one line written in cases and another off by two cases: both unit
  mismatches (the first on its own, the second because its statement slipped a unit elsewhere).
The rules on hand-written rows: the dbt unit tests of fct_distributor_stock_reconciliation."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest
from openpyxl import load_workbook

from orchestration.pipeline import run_nightly
from tests.pipeline_helpers import copy_network, published_path

pytestmark = pytest.mark.e2e
JULY = "2026-07-01"
CHANGED_FAULTS = {"duplicate_file", "resent_corrected", "late_file", "truncated_file"}


def _plain_sales_file(data_dir: Path) -> Path:
    """The largest mid-July sales file that is not re-sent, duplicated, cut off or late (those change what covers a
    day)."""
    faults = json.loads((data_dir / "truth" / "file_faults.json").read_text())
    changed = {f[k] for f in faults if f["fault"] in CHANGED_FAULTS for k in ("file", "resent_complete") if k in f}
    candidates = [
        p
        for p in (data_dir / "inbox" / "distributor_sales").rglob("sales_2026-07-1*")
        if str(p.relative_to(data_dir / "inbox")) not in changed and "copy" not in p.name and "_v2" not in p.name
    ]
    assert candidates
    return max(candidates, key=lambda p: p.stat().st_size)


def _set_closing(data_dir: Path, line: dict, closing: int) -> None:
    """Rewrite one line's closing in the distributor's statement (found by its opening, receipts and sales), keeping
    the file's received time."""
    path = (
        data_dir / "inbox" / "stock_statement" / line["distributor_code"] / f"stock_{line['period_start']:%Y-%m}.xlsx"
    )
    received = path.stat().st_mtime
    workbook = load_workbook(path)
    sheet = workbook.active
    header = [c.value for c in sheet[2]]
    col = {name: header.index(name) for name in ("Opening", "Receipts", "Sales", "Closing")}
    wanted = (line["opening_units"], line["receipts_units"], line["sales_units"])
    [row] = [
        r
        for r in sheet.iter_rows(min_row=3)
        if tuple(r[col[c]].value for c in ("Opening", "Receipts", "Sales")) == wanted
    ]
    row[col["Closing"]].value = closing
    workbook.save(path)
    os.utime(path, (received, received))


@dataclass(frozen=True)
class Changed:
    data_dir: Path
    removed: Path  # the sales file taken out
    whole_cases: dict  # a planted discrepancy now off by a whole number of cases
    in_cases: dict  # a line of a statement written in cases
    two_cases: dict  # another line of that statement, off by two cases


@pytest.fixture(scope="module")
def changed(tiny_inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> Changed:
    data_dir = copy_network(tiny_inbox, tmp_path_factory.mktemp("likely_cause") / "net")
    removed = _plain_sales_file(data_dir)
    removed.unlink()
    skus = pl.read_csv(data_dir / "inbox" / "masters" / "BRAND" / "skus.csv").select("sku_code", "units_per_case")
    stock = pl.read_parquet(data_dir / "truth" / "stock_truth.parquet").join(skus, on="sku_code")
    problems = json.loads((data_dir / "truth" / "problems.json").read_text())
    planted = [p for p in problems if p["problem"] == "stock_discrepancy"]
    untouched = {removed.parent.name}

    chosen = next(p for p in planted if p["distributor_code"] not in untouched)
    line = stock.filter(
        (pl.col("distributor_code") == chosen["distributor_code"])
        & (pl.col("sku_code") == chosen["sku_code"])
        & (pl.col("period_start").cast(pl.String) == chosen["period_start"])
    ).row(0, named=True)
    cases = max(2, math.ceil(0.05 * line["closing_units_true"] / line["units_per_case"]))
    off = cases * line["units_per_case"]
    closing = (
        line["closing_units_true"] - off if line["closing_units_true"] >= off else line["closing_units_true"] + off
    )
    _set_closing(data_dir, line, closing)
    whole_cases = {**line, "closing": closing}

    planted_july = {p["distributor_code"] for p in planted if p["period_start"] == JULY}
    distributor = next(
        d
        for d in sorted(set(stock["distributor_code"]))
        if d not in untouched | planted_july | {chosen["distributor_code"]}
    )
    july = stock.filter(
        (pl.col("distributor_code") == distributor)
        & (pl.col("period_start").cast(pl.String) == JULY)
        & (pl.col("closing_units_true") >= 5 * pl.col("units_per_case"))
    ).sort("closing_units_true", descending=True)
    first, second = july.row(0, named=True), july.row(1, named=True)
    _set_closing(data_dir, first, round(first["closing_units_true"] / first["units_per_case"]))
    _set_closing(data_dir, second, second["closing_units_true"] - 2 * second["units_per_case"])

    outcome = run_nightly(data_dir)
    assert outcome.success, outcome.failed_steps
    return Changed(data_dir, removed, whole_cases, first, second)


def _recon(data_dir: Path) -> pl.DataFrame:
    with duckdb.connect(str(published_path(data_dir)), read_only=True) as con:
        return con.sql(
            "select distributor_code, sku_code, period_start, variance_units, is_within_tolerance, "
            "days_without_sales_file, likely_cause from fct_distributor_stock_reconciliation"
        ).pl()


def _line(recon: pl.DataFrame, line: dict) -> dict:
    return recon.filter(
        (pl.col("distributor_code") == line["distributor_code"])
        & (pl.col("sku_code") == line["sku_code"])
        & (pl.col("period_start") == line["period_start"])
    ).row(0, named=True)


def test_a_missing_sales_file_is_named_as_the_likely_cause(changed: Changed) -> None:
    data_dir, removed = changed.data_dir, changed.removed
    distributor = removed.parent.name
    truth = pl.read_parquet(data_dir / "truth" / "secondary_lines.parquet")
    in_file = truth.filter(
        (pl.col("file_name") == str(removed.relative_to(data_dir / "inbox"))) & (pl.col("expected") == "loaded")
    )
    assert in_file.height > 0, "the truth names the lines of every file"
    recon = _recon(data_dir).filter(
        (pl.col("distributor_code") == distributor) & (pl.col("period_start").cast(pl.String) == JULY)
    )
    problems = json.loads((data_dir / "truth" / "problems.json").read_text())
    misreported = {  # planted closings misreported on purpose: not this test's subject
        p["sku_code"]
        for p in problems
        if p["problem"] == "stock_discrepancy" and p["distributor_code"] == distributor and p["period_start"] == JULY
    }
    recon = recon.filter(~pl.col("sku_code").is_in(list(misreported)))
    sold = set(in_file["sku_code"].drop_nulls().to_list())
    hit = recon.filter(pl.col("sku_code").is_in(list(sold)) & ~pl.col("is_within_tolerance"))
    assert hit.height >= 1
    assert (hit["variance_units"] < 0).all() and (hit["days_without_sales_file"] > 0).all()
    assert set(hit["likely_cause"].to_list()) == {"missing_sales_file"}
    untouched = recon.filter(~pl.col("sku_code").is_in(list(sold)))
    assert untouched.filter(pl.col("likely_cause") == "missing_sales_file").height == 0


def test_a_whole_number_of_cases_alone_is_no_unit_mismatch(changed: Changed) -> None:
    recon = _recon(changed.data_dir)
    line = changed.whole_cases
    row = _line(recon, line)
    assert row["variance_units"] == line["closing"] - line["closing_units_true"]
    assert row["variance_units"] % line["units_per_case"] == 0 and not row["is_within_tolerance"]
    assert row["likely_cause"] == "unexplained"  # 5 cases of 24 is 120 by chance, not evidence
    problems = json.loads((changed.data_dir / "truth" / "problems.json").read_text())
    removed = changed.removed.parent.name
    for planted in (p for p in problems if p["problem"] == "stock_discrepancy" and p["distributor_code"] != removed):
        found = recon.filter(
            (pl.col("distributor_code") == planted["distributor_code"])
            & (pl.col("sku_code") == planted["sku_code"])
            & (pl.col("period_start").cast(pl.String) == planted["period_start"])
        )
        assert found["likely_cause"].to_list() == ["unexplained"], planted


def test_a_statement_line_in_cases_is_a_unit_mismatch_and_its_whole_case_neighbour_too(changed: Changed) -> None:
    recon = _recon(changed.data_dir)
    in_cases, two_cases = _line(recon, changed.in_cases), _line(recon, changed.two_cases)
    assert in_cases["likely_cause"] == "unit_mismatch"
    assert two_cases["variance_units"] == -2 * changed.two_cases["units_per_case"]
    assert two_cases["likely_cause"] == "unit_mismatch"
    statement = recon.filter(
        (pl.col("distributor_code") == changed.in_cases["distributor_code"])
        & (pl.col("period_start").cast(pl.String) == JULY)
    )
    assert statement.filter(~pl.col("is_within_tolerance")).height == 2  # the other lines reconcile
