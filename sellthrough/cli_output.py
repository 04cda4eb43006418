"""How the command line prints tables: rich on a terminal wide enough for them, plain full-width text otherwise.

In a pipe, a cron log or a CI job there is no terminal, and rich would squeeze a table into 80 columns (cutting
cells to `…`); on a narrow terminal it would crop or fold cells out of sight. There every table is printed as
plain text, columns padded to their widest cell and nothing cut, so `grep`, `awk` and a person reading the log
see whole values. Commands that print tables also offer `--json` where a program reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

PLAIN_GAP = "  "


@dataclass
class TableOut:
    """A table to print: a title, its headers and its rows (cells as text), a style per row on a terminal."""

    title: str
    headers: Sequence[str]
    rows: list[Sequence[str]] = field(default_factory=list)
    styles: list[str | None] = field(default_factory=list)

    def add(self, *cells: object, style: str | None = None) -> None:
        self.rows.append(["" if c is None else str(c) for c in cells])
        self.styles.append(style)


def stdout_console() -> Console:
    """A console on stdout now (the terminal's width and COLUMNS as they are at this call, not at import)."""
    return Console()


def print_table(table: TableOut, console: Console | None = None) -> None:
    """On a terminal wide enough for every cell: a rich table. Otherwise (a pipe, a log, or a terminal too narrow
    for the table) plain text, every cell whole: a narrow terminal wraps the long lines, nothing is cut or hidden."""
    console = console or stdout_console()
    rich_table = _rich_table(table)
    if console.is_terminal and _natural_width(console, rich_table) <= console.width:
        console.print(rich_table)
    else:
        print(plain_table(table))


def plain_table(table: TableOut) -> str:
    """The table as plain text: a title line, a header line, one line per row, every cell whole."""
    cells = [list(table.headers), *[list(r) for r in table.rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.headers))]
    lines = [table.title] if table.title else []
    for row in cells:
        lines.append(PLAIN_GAP.join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _natural_width(console: Console, table: Table) -> int:
    """The width the table takes with every cell whole (rich clamps a plain measure to the console's width)."""
    return Measurement.get(console, console.options.update(max_width=1_000_000), table).maximum


def _rich_table(table: TableOut) -> Table:
    out = Table(title=table.title, box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for header in table.headers:
        out.add_column(header, no_wrap=True)
    for row, style in zip(table.rows, table.styles or [None] * len(table.rows), strict=True):
        out.add_row(*row, style=style)
    return out


def print_line(text: str, console: Console | None = None) -> None:
    """A line of text: rich markup on a terminal, the same words without markup (and unwrapped) elsewhere."""
    console = console or stdout_console()
    if console.is_terminal:
        console.print(text)
    else:
        print(Text.from_markup(text).plain)
