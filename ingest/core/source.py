"""What a source kind provides to the runner, and what its reader returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from ingest.core.contract import Contract

if TYPE_CHECKING:
    from ingest.core.masters import MasterData


@dataclass(frozen=True)
class ReadContext:
    file_name: str  # relative to the inbox; for messages and metadata only, never opened as a path
    distributor_code: str
    masters: MasterData
    # a deployment's own layouts, `<dir>/<kind>/<distributor>.yml`: `Settings.layouts_dir` (data/config/layouts)
    extra_layouts_dir: Path | None = None

    def layout_files(self, kind: str) -> list[Path]:
        """The layout files that apply to this distributor and kind, the winning one last."""
        candidates = [Path(__file__).resolve().parents[1] / kind / "layouts" / f"{self.distributor_code}.yml"]
        if self.extra_layouts_dir is not None:
            candidates.append(self.extra_layouts_dir / kind / f"{self.distributor_code}.yml")
        return [path for path in candidates if path.is_file()]

    def layout(self, kind: str, path: Path | None = None) -> dict:
        """The distributor's YAML layout for this kind, or {}: `ingest/<kind>/layouts/<code>.yml`, its keys
        overridden by the deployment's `<extra_layouts_dir>/<kind>/<code>.yml`. With `path`, the sections for
        that file's format (`csv:`, `xlsx:`, `xls:`, `excel:`) are laid over the top-level keys
        (ingest/core/layouts.py). `_source` names the files, for messages."""
        import yaml

        from ingest.core.errors import FileRejected
        from ingest.core.files import sniff_format
        from ingest.core.layouts import for_file

        layout: dict = {}
        files = self.layout_files(kind)
        for file in files:
            try:
                loaded = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise FileRejected("bad_layout", f"layout {file} is not valid YAML: {exc}") from None
            if not isinstance(loaded, dict):
                raise FileRejected("bad_layout", f"layout {file} must be a mapping of keys (sheet, columns, ...)")
            layout.update(loaded)
        source = " + ".join(str(f) for f in files) or "layout"
        if path is not None and layout:
            layout = for_file(layout, sniff_format(path), source)
        return {**layout, "_source": source} if layout else layout


@dataclass(frozen=True)
class ColumnMapping:
    """How a tabular file's columns were read: which header fed which field (`sellthrough preview` shows it)."""

    sheet: str | None
    header_row: int | None  # 1-based sheet row; None for a headerless file read by position
    fields: dict[str, str]  # field -> the header as written in the file ("column 3" when read by position)
    unmapped: tuple[str, ...] = ()  # headers no field took ("(ignored by the layout)" where the layout says so)


@dataclass
class ReadResult:
    """Rows per raw table (with `_sheet` and `_row_number`), quarantined rows, and the row accounting.

    rows_read counts data rows (not blank, title, header or total rows, which are rows_skipped);
    rows_read = rows loaded + rows quarantined + rows_deduplicated must hold.
    `derived_tables` names tables computed from the rows read (e.g. order lines extracted from chat messages):
    they are loaded like the others but not counted in rows_loaded, so the accounting stays in read rows.
    """

    tables: dict[str, pl.DataFrame]
    quarantine: pl.DataFrame
    rows_read: int
    rows_deduplicated: int = 0
    rows_skipped: int = 0
    period: tuple[date, date] | None = None
    derived_tables: frozenset[str] = frozenset()
    # what declared `period` ("the file name", "its title rows", "its layout"); None: the period is its dates,
    # narrowed to the rows still loaded after the expectations (ingest/core/period.py)
    period_declared: str | None = None
    mapping: ColumnMapping | None = None  # header -> field, for tabular files

    @property
    def rows_loaded(self) -> int:
        return sum(frame.height for table, frame in self.tables.items() if table not in self.derived_tables)


Reader = Callable[[Path, ReadContext], ReadResult]


@dataclass(frozen=True)
class SourceKind:
    """A kind of file the inbox receives: `inbox/<name>/<distributor>/<file>`."""

    name: str
    description: str
    contracts: Mapping[str, Contract]
    read: Reader
    # the module whose `SUITE` judges its loads before they commit (`expectations.suites.<name>`, run by the
    # caller's validator, ingest/core/validation.py); None: its loads are not validated. Named, not imported:
    # ingest imports nothing above it.
    suite: str | None
    load_order: int = 100  # masters (0) load before the kinds that map against them
    file_patterns: tuple[str, ...] = field(default=("*",))
    # extra `sellthrough preview` totals computed from the read (e.g. messages for chats); merged into `totals`
    preview_totals: Callable[[ReadResult], dict] | None = None
    # order of a kind's files within one run, before arrival time (masters: a hierarchy's parents first)
    file_rank: Callable[[str], int] | None = None
    # the reader reads each row on its own through `read_table_rows` (no row depends on another beyond
    # de-duplication and the date order): a large text file is then loaded in bounded chunks
    # (ingest/core/chunked.py); other kinds read files whole, up to TextLimits.whole_read_bytes
    chunked_text: bool = False
