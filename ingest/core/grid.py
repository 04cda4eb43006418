"""Any tabular file as a grid of text cells: one `Sheet` per worksheet (CSV: one), every cell a string.

Typed parsing happens later, column by column, with Polars expressions; keeping cells as text here means
a title row above a date column or a stray word in a number column never makes a reader guess types.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.core.errors import FileRejected
from ingest.core.files import sniff_format

ROW_NUMBER = "_row_number"
DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class Sheet:
    """`frame` has text columns c0..cN and `_row_number`, the 1-based row a spreadsheet program shows."""

    name: str | None
    frame: pl.DataFrame

    @property
    def cell_columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != ROW_NUMBER]


def read_grid(path: Path) -> list[Sheet]:
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


def decode_text(raw: bytes, name: str) -> str:
    """Decode a text export in whatever encoding the billing software chose."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    encoding = best.encoding if best is not None else "cp1252"
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise FileRejected("bad_encoding", f"{name}: cannot tell the text encoding ({exc})") from None


def sniff_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sum(line.count(d) for line in lines) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _read_delimited(path: Path) -> Sheet:
    text = decode_text(path.read_bytes(), path.name)
    if not text.strip():
        raise FileRejected("empty_file", f"{path.name} has no text in it")
    delimiter = sniff_delimiter(text[:20_000])
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    width = max((len(r) for r in rows), default=0)
    columns = {f"c{i}": [(r[i].strip() or None) if i < len(r) else None for r in rows] for i in range(width)}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    return Sheet(None, _numbered(frame))
