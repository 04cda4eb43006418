"""`sellthrough preview`: read one file exactly as the nightly load would, load nothing, say what it would load."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.core.errors import FileRejected
from ingest.core.masters import MasterData
from ingest.core.runner import read_file
from ingest.core.source import ReadContext, ReadResult, SourceKind
from ingest.registry import source_kinds

DOCUMENT_COLUMNS = ("invoice_number", "doc_number", "voucher_number", "order_id")
DATE_COLUMNS = ("invoice_date", "doc_date", "period_start", "order_date", "sale_date")
AMOUNT_COLUMNS = ("net_amount", "sales_value")
QUANTITY_COLUMNS = ("quantity_units", "closing_units", "units")


@dataclass(frozen=True)
class Preview:
    kind: str
    file: str
    result: ReadResult

    def rows(self) -> pl.DataFrame:
        frames = [f for t, f in self.result.tables.items() if f.height and t not in self.result.derived_tables]
        return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()

    def as_dict(self) -> dict:
        rows = self.rows()
        reasons = Counter(self.result.quarantine["reason_code"].to_list()) if self.result.quarantine.height else {}

        def first(columns: tuple[str, ...]) -> str | None:
            return next((c for c in columns if c in rows.columns), None)

        doc, day, amount, quantity = (
            first(c) for c in (DOCUMENT_COLUMNS, DATE_COLUMNS, AMOUNT_COLUMNS, QUANTITY_COLUMNS)
        )
        # a kind with its own date column name (e.g. a scaffolded one's line_date): its first date column
        day = day or next((c for c, t in rows.schema.items() if t == pl.Date and not c.startswith("_")), None)
        totals = {
            "lines": rows.height,
            "documents": rows[doc].n_unique() if doc else 0,
            "quantity": int(rows[quantity].sum() or 0) if quantity else 0,
            "net_amount": round(float(rows[amount].sum() or 0), 2) if amount else 0.0,
            "date_min": rows[day].min().isoformat() if day and rows.height else None,
            "date_max": rows[day].max().isoformat() if day and rows.height else None,
        }
        extra = source_kinds().get(self.kind)
        if extra is not None and extra.preview_totals is not None:
            totals.update(extra.preview_totals(self.result))
        return {
            "kind": self.kind,
            "file": self.file,
            "rows_read": self.result.rows_read,
            "rows_loaded": self.result.rows_loaded,
            "rows_quarantined": self.result.quarantine.height,
            "rows_deduplicated": self.result.rows_deduplicated,
            "rows_skipped": self.result.rows_skipped,
            "quarantine_reasons": dict(reasons),
            "totals": totals,
        }


def preview_file(
    path: Path,
    *,
    kind: str | None = None,
    distributor_code: str | None = None,
    masters: MasterData | None = None,
) -> Preview:
    """Read `path`; with no `kind`, take it from an inbox path or try each kind until one reads the file."""
    kinds = source_kinds()
    path = path.resolve()
    inferred_kind, inferred_distributor = _from_inbox_path(path, kinds)
    distributor = distributor_code or inferred_distributor or "PREVIEW"
    masters = masters or MasterData()
    candidates = [kind or inferred_kind] if (kind or inferred_kind) else _guess_order(path, kinds)
    errors: list[str] = []
    for name in candidates:
        if name not in kinds:
            raise FileRejected("unknown_kind", f"no source kind {name!r}; known: {', '.join(kinds)}")
        ctx = ReadContext(path.name, distributor, masters)
        try:
            return Preview(name, str(path), read_file(path, kinds[name], ctx))
        except FileRejected as rejected:
            if len(candidates) == 1 or rejected.code not in {
                "header_not_found",
                "unknown_master",
                "no_period",
            }:
                raise
            errors.append(f"as {name}: {rejected.message}")
    raise FileRejected("unknown_layout", f"{path.name}: no source kind could read it. " + " | ".join(errors))


def _from_inbox_path(path: Path, kinds: dict[str, SourceKind]) -> tuple[str | None, str | None]:
    parts = path.parts
    for i, part in enumerate(parts[:-2]):
        if part == "inbox" and parts[i + 1] in kinds:
            return parts[i + 1], parts[i + 2] if len(parts) > i + 3 else None
    return None, None


def _guess_order(path: Path, kinds: dict[str, SourceKind]) -> list[str]:
    order = [k for k in kinds if k != "masters"]
    return [*order, "masters"]
