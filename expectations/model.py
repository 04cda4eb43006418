"""What a suite is made of: checks (a Great Expectations expectation with a severity) and the load they judge."""

from __future__ import annotations

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
    declared_by: str = "its name"  # what declared the period, for the reason a person reads

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
    """The period a file's name declares (`ingest.core.period.name_period`)."""
    from ingest.core.period import name_period

    return name_period(file_name)
