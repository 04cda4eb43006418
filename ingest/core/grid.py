"""Any tabular file as a grid of text cells: one `Sheet` per worksheet (CSV: one), every cell a string.

Typed parsing happens later, column by column, with Polars expressions; keeping cells as text here means
a title row above a date column or a stray word in a number column never makes a reader guess types.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.core.chunk_session import chunk_sheet
from ingest.core.errors import FileRejected
from ingest.core.files import sniff_format
from ingest.core.text import ROW_NUMBER, read_delimited


@dataclass(frozen=True)
class Sheet:
    """`frame` has text columns c0..cN and `_row_number`, the 1-based row a spreadsheet program shows."""

    name: str | None
    frame: pl.DataFrame

    @property
    def cell_columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != ROW_NUMBER]


def read_grid(path: Path) -> list[Sheet]:
    chunk = chunk_sheet(path)  # a chunked load is reading one chunk of this file (ingest/core/chunked.py)
    if chunk is not None:
        return [chunk]
    kind = sniff_format(path)
    if kind in ("xlsx", "xls"):
        return _read_workbook(path, kind)
    if kind == "text":
        return [_read_delimited(path)]
    raise FileRejected("unsupported_format", f"{path.name} is a {kind} file, not a spreadsheet or CSV")


def _numbered(frame: pl.DataFrame, first_row: int = 1) -> pl.DataFrame:
    frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
    return frame.with_row_index(ROW_NUMBER, offset=first_row).with_columns(pl.col(ROW_NUMBER).cast(pl.Int32))


def _read_workbook(path: Path, kind: str) -> list[Sheet]:
    try:
        return _read_workbook_calamine(path)
    except FileRejected:
        raise
    except Exception as calamine_error:  # calamine is strict about some real-world files; openpyxl is not
        if kind != "xlsx":
            raise FileRejected("corrupt_file", f"{path.name} cannot be read as {kind}: {calamine_error}") from None
        try:
            return _read_workbook_openpyxl(path)
        except Exception as openpyxl_error:
            raise FileRejected("corrupt_file", f"{path.name} cannot be read as a workbook: {openpyxl_error}") from None


def _read_workbook_calamine(path: Path) -> list[Sheet]:
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    sheets: list[Sheet] = []
    for name in reader.sheet_names:
        try:
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            frame = sheet.to_polars()
        except Exception as exc:
            if "empty" in str(exc).lower():
                continue
            raise
        if frame.height == 0:
            continue
        # with skip_rows=0 calamine keeps leading empty rows, so row numbers stay true to the sheet
        sheets.append(Sheet(name, _numbered(frame)))
    return sheets


def _read_workbook_openpyxl(path: Path) -> list[Sheet]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=False, data_only=True)
    sheets: list[Sheet] = []
    for worksheet in workbook.worksheets:
        rows = [["" if v is None else str(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
        if not rows:
            continue
        width = max(len(r) for r in rows)
        data = {f"c{i}": [r[i] if i < len(r) and r[i] != "" else None for r in rows] for i in range(width)}
        sheets.append(Sheet(worksheet.title, _numbered(pl.DataFrame(data, schema=dict.fromkeys(data, pl.String)))))
    return sheets


def _read_delimited(path: Path) -> Sheet:
    """A text export, parsed streaming with the caps of ingest/core/text.py, as one sheet."""
    return Sheet(None, read_delimited(path, path.name))
