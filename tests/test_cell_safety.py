"""Formula injection: the files the project writes open in a spreadsheet without running anything."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import polars as pl

from ingest.core.cell_safety import escape_text, unescape_text, write_csv, write_xlsx

HOSTILE = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "plain", None]


def test_csv_cells_that_begin_like_a_formula_are_escaped_and_numbers_stay_numbers(tmp_path: Path) -> None:
    frame = pl.DataFrame({"name": HOSTILE, "quantity": [-5, 1, 2, 3, 4, 5, 6, 7]})
    path = write_csv(frame, tmp_path / "out.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = [row["name"] for row in rows]
    assert all(not name.startswith(("=", "+", "-", "@", "\t")) for name in names)
    assert names[0] == "'" + HOSTILE[0]
    assert names[6] == "plain"
    assert rows[0]["quantity"] == "-5"
    assert [unescape_text(name) or None for name in names] == HOSTILE


def test_xlsx_cells_are_strings_never_formulas(tmp_path: Path) -> None:
    frame = pl.DataFrame({"=evil_header": HOSTILE, "quantity": [-5, 1, 2, 3, 4, 5, 6, 7]})
    path = write_xlsx(frame, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(path).active
    cells = list(sheet.iter_rows())
    assert cells[0][0].data_type == "s" and cells[0][0].quotePrefix
    for row, value in zip(cells[1:], HOSTILE, strict=True):
        assert row[0].value == value
        assert row[0].data_type != "f"
        assert row[0].quotePrefix == (value is not None and value.startswith(("=", "+", "-", "@", "\t")))
    assert cells[1][1].value == -5 and cells[1][1].data_type == "n"


def test_escape_round_trips_and_leaves_plain_text_alone() -> None:
    for value in [*HOSTILE, "'quoted", "'=already"]:
        assert unescape_text(escape_text(value)) == value
    assert escape_text("Parle-G 100g") == "Parle-G 100g"


def test_in_memory_downloads_are_escaped_the_same_way() -> None:
    """The dashboard's CSV and Excel buttons (csv_bytes, xlsx_bytes): the same escaping as the files on disk."""
    import io

    from ingest.core.cell_safety import csv_bytes, xlsx_bytes

    frame = pl.DataFrame({"name": HOSTILE, "quantity": [-5, 1, 2, 3, 4, 5, 6, 7]})
    text = csv_bytes(frame).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [unescape_text(row["name"]) or None for row in rows] == HOSTILE
    assert all(not row["name"].startswith(("=", "+", "-", "@", "\t")) for row in rows)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame))).active
    cells = list(sheet.iter_rows())[1:]
    assert [row[0].value for row in cells] == HOSTILE
    assert all(row[0].data_type != "f" for row in cells)
    assert cells[0][1].value == -5
