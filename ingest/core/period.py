"""A file's period: the one it declares where it declares one, else the dates of its lines.

What a file declares wins, in this order: its title rows ("Sales Register from 01-07-2026 to 07-07-2026",
"Stock Statement for July 2026", "बिक्री 01/07/26 से 07/07/26"), its name (`sales_2026-07-06_2026-07-12.csv`,
`sales_2026-07-06.xlsx`, `primary_2026-07.csv`), its layout (`period: week` covers whole weeks of its dates).
The ledger records it, and it is what a later file supersedes: a corrected re-send that no longer has a line on
its first or last day still replaces that day, and a weekly file covers its Sunday though nobody billed on it.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

import polars as pl

from ingest.core.grid import ROW_NUMBER

DateSpan = tuple[date, date]

_NUMERIC_DATE = r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}[-\s][A-Za-z]{3,9}[-\s,']*\d{2,4}"
_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name
}
BY_TITLE = "its title rows"
BY_NAME = "its file name"
BY_LAYOUT = "its layout"


def name_period(file_name: str) -> DateSpan | None:
    """The period a file's name declares: `..._2026-08-17_2026-08-23`, `..._2026-07-06` or `..._2026-10`."""
    stem = file_name.rsplit("/", 1)[-1]
    days = [date.fromisoformat(d) for d in re.findall(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)", stem) if _is_date(d)]
    if days:
        return min(days[0], days[-1]), max(days[0], days[-1])
    month = re.search(r"(?<!\d)(\d{4})[-_](\d{2})(?!\d)", stem)
    if month and 1 <= int(month.group(2)) <= 12:
        return month_span(int(month.group(1)), int(month.group(2)))
    return None


def title_text(frame: pl.DataFrame, header_row: int | None) -> str:
    """The text of the rows above a table's header (none for a headerless file)."""
    if not header_row:
        return ""
    above = frame.filter(pl.col(ROW_NUMBER) < header_row).drop(ROW_NUMBER)
    return " ".join(str(v) for row in above.rows() for v in row if v)


def title_period(title: str) -> DateSpan | None:
    """`from 01-07-2026 to 07-07-2026`, `01.07.2026 - 07.07.2026`, `3-Nov-26 to 9-Nov-26` (the first two dates),
    or `for July 2026` (a month)."""
    from ingest.core.values import parse_date

    found = re.findall(rf"(?<![\d/.-])({_NUMERIC_DATE})(?![\d/.-])", title)
    if len(found) >= 2:
        parsed = pl.DataFrame({"d": found}, schema={"d": pl.String}).select(parse_date(pl.col("d")).alias("d"))["d"]
        dates = parsed.drop_nulls().to_list()
        if len(dates) >= 2 and dates[0] <= dates[1]:
            return dates[0], dates[1]
    named = re.search(r"\b([A-Za-z]{3,9})[\s,'-]*(\d{4})\b", title)
    if named and named.group(1).lower() in _MONTH_NAMES:
        return month_span(int(named.group(2)), _MONTH_NAMES[named.group(1).lower()])
    return None


def grain_span(first: date, last: date, grain: str) -> DateSpan:
    """Whole days, ISO weeks (Monday to Sunday) or calendar months around the dates."""
    if grain == "week":
        return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())
    if grain == "month":
        return date(first.year, first.month, 1), month_span(last.year, last.month)[1]
    return first, last


def file_period(
    dates: pl.Series, *, file_name: str, title: str = "", layout_grain: str | None = None
) -> tuple[DateSpan | None, str | None]:
    """(period, what declared it): title rows, then the name, then the layout's grain around the dates; else the
    dates themselves (None: not declared). No dates and nothing declared: (None, None)."""
    if (declared := title_period(title)) is not None:
        return declared, BY_TITLE
    if (declared := name_period(file_name)) is not None:
        return declared, BY_NAME
    present = dates.drop_nulls()
    if present.is_empty():
        return None, None
    first, last = present.min(), present.max()
    if layout_grain is not None:
        return grain_span(first, last, layout_grain), BY_LAYOUT  # type: ignore[arg-type]
    return (first, last), None  # type: ignore[return-value]


def month_span(year: int, month: int) -> DateSpan:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
