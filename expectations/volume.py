"""The file volume check: is this file's row count like that of the distributor's like files?

Like is compared with like: a file covering one day with the files of the same weekday (a distributor's Monday is
not its Thursday: beats are visited on set days), a file covering N days with the files covering N days (a weekly
file with weekly files; a part week at the start or end of a period is not judged against whole weeks). The period
a file covers is the one its name declares (`sales_2026-08-17_2026-08-23.csv`), else its first to last business
date. Its expected rows are the median rows per covered day of the VOLUME_WINDOW like files nearest in time
(at least VOLUME_MIN_HISTORY of them), times its days.

A file is flagged (a warning, it loads) when its rows are off the expected by more than the larger of
- VOLUME_TOLERANCE (30%): a change smaller than that is ordinary business;
- VOLUME_SPREAD_MULTIPLE (3) robust standard deviations of the like files' own volumes (1.4826 x the median
  absolute deviation of their log rows per day): a distributor whose days swing a lot is judged by its swings;
- VOLUME_COUNT_FLOOR (3) / sqrt(expected rows): on a file of a few rows, counting noise alone moves it a lot,
all on the log scale, so a file cut to half and one doubled are alike far off. On the generated networks this
flags under 5% of the files besides the planted cut-off exports (`python -m bench` figures in bench/README.md;
tests/test_volume_check.py), against 58% for the previous check (15% off the median rows per day of every earlier
file of the distributor, whatever its weekday or length).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date

import polars as pl

from expectations.model import declared_period

VOLUME_TOLERANCE = 0.30
VOLUME_SPREAD_MULTIPLE = 3.0
VOLUME_COUNT_FLOOR = 3.0
VOLUME_MIN_HISTORY = 3
VOLUME_WINDOW = 8
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ROBUST_SD = 1.4826  # the median absolute deviation of a normal distribution x this = its standard deviation

Period = tuple[date, date]


def covered_period(file_name: str | None, period: Period | None) -> Period | None:
    """The period the file's name declares, else the reader's (first to last business date)."""
    return (declared_period(file_name) if file_name else None) or period


def shape(period: Period) -> tuple:
    """What a file is compared with: one day -> the same weekday; N days -> N days."""
    days = (period[1] - period[0]).days + 1
    return ("day", period[0].weekday()) if days == 1 else ("days", days)


@dataclass(frozen=True)
class VolumeVerdict:
    success: bool
    rows: int
    expected: float
    allowed_ratio: float  # flagged beyond expected x / this ratio
    like_files: int
    shape: tuple

    def describe(self) -> str:
        days = self.shape[1]
        what = f"{WEEKDAYS[days]} files" if self.shape[0] == "day" else f"{days}-day files"
        change = self.rows / self.expected - 1 if self.expected else 0.0
        return (
            f"{self.rows} rows vs {self.expected:.0f} expected from the {self.like_files} nearest {what} "
            f"({change:+.0%}; flagged beyond x/÷ {self.allowed_ratio:.2f})"
        )


def judge_volume(rows: int, period: Period, history: list[tuple[Period, int]]) -> VolumeVerdict | None:
    """`history`: (covered period, rows) of the distributor's earlier files of the kind. None: too few like files."""
    mine = shape(period)
    like = [(p, r) for p, r in history if r > 0 and shape(p) == mine]
    if len(like) < VOLUME_MIN_HISTORY:
        return None
    like.sort(key=lambda pr: (abs((pr[0][0] - period[0]).days), pr[0][0]))
    per_day = [r / ((p[1] - p[0]).days + 1) for p, r in like[:VOLUME_WINDOW]]
    median = statistics.median(per_day)
    spread = ROBUST_SD * statistics.median(abs(math.log(v / median)) for v in per_day)
    expected = median * ((period[1] - period[0]).days + 1)
    counting = VOLUME_COUNT_FLOOR / math.sqrt(expected)
    allowed = max(math.log1p(VOLUME_TOLERANCE), VOLUME_SPREAD_MULTIPLE * spread, counting)
    off = abs(math.log(max(rows, 0.5) / expected))
    return VolumeVerdict(off <= allowed, rows, expected, math.exp(allowed), len(per_day), mine)


def history_periods(history: pl.DataFrame) -> list[tuple[Period, int]]:
    """(covered period, rows_read) of a ledger slice (file_name when there, period_start, period_end, rows_read)."""
    names = history["file_name"].to_list() if "file_name" in history.columns else [None] * history.height
    out = []
    for name, start, end, rows in zip(
        names, history["period_start"], history["period_end"], history["rows_read"], strict=True
    ):
        period = covered_period(name, (start, end) if start is not None and end is not None else None)
        if period is not None and rows is not None:
            out.append((period, int(rows)))
    return out
