"""What the load asks of the expectations, without importing them: ingest imports nothing above it.

`Validator` is the protocol the load calls on each file's conformed tables before anything is written; the
Great Expectations implementation (`expectations.runner.GE_VALIDATOR`, the kinds' suites) is passed in by the
caller above: the Dagster ingest assets, `sellthrough preview`, the benchmarks. A caller that passes none gets the
one installed with `install_validator` (the test suite installs the Great Expectations one), else an error: a
load is never committed unvalidated by omission.

`LoadToValidate` is what a validator sees, `LoadValidation` its verdict: file-level failures (the file is
rejected), failing rows per table (quarantined with a reason) and every expectation result as rows for
`raw/_validations`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

import polars as pl

from ingest.core.contract import QUARANTINE_SCHEMA
from ingest.core.lake import VALIDATIONS_SCHEMA
from ingest.core.rules import mask_phone

ROW_POSITION = "_position"


@dataclass(frozen=True)
class LoadToValidate:
    load_id: str
    file_name: str
    kind: str
    distributor_code: str
    loaded_at: datetime  # naive UTC
    tables: Mapping[str, pl.DataFrame]  # conformed, with the metadata columns
    rows_read: int
    period: tuple[date, date] | None = None  # the reader's (min/max business date, or the statement's)
    derived_tables: frozenset[str] = frozenset()
    # the period the file declares (title rows, name, layout) and what declared it; None: its name, if it says one
    declared_period: tuple[date, date] | None = None
    declared_by: str | None = None


@dataclass(frozen=True)
class FileFailure:
    table: str
    expectation: str
    observed: str


@dataclass
class LoadValidation:
    """The verdict on one load: file-level failures, failing rows per table, and every result as rows.
    `period_columns`: per table, the business date the ledger's period is the min/max of (the kind's suite's)."""

    load: LoadToValidate
    file_failures: list[FileFailure] = field(default_factory=list)
    row_failures: dict[str, pl.DataFrame] = field(default_factory=dict)  # table -> _position, reason_code, reason
    results: list[dict] = field(default_factory=list)
    period_columns: Mapping[str, str] = field(default_factory=dict)

    @property
    def rejected(self) -> bool:
        return bool(self.file_failures)

    def rejection_message(self) -> str:
        failed = "; ".join(f"{f.table}.{f.expectation} ({f.observed})" for f in self.file_failures)
        return f"{self.load.file_name}: failed expectations {failed}"

    def results_frame(self) -> pl.DataFrame:
        return (
            pl.DataFrame(self.results, schema=VALIDATIONS_SCHEMA, orient="row")
            if self.results
            else (pl.DataFrame(schema=VALIDATIONS_SCHEMA))
        )

    def split(self, tables: Mapping[str, pl.DataFrame]) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
        """(tables without the failing rows, those rows as quarantine rows with their reasons)."""
        kept: dict[str, pl.DataFrame] = dict(tables)
        quarantined: list[pl.DataFrame] = []
        for table, failed in self.row_failures.items():
            marked = tables[table].with_row_index(ROW_POSITION).join(failed, on=ROW_POSITION, how="left")
            kept[table] = marked.filter(pl.col("reason_code").is_null()).drop(ROW_POSITION, "reason_code", "reason")
            quarantined.append(self._quarantine_rows(marked.filter(pl.col("reason_code").is_not_null())))
        if not quarantined:
            return kept, pl.DataFrame(schema=QUARANTINE_SCHEMA)
        return kept, pl.concat(quarantined)

    def _quarantine_rows(self, rows: pl.DataFrame) -> pl.DataFrame:
        values = [c for c in rows.columns if not c.startswith("_") and c not in {"reason_code", "reason"}]
        if "phone" in values:  # a master row's phone shows masked: the file and row number find the row
            rows = rows.with_columns(pl.col("phone").map_elements(mask_phone, return_dtype=pl.String))
        rows = rows.with_columns(
            pl.lit(self.load.kind).alias("source_kind"),
            pl.lit(self.load.distributor_code).alias("distributor_code"),
            pl.struct([pl.col(c) for c in values]).struct.json_encode().alias("raw_values"),
        )
        return rows.select(
            [(pl.col(c) if c in rows.columns else pl.lit(None)).cast(t).alias(c) for c, t in QUARANTINE_SCHEMA.items()]
        )

    def narrowed_period(self, tables: Mapping[str, pl.DataFrame]) -> tuple[date, date] | None:
        """The reader's period narrowed to the business dates still loaded, when rows were quarantined."""
        period = self.load.period
        if period is None or not self.row_failures:
            return period
        dates = [
            tables[t][column]
            for t, column in self.period_columns.items()
            if t in self.row_failures and t in tables and tables[t].height
        ]
        if not dates:
            return period
        low = min(d.min() for d in dates)  # type: ignore[type-var]
        high = max(d.max() for d in dates)  # type: ignore[type-var]
        return max(period[0], low), min(period[1], high)  # type: ignore[type-var]


class Validator(Protocol):
    """Judges a load before it commits (`expectations.runner.GreatExpectationsValidator`)."""

    def validate(self, load: LoadToValidate, lake_root: Path | None = None) -> LoadValidation:
        """The kind's expectations on every table of the load; with `lake_root`, also the file volume check
        against the distributor's committed loads."""
        ...

    def volume(self, load: LoadToValidate, lake_root: Path) -> dict | None:
        """The file volume check alone, as one `raw/_validations` row (None when it does not apply): a file
        loaded in chunks is judged once, on its whole rows and period."""
        ...


_installed: list[Validator] = []


class NoValidator(RuntimeError):
    pass


def install_validator(validator: Validator) -> None:
    """The validator a caller that passes none gets (the test suite's conftest installs Great Expectations')."""
    _installed[:] = [validator]


def resolve_validator(validator: Validator | None) -> Validator:
    """`validator`, else the installed one; never none: a load is not committed unvalidated by omission."""
    if validator is not None:
        return validator
    if not _installed:
        raise NoValidator(
            "no validator: pass validator=expectations.runner.GE_VALIDATOR (or install one with "
            "ingest.core.validation.install_validator)"
        )
    return _installed[0]
