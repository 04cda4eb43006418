"""The first steps every spreadsheet-like reader shares: grid, header (and layout), clean cells, drop non-lines.

Identical lines are kept: two equal lines in one invoice are two sales (a POS file writes one row per unit sold).
Only a keyed snapshot (a master, a stock statement: one record per code) drops a row that repeats an earlier one
cell for cell, since there it is the same record delivered twice (`deduplicate=True`). A file delivered twice is
caught by its hash, a re-sent file by supersession, a re-synced order by its id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from ingest.core.chunk_session import note_header
from ingest.core.errors import FileRejected
from ingest.core.grid import ROW_NUMBER, Sheet, read_grid
from ingest.core.headers import Field, HeaderMatch, detect_header
from ingest.core.layouts import LayoutColumns
from ingest.core.period import file_period, title_text
from ingest.core.rows import REASON_FIELDS, deduplicate, drop_non_lines, raw_values_json
from ingest.core.source import ColumnMapping, ReadResult
from ingest.core.values import clean_columns


@dataclass(frozen=True)
class TableRows:
    match: HeaderMatch
    rows: pl.DataFrame  # data lines, text cells, one column per field (absent fields are null)
    present: list[str]  # fields the file really has
    skipped: int  # blank, total and repeated-header rows
    duplicates: int  # rows of a keyed snapshot repeating an earlier row cell for cell (0 unless asked for)

    @property
    def sheet_name(self) -> str | None:
        return self.match.sheet.name

    @property
    def rows_read(self) -> int:
        return self.rows.height + self.duplicates

    @property
    def title(self) -> str:
        """The text above the table (title rows), where a file may declare its period."""
        match = self.match
        last = match.header_row - 1 if match.has_header else match.header_row
        return title_text(match.sheet.frame, last + 1)

    @property
    def mapping(self) -> ColumnMapping:
        """Which header fed which field (for `sellthrough preview`)."""
        match = self.match
        return ColumnMapping(
            sheet=match.sheet.name,
            header_row=match.header_row if match.has_header else None,
            fields=dict(match.headers),
            unmapped=match.unmapped,
        )

    def quarantine(self, failed: pl.DataFrame) -> pl.DataFrame:
        return failed.select(
            ROW_NUMBER,
            pl.lit(self.sheet_name, pl.String).alias("_sheet"),
            *REASON_FIELDS,
            raw_values_json(self.present),
        )

    def result(
        self,
        tables: dict[str, pl.DataFrame],
        quarantine: pl.DataFrame,
        period: tuple[date, date] | None = None,
        period_declared: str | None = None,
    ) -> ReadResult:
        """What the reader read: its tables and quarantined rows, with this table's row accounting and mapping."""
        return ReadResult(
            tables=tables,
            quarantine=quarantine,
            rows_read=self.rows_read,
            rows_deduplicated=self.duplicates,
            rows_skipped=self.skipped,
            period=period,
            period_declared=period_declared,
            mapping=self.mapping,
        )

    def dated_result(
        self,
        tables: dict[str, pl.DataFrame],
        quarantine: pl.DataFrame,
        dates: pl.Series,
        *,
        file_name: str,
        layout: Mapping,
    ) -> ReadResult:
        """`result` with the period the file declares (its name, title rows or layout), else these dates."""
        period, declared_by = file_period(
            dates, file_name=file_name, title=self.title, layout_grain=layout.get("period")
        )
        return self.result(tables, quarantine, period, declared_by)


def read_table_rows(
    path: Path,
    *,
    file_name: str,
    fields: Sequence[Field],
    text_fields: Sequence[str],
    layout: dict,
    require_any: Sequence[Sequence[str]] = (),
    sheets: list[Sheet] | None = None,
    deduplicate_identical: bool = False,
) -> TableRows:
    """`layout` is the distributor's, resolved for this file's format (`ReadContext.layout(kind, path)`)."""
    columns = LayoutColumns.from_layout(layout, [f.name for f in fields], source=layout.get("_source", "layout"))
    match = detect_header(
        sheets if sheets is not None else read_grid(path),
        fields,
        file_name=file_name,
        sheet_name=layout.get("sheet"),
        require_any=require_any,
        layout=columns,
    )
    note_header(match, text_fields)
    rows = match.data_rows()
    present = [c for c in rows.columns if c != ROW_NUMBER]
    rows = clean_columns(rows, present)
    rows, skipped = drop_non_lines(rows, text_fields, match.headers)
    rows, duplicates = deduplicate(rows) if deduplicate_identical else (rows, 0)
    if rows.height == 0:
        raise FileRejected("no_rows", f"{file_name}: a header was found but no data rows below it")
    missing = [f.name for f in fields if f.name not in present]
    rows = rows.with_columns([pl.lit(None, pl.String).alias(name) for name in missing])
    return TableRows(match, rows, present, skipped, duplicates)
