"""`sellthrough preview` as a data engineer meets it (issue 21): what it ran, the header -> field mapping, the
quarantine reasons as a full table, a warning when no distributor applies, `--json` as a flag, and `--out`
written formula-safe."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from ingest.core.lake import Lake
from ingest.core.runner import ingest_inbox
from sellthrough.cli import app
from tests.conftest import write_rows

WIDE = {"COLUMNS": "250"}


def _data_dir(inbox: Path, tmp_path: Path) -> Path:
    """A data folder whose lake has the masters loaded (the night's)."""
    data_dir = tmp_path / "d"
    ingest_inbox(inbox, Lake(data_dir / "raw"), kinds=["masters"])
    return data_dir


def _file(tmp_path: Path) -> Path:
    rows = [["Bill No", "Bill Date", "Party", "Item", "Qty", "Net Amt", "Remarks"]]
    rows += [["B1", "05-11-2026", '=HYPERLINK("http://x","Sharma")', "PG100", "10", "80", "ok"]]
    rows += [[f"B{i}", "05-11-2026", "Gupta", f"Mystery Cola {i} L", "1", "9", ""] for i in range(2, 14)]
    return write_rows(tmp_path / "sales.csv", rows)


def test_the_report_shows_what_ran_the_columns_read_and_every_quarantine_reason_in_full(
    inbox: Path, tmp_path: Path
) -> None:
    data_dir, path = _data_dir(inbox, tmp_path), _file(tmp_path)
    args = ["preview", str(path), "--distributor", "D001", "--data-dir", str(data_dir)]
    result = CliRunner().invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ran what the nightly load runs" in out and "Great Expectations suite" in out
    assert "columns read (header on row 1)" in out
    assert any("invoice_number" in line and "Bill No" in line for line in out.splitlines())
    assert "not read (no field takes them): Remarks" in out
    # 12 unknown items: one reason row with its count, its first rows, and the first reason not cut
    reason = "unknown SKU 'Mystery Cola 2 L': add an alias for distributor D001"
    assert any("unknown_sku" in line and "12" in line and reason in line for line in out.splitlines()), out
    assert "3, 4, 5, 6, 7 (+7)" in out
    assert "warning" not in out  # a distributor was given, masters are loaded


def test_outside_the_inbox_without_a_distributor_it_says_so_and_suggests_one(inbox: Path, tmp_path: Path) -> None:
    data_dir, path = _data_dir(inbox, tmp_path), _file(tmp_path)
    result = CliRunner().invoke(app, ["preview", str(path), "--data-dir", str(data_dir)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "read as distributor 'PREVIEW'" in result.output and "Pass --distributor CODE" in result.output
    report = json.loads(CliRunner().invoke(app, ["preview", str(path), "--json", "--data-dir", str(data_dir)]).stdout)
    assert report["distributor_code"] == "PREVIEW" and "--distributor" in report["warnings"][0]
    # its alias PG100 belongs to D001: read as PREVIEW, that line too is an unknown SKU
    assert report["quarantine_reasons"] == {"unknown_sku": 13}


def test_json_is_a_flag(tmp_path: Path) -> None:
    help_text = CliRunner().invoke(app, ["preview", "--help"], env=WIDE).output
    [line] = [line for line in help_text.splitlines() if "--json" in line]
    assert "<bool>" not in line
    path = _file(tmp_path)
    assert CliRunner().invoke(app, ["preview", str(path), "--json", "true"]).exit_code == 2  # no value to give


def test_out_writes_the_rows_that_would_load_formula_safe(inbox: Path, tmp_path: Path) -> None:
    data_dir, path = _data_dir(inbox, tmp_path), _file(tmp_path)
    out = tmp_path / "rows.csv"
    args = ["preview", str(path), "--distributor", "D001", "--data-dir", str(data_dir), "--out", str(out)]
    assert CliRunner().invoke(app, args, env=WIDE).exit_code == 0
    with out.open(newline="", encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["party_name"] == '\'=HYPERLINK("http://x","Sharma")' and row["sku_code"] == "SKU0001"
    assert "_load_id" not in row and row["_row_number"] == "2"
