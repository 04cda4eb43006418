"""The review queue as a sheet a person fills in (CSV or Excel), and the decisions read back from it.

`export_sheet` writes one row per item: kind, distributor, name, how often and where it was seen, the top three
suggestions (code and name) with their scores, an example, and two empty columns to fill in:
- `decision`: `1`, `2` or `3` (take that suggestion), a code (a SKU of the master, or an outlet of the
  distributor), or `ignore`; left empty, the row is skipped;
- `note`: why (kept with an `ignore`).
Text cells go through `ingest/core/cell_safety.py` (a name starting with `=`, `+`, `-` or `@` cannot run as a
formula) and are read back unescaped, so a name survives the round trip exactly.

`plan_import` checks every filled-in row before anything is recorded: the name must be on the queue (for that
kind and distributor), the decision a suggestion number, `ignore`, or a code the masters know. One bad row stops
the whole import, with every problem listed by row number, so a sheet is recorded whole or not at all.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.core.cell_safety import unescape_text, write_csv, write_xlsx
from ingest.core.masters import MasterData
from sellthrough.review_queue import ReviewItem, find_item, not_in_queue_message

SUGGESTIONS = 3
COLUMNS = (
    "review_kind",
    "distributor_code",
    "name",
    "occurrences",
    "files",
    *(f"{what}_{n}" for n in range(1, SUGGESTIONS + 1) for what in ("suggestion", "score")),
    "example",
    "decision",
    "note",
)
SHEET_SUFFIXES = (".csv", ".xlsx")
IGNORE = "ignore"


class SheetError(ValueError):
    """The sheet cannot be read, or some of its rows cannot be recorded (every problem in the message)."""


def _check_suffix(path: Path) -> None:
    if path.suffix.lower() not in SHEET_SUFFIXES:
        raise SheetError(f"{path}: a review sheet is a .csv or an .xlsx file")


def sheet_frame(items: list[ReviewItem]) -> pl.DataFrame:
    rows = []
    for item in items:
        row: dict[str, object] = {
            "review_kind": item.review_kind,
            "distributor_code": item.distributor_code,
            "name": item.name,
            "occurrences": item.occurrences,
            "files": item.files,
        }
        for n in range(1, SUGGESTIONS + 1):
            found = item.suggestions[n - 1] if len(item.suggestions) >= n else None
            row[f"suggestion_{n}"] = f"{found['code']} {found['name']}" if found else None
            row[f"score_{n}"] = found["score"] if found else None
        row |= {"example": item.example_raw[:200], "decision": None, "note": None}
        rows.append(row)
    schema = {c: pl.String for c in COLUMNS} | {"occurrences": pl.Int64, "files": pl.Int64}
    schema |= {f"score_{n}": pl.Float64 for n in range(1, SUGGESTIONS + 1)}
    return pl.DataFrame(rows, schema=schema, orient="row")


def export_sheet(items: list[ReviewItem], path: Path) -> Path:
    """The items as a CSV or an xlsx (by the file's suffix), formula-safe."""
    _check_suffix(path)
    frame = sheet_frame(items)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        return write_csv(frame, path)
    return write_xlsx(frame, path, sheet="review queue")


def read_sheet(path: Path) -> list[dict[str, str]]:
    """The sheet's rows as text (unescaped), keyed by its header; numbers as Excel shows them (`2`, not `2.0`)."""
    _check_suffix(path)
    if not path.exists():
        raise SheetError(f"{path}: no such file")
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            raw = [list(row) for row in csv.reader(handle)]
    else:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            raw = [[_cell_text(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    if not raw:
        raise SheetError(f"{path}: the sheet is empty")
    header = [(h or "").strip() for h in raw[0]]
    missing = [c for c in ("review_kind", "distributor_code", "name", "decision") if c not in header]
    if missing:
        raise SheetError(f"{path}: no column {', '.join(missing)} (export a sheet with `sellthrough review export`)")
    return [
        {h: (unescape_text(cells[i]) or "") if i < len(cells) else "" for i, h in enumerate(header) if h}
        for cells in raw[1:]
    ]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Decision:
    row: int  # the sheet's row number (the header is row 1)
    item: ReviewItem
    action: str  # confirm | ignore
    code: str | None
    note: str


def plan_import(rows: list[dict[str, str]], items: list[ReviewItem], masters: MasterData) -> list[Decision]:
    """The decisions of the filled-in rows; SheetError listing every row that cannot be recorded."""
    skus = set(masters.skus["sku_code"].to_list())
    decisions: list[Decision] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=2):
        decision = row.get("decision", "").strip()
        if not decision:
            continue
        kind, distributor, name = row.get("review_kind", ""), row.get("distributor_code", ""), row.get("name", "")
        item = find_item(items, kind.strip(), distributor.strip(), name)
        if item is None:
            problems.append(f"row {number}: {not_in_queue_message(kind, distributor, name)}")
            continue
        note = row.get("note", "").strip()
        if decision.lower() == IGNORE:
            decisions.append(Decision(number, item, "ignore", None, note))
            continue
        code = decision
        if decision in {str(n) for n in range(1, SUGGESTIONS + 1)}:
            suggested = (row.get(f"suggestion_{decision}") or "").split(" ", 1)[0]
            if not suggested:
                problems.append(f"row {number}: decision {decision} but there is no suggestion {decision}")
                continue
            code = suggested
        if item.review_kind == "sku" and code not in skus:
            problems.append(f"row {number}: {code!r} is not in the SKU master")
            continue
        if item.review_kind == "outlet":
            outlets = masters.outlets.filter(pl.col("distributor_code") == item.distributor_code)
            if code not in set(outlets["outlet_code"].to_list()):
                problems.append(f"row {number}: {code!r} is not an outlet of {item.distributor_code}")
                continue
        decisions.append(Decision(number, item, "confirm", code, note))
    if problems:
        raise SheetError(f"{len(problems)} rows cannot be recorded; nothing was recorded:\n" + "\n".join(problems))
    return decisions
