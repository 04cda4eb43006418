"""The warehouse benchmarks at a tiny scale: they run end to end and their correctness checks hold (no timing).

The reconciliation benchmark fails (raises) when dbt and the hand-written query disagree, so running it on a
small lake proves the hand query and the synthetic lake stay in step with the dbt models.
"""

from datetime import date
from pathlib import Path

import duckdb
import pytest

from bench import warehouse_scale
from bench.synthetic_lake import LakeSpec, add_day, write_lake

pytestmark = pytest.mark.e2e

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
