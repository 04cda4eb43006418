"""The file volume check compares like with like (expectations/volume.py): on the tiny network it flags the planted
cut-off export and under 5% of the other files it judges; and on hand-made histories, the same weekday, the same
number of days, and the counting noise of small files."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from expectations.volume import judge_volume, shape
from ingest.core.lake import VALIDATIONS_DIR, Lake

MONDAY = date(2026, 7, 6)


def _days(first: date, every: int, rows: list[int]) -> list[tuple[tuple[date, date], int]]:
    return [((first + timedelta(days=every * i),) * 2, r) for i, r in enumerate(rows)]


def test_on_the_tiny_network_the_cut_off_export_is_flagged_and_few_others(tiny_network: Path) -> None:
    faults = json.loads((tiny_network / "truth" / "file_faults.json").read_text())
    planted = {f["file"] for f in faults if f["fault"] == "truncated_file"}
    assert planted, "the generator plants a cut-off export"
    lake = Lake(tiny_network / "raw")
    ledger = lake.ledger().filter(pl.col("source_kind") == "distributor_sales")
    results = lake.read_table(VALIDATIONS_DIR, ledger["load_id"].to_list())
    volume = results.filter(pl.col("suite") == "distributor_sales.volume")
    flagged = set(volume.filter(~pl.col("success"))["file_name"])
    assert planted <= flagged
    false_alarms = flagged - planted
    assert volume.height >= 30 and len(false_alarms) / volume.height < 0.05, sorted(false_alarms)
    cut = volume.filter(pl.col("file_name").is_in(list(planted)))["observed_value"][0]
    assert "expected from the" in cut and "-day files" in cut  # says what it was compared with


def test_a_one_day_file_is_judged_against_the_same_weekday() -> None:
    mondays = _days(MONDAY, 7, [4, 6, 5, 3, 5, 6])  # a quiet beat day
    thursdays = _days(MONDAY + timedelta(days=3), 7, [40, 44, 38, 41, 45, 39])
    history = mondays + thursdays
    next_monday, next_thursday = MONDAY + timedelta(days=42), MONDAY + timedelta(days=45)
    assert judge_volume(5, (next_monday, next_monday), history).success  # a usual Monday, not "-88%"
    assert judge_volume(42, (next_thursday, next_thursday), history).success
    cut = judge_volume(12, (next_thursday, next_thursday), history)
    assert cut is not None and not cut.success and cut.like_files == 6 and cut.shape == ("day", 3)
    assert judge_volume(5, (MONDAY + timedelta(days=43),) * 2, history) is None  # no Tuesday before: not judged


def test_a_week_is_judged_against_weeks_and_a_part_week_not_at_all() -> None:
    weeks = [
        ((MONDAY + timedelta(days=7 * i), MONDAY + timedelta(days=7 * i + 6)), r)
        for i, r in enumerate([290, 310, 270, 300])
    ]
    week = (MONDAY + timedelta(days=28), MONDAY + timedelta(days=34))
    assert shape(week) == ("days", 7)
    assert judge_volume(330, week, weeks).success
    assert not judge_volume(100, week, weeks).success  # a cut-off export
    assert not judge_volume(650, week, weeks).success  # two weeks in one file
    assert judge_volume(240, (week[0], week[0] + timedelta(days=5)), weeks) is None  # six days: no like files


def test_on_a_small_file_counting_noise_is_no_flag() -> None:
    history = _days(MONDAY, 7, [3, 5, 4, 6])
    assert judge_volume(9, (MONDAY + timedelta(days=28),) * 2, history).success  # 9 rows against 4.5: noise
    assert not judge_volume(30, (MONDAY + timedelta(days=28),) * 2, history).success
