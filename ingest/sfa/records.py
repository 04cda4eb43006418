"""An SFA export's records as text, whatever the format: JSON lines (one object a line) or CSV with a header.

Each record becomes a dict of contract field -> text (None when absent or blank), its 1-based line number in
the file (the header is line 1 of a CSV), its type (`visit` or `order_line`) and its cells as read (JSON).
The type is the record's own `type` field when it has one, else an order line when it carries a client order
id, else a visit.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from ingest.core.errors import FileRejected
from ingest.sfa.contract import SYNONYMS

VISIT_TYPES = {"visit", "visits", "call", "calls", "checkin", "check_in"}
ORDER_TYPES = {"order", "orders", "order_line", "order_lines", "orderline", "line"}
_LOOKUP = {alias: name for name, aliases in SYNONYMS.items() for alias in aliases}


@dataclass(frozen=True)
class Record:
    row_number: int
    record_type: str | None  # visit | order_line | None (an unknown `type`)
    values: dict[str, str | None]
    raw_values: str


@dataclass(frozen=True)
class Records:
    records: list[Record]
    unreadable: list[tuple[int, str, str]]  # (line number, reason, the line as read)
    blank_lines: int


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


def to_record(row_number: int, cells: dict[str, object]) -> Record:
    values: dict[str, str | None] = dict.fromkeys(SYNONYMS)
    for name, value in cells.items():
        field = _LOOKUP.get(_key(str(name)))
        if field is not None and values[field] is None:
            values[field] = _text(value)
    declared = (values.pop("record_type") or "").lower()
    if declared in VISIT_TYPES:
        kind: str | None = "visit"
    elif declared in ORDER_TYPES:
        kind = "order_line"
    elif declared:
        kind = None
    else:
        kind = "order_line" if values["client_order_id"] is not None else "visit"
    raw = json.dumps({str(k): v for k, v in cells.items()}, ensure_ascii=False, default=str)
    return Record(row_number, kind, values, raw)


def read_records(path: Path, file_name: str) -> Records:
    data = path.read_bytes()
    if not data.strip():
        raise FileRejected("empty_file", f"{file_name} is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if text.lstrip().startswith("{"):
        return _json_lines(text)
    return _csv(text, file_name)


def _json_lines(text: str) -> Records:
    records: list[Record] = []
    unreadable: list[tuple[int, str, str]] = []
    blank = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            blank += 1
            continue
        try:
            cells = json.loads(line)
        except json.JSONDecodeError as exc:
            unreadable.append((number, f"line {number} is not valid JSON ({exc.msg}); re-export the sync", line))
            continue
        if not isinstance(cells, dict):
            unreadable.append((number, f"line {number} is JSON but not an object with fields", line))
            continue
        records.append(to_record(number, cells))
    return Records(records, unreadable, blank)


def _csv(text: str, file_name: str) -> Records:
    sample = text[:4096]
    delimiter = max((",", ";", "\t", "|"), key=sample.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    fields = {_LOOKUP.get(_key(h)) for h in header or []}
    if not fields & {"visit_id", "client_order_id"}:
        raise FileRejected(
            "header_not_found", f"{file_name}: no SFA header (a visit_id or client_order_id column on the first line)"
        )
    records: list[Record] = []
    blank = 0
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            blank += 1
            continue
        records.append(to_record(number, dict(zip(header, row, strict=False))))
    return Records(records, [], blank)
