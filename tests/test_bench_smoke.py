"""The warehouse benchmarks at a tiny scale: they run end to end and their correctness checks hold (no timing).

The reconciliation benchmark fails (raises) when dbt and the hand-written query disagree, so running it on a
small lake proves the hand query and the synthetic lake stay in step with the dbt models.
"""

from datetime import date
from pathlib import Path

import duckdb
import pytest

from bench import synthetic_lake, warehouse_scale
from bench.synthetic_lake import LakeSpec, add_day, write_lake

pytestmark = pytest.mark.e2e

# rows only one side has (file name and every column), both ways, and the rows of the first
SAME_FILES_SQL = """
with one as (select parse_filename(filename) as file, * exclude (filename) from read_parquet($one, filename = true)),
chunked as (
    select parse_filename(filename) as file, * exclude (filename) from read_parquet($chunked, filename = true)
)
select
    (select count(*) from (from one except all from chunked)),
    (select count(*) from (from chunked except all from one)),
    (select count(*) from one)
"""
TINY = {"lines": 20_000, "days": 70, "distributors": 4, "skus": 8, "outlets": 80, "end_date": date(2026, 3, 10)}


def test_synthetic_lake_accounts_for_every_line(tmp_path: Path) -> None:
    spec = LakeSpec(tmp_path / "data", **TINY)
    summary = write_lake(spec)
    added = add_day(spec, date(2026, 3, 11))
    raw = spec.raw_dir
    with duckdb.connect() as con:
        lines = con.execute(
            "select count(*) from read_parquet($g)", {"g": str(raw / "secondary_sales" / "L*.parquet")}
        ).fetchall()[0][0]
        ledger = con.execute(
            "select sum(rows_loaded) filter (where source_kind = 'distributor_sales'), count(*),"
            " count(distinct load_id) from read_parquet($g)",
            {"g": str(raw / "_ledger" / "*.parquet")},
        ).fetchall()[0]
    assert lines == ledger[0] == summary.secondary_lines + added  # one ledger row per load, rows accounted for
    assert ledger[1] == ledger[2] == summary.loads + spec.distributors
    assert summary.resent_loads >= 0 and summary.statement_rows > 0


def test_chunked_sales_writes_give_the_same_lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sales lines written in many small partitioned writes are the ones one write of every load gives: the
    same files, each with the same rows (every column), and the same ledger."""
    lines = {}
    for name, chunk in (("one_write", 10**9), ("chunked", 1_500)):
        monkeypatch.setattr(synthetic_lake, "CHUNK_LINES", chunk)
        spec = LakeSpec(tmp_path / name, **TINY)
        write_lake(spec)
        lines[name] = spec.raw_dir
    assert len(synthetic_lake.sales_chunks(synthetic_lake.history_sales_loads(spec)[0], 1_500)) > 10
    with duckdb.connect() as con:
        for table in ("secondary_sales", "_ledger"):
            globs = {
                "one": str(lines["one_write"] / table / "*.parquet"),
                "chunked": str(lines["chunked"] / table / "*.parquet"),
            }
            differ = con.execute(SAME_FILES_SQL, globs).fetchall()[0]
            assert differ[:2] == (0, 0) and differ[2] > 0, (table, differ)


def test_reconciliation_benchmark_results_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """dbt and the hand-written query give the same reconciliation (main raises when they differ)."""
    warehouse_scale.main(
        [
            *("--only", "reconciliation", "--lines", "36500", "--days", "70", "--warm-repeats", "1"),
            *("--distributors", "3", "--skus", "6", "--outlets", "60", "--dir", str(tmp_path / "ws")),
        ]
    )
    out = capsys.readouterr().out
    assert out.count("results EQUAL") == 3  # from the parquet lake; from the landed rows, cold and warm
    assert "[1] reconciliation dbt run / hand query, from the raw rows landed" in out


def test_nightly_benchmark_runs_on_tiny_lakes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """History builds, one new day and the nightly run and test succeed on both lakes (main raises otherwise)."""
    warehouse_scale.main(
        [
            *("--only", "nightly", "--lines", "36500", "--days", "70", "--small-days", "20", "--nights", "1"),
            *("--distributors", "3", "--skus", "6", "--outlets", "60", "--dir", str(tmp_path / "ws")),
        ]
    )
    out = capsys.readouterr().out
    assert "[2] nightly job after ingest (dbt build with its tests, mart checks, publish), one new day, B" in out
    assert "n/a" not in out
