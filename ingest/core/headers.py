"""Find the header row of a table anywhere near the top of any sheet, and map its columns to fields.

Each source kind declares its fields with synonyms (English and common Hinglish). A data engineer can
complete or override detection per distributor with a YAML mapping (`ingest/<kind>/layouts/<code>.yml`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from ingest.core.errors import FileRejected
from ingest.core.grid import ROW_NUMBER, Sheet

HEADER_SEARCH_ROWS = 40


def normalise_header(text: str | None) -> str:
    """`Qty (Pcs)` -> `qty pcs`, `Inv No.` -> `inv no`, `Net Amt` -> `net amt`."""
    if text is None:
        return ""
    text = text.replace("\u00a0", " ").lower()
    text = re.sub(r"[^0-9a-z\u0900-\u097f]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Field:
    name: str
    synonyms: tuple[str, ...]
    required: bool = False

    def names(self) -> frozenset[str]:
        return frozenset(normalise_header(s) for s in (self.name.replace("_", " "), *self.synonyms))


@dataclass(frozen=True)
class HeaderMatch:
    sheet: Sheet
    header_row: int  # 1-based sheet row of the header
    columns: dict[str, str]  # field name -> grid column (c0, c1, ...)
    headers: dict[str, str] = field(default_factory=dict)  # field name -> header text as in the file

    def data_rows(self) -> pl.DataFrame:
        """Rows below the header, with the matched columns renamed to field names (text cells)."""
        frame = self.sheet.frame.filter(pl.col(ROW_NUMBER) > self.header_row)
        return frame.select(pl.col(ROW_NUMBER), *[pl.col(col).alias(name) for name, col in self.columns.items()])


def _synonym_index(fields: Sequence[Field]) -> dict[str, str]:
    """Normalised header text -> field name; a header belongs to the first field that lists it."""
    index: dict[str, str] = {}
    for spec in fields:
        for name in spec.names():
            index.setdefault(name, spec.name)
    return index


def _match_row(cells: Sequence[str | None], index: Mapping[str, str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for position, cell in enumerate(cells):
        name = index.get(normalise_header(cell))
        if name is not None and name not in found:
            found[name] = position
    return found


def detect_header(
    sheets: Iterable[Sheet],
    fields: Sequence[Field],
    *,
    file_name: str,
    overrides: Mapping[str, str] | None = None,
    sheet_name: str | None = None,
    require_any: Sequence[Sequence[str]] = (),
) -> HeaderMatch:
    """The best header over all sheets: most fields matched, every required field present.

    `overrides` maps a field to the header text a distributor uses (from its YAML layout), which wins
    over synonyms. Raises FileRejected naming what was looked for when no row qualifies.
    """
    override_fields = {normalise_header(text): name for name, text in (overrides or {}).items()}
    specs = [
        Field(f.name, (*f.synonyms, *(t for t, n in override_fields.items() if n == f.name)), f.required)
        for f in fields
    ]
    required = [f.name for f in specs if f.required]
    index = _synonym_index(specs)
    best: tuple[int, int, HeaderMatch] | None = None
    seen_sheets: list[str] = []
    closest: tuple[int, list[str], str | None] = (0, [], None)
    for sheet in sheets:
        if sheet_name is not None and sheet.name != sheet_name:
            continue
        seen_sheets.append(sheet.name or "(csv)")
        top = sheet.frame.head(HEADER_SEARCH_ROWS)
        cells_by_row = top.select(sheet.cell_columns).rows()
        for row_number, cells in zip(top[ROW_NUMBER].to_list(), cells_by_row, strict=True):
            found = _match_row(cells, index)
            if len(found) > closest[0]:
                closest = (len(found), sorted(found), sheet.name)
            if not all(name in found for name in required):
                continue
            if not all(any(name in found for name in group) for group in require_any):
                continue
            columns = {name: sheet.cell_columns[i] for name, i in found.items()}
            headers = {name: str(cells[i]) for name, i in found.items()}
            match = HeaderMatch(sheet, row_number, columns, headers)
            key = (len(found), sheet.frame.height)
            if best is None or key > best[:2]:
                best = (*key, match)
    if best is None:
        groups = [[f.name] for f in specs if f.required] + [list(g) for g in require_any]
        by_name = {f.name: f for f in specs}
        wanted = "; ".join(
            " or ".join(f"{name} ({', '.join(by_name[name].synonyms[:8])})" for name in group) for group in groups
        )
        near = f" The closest row (sheet {closest[2]!r}) matched only {', '.join(closest[1])}." if closest[0] else ""
        raise FileRejected(
            "header_not_found",
            f"{file_name}: no header row found in the first {HEADER_SEARCH_ROWS} rows of sheet(s) "
            f"{', '.join(seen_sheets) or '(none)'}. Required columns and the names tried: {wanted}.{near} "
            f"Add a layout YAML mapping for this distributor if its headers are named otherwise.",
        )
    return best[2]
