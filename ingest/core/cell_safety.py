"""Spreadsheet formula injection: every CSV or Excel file the project writes goes through here.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice and Google
Sheets as a formula (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`). In a CSV such text cells are written with a leading
apostrophe, which spreadsheets read as "this is text"; in an xlsx they are string cells with Excel's quote
prefix. Numbers are written as numbers (a negative quantity is data, not a formula). `unescape_text` takes the
apostrophe off again for files the project reads back (the review decisions), so a name survives a round trip
unchanged (a value that already begins with apostrophes before a formula lead gets one more, so that holds too).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def escape_text(value: str | None) -> str | None:
    """`=1+1` -> `'=1+1`; text that a spreadsheet reads as text is returned as it is."""
    if value is None or not value.lstrip(ESCAPE).startswith(FORMULA_LEADS):
        return value
    return ESCAPE + value


def unescape_text(value: str | None) -> str | None:
    """The inverse of `escape_text` for a value this project wrote."""
    if value is None or not value.startswith(ESCAPE) or not value.lstrip(ESCAPE).startswith(FORMULA_LEADS):
        return value
    return value[1:]


def escape_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column escaped (numbers, dates and booleans stay typed)."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical)]
    if not text_columns:
        return frame
    return frame.with_columns(
        pl.when(
            pl.any_horizontal(
                pl.col(name).cast(pl.String).str.strip_chars_start(ESCAPE).str.starts_with(lead)
                for lead in FORMULA_LEADS
            )
        )
        .then(pl.lit(ESCAPE) + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in text_columns
    )


def write_csv(frame: pl.DataFrame, path: Path) -> Path:
    """A CSV a spreadsheet opens without running anything in it."""
    escape_frame(frame).write_csv(path)
    return path


def write_xlsx(frame: pl.DataFrame, path: Path, sheet: str = "data") -> Path:
    """An Excel workbook of values only: every text cell is stored as a string (never a formula), and one that
    begins like a formula carries Excel's quote prefix, so the text is shown as it is and nothing runs."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    for row in [tuple(frame.columns), *frame.iter_rows()]:
        cells = []
        for value in row:
            cell = WriteOnlyCell(worksheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
                if value.startswith(FORMULA_LEADS):
                    cell.quotePrefix = True
            cells.append(cell)
        worksheet.append(cells)
    workbook.save(path)
    return path


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """`write_csv` into memory (a download): the same escaping, UTF-8 with a BOM so Excel reads the rupee and
    Devanagari names right."""
    import io

    buffer = io.BytesIO()
    buffer.write("\ufeff".encode())
    escape_frame(frame).write_csv(buffer)
    return buffer.getvalue()


def xlsx_bytes(frame: pl.DataFrame, sheet: str = "data") -> bytes:
    """`write_xlsx` into memory (a download): values only, formula-like text quote-prefixed."""
    import io

    buffer = io.BytesIO()
    write_xlsx(frame, buffer, sheet)  # type: ignore[arg-type]  # openpyxl saves to a file object as well
    return buffer.getvalue()
