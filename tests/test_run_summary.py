"""What `sellthrough run` prints, on the tiny network's real lake and warehouse: this run's files, rows and
quarantine by kind and reason (from the ledger rows it added, not cumulative counts), the marts including the
kpi_ ones, whole lines in a pipe; and its ingest progress: files waiting against ledger rows written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.core.files import sha256_of
from ingest.core.lake import LEDGER_DIR, Lake
from ingest.core.runner import scan_inbox
from orchestration.pipeline import RunOutcome
from sellthrough.cli import _print_run_loads, _print_warehouse, _run_json
from sellthrough.config import Settings
from sellthrough.run_progress import LedgerWatch, PlainLines, files_waiting
from sellthrough.summary import committed_load_ids, run_loads
from tests.pipeline_helpers import published_path


def _sales_loads(network: Path) -> pl.DataFrame:
    return Lake(network / "raw").ledger().filter(pl.col("source_kind") == "distributor_sales")


def test_a_runs_loads_are_the_ledger_rows_it_added(tiny_network: Path) -> None:
    ledger = Lake(tiny_network / "raw").ledger()
    assert committed_load_ids(tiny_network / "raw") == set(ledger["load_id"].to_list())
    sales = _sales_loads(tiny_network)
    before = set(ledger["load_id"].to_list()) - set(sales["load_id"].to_list())  # as if this run loaded the sales
    loads = run_loads(tiny_network / "raw", before)
    [row] = loads.by_kind.rows(named=True)
    assert row["source_kind"] == "distributor_sales" and loads.files == sales.height
    assert row["files_loaded"] == (sales["status"] == "loaded").sum()
    for column in ("rows_read", "rows_loaded", "rows_quarantined", "rows_deduplicated"):
        assert row[column] == sales[column].sum()
    assert loads.quarantine["rows"].sum() == sales["rows_quarantined"].sum() > 0  # every quarantined row, by reason
    assert set(loads.quarantine["source_kind"]) == {"distributor_sales"}
    assert {"unknown_sku", "cancelled_document"} <= set(loads.quarantine["reason_code"])
    assert run_loads(tiny_network / "raw", set(ledger["load_id"].to_list())).files == 0  # a run that loaded nothing


def test_the_summary_prints_whole_tables_and_every_kpi_mart(
    tiny_network: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.from_env(tiny_network)
    sales = _sales_loads(tiny_network)
    before = committed_load_ids(tiny_network / "raw") - set(sales["load_id"].to_list())
    _print_run_loads(settings, before)
    _print_warehouse(settings)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert f"This run: {sales.height} files" in lines
    kind_line = next(line for line in lines if line.startswith("distributor_sales "))  # the first table's
    assert kind_line.split() == ["distributor_sales", str(sales.height), "0", *map(str, _sums(sales))]
    assert "Rows quarantined by this run" in lines
    assert any(line.split()[:2] == ["distributor_sales", "unknown_sku"] for line in lines)
    with duckdb.connect(str(published_path(tiny_network)), read_only=True) as con:
        kpis = sorted(
            n for (n,) in con.sql("select table_name from information_schema.tables").fetchall() if n.startswith("kpi_")
        )
    [kpi_line] = [line for line in lines if line.startswith("KPI marts")]
    assert kpis and kpi_line == f"KPI marts ({len(kpis)}): {', '.join(kpis)}"
    assert "…" not in out and "{" not in out  # whole cells, no Python dict


def _sums(sales: pl.DataFrame) -> list[int]:
    return [int(sales[c].sum()) for c in ("rows_read", "rows_loaded", "rows_quarantined", "rows_deduplicated")]


def test_progress_counts_files_waiting_against_ledger_rows_written(
    tiny_network: Path, tiny_inbox: Path, tmp_path: Path
) -> None:
    assert files_waiting(Settings.from_env(tiny_network)) == 0  # all loaded
    inbox = Settings.from_env(tiny_inbox).inbox_dir
    distinct = {sha256_of(item.path) for item in scan_inbox(inbox)}
    assert files_waiting(Settings.from_env(tiny_inbox)) == len(distinct) > 100

    ledger_files = sorted((tiny_network / "raw" / LEDGER_DIR).glob("L*.parquet"))[:3]
    (tmp_path / "raw" / LEDGER_DIR).mkdir(parents=True)
    reports: list[tuple[int, int, str | None]] = []
    watch = LedgerWatch(tmp_path / "raw", {ledger_files[0].stem}, 10, lambda *r: reports.append(r))
    watch.poll()
    assert reports == []
    for path in ledger_files:
        shutil.copy(path, tmp_path / "raw" / LEDGER_DIR / path.name)
    watch.poll()
    last = pl.read_parquet(ledger_files[-1])["file_name"][0]
    assert reports == [(2, 10, last)]  # the one loaded before the run is not this run's

    printed: list[str] = []
    plain = PlainLines(printed.append)
    for done in range(1, 101):
        plain(done, 100, f"f{done}")
    assert len(printed) == 11 and printed[0] == "ingest: 1 of 100 files (last: f1)"  # the first, then every tenth
    assert printed[-1] == "ingest: 100 of 100 files (last: f100)"


def test_run_json_is_one_object_of_this_runs_loads_and_the_marts(tiny_network: Path) -> None:
    settings = Settings.from_env(tiny_network)
    sales = _sales_loads(tiny_network)
    before = committed_load_ids(tiny_network / "raw") - set(sales["load_id"].to_list())
    outcome = RunOutcome(True, "r1", [], settings)
    printed = json.loads(json.dumps(_run_json(settings, before, outcome, 12.34, tiny_network / "x.log"), default=str))
    assert printed["success"] and printed["files"] == sales.height
    assert [k["source_kind"] for k in printed["by_kind"]] == ["distributor_sales"]
    assert sum(q["rows"] for q in printed["quarantine"]) == sales["rows_quarantined"].sum()
    assert any(m.startswith("kpi_") for m in printed["marts"]) and printed["published"].endswith("sellthrough.duckdb")
