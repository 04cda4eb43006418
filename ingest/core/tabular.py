"""The first steps every spreadsheet-like reader shares: grid, header, clean cells, drop non-lines, dedup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.core.errors import FileRejected
from ingest.core.grid import ROW_NUMBER, Sheet, read_grid
from ingest.core.headers import Field, HeaderMatch, detect_header
from ingest.core.rows import deduplicate, drop_non_lines, raw_values_json
from ingest.core.values import clean_columns


@dataclass(frozen=True)
class TableRows:
    match: HeaderMatch
    rows: pl.DataFrame  # data lines, text cells, one column per field (absent fields are null)
    present: list[str]  # fields the file really has
    skipped: int  # blank, total and repeated-header rows
    duplicates: int  # rows repeating an earlier row cell for cell

    @property
    def sheet_name(self) -> str | None:
        return self.match.sheet.name

    @property
    def rows_read(self) -> int:
        return self.rows.height + self.duplicates

    def quarantine(self, failed: pl.DataFrame) -> pl.DataFrame:
        return failed.select(
            ROW_NUMBER,
            pl.lit(self.sheet_name, pl.String).alias("_sheet"),
            "reason_code",
            "reason",
            raw_values_json(self.present),
        )


def read_table_rows(
    path: Path,
    *,
    file_name: str,
    fields: Sequence[Field],
    text_fields: Sequence[str],
    layout: dict,
    require_any: Sequence[Sequence[str]] = (),
    sheets: list[Sheet] | None = None,
) -> TableRows:
    match = detect_header(
        sheets if sheets is not None else read_grid(path),
        fields,
        file_name=file_name,
        overrides=layout.get("columns"),
        sheet_name=layout.get("sheet"),
        require_any=require_any,
    )
    rows = match.data_rows()
    present = [c for c in rows.columns if c != ROW_NUMBER]
    rows = clean_columns(rows, present)
    rows, skipped = drop_non_lines(rows, text_fields, match.headers)
    rows, duplicates = deduplicate(rows)
    if rows.height == 0:
        raise FileRejected("no_rows", f"{file_name}: a header was found but no data rows below it")
    missing = [f.name for f in fields if f.name not in present]
    rows = rows.with_columns([pl.lit(None, pl.String).alias(name) for name in missing])
    return TableRows(match, rows, present, skipped, duplicates)
