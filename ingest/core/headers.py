"""Find the header row of a table anywhere near the top of any sheet, and map its columns to fields.

Each source kind declares its fields with synonyms (English, Hinglish and Devanagari). A data engineer can
complete or override detection per distributor with a YAML layout (`ingest/<kind>/layouts/<code>.yml`, or the
deployment's `data/config/layouts/<kind>/<code>.yml`): `columns:` names a field's header text or its position
(1 = the first column; `header: false` for a file with no header row), `ignore:` lists headers (or positions)
that must never map to a field, `auto_map: false` maps only what `columns:` names. See `ingest/core/layouts.py`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import polars as pl

from ingest.core.errors import FileRejected
from ingest.core.grid import ROW_NUMBER, Sheet
from ingest.core.layouts import LayoutColumns

HEADER_SEARCH_ROWS = 40


def normalise_header(text: str | None) -> str:
    """`Qty (Pcs)` -> `qty pcs`, `Inv No.` -> `inv no`, `Net Amt` -> `net amt`, `Disc %` -> `disc pct` (a
    percentage is never the amount a header without `%` names)."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").lower().replace("%", " pct ")
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
    unmapped: tuple[str, ...] = ()  # header cells no field took
    has_header: bool = True  # False: a headerless file read by the layout's positions (`headers` says "column N")

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


def _match_row(
    cells: Sequence[str | None], index: Mapping[str, str], skip: frozenset[int] = frozenset()
) -> dict[str, int]:
    found: dict[str, int] = {}
    for position, cell in enumerate(cells):
        if position in skip:
            continue
        name = index.get(normalise_header(cell))
        if name is not None and name not in found:
            found[name] = position
    return found


def _layout_index(fields: Sequence[Field], layout: LayoutColumns) -> dict[str, str]:
    """Synonyms (unless `auto_map: false`) minus the ignored headers, then the layout's own header texts, which
    win. A field the layout places by position is not looked for by name."""
    named = {normalise_header(text): name for name, text in layout.names.items()}
    index = _synonym_index(fields) if layout.auto_map else {}
    for text in layout.ignore_names:
        index.pop(normalise_header(text), None)
    index = {text: name for text, name in index.items() if name not in layout.positions and name not in named.values()}
    return {**index, **named}


def detect_header(
    sheets: Iterable[Sheet],
    fields: Sequence[Field],
    *,
    file_name: str,
    overrides: Mapping[str, str] | None = None,
    sheet_name: str | None = None,
    require_any: Sequence[Sequence[str]] = (),
    layout: LayoutColumns | None = None,
) -> HeaderMatch:
    """The best header over all sheets: most fields matched, every required field present.

    `layout` (a distributor's YAML) names a field's header text, which wins over synonyms, or its position; it
    can ignore headers and say the file has no header row. (`overrides`, field -> header text, is the same as
    the layout's `columns:` by name.) Raises FileRejected naming what was looked for when no row qualifies.
    """
    layout = layout or LayoutColumns()
    if overrides:
        layout = replace(layout, names={**layout.names, **overrides})
    sheets = [s for s in sheets if sheet_name is None or s.name == sheet_name]
    if not layout.has_header:
        return _positional(sheets, fields, layout, file_name, require_any)
    index = _layout_index(fields, layout)
    skip = layout.ignore_positions | frozenset(layout.positions.values())
    required = [f.name for f in fields if f.required]
    best: tuple[int, int, HeaderMatch] | None = None
    seen_sheets: list[str] = []
    closest: tuple[int, list[str], str | None] = (0, [], None)
    for sheet in sheets:
        seen_sheets.append(sheet.name or "(csv)")
        top = sheet.frame.head(HEADER_SEARCH_ROWS)
        cells_by_row = top.select(sheet.cell_columns).rows()
        placed = {name: i for name, i in layout.positions.items() if i < len(sheet.cell_columns)}
        for row_number, cells in zip(top[ROW_NUMBER].to_list(), cells_by_row, strict=True):
            found = {**_match_row(cells, index, skip), **placed}
            if len(found) > closest[0]:
                closest = (len(found), sorted(found), sheet.name)
            if not all(name in found for name in required):
                continue
            if not all(any(name in found for name in group) for group in require_any):
                continue
            columns = {name: sheet.cell_columns[i] for name, i in found.items()}
            headers = {name: str(cells[i]) for name, i in found.items() if cells[i] is not None}
            match = HeaderMatch(sheet, row_number, columns, headers, _unmapped(cells, found, layout))
            key = (len(found), sheet.frame.height)
            if best is None or key > best[:2]:
                best = (*key, match)
    if best is None:
        by_name = {f.name: f for f in fields}
        groups = [[f.name] for f in fields if f.required] + [list(g) for g in require_any]
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


def _unmapped(cells: Sequence[str | None], found: Mapping[str, int], layout: LayoutColumns) -> tuple[str, ...]:
    """Header cells no field took, the ignored ones marked: what a person checks was rightly left out."""
    taken = set(found.values())
    ignored = {normalise_header(t) for t in layout.ignore_names}
    out = []
    for i, cell in enumerate(cells):
        if i in taken or cell is None or not str(cell).strip():
            continue
        mark = " (ignored by the layout)" if i in layout.ignore_positions or normalise_header(cell) in ignored else ""
        out.append(f"{cell}{mark}")
    return tuple(out)


def _positional(
    sheets: Sequence[Sheet],
    fields: Sequence[Field],
    layout: LayoutColumns,
    file_name: str,
    require_any: Sequence[Sequence[str]],
) -> HeaderMatch:
    """A file without a header row: the layout's positions are the columns, every row below `skip_rows` data."""
    missing = [f.name for f in fields if f.required and f.name not in layout.positions]
    missing += [" or ".join(g) for g in require_any if not any(name in layout.positions for name in g)]
    if missing:
        raise FileRejected(
            "bad_layout",
            f"{file_name}: the layout says the file has no header row, but gives no position for {', '.join(missing)}",
        )
    if not sheets:
        raise FileRejected("header_not_found", f"{file_name}: no sheet to read (the layout's sheet is not in it)")
    sheet = sheets[0]
    width = len(sheet.cell_columns)
    beyond = {name: i + 1 for name, i in layout.positions.items() if i >= width}
    if beyond:
        raise FileRejected(
            "wrong_layout",
            f"{file_name}: the layout places {', '.join(f'{n} at column {p}' for n, p in beyond.items())}, "
            f"but the file has {width} columns",
        )
    columns = {name: sheet.cell_columns[i] for name, i in layout.positions.items()}
    headers = {name: f"column {i + 1}" for name, i in layout.positions.items()}
    unmapped = tuple(
        f"column {i + 1}" + (" (ignored by the layout)" if i in layout.ignore_positions else "")
        for i in range(width)
        if i not in set(layout.positions.values())
    )
    first_row = int(sheet.frame[ROW_NUMBER].min() or 1)
    return HeaderMatch(sheet, first_row - 1 + layout.skip_rows, columns, headers, unmapped, has_header=False)
