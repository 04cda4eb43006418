"""Review decisions a person made on the review queue, kept as human-readable CSV files under
`<data dir>/reviews/`: `sku_aliases.csv`, `outlet_aliases.csv` and `ignored.csv`.

Every file is rewritten whole and atomically (tmp file, fsync, rename), so a reader never sees half a file.
Text cells that begin like a spreadsheet formula are stored escaped (ingest/core/cell_safety.py) and unescaped
on reading, here and in dbt (`stg_reviews__decisions`), so names are exact everywhere.
A later decision for the same distributor and name (compared case-, space- and punctuation-insensitively)
replaces the earlier one. The masters lookup (`ingest/core/masters.py`) reads the aliases for every later file.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ingest.core.cell_safety import escape_text, unescape_text
from ingest.core.locks import exclusive_lock
from ingest.core.values import name_key

SKU_ALIASES = "sku_aliases.csv"
OUTLET_ALIASES = "outlet_aliases.csv"
IGNORED = "ignored.csv"
DECIDED = ("decided_by", "decided_at")
COLUMNS: dict[str, tuple[str, ...]] = {
    SKU_ALIASES: ("distributor_code", "alias", "sku_code", *DECIDED),
    OUTLET_ALIASES: ("distributor_code", "alias", "outlet_code", *DECIDED),
    IGNORED: ("review_kind", "distributor_code", "name", "note", *DECIDED),
}
REVIEW_KINDS = ("sku", "outlet")


@dataclass(frozen=True)
class ReviewStore:
    folder: Path

    @classmethod
    def beside(cls, raw_dir: Path) -> ReviewStore:
        """The store of the data dir whose raw lake is `raw_dir` (`<data dir>/raw` -> `<data dir>/reviews`)."""
        return cls(raw_dir.parent / "reviews")

    def ensure(self) -> None:
        """Every decision file exists, with its header (dbt reads them as sources)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for name in COLUMNS:
            if not (self.folder / name).exists():
                self._write(name, [])

    def read(self, name: str) -> pl.DataFrame:
        columns = COLUMNS[name]
        path = self.folder / name
        if not path.exists():
            return pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
        with path.open(newline="", encoding="utf-8") as handle:
            rows = [{c: unescape_text(row.get(c) or None) for c in columns} for row in csv.DictReader(handle)]
        return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String))

    def sku_aliases(self) -> pl.DataFrame:
        return self.read(SKU_ALIASES)

    def outlet_aliases(self) -> pl.DataFrame:
        return self.read(OUTLET_ALIASES)

    def ignored(self) -> pl.DataFrame:
        return self.read(IGNORED)

    def confirm_sku(self, distributor_code: str, alias: str, sku_code: str, by: str) -> dict:
        row = {"distributor_code": distributor_code, "alias": alias, "sku_code": sku_code}
        return self._upsert(SKU_ALIASES, row, by)

    def confirm_outlet(self, distributor_code: str, alias: str, outlet_code: str, by: str) -> dict:
        row = {"distributor_code": distributor_code, "alias": alias, "outlet_code": outlet_code}
        return self._upsert(OUTLET_ALIASES, row, by)

    def ignore(self, review_kind: str, distributor_code: str, name: str, note: str, by: str) -> dict:
        if review_kind not in REVIEW_KINDS:
            raise ValueError(f"review kind {review_kind!r}: expected one of {', '.join(REVIEW_KINDS)}")
        row = {"review_kind": review_kind, "distributor_code": distributor_code, "name": name, "note": note}
        return self._upsert(IGNORED, row, by)

    def _upsert(self, file: str, row: dict, by: str) -> dict:
        name_column = "alias" if "alias" in row else "name"
        if not row[name_column] or not row[name_column].strip() or not name_key(row[name_column]):
            raise ValueError("the name must have at least one letter or digit")
        record = {**row, "decided_by": by, "decided_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        same = [c for c in COLUMNS[file] if c in {"review_kind", "distributor_code"}]
        with self._locked():
            kept = [
                old
                for old in self.read(file).iter_rows(named=True)
                if not (
                    all(old[c] == record[c] for c in same) and name_key(old[name_column]) == name_key(row[name_column])
                )
            ]
            self._write(file, [*kept, record])
        return record

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(self.folder / ".reviews.lock", timeout_seconds=30):
            yield

    def _write(self, file: str, rows: list[dict]) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS[file]), lineterminator="\n")
        writer.writeheader()
        # a name beginning like a formula (`=HYPERLINK(...)`) is written with a leading apostrophe, so a person
        # opening the file in a spreadsheet runs nothing; read() takes it off again, names round-trip exactly
        writer.writerows({c: escape_text(v) if isinstance(v, str) else v for c, v in row.items()} for row in rows)
        target = self.folder / file
        tmp = target.with_name(f".{file}.{os.getpid()}.tmp")
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            handle.write(buffer.getvalue())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
