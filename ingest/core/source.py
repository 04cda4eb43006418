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
    extra_layouts_dir: Path | None = None  # a deployment's own layouts: <dir>/<kind>/<distributor>.yml

    def layout(self, kind: str) -> dict:
        """The distributor's YAML layout for this kind, or {}: `ingest/<kind>/layouts/<code>.yml`,
        overridden by the deployment's `<extra_layouts_dir>/<kind>/<code>.yml`."""
        import yaml

        candidates = [Path(__file__).resolve().parents[1] / kind / "layouts" / f"{self.distributor_code}.yml"]
        if self.extra_layouts_dir is not None:
            candidates.append(self.extra_layouts_dir / kind / f"{self.distributor_code}.yml")
        layout: dict = {}
        for path in candidates:
            if path.exists():
                layout.update(yaml.safe_load(path.read_text()) or {})
        return layout


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
    load_order: int = 100  # masters (0) load before the kinds that map against them
    file_patterns: tuple[str, ...] = field(default=("*",))
    # extra `sellthrough preview` totals computed from the read (e.g. messages for chats); merged into `totals`
    preview_totals: Callable[[ReadResult], dict] | None = None
    # order of a kind's files within one run, before arrival time (masters: a hierarchy's parents first)
    file_rank: Callable[[str], int] | None = None
