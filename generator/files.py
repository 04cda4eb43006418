"""Bytes on disk: deterministic workbooks, Indian number formats, and delivery times as file mtimes."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from generator.config import WORKBOOK_TIMESTAMP

MONTH_ABBR = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def workbook_bytes(workbook: Workbook) -> bytes:
    """An xlsx whose bytes depend only on its content: fixed document times and zip entry times."""
    workbook.properties.created = WORKBOOK_TIMESTAMP
    workbook.properties.modified = WORKBOOK_TIMESTAMP
    workbook.properties.creator = "openpyxl"
    first = io.BytesIO()
    with zipfile.ZipFile(first, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(first) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def delimited(rows: Iterable[Sequence[object]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def indian(paise: int) -> str:
    """1,23,456.78: the last three digits, then groups of two (lakh, crore)."""
    sign = "-" if paise < 0 else ""
    rupees, fraction = divmod(abs(paise), 100)
    digits = str(rupees)
    if len(digits) > 3:
        head, tail = digits[:-3], digits[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        digits = ",".join([*groups, tail])
    return f"{sign}{digits}.{fraction:02d}"


def plain(paise: int) -> str:
    return f"{paise // 100}.{paise % 100:02d}" if paise >= 0 else f"-{plain(-paise)}"


def excel_serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def tally_date(day: date) -> str:
    return f"{day.day}-{MONTH_ABBR[day.month]}-{day.year % 100:02d}"


def write_delivered(path: Path, data: bytes, delivered_at: datetime) -> None:
    """Write a file and stamp it with its simulated delivery time (UTC) as mtime."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stamp = delivered_at.replace(tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))
