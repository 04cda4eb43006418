"""What a suite is made of: checks (a Great Expectations expectation with a severity) and the load they judge."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

import polars as pl

Severity = Literal["file", "row", "warning"]
IST_OFFSET = timedelta(hours=5, minutes=30)


@dataclass(frozen=True)
class Check:
    """One expectation and what its failure means.

    - `file`: the whole file is rejected (a failed ledger row naming `name`);
    - `row`: failing rows are quarantined with `reason_code` and `reason` (an expression over the row, so it can
      quote values); must be a column-map expectation (GE reports the failing row positions);
    - `warning`: stored and shown in Data Docs, nothing else.
    `derived` are helper columns computed in Polars before validation (e.g. a GSTIN checksum as a boolean),
    for checks Great Expectations has no built-in for.
    """

    name: str
    expectation: Any  # a great_expectations.expectations.Expectation
    severity: Severity
    reason: pl.Expr | None = None
    reason_code: str = "expectation_failed"
    derived: Mapping[str, pl.Expr] = field(default_factory=dict)

    @property
    def column(self) -> str | None:
        return getattr(self.expectation, "column", None)


@dataclass(frozen=True)
class SuiteContext:
    """What a suite may depend on: the table, the file, its period and when it is loaded."""

    kind: str
    table: str
    file_name: str
    distributor_code: str
    declared_period: tuple[date, date] | None  # from the file name (or title); None when it names none
    loaded_at: datetime  # naive UTC

    @property
    def latest_business_date(self) -> date:
        """The last date that is not in the future: today in India at load time (IST, UTC+5:30)."""
        return (self.loaded_at + IST_OFFSET).date()


@dataclass(frozen=True)
class Suite:
    """A source kind's expectations. `period_columns`: per table, the business date the ledger's period is the
    min/max of (narrowed when rows are quarantined); `volume` says whether the file volume check applies."""

    kind: str
    checks: Callable[[SuiteContext], list[Check]]
    period_columns: Mapping[str, str] = field(default_factory=dict)
    volume: bool = False


def declared_period(file_name: str) -> tuple[date, date] | None:
    """The period a file's name declares: `..._2026-08-17_2026-08-23`, `..._2026-07-06` or `..._2026-10`."""
    stem = file_name.rsplit("/", 1)[-1]
    days = [date.fromisoformat(d) for d in re.findall(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)", stem) if _is_date(d)]
    if days:
        return min(days[0], days[-1]), max(days[0], days[-1])
    month = re.search(r"(?<!\d)(\d{4})[-_](\d{2})(?!\d)", stem)
    if month and 1 <= int(month.group(2)) <= 12:
        year, number = int(month.group(1)), int(month.group(2))
        return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
    return None


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
